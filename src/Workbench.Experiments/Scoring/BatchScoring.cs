using System.Collections.Concurrent;
using Workbench.Analytics.Explanation;
using Workbench.Analytics.Features;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Scoring;
using Workbench.Data;
using Workbench.Experiments.Promotion;
using Workbench.Experiments.Runs;
using Workbench.Reporting.Book;

using Workbench.Experiments.Pipeline;
using Workbench.Data.Partitioning;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Actions;
using Workbench.Analytics.Lifetime;

namespace Workbench.Experiments.Scoring;

/// <summary>Options of a batch scoring.</summary>
public sealed record ScoringOptions
{
    /// <summary>As-of date (first of a month). Null: the month after the data's last month, so every month is used.</summary>
    public DateOnly? AsOf { get; init; }
    /// <summary>How many reasons each narrative tells; null: what the model was trained with.</summary>
    public NarrativeOptions? Narratives { get; init; }
    /// <summary>A previous scoring's output folder (holding book.json) to compare with; null: the output folder itself when it
    /// holds a previous scoring (so scoring into the same folder again shows what changed).</summary>
    public string? Previous { get; init; }
    /// <summary>ISO 4217 code of the data's amounts, used on the pages.</summary>
    public string Currency { get; init; } = "USD";
}

/// <summary>What a scoring wrote: the result, the output folder, its files (relative paths) and the report's index page.</summary>
public sealed record ScoringOutput(ScoringResult Result, string OutDir, IReadOnlyList<string> Files)
{
    /// <summary>Things the caller should tell the user (accounts without an owner, an unreadable previous scoring).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public string ReportIndex => Path.Combine(OutDir, BatchScoring.ReportFolder, BookReport.IndexFile);
}

/// <summary>
/// <c>workbench score</c>: scores new data (the latest month(s), labels not needed) with a promoted model and writes
/// book.csv, book.json and report/ (index.html plus one page per rep). The whole output folder is written beside its
/// final place and renamed in at the end, so a failed scoring leaves no half-written output.
/// </summary>
public static class BatchScoring
{
    public const string BookCsvFile = "book.csv", BookProductsCsvFile = "book-products.csv", BookJsonFile = "book.json", ReportFolder = "report";

    /// <summary>Scores <paramref name="dataDir"/> with the model promoted as <paramref name="modelName"/> into <paramref name="outDir"/>.</summary>
    public static ScoringOutput Run(StoreLayout store, string modelName, string dataDir, string outDir) => Run(store, modelName, dataDir, outDir, new ScoringOptions());

