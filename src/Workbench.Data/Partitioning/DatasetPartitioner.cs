using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Workbench.Data.Tables;

namespace Workbench.Data.Partitioning;

/// <summary>
/// Splits a Parquet dataset into partitions of accounts (docs/scale.md, "Partitioning design"): <c>OUT/part-000</c>,
/// <c>OUT/part-001</c>, ... are each a complete dataset folder holding the rows of their accounts, and
/// <c>OUT/partitions.json</c> (<see cref="PartitionManifest"/>) says how they were cut. Every file is read one row group at
/// a time and every row is written to exactly one partition (the products and reps tables, and the truth tables keyed by
/// rep, segment or action, to every partition), so a dataset larger than memory can be split, and each partition loads,
/// validates and scores on its own.
/// </summary>
/// <remarks>An account's partition is the FNV-1a hash of the id at the root of its parent chain, so a parent and its
/// children (the accounts table's foreign key into itself) share a partition. Rows keyed by an opportunity (stage history,
/// opportunity activities, opportunity weeks) follow their opportunity's account, and action values their action's.
/// A row whose key names no account (a broken foreign key) goes to the partition of its own key's hash, where the load
/// reports it as the whole dataset's load would, with that partition's file and row.</remarks>
public static class DatasetPartitioner
{
    public const string ManifestFile = "partitions.json";
    public const int MaxPartitions = 4096;

    public static string PartitionFolder(int index) => "part-" + index.ToString("D3", CultureInfo.InvariantCulture);

    static ParquetOptions Options => new() { UseDateOnlyTypeForDates = true, CompressionMethod = CompressionMethod.Snappy };

    /// <summary>A reader of a table's file; a file Parquet.Net cannot open is a located problem of <paramref name="display"/>.</summary>
    internal static async Task<ParquetReader> OpenAsync(string path, string display)
    {
        try { return await ParquetReader.CreateAsync(path, Options); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DataValidationException([new DataProblem(display, 0, null, null, "a readable Parquet file: " + ex.Message)]);
        }
    }

    /// <summary>How the rows of each table find their partition.</summary>
    enum Route { Everywhere, Account, Opportunity, Action }

    static Route RouteOf(string table, bool truth) => (truth, table) switch
    {
        (false, CrmSchema.Products or CrmSchema.Reps) => Route.Everywhere,
        (false, CrmSchema.StageHistory or CrmSchema.OpportunityActivities) => Route.Opportunity,
        (false, _) => Route.Account,
        (true, TruthSchema.Risks or TruthSchema.Segments) => Route.Account,
        (true, TruthSchema.OpportunityWeeks) => Route.Opportunity,
        (true, TruthSchema.ActionValues) => Route.Action,
        (true, _) => Route.Everywhere,
    };

    static string KeyColumn(Route route) => route switch
    {
        Route.Account => "account_id",
        Route.Opportunity => "opportunity_id",
        Route.Action => "action_id",
        _ => "",
    };

