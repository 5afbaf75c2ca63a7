using System.Text.Json;
using System.Text.Json.Serialization;
using Workbench.Data.Catalog;
using Workbench.Data.Io;
using Workbench.Data.Tables;

namespace Workbench.Data;

/// <summary>Options for <see cref="CrmCatalog.Write(CrmDataset, WriteOptions)"/>.</summary>
public sealed record WriteOptions
{
    public DataFormat Format { get; init; } = DataFormat.Csv;

    /// <summary>Leave out tables without rows (bring-your-own data has only some tables), instead of writing header-only files.</summary>
    public bool SkipEmptyTables { get; init; }

    public IProgress<string>? Progress { get; init; }
}

/// <summary>The one place that knows where a dataset's files are: <c>&lt;dir&gt;/&lt;table&gt;.csv</c> or
/// <c>.parquet</c> for every table of <see cref="CrmSchema"/>, and the planted truth in <c>&lt;dir&gt;/truth/</c>
/// (tables of <see cref="TruthSchema"/> plus <c>manifest.json</c>). Writes are atomic and byte-for-byte
/// reproducible; loads validate every row (see <see cref="LoadOptions"/>).</summary>
/// <example><code>
/// var catalog = new CrmCatalog("out/data");
/// catalog.Write(dataset, new WriteOptions { Format = DataFormat.Parquet });
/// var (loaded, report) = catalog.Load(new LoadOptions { Mode = ValidationMode.Lenient });
/// Console.WriteLine(report.ToText());
/// </code></example>
public sealed class CrmCatalog
{
    public CrmCatalog(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The dataset folder.</summary>
    public string Directory { get; }

    /// <summary>Folder of the planted truth.</summary>
    public string TruthDirectory => Path.Combine(Directory, "truth");

    /// <summary>Default folder for lenient-mode rejects.</summary>
    public string DefaultRejectsDirectory => Path.Combine(Directory, "rejects");

    public static string Extension(DataFormat format) => format == DataFormat.Csv ? ".csv" : ".parquet";

    /// <summary>Path of a canonical table's file.</summary>
    public string PathOf(string table, DataFormat format) => Path.Combine(Directory, CrmSchema.Table(table).Name + Extension(format));

    /// <summary>Path of a planted-truth table's file.</summary>
    public string TruthPathOf(string table, DataFormat format) => Path.Combine(TruthDirectory, TruthSchema.Table(table).Name + Extension(format));

    public string ManifestPath => Path.Combine(TruthDirectory, TruthSchema.ManifestFile);

    /// <summary>Canonical tables whose file exists in the given format, in schema order.</summary>
    public IReadOnlyList<string> FindTables(DataFormat format) =>
        CrmSchema.Tables.Select(t => t.Name).Where(t => File.Exists(PathOf(t, format))).ToArray();

    /// <summary>Parquet when any canonical .parquet file exists, else CSV when any .csv exists, else null.</summary>
    public DataFormat? DetectFormat() =>
        FindTables(DataFormat.Parquet).Count > 0 ? DataFormat.Parquet : FindTables(DataFormat.Csv).Count > 0 ? DataFormat.Csv : null;

    /// <summary>The one format of the folder: refuses a folder holding canonical tables in both formats (a stray
    /// .parquet beside CSVs, or two copies of the data) instead of silently picking one.</summary>
    DataFormat ChooseFormat(int maxProblems)
    {
        var parquet = FindTables(DataFormat.Parquet);
        var csv = FindTables(DataFormat.Csv);
        if (parquet.Count > 0 && csv.Count > 0)
            throw new DataValidationException([new DataProblem(Directory, 0, null, null,
                $"one format per dataset folder; found CSV ({string.Join(", ", csv.Select(t => t + ".csv"))}) and Parquet " +
                $"({string.Join(", ", parquet.Select(t => t + ".parquet"))}) tables: choose one with --format csv or --format parquet " +
                "(LoadOptions.Format), or remove the other files")], maxProblems);
        return parquet.Count > 0 ? DataFormat.Parquet : DataFormat.Csv;
    }

    /// <summary>Writes every table of the dataset as CSV (and its truth when present).</summary>
    public void Write(CrmDataset dataset) => Write(dataset, new WriteOptions());

    /// <summary>Writes the dataset's tables (and truth when present); each file is written atomically, tables in parallel.</summary>
    public void Write(CrmDataset dataset, WriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        System.IO.Directory.CreateDirectory(Directory);
        var jobs = new List<Action>();
        foreach (var t in Bindings.Canonical)
        {
            if ((options.SkipEmptyTables || CrmSchema.OptionalTables.Contains(t.Name)) && t.Count(dataset) == 0) continue;
            jobs.Add(() => { t.Write(dataset, PathOf(t.Name, options.Format), options.Format); options.Progress?.Report($"wrote {t.Name}"); });
        }
        if (dataset.Truth is { } truth)
        {
            System.IO.Directory.CreateDirectory(TruthDirectory);
            foreach (var t in Bindings.Truth)
                jobs.Add(() => { t.Write(truth, TruthPathOf(t.Name, options.Format), options.Format); options.Progress?.Report($"wrote truth/{t.Name}"); });
            jobs.Add(() => AtomicFile.WriteText(ManifestPath, JsonSerializer.Serialize(new ManifestFile(truth.Manifest, truth.Rollout), DataJson.Default.ManifestFile) + "\n"));
        }
        // Largest first so the two big monthly tables do not end up on the same core at the end.
        Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, j => j());
    }