    public static ScoringOutput Run(StoreLayout store, string modelName, string dataDir, string outDir, ScoringOptions options, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Narratives?.Validate();
        CheckOutputFolder(outDir);
        // Huge pages for the whole scoring, not only its load: the panel, features and explanations fill fresh arrays too
        // (score has no peak budget; docs/scale.md, scorehuge).
        using var hugePages = Workbench.Data.Io.HeapHugePages.Begin();
        var modelDir = ModelRegistry.Resolve(store, modelName);
        progress?.Report("loading the model");
        var model = RankingArtifacts.ReadModel(modelDir);
        var actionPolicy = ActionStage.ReadBookModel(modelDir);
        var narratives = options.Narratives ?? model.Options.Explanation;
        // The explainers read only the model: built on a thread of their own while the data is loaded and the features built.
        var explainers = model.StartExplainers(modelName, narratives);
        // The pages' model card reads only the store (the promotion and its run record): read beside the loading.
        var card = Task.Run(() => Card(store, modelName));
        var lifetime = LifetimeStage.ReadBookModel(modelDir);
        ScoredData scored;
        if (PartitionManifest.TryRead(dataDir) is { } manifest)
        {
            // A partitioned dataset (workbench partition): each partition loaded, scored and released in turn, then the
            // reps' books ranked again over all partitions (docs/scale.md, "Partitioning design").
            if (actionPolicy is not null)
                throw new WorkbenchException($"{dataDir}: is partitioned, and model '{modelName}' has an action part, whose decisions read the whole " +
                    "dataset; score the unpartitioned dataset folder.");
            if (!model.Options.Features.IsRowLocal)
                throw new WorkbenchException($"{dataDir}: is partitioned, and model '{modelName}' builds features from the whole as-of month's " +
                    $"accounts ({model.Options.Features}); score the unpartitioned dataset folder.");
            scored = ScorePartitions(dataDir, manifest, model, modelName, lifetime, options, narratives, explainers, progress);
        }
        else scored = ScoreData(dataDir, model, modelName, actionPolicy, lifetime, options.AsOf, keepRecent: options.AsOf is null, narratives, explainers, null, progress);
        var result = scored.Result;
        var warnings = new List<string>();
        if (scored.Reps == 0 || scored.BookRows == 0)
            warnings.Add($"The data has no {(scored.Reps == 0 ? "reps table" : "rep-account assignments (book table)")}: all {result.AccountCount:N0} accounts are in one \"{RepBooks.Unassigned}\" book. " +
                "Supply reps.csv and book.csv (rep_id, account_id, from_date, to_date; see data-samples/README.md) or map an owner column with 'workbench import --mapping'.");
        else if (result.UnassignedAccounts > 0)
            warnings.Add($"{result.UnassignedAccounts:N0} of {result.AccountCount:N0} accounts have no owner at {result.AsOf:yyyy-MM-dd} and are in the \"{RepBooks.Unassigned}\" book; " +
                "add their rep-account assignments to book.csv (or map an owner column with 'workbench import --mapping').");
        string? previousDir = options.Previous ?? (File.Exists(Path.Combine(outDir, BookJsonFile)) ? outDir : null);
        if (previousDir is not null)
        {
            var previous = PreviousBook.Read(Path.Combine(previousDir, BookJsonFile), required: options.Previous is not null, warnings);
            // Only an earlier scoring is "previous": re-scoring the same month into the same folder gives the same bytes.
            if (previous is not null && previous.AsOf < result.AsOf) result = BookComparison.Apply(result, previous);
            else if (previous is not null && options.Previous is not null)
                warnings.Add($"{previousDir}: its scoring is as of {previous.AsOf:yyyy-MM-dd}, not before this one ({result.AsOf:yyyy-MM-dd}); not compared.");
        }
        var pages = new BookPageOptions
        {
            Currency = options.Currency, Priority = model.Options.Ranking.Priority, ModelCard = card.GetAwaiter().GetResult(),
            DataLastMonth = scored.LastSpendMonth,
        };
        return new ScoringOutput(result, outDir, Write(result, outDir, narratives, pages, progress)) { Warnings = warnings };
    }

    /// <summary>One dataset's (or partition's) scoring, with what the warnings and pages read of its data.</summary>
    sealed record ScoredData(ScoringResult Result, int Reps, long BookRows, DateOnly? LastSpendMonth);