    /// <summary>Splits the Parquet dataset in <paramref name="dataDir"/> into <paramref name="partitions"/> partitions in
    /// <paramref name="outDir"/> (new or empty). The folder appears whole or not at all.</summary>
    public static PartitionManifest Split(string dataDir, string outDir, int partitions, IProgress<string>? progress = null)
    {
        if (partitions < 1 || partitions > MaxPartitions)
            throw new OptionsValidationException($"--partitions: expected a whole number from 1 to {MaxPartitions}, got {partitions}.");
        var catalog = new CrmCatalog(dataDir);
        if (!Directory.Exists(dataDir)) throw new WorkbenchException($"{dataDir}: no such dataset folder.");
        if (File.Exists(Path.Combine(dataDir, ManifestFile)))
            throw new WorkbenchException($"{dataDir}: is already partitioned ({ManifestFile}); split the original dataset folder.");
        if (catalog.DetectFormat() != DataFormat.Parquet)
            throw new WorkbenchException($"{dataDir}: holds no canonical .parquet table; partitioning reads Parquet row group by row group " +
                "(write CSV data as Parquet first: 'workbench import --format parquet' or 'workbench generate --format parquet').");
        var accountsPath = catalog.PathOf(CrmSchema.Accounts, DataFormat.Parquet);
        if (!File.Exists(accountsPath)) throw new WorkbenchException($"{accountsPath}: missing; the accounts table decides every row's partition.");
        if (File.Exists(outDir)) throw new WorkbenchException($"{outDir}: is a file; give a folder for the partitions.");
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
            throw new WorkbenchException($"{outDir}: exists and is not empty; choose a new or empty folder for the partitions.");

        var full = Path.GetFullPath(outDir);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            var manifest = Task.Run(() => SplitInto(catalog, staging, partitions, progress)).GetAwaiter().GetResult();
            if (Directory.Exists(full)) Directory.Delete(full);
            Directory.Move(staging, full);
            return manifest;
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    static async Task<PartitionManifest> SplitInto(CrmCatalog catalog, string staging, int n, IProgress<string>? progress)
    {
        for (int p = 0; p < n; p++) Directory.CreateDirectory(Path.Combine(staging, PartitionFolder(p)));
        progress?.Report("reading the accounts and their parents");
        var accounts = await AccountPartitions.ReadAsync(catalog.PathOf(CrmSchema.Accounts, DataFormat.Parquet), n);
        var byOpportunity = new Dictionary<string, int>(StringComparer.Ordinal);
        var byAction = new Dictionary<string, int>(StringComparer.Ordinal);
        var tables = new SortedDictionary<string, long[]>(StringComparer.Ordinal);
        DateOnly? lastSpendMonth = null;

        // Two phases, each splitting its tables side by side on every core (a table is one reader and its own writers): first
        // the tables keyed by an account (opportunities and actions remember their ids' partitions), then the tables keyed by
        // an opportunity or an action, and the truth tables.
        var jobs = new List<(string Table, bool Truth, int Phase)>();
        foreach (var table in CrmSchema.Tables.Select(t => t.Name))
            if (File.Exists(catalog.PathOf(table, DataFormat.Parquet)))
                jobs.Add((table, false, RouteOf(table, truth: false) == Route.Opportunity ? 1 : 0));
        bool withTruth = Directory.Exists(catalog.TruthDirectory);
        if (withTruth)
            foreach (var table in TruthSchema.Tables.Select(t => t.Name))
                if (File.Exists(catalog.TruthPathOf(table, DataFormat.Parquet))) jobs.Add((table, true, 1));
        var gate = new object();
        for (int phase = 0; phase < 2; phase++)
        {
            // Largest files first, so the last one to finish is a small one.
            var now = jobs.Where(j => j.Phase == phase)
                .OrderByDescending(j => new FileInfo(j.Truth ? catalog.TruthPathOf(j.Table, DataFormat.Parquet) : catalog.PathOf(j.Table, DataFormat.Parquet)).Length).ToList();
            await Parallel.ForEachAsync(now, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (job, _) =>
            {
                var (table, truth, _) = job;
                var path = truth ? catalog.TruthPathOf(table, DataFormat.Parquet) : catalog.PathOf(table, DataFormat.Parquet);
                progress?.Report(truth ? $"splitting truth/{table}" : $"splitting {table}");
                var remember = truth ? null : table == CrmSchema.Opportunities ? byOpportunity : table == CrmSchema.Actions ? byAction : null;
                var track = !truth && table == CrmSchema.Spend ? "month" : null;
                var (rows, max) = await SplitFile(path, table, RouteOf(table, truth), n, staging, truth ? "truth" : "", accounts, byOpportunity, byAction, remember,
                    remember is null ? null : table == CrmSchema.Opportunities ? "opportunity_id" : "action_id", track);
                lock (gate)
                {
                    tables[truth ? "truth/" + table : table] = rows;
                    if (track is not null) lastSpendMonth = max;
                }
            });
        }
        // The truth manifest (seed, planted parameters) describes the whole generated dataset: every partition keeps it.
        if (withTruth && File.Exists(catalog.ManifestPath))
            for (int p = 0; p < n; p++)
            {
                Directory.CreateDirectory(Path.Combine(staging, PartitionFolder(p), "truth"));
                File.Copy(catalog.ManifestPath, Path.Combine(staging, PartitionFolder(p), "truth", TruthSchema.ManifestFile));
            }
        var manifest = new PartitionManifest(n, Path.GetFullPath(catalog.Directory), lastSpendMonth,
            accounts.Categories, tables.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<long>)kv.Value, StringComparer.Ordinal));
        manifest.Write(Path.Combine(staging, ManifestFile));
        return manifest;
    }

    /// <summary>Splits one table's file: each input row group becomes at most one row group per partition, rows in input order.</summary>
    static async Task<(long[] Rows, DateOnly? Max)> SplitFile(string path, string table, Route route, int n, string staging, string sub,
        AccountPartitions accounts, Dictionary<string, int> byOpportunity, Dictionary<string, int> byAction,
        Dictionary<string, int>? remember, string? rememberColumn, string? trackMaxDate)
    {
        var display = sub.Length == 0 ? Path.GetFileName(path) : sub + "/" + Path.GetFileName(path);
        await using var reader = await OpenAsync(path, display);
        var fields = reader.Schema.GetDataFields();
        string keyName = KeyColumn(route);
        var keyField = route == Route.Everywhere ? null : fields.FirstOrDefault(f => f.Name == keyName)
            ?? throw new DataValidationException([new DataProblem(display, 0, keyName, string.Join(",", fields.Select(f => f.Name)), $"a column named '{keyName}'")]);
        if (keyField is not null && !Column.IsText(keyField))
            throw new DataValidationException([new DataProblem(display, 0, keyName, keyField.ClrType.Name, "a Parquet column of .NET type String (UTF-8 text)")]);
        var rememberField = rememberColumn is null ? null : fields.FirstOrDefault(f => f.Name == rememberColumn);
        var trackField = trackMaxDate is null ? null : fields.FirstOrDefault(f => f.Name == trackMaxDate && f.ClrType == typeof(DateOnly));
        foreach (var f in fields)
            if (!Column.Supports(f))
                throw new DataValidationException([new DataProblem(display, 0, f.Name, f.ClrType.Name, "a flat column of text, whole numbers, decimals, floating point, dates or booleans")]);

        var counts = new long[n];
        DateOnly? max = null;
        var streams = new FileStream[n];
        var writers = new ParquetWriter[n];
        try
        {
            var schema = new ParquetSchema(fields);
            for (int p = 0; p < n; p++)
            {
                var dir = Path.Combine(staging, PartitionFolder(p), sub);
                Directory.CreateDirectory(dir);
                streams[p] = new FileStream(Path.Combine(dir, Path.GetFileName(path)), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
                writers[p] = await ParquetWriter.CreateAsync(schema, streams[p], Options);
            }
            long rowBase = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                int count = checked((int)rg.RowCount);
                var columns = new Column[fields.Length];
                try
                {
                    for (int c = 0; c < fields.Length; c++) columns[c] = await Column.ReadAsync(rg, fields[c], count);
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                {
                    throw new DataValidationException([new DataProblem(display, rowBase + 1, null, null, $"a readable Parquet row group ({ex.Message})")]);
                }
                if (trackField is not null)
                {
                    var values = columns[Array.IndexOf(fields, trackField)].Values;
                    if (values is DateOnly?[] dates) { foreach (var d in dates) if (d is { } v && (max is null || v > max)) max = v; }
                    else foreach (var v in (DateOnly[])values) if (max is null || v > max) max = v;
                }
                // Each row's partition; -1: every partition.
                var target = new int[count];
                if (keyField is null) Array.Fill(target, -1);
                else
                {
                    var keys = (string?[])columns[Array.IndexOf(fields, keyField)].Values;
                    for (int i = 0; i < count; i++)
                        target[i] = keys[i] is not { } k ? 0 : route switch
                        {
                            Route.Account => accounts.PartitionOf(k),
                            Route.Opportunity => byOpportunity.TryGetValue(k, out int po) ? po : AccountPartitions.HashPartition(k, n),
                            _ => byAction.TryGetValue(k, out int pa) ? pa : AccountPartitions.HashPartition(k, n),
                        };
                    if (remember is not null && rememberField is not null)
                    {
                        var ids = (string?[])columns[Array.IndexOf(fields, rememberField)].Values;
                        for (int i = 0; i < count; i++) if (ids[i] is { } id) remember.TryAdd(id, target[i]);
                    }
                }
                var rowsOf = new List<int>[n];
                for (int p = 0; p < n; p++) rowsOf[p] = new List<int>();
                for (int i = 0; i < count; i++)
                {
                    if (target[i] >= 0) rowsOf[target[i]].Add(i);
                    else for (int p = 0; p < n; p++) rowsOf[p].Add(i);
                }
                for (int p = 0; p < n; p++)
                {
                    if (rowsOf[p].Count == 0) continue;
                    var selected = rowsOf[p].ToArray();
                    using var w = writers[p].CreateRowGroup();
                    for (int c = 0; c < fields.Length; c++) await columns[c].WriteAsync(w, fields[c], selected);
                    w.CompleteValidate();
                    counts[p] += selected.Length;
                }
                rowBase += count;
            }
        }
        finally
        {
            for (int p = 0; p < n; p++)
            {
                if (writers[p] is not null) await writers[p].DisposeAsync();
                if (streams[p] is not null) { streams[p].Flush(flushToDisk: true); await streams[p].DisposeAsync(); }
            }
        }
        return (counts, max);
    }

    /// <summary>One column of one row group, typed: read whole, written for a selection of its rows.</summary>
    internal sealed class Column
    {
        public required Array Values { get; init; }
        public required Func<ParquetRowGroupWriter, DataField, int[], Task> Writer { get; init; }

        /// <summary>Text columns: Parquet.Net states UTF-8 columns as ReadOnlyMemory&lt;char&gt; and reads them into strings.</summary>
        public static bool IsText(DataField f) => f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>);

        public static bool Supports(DataField f) => !f.IsArray && (IsText(f) || f.ClrType == typeof(int) || f.ClrType == typeof(long)
            || f.ClrType == typeof(decimal) || f.ClrType == typeof(double) || f.ClrType == typeof(float) || f.ClrType == typeof(DateOnly)
            || f.ClrType == typeof(DateTime) || f.ClrType == typeof(bool) || f.ClrType == typeof(short) || f.ClrType == typeof(byte));

        public Task WriteAsync(ParquetRowGroupWriter w, DataField f, int[] rows) => Writer(w, f, rows);

        public static async Task<Column> ReadAsync(ParquetRowGroupReader rg, DataField f, int count)
        {
            if (IsText(f))
            {
                var s = new string?[count];
                await rg.ReadAsync(f, s.AsMemory());
                return new Column { Values = s, Writer = (w, field, rows) => w.WriteAsync(field, (IReadOnlyCollection<string>)Pick(s, rows)!) };
            }
            if (f.ClrType == typeof(int)) return await Typed<int>(rg, f, count);
            if (f.ClrType == typeof(long)) return await Typed<long>(rg, f, count);
            if (f.ClrType == typeof(decimal)) return await Typed<decimal>(rg, f, count);
            if (f.ClrType == typeof(double)) return await Typed<double>(rg, f, count);
            if (f.ClrType == typeof(float)) return await Typed<float>(rg, f, count);
            if (f.ClrType == typeof(DateOnly)) return await Typed<DateOnly>(rg, f, count);
            if (f.ClrType == typeof(DateTime)) return await Typed<DateTime>(rg, f, count);
            if (f.ClrType == typeof(bool)) return await Typed<bool>(rg, f, count);
            if (f.ClrType == typeof(short)) return await Typed<short>(rg, f, count);
            if (f.ClrType == typeof(byte)) return await Typed<byte>(rg, f, count);
            throw new InvalidOperationException(f.ClrType.Name);
        }

        static async Task<Column> Typed<T>(ParquetRowGroupReader rg, DataField f, int count) where T : struct
        {
            if (f.IsNullable)
            {
                var v = new T?[count];
                await rg.ReadAsync<T>(f, v.AsMemory());
                return new Column { Values = v, Writer = (w, field, rows) => w.WriteAsync<T>(field, (ReadOnlyMemory<T?>)Pick(v, rows)) };
            }
            var a = new T[count];
            await rg.ReadAsync<T>(f, a.AsMemory());
            return new Column { Values = a, Writer = (w, field, rows) => w.WriteAsync<T>(field, (ReadOnlyMemory<T>)Pick(a, rows)) };
        }

        static T[] Pick<T>(T[] values, int[] rows)
        {
            var picked = new T[rows.Length];
            for (int i = 0; i < rows.Length; i++) picked[i] = values[rows[i]];
            return picked;
        }
    }
}

