using System.Globalization;
using System.Text;
using Workbench.Data.Io;
using Workbench.Domain;

namespace Workbench.Data.Tables;

/// <summary>Identity of a row for duplicate detection: up to two string key parts and one numeric part
/// (dates as day numbers, enums and ints as values). Covers every key of the canonical and truth schemas.</summary>
internal readonly record struct RowKey(string? A, string? B, long N);

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
    readonly Dictionary<RowKey, long> keys = new();
    readonly List<CellIssue> issues = new();
    readonly List<string?> issueValues = new();
    readonly bool[] failed;
    readonly EnumText?[] enums;

    public RowSink(TableCodec<T> codec, string file, ValidationMode mode, int maxProblems, IReadOnlyList<ForeignKeyCheck> foreignKeys, RejectsWriter? rejects)
    {
        this.codec = codec; this.file = file; this.mode = mode; this.maxProblems = maxProblems;
        this.foreignKeys = foreignKeys; this.rejects = rejects;
        Buffer = new RowBuffer(codec.Schema.Columns.Count);
        failed = new bool[codec.Schema.Columns.Count];
        enums = CellText.EnumsOf(codec.Schema);
        trackLines = codec.Schema.ForeignKeys.Any(f => f.Table == codec.Schema.Name);
    }

    readonly bool trackLines;

    /// <summary>Sizes the row list and key index for an expected row count, sparing regrowth on big tables.</summary>
    public void Reserve(long expectedRows)
    {
        int n = (int)Math.Clamp(expectedRows, 0, 50_000_000);
        Rows.Capacity = Math.Max(Rows.Capacity, n);
        keys.EnsureCapacity(n);
    }

    public RowBuffer Buffer { get; }
    public List<T> Rows { get; } = new();
    /// <summary>Line of each accepted row; kept only for tables with a foreign key into themselves.</summary>
    public List<long> RowLines { get; } = new();
    public List<DataProblem> Problems { get; } = new();
    public long ProblemCount { get; private set; }
    public long Read { get; private set; }
    public long Rejected { get; private set; }

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
        for (int c = 0; c < schema.Columns.Count; c++)
        {
            if (failed[c]) continue;
            var spec = schema.Columns[c];
            if (b.IsNull[c])
            {
                if (!spec.Nullable) Issue(c, null, "a value (the column is required; an empty cell means null)");
                continue;
            }
            if (spec.Type is ColumnType.Int or ColumnType.Decimal or ColumnType.Double)
            {
                double v = b.Numeric(c, spec.Type);
                if (!double.IsFinite(v)) Issue(c, null, "a finite number");
                else if (spec.Min is { } min && v < min) Issue(c, null, $"a value of at least {min.ToString(CultureInfo.InvariantCulture)}");
                else if (spec.Max is { } max && v > max) Issue(c, null, $"a value of at most {max.ToString(CultureInfo.InvariantCulture)}");
            }
        }
        codec.CrossCheck?.Invoke(b, issues);
        while (issueValues.Count < issues.Count) issueValues.Add(null);

        RowKey key = default;
        bool keyComplete = true;
        foreach (int kc in codec.KeyColumns) if (b.IsNull[kc]) keyComplete = false;
        if (keyComplete)
        {
            key = KeyOf(b);
            if (keys.TryGetValue(key, out long firstLine))
                Issue(codec.KeyColumns[0], string.Join(", ", codec.KeyColumns.Select(origin.CellText)),
                    $"a unique key ({string.Join(", ", schema.Key)}); the same key is on line {firstLine.ToString(CultureInfo.InvariantCulture)}",
                    string.Join(", ", schema.Key));
        }
        foreach (var fk in foreignKeys)
        {
            var v = b.IsNull[fk.Column] ? null : b.Str[fk.Column];
            if (v is not null && !failed[fk.Column] && !fk.Targets.Contains(v))
                Issue(fk.Column, null, $"an existing {fk.TargetColumn} of table {fk.TargetTable}");
        }

        if (issues.Count == 0 && namedIssues.Count == 0)
        {
            Rows.Add(codec.Build(b));
            if (trackLines) RowLines.Add(line);
            if (keyComplete) keys.Add(key, line);
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

    RowKey KeyOf(RowBuffer b)
    {
        string? s1 = null, s2 = null; long n = 0;
        foreach (int kc in codec.KeyColumns)
        {
            if (codec.Schema.Columns[kc].Type == ColumnType.String) { if (s1 is null) s1 = b.Str[kc]; else s2 = b.Str[kc]; }
            else n = n * 1_000_003 + b.Long[kc];
        }
        return new RowKey(s1, s2, n);
    }
}