    /// <summary>Loads <paramref name="dataDir"/>, scores it (with the lifetime and action parts when the model has them) and
    /// lets the data go.</summary>
    static ScoredData ScoreData(string dataDir, PrioritizerModel model, string modelName, ActionPolicyModel? actionPolicy, LifetimeModel? lifetime,
        DateOnly? asOf, bool keepRecent, NarrativeOptions narratives, ScoringExplainers explainers, CategoryValues? categories, IProgress<string>? progress)
    {
        progress?.Report("loading the data");
        // From the load to the writing the scoring keeps most of what it allocates: the collector is held off there (the
        // writing's garbage is collected as usual), at a higher peak (docs/scale.md, "The scoring in a no-GC region").
        bool withActions = actionPolicy is not null;
        using var noGc = Workbench.Data.Io.NoGcRegion.Begin(NoGcBudget(dataDir, withActions));
        // As of the default date (and without actions, which read every row) only the look-back months of usage and
        // engagement are kept as rows; the earlier ones are validated and summarized (docs/scale.md, scoreload).
        var data = LoadForScoring(dataDir, withActions,
            keepRecentMonths: actionPolicy is null && keepRecent ? model.ScoringLookbackMonths : null);
        // The pages' last month of data reads every spend row on one thread: done beside the features, which leave a core
        // partly free, rather than between the books and the writing.
        var dataLastMonth = Task.Run(() => data.Spend.Count == 0 ? (DateOnly?)null : data.Spend.Max(x => x.Month));
        ScoringResult result;
        try { result = model.Score(data, asOf, modelName, narratives, progress, explainers, categories); }
        catch (FeatureSchemaException ex)
        {
            throw new WorkbenchException($"{ex.Message} The features were built with the model's feature options " +
                $"({model.Options.Features}); the data lacks what the model needs.", ex);
        }
        if (lifetime is not null)
        {
            // The model has a lifetime part: value each account from the prioritizer's own calibrated churn probabilities.
            int churnHorizon = model.Options.Snapshots.HorizonMonths;
            result = result with
            {
                Books = result.Books.Select(b => b with
                {
                    Accounts = b.Accounts.Select(a => a with
                    {
                        Clv = Workbench.Analytics.Lifetime.ChurnHazardValue.Clv(a.Products.Select(p => (p.RunRate, p.PChurn)), churnHorizon, lifetime.Options),
                    }).ToList(),
                }).ToList(),
                ClvModel = Workbench.Analytics.Lifetime.ChurnHazardValue.ModelName,
            };
        }
        if (actionPolicy is not null)
        {
            // The model has an action part: each account's next action, product and reason from the learned policy.
            progress?.Report("recommending next actions");
            result = ActionStage.FillBook(result, actionPolicy, data);
        }
        if (progress is IStagePartTimings parts && noGc.BudgetBytes > 0)
            parts.Part(string.Create(CultureInfo.InvariantCulture, $"no-GC region of {noGc.BudgetBytes / 1_000_000:N0} MB: {(!noGc.Granted ? "not granted" : noGc.Holding ? "held to the writing" : "ended by the runtime")}"), noGc.Seconds);
        return new ScoredData(result, data.Reps.Count, data.Book.Count, dataLastMonth.GetAwaiter().GetResult());
    }