/// <summary>Each account's partition (the hash of the root of its parent chain) and the dataset's category values.</summary>
internal sealed class AccountPartitions
{
    readonly Dictionary<string, int> partitionOf;
    readonly int n;

    AccountPartitions(Dictionary<string, int> partitionOf, int n, IReadOnlyDictionary<string, IReadOnlyList<string>> categories)
    {
        this.partitionOf = partitionOf; this.n = n; Categories = categories;
    }

    /// <summary>Distinct industries, regions and revenue bands of the whole accounts table, ordinal order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Categories { get; }

    public int PartitionOf(string accountId) => partitionOf.TryGetValue(accountId, out int p) ? p : HashPartition(accountId, n);

    /// <summary>FNV-1a (64 bits) over the id's UTF-16 code units, modulo <paramref name="n"/>: the same on every machine and run.</summary>
    public static int HashPartition(string id, int n)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in id) { h ^= c; h *= 1099511628211UL; }
        return (int)(h % (ulong)n);
    }

    public static async Task<AccountPartitions> ReadAsync(string path, int n)
    {
        var ids = new List<string?>();
        var parents = new List<string?>();
        var categories = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal)
        {
            ["industry"] = new(StringComparer.Ordinal), ["region"] = new(StringComparer.Ordinal), ["revenue_band"] = new(StringComparer.Ordinal),
        };
        await using var reader = await DatasetPartitioner.OpenAsync(path, "accounts.parquet");
        var fields = reader.Schema.GetDataFields();
        DataField? Field(string name) => fields.FirstOrDefault(f => f.Name == name && DatasetPartitioner.Column.IsText(f) && !f.IsArray);
        var idField = Field("account_id") ?? throw new DataValidationException([new DataProblem("accounts.parquet", 0, "account_id", string.Join(",", fields.Select(f => f.Name)), "a text column named 'account_id'")]);
        var parentField = Field("parent_account_id");
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int count = checked((int)rg.RowCount);
            async Task<string?[]> Read(DataField f) { var s = new string?[count]; await rg.ReadAsync(f, s.AsMemory()); return s; }
            ids.AddRange(await Read(idField));
            if (parentField is not null) parents.AddRange(await Read(parentField)); else parents.AddRange(new string?[count]);
            foreach (var (name, set) in categories)
                if (Field(name) is { } f) foreach (var v in await Read(f)) if (v is not null) set.Add(v);
        }
        // Union-find over (account, parent): every account of a parent tree gets the tree's smallest id (ordinal) as root.
        var index = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
        var names = new List<string>();
        int IndexOf(string id)
        {
            if (!index.TryGetValue(id, out int i)) { i = names.Count; index[id] = i; names.Add(id); }
            return i;
        }
        foreach (var id in ids) if (id is not null) IndexOf(id);
        var up = new List<int>();
        for (int i = 0; i < names.Count; i++) up.Add(i);
        int Find(int x)
        {
            while (up[x] != x) { up[x] = up[up[x]]; x = up[x]; }
            return x;
        }
        for (int r = 0; r < ids.Count; r++)
        {
            if (ids[r] is not { } id || parents[r] is not { } parent || !index.TryGetValue(parent, out int pi)) continue;
            int a = Find(index[id]), b = Find(pi);
            if (a == b) continue;
            if (string.CompareOrdinal(names[a], names[b]) < 0) up[b] = a; else up[a] = b;
        }
        var partitionOf = new Dictionary<string, int>(names.Count, StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++) partitionOf[names[i]] = HashPartition(names[Find(i)], n);
        return new AccountPartitions(partitionOf, n, categories.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value.ToArray(), StringComparer.Ordinal));
    }
}

