using System.Text;
using Workbench.Data.Io;

namespace Workbench.Data.Tables;

/// <summary>Identity of a row for duplicate detection: up to two string key parts as pool ids packed in
/// <see cref="Ids"/> (or, for a text without id, the text itself in <see cref="S"/>), and one numeric part (dates as
/// day numbers, enums and ints as values). Covers every key of the canonical and truth schemas.</summary>
internal readonly struct RowKey(long ids, long n, string? s) : IEquatable<RowKey>
{
    public readonly long Ids = ids;
    public readonly long N = n;
    public readonly string? S = s;

    public bool Equals(RowKey other) => Ids == other.Ids && N == other.N && string.Equals(S, other.S, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is RowKey k && Equals(k);

    public override int GetHashCode()
    {
        ulong h = (ulong)Ids * 0x9E3779B97F4A7C15UL ^ (ulong)N * 0xC2B2AE3D27D4EB4FUL;
        h ^= h >> 31;
        int r = (int)h ^ (int)(h >> 32);
        return S is null ? r : r * 31 + S.GetHashCode();
    }
}

/// <summary>Where a row came from, asked only when the row has a problem.</summary>
internal interface IRowOrigin
{
    /// <summary>The cell's text as it appears in the input.</summary>
    string CellText(int column);

    /// <summary>The row's original text.</summary>
    string RawText();
}

/// <summary>A foreign key whose target table is loaded: the set of target keys, the column that must be in it.</summary>
internal sealed record ForeignKeyCheck(int Column, string TargetTable, string TargetColumn, HashSet<string> Targets);

/// <summary>Decides, for each valid row, whether it is kept as a record or only summarized (the filter keeps what it needs
/// of the rows it does not keep). The row has passed every check by then: a filter never decides what is valid.</summary>
internal interface IRowFilter<T>
{
    bool Keep(in T row);
}

/// <summary>Writes a table's rejected rows to <c>&lt;table&gt;.rejects.csv</c> (line, problems, original record),
/// through a temp file that becomes the rejects file only when the load completes.</summary>
internal sealed class RejectsWriter : IDisposable
{
    readonly string path;
    readonly string tmp;
    StreamWriter? writer;

    public RejectsWriter(string path) { this.path = path; tmp = path + ".tmp"; }

    public string Path => path;

    public void Add(long line, IEnumerable<DataProblem> problems, string raw)
    {
        if (writer is null)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            writer = new StreamWriter(tmp, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
            writer.WriteLine("line,problems,record");
        }
        var sb = new StringBuilder();
        sb.Append(line.ToString(CultureInfo.InvariantCulture)).Append(',');
        CellText.AppendQuoted(sb, string.Join("; ", problems.Select(p => p.Column is null ? p.Expected
            : p.Value is null ? $"column '{p.Column}': {p.Expected}" : $"column '{p.Column}': value '{p.Value}': expected {p.Expected}")));
        sb.Append(',');
        CellText.AppendQuoted(sb, raw);
        writer.WriteLine(sb.ToString());
    }

    /// <summary>Publishes the rejects file (replacing an older one), or removes a stale one when nothing was rejected.</summary>
    public bool Commit()
    {
        if (writer is null) { if (File.Exists(path)) File.Delete(path); return false; }
        writer.Flush(); writer.BaseStream.Flush(); writer.Dispose(); writer = null;
        File.Move(tmp, path, overwrite: true);
        return true;
    }

    public void Dispose()
    {
        if (writer is null) return;
        writer.Dispose(); writer = null;
        try { File.Delete(tmp); } catch (IOException) { }
    }
}

/// <summary>Validates filled rows of one table and keeps the good ones: required cells, ranges, cross-column
/// rules, duplicate keys and foreign keys. Sources (CSV, Parquet) fill <see cref="Buffer"/> and report parse
/// failures through <see cref="ParseFailed"/>, then call <see cref="EndRow"/>.</summary>
internal sealed class RowSink<T>
{
    readonly TableCodec<T> codec;
    readonly string file;
    readonly ValidationMode mode;
    readonly int maxProblems;
    readonly IReadOnlyList<ForeignKeyCheck> foreignKeys;
    readonly RejectsWriter? rejects;
    readonly KeyIndex keys;
    readonly List<CellIssue> issues = new();
    readonly List<string?> issueValues = new();
    readonly bool[] failed;
    readonly EnumText?[] enums;

    public RowSink(TableCodec<T> codec, string file, ValidationMode mode, int maxProblems, IReadOnlyList<ForeignKeyCheck> foreignKeys, RejectsWriter? rejects,
        DateOnly? earliest = null, DateOnly? latest = null, IRowFilter<T>? filter = null)
    {
        this.filter = filter;
        var first = earliest ?? new DateOnly(1900, 1, 1);
        var last = latest ?? new DateOnly(2100, 12, 31);
        minDay = first.DayNumber; maxDay = last.DayNumber;
        dateWindow = string.Create(CultureInfo.InvariantCulture, $"a date between {first:yyyy-MM-dd} and {last:yyyy-MM-dd} (LoadOptions.EarliestDate/LatestDate)");
        this.codec = codec; this.file = file; this.mode = mode; this.maxProblems = maxProblems;
        this.foreignKeys = foreignKeys; this.rejects = rejects;
        var schema = codec.Schema;
        int n = schema.Columns.Count;
        Buffer = new RowBuffer(n);
        failed = new bool[n];
        enums = CellText.EnumsOf(schema);
        trackLines = schema.ForeignKeys.Any(f => f.Table == schema.Name);
        // Pool every string column except a table's own single-column id (unique by definition).
        Pools = new StringPool?[n];
        types = new ColumnType[n]; required = new bool[n]; ranged = new bool[n]; min = new double[n]; max = new double[n];
        for (int c = 0; c < n; c++)
        {
            var spec = schema.Columns[c];
            if (spec.Type == ColumnType.String && !(schema.Key.Count == 1 && schema.Key[0] == spec.Name)) Pools[c] = new StringPool();
            types[c] = spec.Type;
            required[c] = !spec.Nullable;
            ranged[c] = spec.Type is ColumnType.Int or ColumnType.Decimal or ColumnType.Double;
            min[c] = spec.Min ?? double.NegativeInfinity;
            max[c] = spec.Max ?? double.PositiveInfinity;
        }
        keyColumns = codec.KeyColumns;
        // The replay of packed keys reads them back from the kept rows: with a filter some accepted rows are not kept, so the
        // index keeps its keys itself (8 bytes a row).
        keys = new KeyIndex(filter is null ? PackedKeysOfRows : null);
        fkColumns = new int[foreignKeys.Count];
        fkKnown = new sbyte[foreignKeys.Count][];
        for (int i = 0; i < fkColumns.Length; i++) { fkColumns[i] = foreignKeys[i].Column; fkKnown[i] = new sbyte[256]; }
    }

    /// <summary>The column of the table's own unique text id when the index may read its keys back from the input instead of
    /// keeping them (<see cref="KeyIndex.ReplayTexts"/>): only with a row filter, whose summarized rows would otherwise keep
    /// one id string each alive in the index for the whole load; -1 otherwise.</summary>
    public int ReplayableKeyColumn => filter is not null && keyColumns.Length == 1 && types[keyColumns[0]] == ColumnType.String && Pools[keyColumns[0]] is null
        ? keyColumns[0] : -1;

    /// <summary>Lets the key index read the texts of <see cref="ReplayableKeyColumn"/> back from the input (the texts of the
    /// accepted rows on the given lines, in order) instead of keeping them. Before the first row.</summary>
    public void ReplayKeyTexts(Func<IReadOnlyList<long>, IEnumerable<string>> texts)
    {
        if (ReplayableKeyColumn < 0) throw new InvalidOperationException("The table's key cannot be replayed.");
        keys.ReplayTexts(texts);
    }

    readonly int minDay, maxDay;
    readonly IRowFilter<T>? filter;
    readonly string dateWindow;

    // Column facts as plain arrays so the per-row checks do no interface calls or nullable unwrapping.
    readonly ColumnType[] types;
    readonly bool[] required, ranged;
    readonly double[] min, max;
    readonly int[] keyColumns, fkColumns;
    /// <summary>Per foreign key, by pool id of the cell: 0 not looked up yet, 1 target exists, -1 it does not.</summary>
    readonly sbyte[][] fkKnown;

    /// <summary>The string pool of each column (null for columns that are not pooled); readers intern cells through it
    /// and put the id in <see cref="RowBuffer.Id"/>.</summary>
    public StringPool?[] Pools { get; }

    readonly bool trackLines;

    /// <summary>Sizes the row list and key index for an expected row count, sparing regrowth on big tables.</summary>
    public void Reserve(long expectedRows)
    {
        int n = (int)Math.Clamp(expectedRows, 0, 50_000_000);
        // A filtered table keeps part of its rows (scoring keeps 16 of 36 months): half the rows reserved, grown if more are kept.
        Rows.Capacity = Math.Max(Rows.Capacity, filter is null ? n : n / 2);
        keys.Reserve(n);
    }

    public RowBuffer Buffer { get; }
    public List<T> Rows { get; } = new();
    /// <summary>Line of each accepted row; kept only for tables with a foreign key into themselves.</summary>
    public List<long> RowLines { get; } = new();
    public List<DataProblem> Problems { get; } = new();
    public long ProblemCount { get; private set; }
    public long Read { get; private set; }
    public long Rejected { get; private set; }
    /// <summary>Valid rows the filter summarized instead of keeping (accepted, but not in <see cref="Rows"/>).</summary>
    public long Summarized { get; private set; }

    /// <summary>True when strict mode has seen enough problems to stop reading.</summary>
    public bool Stop => mode == ValidationMode.Strict && ProblemCount >= maxProblems;

    public EnumText? Enum(int column) => enums[column];

    public void BeginRow()
    {
        Buffer.Clear();
        Array.Clear(failed);
        issues.Clear(); issueValues.Clear(); namedIssues.Clear();
        Read++;
    }

    /// <summary>A cell could not be parsed; the cell is treated as null for later checks.</summary>
    public void ParseFailed(int column, string value)
    {
        failed[column] = true; Buffer.IsNull[column] = true;
        issues.Add(new(column, CellText.Expectation(codec.Schema.Columns[column], enums[column])));
        issueValues.Add(value);
    }

    /// <summary>A whole-row problem (ragged or badly quoted record) reported on a named column.</summary>
    public void RowFailed(string column, string? value, string expected, long line, IRowOrigin origin)
    {
        var p = new DataProblem(file, line, column, value, expected);
        Reject(line, [p], origin);
    }

    /// <summary>A file-level problem (header, schema) that is not tied to a row.</summary>
    public void FileProblem(DataProblem problem) { ProblemCount++; if (Problems.Count < maxProblems) Problems.Add(problem); }

    public void EndRow(long line, IRowOrigin origin)
    {
        var schema = codec.Schema;
        var b = Buffer;
        var isNull = b.IsNull;
        for (int c = 0; c < types.Length; c++)
        {
            if (failed[c]) continue;
            if (isNull[c])
            {
                if (required[c]) Issue(c, null, "a value (the column is required; an empty cell means null)");
                continue;
            }
            if (types[c] == ColumnType.Date)
            {
                long day = b.Long[c];
                if (day < minDay || day > maxDay) Issue(c, null, dateWindow);
                continue;
            }
            if (types[c] == ColumnType.String && b.Str[c] is { Length: 0 } && IsKeyColumn(c))
            {
                Issue(c, null, "a non-empty key (\"\" cannot identify a row)");
                continue;
            }
            if (ranged[c])
            {
                double v = types[c] switch { ColumnType.Int => b.Long[c], ColumnType.Decimal => (double)b.Dec[c], _ => b.Dbl[c] };
                if (!double.IsFinite(v)) Issue(c, null, "a finite number");
                else if (v < min[c]) Issue(c, null, $"a value of at least {min[c].ToString(CultureInfo.InvariantCulture)}");
                else if (v > max[c]) Issue(c, null, $"a value of at most {max[c].ToString(CultureInfo.InvariantCulture)}");
            }
        }
        codec.CrossCheck?.Invoke(b, issues);
        while (issueValues.Count < issues.Count) issueValues.Add(null);

        for (int i = 0; i < fkColumns.Length; i++)
        {
            int col = fkColumns[i];
            if (isNull[col] || failed[col]) continue;
            if (!TargetExists(i, col, b)) Issue(col, null, $"an existing {foreignKeys[i].TargetColumn} of table {foreignKeys[i].TargetTable}");
        }

        // The key issue is a named issue, listed after the cell issues, so checking it last keeps the order of problems.
        // A row with no other issue is added to the index in the same probe that looks for an earlier one.
        bool keyComplete = true;
        foreach (int kc in keyColumns) if (isNull[kc]) keyComplete = false;
        if (keyComplete)
        {
            var key = KeyOf(b);
            long firstLine = issues.Count == 0 ? keys.AddOrGet(key, line) : keys.Find(key);
            if (firstLine >= 0)
                Issue(codec.KeyColumns[0], string.Join(", ", codec.KeyColumns.Select(origin.CellText)),
                    $"a unique key ({string.Join(", ", schema.Key)}); the same key is on line {firstLine.ToString(CultureInfo.InvariantCulture)}",
                    string.Join(", ", schema.Key));
        }

        if (issues.Count == 0 && namedIssues.Count == 0)
        {
            if (filter is null) Rows.Add(codec.Build(b));
            else
            {
                var row = codec.Build(b);
                if (!filter.Keep(row)) { Summarized++; return; }
                Rows.Add(row);
            }
            if (trackLines) RowLines.Add(line);
            return;
        }
        var problems = new List<DataProblem>(issues.Count + namedIssues.Count);
        for (int i = 0; i < issues.Count; i++)
            problems.Add(new DataProblem(file, line, schema.Columns[issues[i].Column].Name, issueValues[i] ?? origin.CellText(issues[i].Column), issues[i].Expected));
        foreach (var (column, value, expected) in namedIssues) problems.Add(new DataProblem(file, line, column, value, expected));
        namedIssues.Clear();
        Reject(line, problems, origin);
    }

    readonly List<(string Column, string Value, string Expected)> namedIssues = new();

    bool IsKeyColumn(int c)
    {
        foreach (int k in keyColumns) if (k == c) return true;
        return false;
    }

    void Issue(int column, string? value, string expected, string? columnName = null)
    {
        if (columnName is not null) { namedIssues.Add((columnName, value!, expected)); return; }
        issues.Add(new(column, expected));
        issueValues.Add(value);
    }

    void Reject(long line, IReadOnlyList<DataProblem> problems, IRowOrigin origin)
    {
        Rejected++;
        foreach (var p in problems) { ProblemCount++; if (Problems.Count < maxProblems) Problems.Add(p); }
        if (mode == ValidationMode.Lenient) rejects?.Add(line, problems, origin.RawText());
    }

    /// <summary>Rejects an already accepted row after the fact (a parent that turned out not to exist).</summary>
    public void RejectLate(long line, DataProblem problem, string raw)
    {
        Rejected++;
        ProblemCount++; if (Problems.Count < maxProblems) Problems.Add(problem);
        if (mode == ValidationMode.Lenient) rejects?.Add(line, [problem], raw);
    }

    /// <summary>Whether the foreign key's target has the cell's value; looked up once per distinct pooled value.</summary>
    bool TargetExists(int fk, int col, RowBuffer b)
    {
        int id = Pools[col] is null ? -1 : b.Id[col];
        if (id < 0) return foreignKeys[fk].Targets.Contains(b.Str[col]!);
        var known = fkKnown[fk];
        if (id >= known.Length) { Array.Resize(ref known, Math.Max(id + 1, known.Length * 2)); fkKnown[fk] = known; }
        if (known[id] == 0) known[id] = foreignKeys[fk].Targets.Contains(b.Str[col]!) ? (sbyte)1 : (sbyte)-1;
        return known[id] > 0;
    }

    /// <summary>The packed key of every accepted row whose key packs, in order: the keys the index was given (a row is
    /// accepted exactly when the index added its key, or when its key does not pack or is incomplete), recomputed from
    /// the rows for the rare file whose groups interleave.</summary>
    IEnumerable<long> PackedKeysOfRows()
    {
        var b = new RowBuffer(types.Length);
        foreach (var row in Rows)
        {
            b.Clear();
            codec.Fill(row, b);
            bool complete = true;
            foreach (int kc in keyColumns)
            {
                if (b.IsNull[kc]) complete = false;
                else if (types[kc] == ColumnType.String) b.Id[kc] = Pools[kc]?.IdOf(b.Str[kc]!) ?? -1;
            }
            if (complete && KeyIndex.TryPack(KeyOf(b), out long packed)) yield return packed;
        }
    }

    RowKey KeyOf(RowBuffer b)
    {
        // The first text part goes in the high half of Ids (KeyIndex groups rows by it), a second one in the low half.
        long ids = 0, n = 0;
        int parts = 0;
        string? s = null;
        foreach (int kc in keyColumns)
        {
            if (types[kc] == ColumnType.String)
            {
                int id = Pools[kc] is null ? -1 : b.Id[kc];
                // No id (the table's own unique id, or a text first seen after the pool's cap): the text itself. The
                // all-ones id marks which part it is; a second such part is appended after the first one's length.
                long part = id >= 0 ? id : 0xFFFFFFFFL;
                if (id < 0) s = s is null ? b.Str[kc] : s.Length.ToString(CultureInfo.InvariantCulture) + ":" + s + b.Str[kc];
                ids = parts == 0 ? part << 32 : ids | part;
                parts++;
            }
            else n = n * 1_000_003 + b.Long[kc];
        }
        return new RowKey(ids, n, s);
    }
}