    /// <summary>Loads the dataset in strict mode (throws <see cref="DataValidationException"/> on the first problems).</summary>
    public LoadResult Load() => Load(new LoadOptions());

    /// <summary>Loads and validates every table present (and the truth). Strict mode throws
    /// <see cref="DataValidationException"/> and writes nothing; lenient mode keeps the good rows and writes rejected
    /// ones to <c>&lt;rejects&gt;/&lt;table&gt;.rejects.csv</c>. Tables load in dependency order so foreign keys are
    /// checked against the rows actually accepted; a foreign key into an absent table is not checked.</summary>
    public LoadResult Load(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!System.IO.Directory.Exists(Directory))
            throw new WorkbenchException($"Dataset folder not found: {Directory}");
        // A partitioned dataset is read a partition at a time ('workbench score' does); any one partition is a dataset.
        if (File.Exists(Path.Combine(Directory, Partitioning.DatasetPartitioner.ManifestFile)))
            throw new WorkbenchException($"{Directory}: is a partitioned dataset ({Partitioning.DatasetPartitioner.ManifestFile}); 'workbench score' reads it " +
                $"partition by partition, and any partition ({Path.Combine(Directory, Partitioning.DatasetPartitioner.PartitionFolder(0))}, ...) is a dataset " +
                "of its own (a hash sample of the accounts) that every command reads.");
        var format = options.Format ?? ChooseFormat(options.MaxProblems);
        var rejectsDir = options.RejectsDirectory is null ? DefaultRejectsDirectory : Path.GetFullPath(options.RejectsDirectory);

        var found = FindTables(format);
        var fileProblems = new List<DataProblem>();
        if (found.Count == 0)
            fileProblems.Add(new DataProblem(Directory, 0, null, null,
                $"at least one canonical table file ({string.Join(", ", CrmSchema.Tables.Select(t => t.Name + Extension(format)))}); none found"));
        foreach (var t in options.RequiredTables)
            if (!found.Contains(t)) fileProblems.Add(new DataProblem(PathOf(t, format), 0, null, null, $"the required table {t} (file missing)"));
        if (fileProblems.Count > 0) throw new DataValidationException(fileProblems, options.MaxProblems);

        var outcomes = new Dictionary<string, TableOutcome>();
        var targetSets = new Dictionary<(string, string), HashSet<string>>();
        bool withTruth = options.IncludeTruth && System.IO.Directory.Exists(TruthDirectory);
        var truthJobs = withTruth ? TruthJobs(format, options, rejectsDir) : [];
        Dictionary<string, TableOutcome> loadedTables;
        TruthResult[] truthResults;
        var filters = new Dictionary<string, object>();
        using (Io.ParquetTableIo.ShareBuffers())
        using (options.HugePages ? Io.HeapHugePages.Begin() : null) (loadedTables, truthResults) = LoadCanonical(format, options, rejectsDir, targetSets, truthJobs, filters);
        // Report as if the tables had loaded level by level: strict mode stops at the first level with problems and
        // lists the problems of that level and the ones before, in schema order, whatever order the threads ran in.
        foreach (var level in Bindings.Levels())
        {
            foreach (var t in level) outcomes[t.Name] = loadedTables[t.Name];
            ThrowIfStrictProblems(options, outcomes.Values);
        }