/// <summary>What <c>partitions.json</c> says: how many partitions, the source folder, the dataset's last spend month (a
/// scoring's default as-of date is the month after it for every partition), the category values of the whole accounts
/// table (so each partition's features code categories as the whole dataset's would), and each table's rows per partition.</summary>
public sealed record PartitionManifest(int Partitions, string Source, DateOnly? LastSpendMonth,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Categories, IReadOnlyDictionary<string, IReadOnlyList<long>> Rows)
{
    public const string Format = "workbench-partitions";

    /// <summary>The partitioned dataset in <paramref name="dir"/>, or null when the folder holds no <c>partitions.json</c>.</summary>
    public static PartitionManifest? TryRead(string dir)
    {
        var path = Path.Combine(dir, DatasetPartitioner.ManifestFile);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.GetProperty("format").GetString() != Format) throw new FormatException($"format is not '{Format}'");
            int n = root.GetProperty("partitions").GetInt32();
            if (n < 1 || n > DatasetPartitioner.MaxPartitions) throw new FormatException($"partitions {n} is out of range");
            DateOnly? last = root.TryGetProperty("last_spend_month", out var l) && l.ValueKind == JsonValueKind.String
                ? DateOnly.ParseExact(l.GetString()!, CrmSchema.DateFormat, CultureInfo.InvariantCulture) : null;
            var categories = root.GetProperty("categories").EnumerateObject()
                .ToDictionary(p => p.Name, p => (IReadOnlyList<string>)p.Value.EnumerateArray().Select(v => v.GetString() ?? "").ToArray(), StringComparer.Ordinal);
            var rows = root.GetProperty("rows").EnumerateObject()
                .ToDictionary(p => p.Name, p => (IReadOnlyList<long>)p.Value.EnumerateArray().Select(v => v.GetInt64()).ToArray(), StringComparer.Ordinal);
            var manifest = new PartitionManifest(n, root.GetProperty("source").GetString() ?? "", last, categories, rows);
            for (int p = 0; p < n; p++)
                if (!Directory.Exists(Path.Combine(dir, DatasetPartitioner.PartitionFolder(p))))
                    throw new FormatException($"its partition folder {DatasetPartitioner.PartitionFolder(p)} is missing");
            return manifest;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new WorkbenchException($"{path}: not a partition manifest written by 'workbench partition' ({ex.Message}).", ex);
        }
    }

    public long TotalRows(string table) => Rows.TryGetValue(table, out var r) ? r.Sum() : 0;

    internal void Write(string path)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        using (var w = new Utf8JsonWriter(fs, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("partitions", Partitions);
            w.WriteString("key", "the account at the root of each account's parent chain: FNV-1a 64 of its id's UTF-16 code units, modulo partitions");
            w.WriteString("source", Source);
            if (LastSpendMonth is { } m) w.WriteString("last_spend_month", m.ToString(CrmSchema.DateFormat, CultureInfo.InvariantCulture));
            else w.WriteNull("last_spend_month");
            WriteLists(w, "categories", Categories, (jw, v) => jw.WriteStringValue(v));
            WriteLists(w, "rows", Rows, (jw, v) => jw.WriteNumberValue(v));
            w.WriteEndObject();
        }
        fs.Write("\n"u8);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>An object of named lists, names in ordinal order.</summary>
    static void WriteLists<T>(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, IReadOnlyList<T>> lists, Action<Utf8JsonWriter, T> value)
    {
        w.WriteStartObject(name);
        foreach (var (key, values) in lists.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WriteStartArray(key);
            foreach (var v in values) value(w, v);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