    /// <summary>Scores each partition of a partitioned dataset in turn, as of the whole dataset's default date (or the
    /// given one), with the whole dataset's category values, and joins the books (<see cref="PartitionMerge"/>). A partition
    /// with no account eligible adds nothing; one whose own last spend month is earlier than the dataset's is scored again
    /// as of the dataset's date.</summary>
    static ScoredData ScorePartitions(string dataDir, PartitionManifest manifest, PrioritizerModel model, string modelName, LifetimeModel? lifetime,
        ScoringOptions options, NarrativeOptions narratives, ScoringExplainers explainers, IProgress<string>? progress)
    {
        var categories = CategoryValues.From(manifest.Categories);
        DateOnly? expected = options.AsOf ?? manifest.LastSpendMonth?.AddMonths(1);
        var parts = new List<ScoredData>();
        NothingToScoreException? nothing = null;
        for (int p = 0; p < manifest.Partitions; p++)
        {
            var dir = Path.Combine(dataDir, DatasetPartitioner.PartitionFolder(p));
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"partition {p + 1} of {manifest.Partitions}"));
            try
            {
                var part = ScoreData(dir, model, modelName, null, lifetime, options.AsOf, keepRecent: options.AsOf is null, narratives, explainers, categories, progress);
                if (expected is { } e && part.Result.AsOf != e)
                    part = ScoreData(dir, model, modelName, null, lifetime, e, keepRecent: false, narratives, explainers, categories, progress);
                parts.Add(part);
            }
            catch (NothingToScoreException ex) { nothing = ex; }
            // The partition's rows are garbage now: collected before the next partition loads, so the peak is one partition's.
            if (p + 1 < manifest.Partitions) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        if (parts.Count == 0) throw nothing ?? new NothingToScoreException($"{dataDir}: no partition has an account to score.");
        progress?.Report("ranking the books over the partitions");
        var merged = PartitionMerge.Merge(parts.Select(x => x.Result).ToList(), model.Options.Ranking.Priority);
        return new ScoredData(merged, parts.Max(x => x.Reps), parts.Sum(x => x.BookRows), parts.Max(x => x.LastSpendMonth));
    }

    /// <summary>Tables scoring never reads unless the model recommends actions: the pipeline's stage history, the action log and
    /// the opportunity activities (together about half of a generated dataset's bytes), and the planted truth.</summary>
    static readonly string[] TablesOnlyActionsRead = [CrmSchema.StageHistory, CrmSchema.Actions, CrmSchema.OpportunityActivities];

    /// <summary>Loads what scoring reads (strict, like every load): every canonical table but the ones only the action policy
    /// reads (when the model has none), and never the planted truth. No <c>LoadOptions.HugePages</c>: <c>Run</c>
    /// advises the heap for the whole scoring already.</summary>
    static CrmDataset LoadForScoring(string dataDir, bool withActions, int? keepRecentMonths = null) =>
        new CrmCatalog(dataDir).Load(new LoadOptions
        {
            Mode = ValidationMode.Strict,
            IncludeTruth = false,
            Tables = withActions ? null : TablesRead(withActions: false).ToArray(),
            KeepRecentMonths = keepRecentMonths,
        }).Dataset;

    /// <summary>The canonical tables a scoring reads: all of them with an action policy, else all but its tables.</summary>
    static IEnumerable<string> TablesRead(bool withActions) =>
        CrmSchema.Tables.Select(t => t.Name).Except(withActions ? [] : TablesOnlyActionsRead);

    /// <summary>The part of the no-GC region's budget that does not grow with the data.</summary>
    internal const long NoGcFixedBytes = 256L << 20;

    /// <summary>The no-GC region's budget: what scoring allocates from the data load to the writing, estimated from the
    /// Parquet files it reads at 24 bytes per byte (measured 15.2-15.3 at 100,000 accounts: 3,963-3,998 MB for the 261 MB
    /// read, so a third to spare) plus <see cref="NoGcFixedBytes"/>. 0, no region, for CSV input, whose ratio was not
    /// measured.</summary>
    internal static long NoGcBudget(string dataDir, bool withActions)
    {
        var catalog = new CrmCatalog(dataDir);
        if (catalog.DetectFormat() != DataFormat.Parquet) return 0;
        long bytes = 0;
        foreach (var table in TablesRead(withActions))
            if (new FileInfo(catalog.PathOf(table, DataFormat.Parquet)) is { Exists: true } file) bytes += file.Length;
        return 24 * bytes + NoGcFixedBytes;
    }

    /// <summary>The model card: the promoted run, when it ran and on what data, its metrics and the floors it was checked against.</summary>
    static ModelCard? Card(StoreLayout store, string modelName)
    {
        PromotionRecord promotion;
        try { promotion = ModelRegistry.Promotion(store, modelName); }
        catch (WorkbenchException) { return null; }
        var current = promotion.Current;
        RunRecord? run = null;
        var recordPath = store.RunRecordPath(current.RunId);
        if (File.Exists(recordPath)) { try { run = RunRecord.Read(recordPath); } catch (WorkbenchException) { } }
        string? data = run?.Data is { } d ? $"{d.Path} (sha256 {d.Sha256[..Math.Min(12, d.Sha256.Length)]}, {d.Tables.Count} tables), seed {run.Seed}" : null;
        return new ModelCard(modelName, current.RunId, current.RunName, run?.FinishedUtc ?? run?.StartedUtc, current.PromotedUtc, data,
            current.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => (m.Key, m.Value)).ToList(),
            current.FloorsChecked.Select(f => (f.Metric, f.Floor, f.Value, f.Value >= f.Floor)).ToList());
    }

    /// <summary>An existing output folder is replaced only when it holds a previous scoring (book.json); anything else is refused
    /// rather than deleted.</summary>
    static void CheckOutputFolder(string outDir)
    {
        if (string.IsNullOrWhiteSpace(outDir)) throw new OptionsValidationException("The output folder is empty.");
        if (File.Exists(outDir)) throw new WorkbenchException($"{outDir}: is a file; give a folder for the scored book.");
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() && !File.Exists(Path.Combine(outDir, BookJsonFile)))
            throw new WorkbenchException($"{outDir}: exists and does not hold a previous scoring (no {BookJsonFile}); choose a new or empty folder.");
    }

    /// <summary>Writes every output into a staging folder beside <paramref name="outDir"/> and renames it into place.</summary>
    public static IReadOnlyList<string> Write(ScoringResult result, string outDir, NarrativeOptions narratives) => Write(result, outDir, narratives, new BookPageOptions());

    /// <summary>Writes every output, with the pages rendered with <paramref name="pages"/>, into a staging folder beside
    /// <paramref name="outDir"/> and renames it into place.</summary>
    public static IReadOnlyList<string> Write(ScoringResult result, string outDir, NarrativeOptions narratives, BookPageOptions pages, IProgress<string>? progress = null)
    {
        var staging = AtomicDirectory.StagingFor(outDir);
        // Every output is its own file with its own bytes, so they are written side by side (the rep pages, one per rep,
        // are most of the work at 100,000 accounts); the returned list keeps the fixed order below.
        // Each file is written straight into the staging folder: the folder, renamed into place once every file is on disk,
        // is the unit that appears whole or not at all (a temporary file and a rename per file, and an fsync holding up a
        // writing core per file, gave nothing more; 838 files at 100,000 accounts).
        var jobs = new List<(string File, Action<string> Write)>
        {
            // The CSVs streamed line by line (no whole-file string); book.json, about half of the work, on its own thread.
            (BookCsvFile, path => WriteFile(path, s => WriteUtf8(s, w => BookFiles.WriteCsv(result, narratives, w)))),
            (BookProductsCsvFile, path => WriteFile(path, s => WriteUtf8(s, w => BookFiles.WriteProductsCsv(result, w)))),
            (BookJsonFile, path => WriteFile(path, s => BookFiles.WriteJson(result, s))),
        };
        foreach (var (file, write) in BookReport.PageWriters(result, pages))
            jobs.Add((Path.Combine(ReportFolder, file), path => WriteFile(path, write)));
        try
        {
            progress?.Report("writing book.csv, book.json and the report pages");
            // Each file's writing seconds (wall, on its core), told to a progress sink that takes them, one line per kind of file.
            var parts = progress as IStagePartTimings;
            double[]? timings = parts is null ? null : new double[jobs.Count];
            Directory.CreateDirectory(Path.Combine(staging, ReportFolder));
            using (var disk = new DiskFlusher())
            {
                // book.json, the longest job, starts first so that the other core writes everything else meanwhile (it used
                // to start only after book.csv was written).
                var order = Enumerable.Range(0, jobs.Count).OrderBy(i => jobs[i].File == BookJsonFile ? 0 : 1).ThenBy(i => i).ToArray();
                try
                {
                    Parallel.ForEach(Partitioner.Create(0, order.Length, 1), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                        range =>
                        {
                            for (int k = range.Item1; k < range.Item2; k++)
                            {
                                var (file, write) = jobs[order[k]];
                                var path = Path.Combine(staging, file);
                                long started = timings is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
                                write(path);
                                if (timings is not null) timings[order[k]] = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
                                disk.Add(path);
                            }
                        });
                }
                catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
                {
                    // The first failure as itself (a WorkbenchException or an I/O error), not wrapped; nothing is moved into place.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
                }
                disk.WaitAll();
            }
            if (parts is not null) ReportFileTimings(parts, jobs.Select(j => j.File).ToList(), timings!);
            AtomicDirectory.Replace(staging, outDir);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return jobs.Select(j => j.File).ToList();
    }

    static void ReportFileTimings(IStagePartTimings parts, IReadOnlyList<string> files, double[] seconds)
    {
        var kinds = new SortedDictionary<string, (int Files, double Seconds)>(StringComparer.Ordinal);
        for (int i = 0; i < files.Count; i++)
        {
            string name = Path.GetFileName(files[i]);
            string kind = name.StartsWith("rep-", StringComparison.Ordinal) ? "report/rep-*.html" : files[i].Replace('\\', '/');
            var (n, s) = kinds.GetValueOrDefault(kind);
            kinds[kind] = (n + 1, s + seconds[i]);
        }
        foreach (var (kind, (n, s)) in kinds)
            parts.Part(FormattableString.Invariant($"writing {kind}: {n} file(s)"), s);
    }

    /// <summary>Writes a new file of the staging folder (not yet flushed to disk: see <see cref="DiskFlusher"/>).</summary>
    static void WriteFile(string path, Action<Stream> write)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        write(fs);
    }

    /// <summary>Flushes written files to disk (fsync) on threads of their own while the other files are still being written,
    /// so a core never waits on the disk; <see cref="WaitAll"/> returns once every file is on disk, or rethrows the first
    /// failure. The folder is renamed into place only after that.</summary>
    sealed class DiskFlusher : IDisposable
    {
        readonly System.Collections.Concurrent.BlockingCollection<string> _files = new();
        readonly Thread[] _threads;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? _failure;

        public DiskFlusher(int threads = 4)
        {
            _threads = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                _threads[t] = new Thread(Flush) { IsBackground = true, Name = "scoring fsync" };
                _threads[t].Start();
            }
        }

        public void Add(string path) => _files.Add(path);

        void Flush()
        {
            foreach (var path in _files.GetConsumingEnumerable())
            {
                if (_failure is not null) continue;
                try
                {
                    using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, 1);
                    fs.Flush(flushToDisk: true);
                }
                catch (Exception ex) { Interlocked.CompareExchange(ref _failure, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex), null); }
            }
        }

        public void WaitAll()
        {
            Finish();
            _failure?.Throw();
        }

        void Finish()
        {
            if (!_files.IsAddingCompleted) _files.CompleteAdding();
            foreach (var t in _threads) t.Join();
        }

        public void Dispose() { Finish(); _files.Dispose(); }
    }

    /// <summary>Text written to <paramref name="stream"/> as UTF-8 without a byte-order mark.</summary>
    static void WriteUtf8(Stream stream, Action<TextWriter> write)
    {
        using var w = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        write(w);
    }
}