        PlantedTruth? truth = null;
        var truthOutcomes = new List<TableOutcome>();
        if (withTruth)
        {
            // The truth tables were read beside the canonical ones; they are reported (and their failures thrown) only now,
            // after the canonical tables, as when they were read after them.
            var failures = truthResults.Where(r => r.Failure is not null).Select(r => r.Failure!).ToList();
            if (failures.Count > 0) throw new AggregateException(failures);
            truth = LoadTruth(truthResults.Select(r => r.Outcome!).ToArray(), truthOutcomes);
        }
        ThrowIfStrictProblems(options, outcomes.Values.Concat(truthOutcomes));

        var all = CrmSchema.Tables.Select(t => outcomes[t.Name]).Concat(truthOutcomes).ToList();
        var report = new LoadReport(Directory, format, options.Mode, all.Select(o => o.Report).ToList(),
            all.SelectMany(o => o.Problems).ToList(), all.Sum(o => o.ProblemCount));
        var dataset = new CrmDataset
        {
            Accounts = Rows<Account>(outcomes, CrmSchema.Accounts), Products = Rows<Product>(outcomes, CrmSchema.Products),
            Contracts = Rows<Contract>(outcomes, CrmSchema.Contracts), Spend = Rows<SpendRecord>(outcomes, CrmSchema.Spend),
            Usage = Rows<UsageRecord>(outcomes, CrmSchema.Usage), Engagement = Rows<EngagementEvent>(outcomes, CrmSchema.Engagement),
            Bookings = Rows<Booking>(outcomes, CrmSchema.Bookings), Reps = Rows<Rep>(outcomes, CrmSchema.Reps),
            Book = Rows<BookAssignment>(outcomes, CrmSchema.Book), Opportunities = Rows<Opportunity>(outcomes, CrmSchema.Opportunities),
            StageHistory = Rows<StageChange>(outcomes, CrmSchema.StageHistory), Actions = Rows<ActionLogEntry>(outcomes, CrmSchema.Actions),
            Transactions = Rows<TransactionRecord>(outcomes, CrmSchema.Transactions),
            OpportunityActivities = Rows<OpportunityActivity>(outcomes, CrmSchema.OpportunityActivities),
            Truth = truth,
            EarlyFacts = EarlyFactsOf(filters),
        };
        return new LoadResult(dataset, report);
    }

    /// <summary>The summary of the rows the filters did not keep (null when no table was filtered).</summary>
    static EarlyFacts? EarlyFactsOf(Dictionary<string, object> filters)
    {
        var usage = filters.GetValueOrDefault(CrmSchema.Usage) as EarlyUsageFilter;
        var engagement = filters.GetValueOrDefault(CrmSchema.Engagement) as EarlyEngagementFilter;
        if (usage is null && engagement is null) return null;
        return new EarlyFacts(usage?.Cutoff ?? engagement!.Cutoff, (usage?.Summarized ?? 0) + (engagement?.Summarized ?? 0), usage?.Pairs ?? [], usage?.RowsPerMonth ?? new Dictionary<DateOnly, int>(),
            engagement?.LatestTouches ?? []);
    }

    /// <summary>The first month whose usage and engagement rows are kept with <see cref="LoadOptions.KeepRecentMonths"/>:
    /// that many months before the month after spend's last month (null: no spend rows, every row is kept). Spend's last
    /// month is at most the data's last month, so the months a scoring reads as of the default date are always kept.</summary>
    static DateOnly? KeepFrom(TableOutcome? spend, int months)
    {
        if (spend?.Rows is not List<SpendRecord> { Count: > 0 } rows) return null;
        var last = DateOnly.MinValue;
        foreach (var s in rows) if (s.Month > last) last = s.Month;
        return new DateOnly(last.Year, last.Month, 1).AddMonths(1 - months);
    }

    static bool Wanted(LoadOptions options, string table) => options.Tables is null || options.Tables.Contains(table);

    /// <summary>One planted-truth table to read beside the canonical ones: its file size (for scheduling) and the read.</summary>
    sealed record TruthJob(long Size, Func<TableOutcome> Load);

    /// <summary>What reading one truth table gave: its outcome, or the exception it threw.</summary>
    sealed record TruthResult(TableOutcome? Outcome, Exception? Failure);

    /// <summary>The reads of the truth tables, in <see cref="Bindings.Truth"/> order (absent or unwanted ones give an
    /// "absent" outcome without reading).</summary>
    TruthJob[] TruthJobs(DataFormat format, LoadOptions options, string rejectsDir) =>
        Bindings.Truth.Select(t =>
        {
            var path = TruthPathOf(t.Name, format);
            bool read = File.Exists(path) && (options.TruthTables is null || options.TruthTables.Contains(t.Name));
            return new TruthJob(read ? new FileInfo(path).Length : 0, () => read
                ? t.Load(path, path, format, options, Path.Combine(rejectsDir, "truth", t.Name + ".rejects.csv"), [])
                : new TableOutcome(t.Name, null!, new TableLoadReport(t.Name, null, TableStatus.Absent, 0, 0, 0), [], 0));
        }).ToArray();

    /// <summary>Loads the canonical tables, and the truth tables of <paramref name="truthJobs"/> beside them, on up to
    /// <see cref="Environment.ProcessorCount"/> threads. A table starts as soon as the tables its foreign keys name are
    /// loaded (their rows are the targets), biggest file first so the long tables do not end up last on one core (truth
    /// tables name no canonical table: at 100,000 accounts truth/risks is the biggest file read, and read after the
    /// canonical tables it kept one core idle). In strict mode a table is skipped once a table of a lower level has
    /// problems (truth tables once any canonical table has): the load will throw at that level and never report it.</summary>
    (Dictionary<string, TableOutcome> Canonical, TruthResult[] Truth) LoadCanonical(DataFormat format, LoadOptions options, string rejectsDir,
        Dictionary<(string, string), HashSet<string>> targetSets, TruthJob[] truthJobs, Dictionary<string, object> filters)
    {
        var tables = Bindings.Canonical;
        // Keeping only the recent months of usage and engagement: their cutoff comes from spend's last month, so they wait
        // for spend.
        int spendIndex = IndexOf(tables, CrmSchema.Spend);
        bool filtered = options.KeepRecentMonths is not null && Wanted(options, CrmSchema.Spend) && File.Exists(PathOf(CrmSchema.Spend, format));
        bool IsFiltered(string table) => filtered && (table == CrmSchema.Usage || table == CrmSchema.Engagement);
        int n = tables.Count, all = n + truthJobs.Length;
        var levelOf = new Dictionary<string, int>();
        var levels = Bindings.Levels();
        for (int l = 0; l < levels.Count; l++) foreach (var t in levels[l]) levelOf[t.Name] = l;
        int Level(int i) => i < n ? levelOf[tables[i].Name] : int.MaxValue;
        var deps = new int[all][];
        var size = new long[all];
        for (int i = 0; i < n; i++)
        {
            var fkTables = tables[i].Codec.Schema.ForeignKeys.Where(f => f.Table != tables[i].Name).Select(f => f.Table).Distinct();
            deps[i] = fkTables.Select(name => IndexOf(tables, name)).ToArray();
            if (IsFiltered(tables[i].Name)) deps[i] = [.. deps[i], spendIndex];
            var path = PathOf(tables[i].Name, format);
            size[i] = File.Exists(path) && Wanted(options, tables[i].Name) ? new FileInfo(path).Length : 0;
        }
        for (int i = n; i < all; i++) { deps[i] = []; size[i] = truthJobs[i - n].Size; }
        // Critical-path weight: a table's size plus its heaviest dependent chain, so opportunities (which stage_history
        // waits for) starts before tables of the same size that nothing waits for.
        var weight = new long[all];
        for (int i = all - 1; i >= 0; i--)
        {
            long below = 0;
            for (int j = 0; j < all; j++) if (deps[j].Contains(i)) below = Math.Max(below, weight[j]);
            weight[i] = size[i] + below;
        }
        var order = Enumerable.Range(0, all).OrderByDescending(i => weight[i]).ThenBy(i => i).ToArray();

        var results = new TableOutcome?[all];
        var started = new bool[all];
        var failures = new Exception?[all];
        int remaining = all;
        var gate = new object();

        int? Next()
        {
            // Called under the gate: the first table in priority order whose dependencies are done, or null to wait.
            foreach (int i in order)
            {
                if (started[i] || deps[i].Any(d => results[d] is null)) continue;
                started[i] = true;
                return i;
            }
            return null;
        }

        bool SkipStrict(int i) => options.Mode == ValidationMode.Strict &&
            Enumerable.Range(0, n).Any(j => results[j] is { } r && r.ProblemCount > 0 && Level(j) < Level(i));

        void Worker()
        {
            while (true)
            {
                int i;
                bool skip;
                lock (gate)
                {
                    int? next;
                    while ((next = Next()) is null)
                    {
                        if (remaining == 0 || started.All(x => x)) return;
                        Monitor.Wait(gate);
                    }
                    i = next.Value;
                    skip = SkipStrict(i);
                }
                if (i >= n)
                {
                    var job = truthJobs[i - n];
                    TableOutcome? truthOutcome = null;
                    if (!skip)
                    {
                        try { truthOutcome = job.Load(); }
                        catch (Exception ex) { failures[i] = ex; }
                    }
                    lock (gate)
                    {
                        // A skipped truth table (strict load with canonical problems) is never reported: the load throws first.
                        results[i] = truthOutcome ?? new TableOutcome(Bindings.Truth[i - n].Name, null!,
                            new TableLoadReport(Bindings.Truth[i - n].Name, null, TableStatus.Failed, 0, 0, 0), [], 0);
                        remaining--;
                        Monitor.PulseAll(gate);
                    }
                    continue;
                }
                var t = tables[i];
                TableOutcome outcome;
                var path = PathOf(t.Name, format);
                try
                {
                    if (skip || !File.Exists(path) || !Wanted(options, t.Name))
                        outcome = new TableOutcome(t.Name, null!, new TableLoadReport(t.Name, null, TableStatus.Absent, 0, 0, 0), [], 0);
                    else
                    {
                        Dictionary<string, TableOutcome> loaded;
                        lock (gate) loaded = Enumerable.Range(0, n).Where(j => results[j] is not null).ToDictionary(j => tables[j].Name, j => results[j]!);
                        var fks = ForeignKeyChecks(t, loaded, targetSets);
                        object? filter = null;
                        if (IsFiltered(t.Name) && KeepFrom(loaded.GetValueOrDefault(CrmSchema.Spend), options.KeepRecentMonths!.Value) is DateOnly cutoff)
                        {
                            filter = t.Name == CrmSchema.Usage ? new EarlyUsageFilter(cutoff) : new EarlyEngagementFilter(cutoff);
                            lock (filters) filters[t.Name] = filter;
                        }
                        outcome = t.Load(path, path, format, options, Path.Combine(rejectsDir, t.Name + ".rejects.csv"), fks, filter);
                        options.Progress?.Report($"loaded {t.Name}: {outcome.Report.Accepted:N0} of {outcome.Report.Read:N0} rows");
                    }
                }
                catch (Exception ex)
                {
                    failures[i] = ex;
                    outcome = new TableOutcome(t.Name, null!, new TableLoadReport(t.Name, null, TableStatus.Failed, 0, 0, 0), [], 0);
                }
                lock (gate)
                {
                    results[i] = outcome;
                    remaining--;
                    Monitor.PulseAll(gate);
                }
            }
        }

        int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, all));
        var threads = new Thread[workers - 1];
        for (int w = 0; w < threads.Length; w++) { threads[w] = new Thread(Worker) { IsBackground = true, Name = "CrmCatalog.Load" }; threads[w].Start(); }
        Worker();
        foreach (var th in threads) th.Join();
        if (failures.Take(n).FirstOrDefault(f => f is not null) is { } failure)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        var byName = new Dictionary<string, TableOutcome>();
        for (int i = 0; i < n; i++) byName[tables[i].Name] = results[i]!;
        var truth = new TruthResult[truthJobs.Length];
        for (int i = n; i < all; i++) truth[i - n] = new TruthResult(failures[i] is null ? results[i] : null, failures[i]);
        return (byName, truth);
    }

    static int IndexOf(IReadOnlyList<TableBinding<CrmDataset>> tables, string name)
    {
        for (int i = 0; i < tables.Count; i++) if (tables[i].Name == name) return i;
        throw new InvalidOperationException($"No table {name}");
    }

    /// <summary>The planted truth from the outcomes of its tables (read beside the canonical ones, in
    /// <see cref="Bindings.Truth"/> order) and the manifest.</summary>
    PlantedTruth? LoadTruth(TableOutcome[] results, List<TableOutcome> outcomes)
    {
        // Name truth tables truth/<name> in the report so they cannot be confused with canonical ones.
        outcomes.AddRange(results.Select((r, i) => r with { Table = "truth/" + Bindings.Truth[i].Name, Report = r.Report with { Table = "truth/" + Bindings.Truth[i].Name } }));

        ManifestFile? manifest = null;
        var problems = new List<DataProblem>();
        if (!File.Exists(ManifestPath))
            problems.Add(new DataProblem(ManifestPath, 0, null, null, "truth/manifest.json beside the truth tables (file missing)"));
        else
        {
            try
            {
                manifest = JsonSerializer.Deserialize(File.ReadAllText(ManifestPath), DataJson.Default.ManifestFile);
                if (manifest is null) problems.Add(new DataProblem(ManifestPath, 1, "$", "null", "a JSON object with 'manifest' and 'rollout'"));
            }
            catch (JsonException ex) { problems.Add(new DataProblem(ManifestPath, (ex.LineNumber ?? 0) + 1, ex.Path, null, "valid manifest JSON: " + ex.Message)); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A dangling symlink exists as a name but cannot be read.
                problems.Add(new DataProblem(ManifestPath, 0, null, null, "a readable truth/manifest.json: " + ex.Message));
            }
            if (manifest is not null && (manifest.Manifest is null || manifest.Rollout is null))
            { problems.Add(new DataProblem(ManifestPath, 1, manifest.Manifest is null ? "manifest" : "rollout", null, "both 'manifest' and 'rollout' objects")); manifest = null; }
        }
        if (problems.Count > 0)
        {
            outcomes.Add(new TableOutcome("truth/manifest", new object(), new TableLoadReport("truth/manifest", ManifestPath, TableStatus.Failed, 0, 0, 0), problems, problems.Count));
            return null;
        }
        outcomes.Add(new TableOutcome("truth/manifest", new object(), new TableLoadReport("truth/manifest", ManifestPath, TableStatus.Loaded, 1, 1, 0), [], 0));
        List<T> R<T>(int i) => results[i].Rows as List<T> ?? [];
        return new PlantedTruth
        {
            Manifest = manifest!.Manifest!, Rollout = manifest.Rollout!,
            Risks = R<TrueRisk>(0), Segments = R<TrueSegment>(1), RepSkills = R<TrueRepSkill>(2), RepBiases = R<TrueRepBias>(3),
            ActionResponses = R<TrueActionResponse>(4), OpportunityWeeks = R<TrueOpportunityWeek>(5),
            ActionValues = R<TrueActionValue>(6),
        };
    }

    static IReadOnlyList<ForeignKeyCheck> ForeignKeyChecks(TableBinding<CrmDataset> table, Dictionary<string, TableOutcome> loaded,
        Dictionary<(string, string), HashSet<string>> targetSets)
    {
        var checks = new List<ForeignKeyCheck>();
        foreach (var fk in table.Codec.Schema.ForeignKeys)
        {
            if (fk.Table == table.Name) continue; // checked after the table is read
            if (!loaded.TryGetValue(fk.Table, out var target) || target.Report.Status != TableStatus.Loaded) continue;
            HashSet<string>? set;
            lock (targetSets)
            {
                if (!targetSets.TryGetValue((fk.Table, fk.TargetColumn), out set))
                {
                    set = Bindings.Canonical.First(b => b.Name == fk.Table).Values(target.Rows, fk.TargetColumn);
                    targetSets[(fk.Table, fk.TargetColumn)] = set;
                }
            }
            checks.Add(new ForeignKeyCheck(table.Codec.Ordinal(fk.Column), fk.Table, fk.TargetColumn, set));
        }
        return checks;
    }

    static void ThrowIfStrictProblems(LoadOptions options, IEnumerable<TableOutcome> outcomes)
    {
        if (options.Mode != ValidationMode.Strict) return;
        var list = outcomes.ToList();
        if (list.All(o => o.ProblemCount == 0)) return;
        var problems = list.SelectMany(o => o.Problems).ToList();
        throw new DataValidationException(problems, options.MaxProblems);
    }

    static IReadOnlyList<T> Rows<T>(Dictionary<string, TableOutcome> outcomes, string table) =>
        outcomes.TryGetValue(table, out var o) && o.Rows is List<T> rows ? rows : [];

    internal sealed record ManifestFile(GeneratorManifest? Manifest, TrueRolloutEffect? Rollout);
}

/// <summary>Source-generated JSON of the data layer (truth manifest): no reflection, so loading works in file-based apps.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, IndentSize = 2, NewLine = "\n",
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CrmCatalog.ManifestFile))]
internal sealed partial class DataJson : JsonSerializerContext;