/// <summary>Reads the standings of a previous scoring from its book.json (account id, rep, rank, grade, priority).</summary>
public static class PreviousBook
{
    /// <summary>The previous scoring, or null when the file is absent (and not <paramref name="required"/>) or unreadable (a warning says why).</summary>
    public static PreviousScoring? Read(string path, bool required, List<string> warnings)
    {
        if (!File.Exists(path))
        {
            if (required) throw new WorkbenchException($"{path}: no previous scoring there (--previous expects a folder written by 'workbench score').");
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            var asOf = DateOnly.ParseExact(root.GetProperty("as_of").GetString() ?? "", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var accounts = new Dictionary<string, PreviousStanding>(StringComparer.Ordinal);
            foreach (var book in root.GetProperty("books").EnumerateArray())
            {
                string rep = book.GetProperty("rep_id").GetString() ?? "";
                foreach (var a in book.GetProperty("accounts").EnumerateArray())
                    accounts[a.GetProperty("account_id").GetString() ?? ""] = new PreviousStanding(asOf, rep, a.GetProperty("rank").GetInt32(),
                        Enum.Parse<Grade>(a.GetProperty("grade").GetString() ?? "D"), a.GetProperty("priority").GetDouble());
            }
            return new PreviousScoring(asOf, accounts);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            if (required) throw new WorkbenchException($"{path}: not a book.json written by 'workbench score' ({ex.Message}).", ex);
            warnings.Add($"{path}: the previous scoring could not be read ({ex.Message}); not compared.");
            return null;
        }
    }
}
