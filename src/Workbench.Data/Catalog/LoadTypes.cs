using System.Text;

namespace Workbench.Data;

/// <summary>On-disk format of a dataset's tables: <c>&lt;table&gt;.csv</c> or <c>&lt;table&gt;.parquet</c>.</summary>
public enum DataFormat { Csv, Parquet }

/// <summary>What to do with a bad row. Strict stops and throws <see cref="DataValidationException"/> listing
/// the first problems; Lenient loads the good rows and writes every rejected row, with its reasons, to a rejects file.</summary>
public enum ValidationMode { Strict, Lenient }

/// <summary>Outcome of one table: loaded, not present in the folder, or unusable (missing columns, empty file...).</summary>
public enum TableStatus { Loaded, Absent, Failed }

/// <summary>Options for <see cref="CrmCatalog.Load(LoadOptions)"/>.</summary>
public sealed record LoadOptions
{
    /// <summary>Format to read; null picks Parquet when any canonical .parquet file is present, else CSV.</summary>
    public DataFormat? Format { get; init; }

    public ValidationMode Mode { get; init; } = ValidationMode.Strict;

    /// <summary>Where lenient mode writes <c>&lt;table&gt;.rejects.csv</c>; default <c>&lt;dataset&gt;/rejects</c>.</summary>
    public string? RejectsDirectory { get; init; }

    /// <summary>Strict mode stops after this many problems (per table) and lists them; also the number of
    /// problems a lenient report keeps in memory (the rejects files hold all of them).</summary>
    public int MaxProblems { get; init; } = 20;

    /// <summary>Tables that must be present (a missing file is then a problem). By default any subset is accepted,
    /// but at least one canonical table must exist.</summary>
    public IReadOnlyList<string> RequiredTables { get; init; } = [];

    /// <summary>Dates outside this window (inclusive) are refused as implausible (a typo like 2999-01 or 0001-01 would
    /// otherwise pass as a real month and move every as-of date). Default 1900-01-01 to 2100-12-31.</summary>
    public DateOnly EarliestDate { get; init; } = new(1900, 1, 1);

    /// <inheritdoc cref="EarliestDate"/>
    public DateOnly LatestDate { get; init; } = new(2100, 12, 31);

    /// <summary>Only these canonical tables are read (the others are reported <see cref="TableStatus.Absent"/> and left
    /// empty, and foreign keys into them are not checked); null reads every table present. A job that needs a few tables
    /// (scoring) skips decoding the rest.</summary>
    public IReadOnlyList<string>? Tables { get; init; }

    /// <summary>Also load <c>truth/</c> when present.</summary>
    public bool IncludeTruth { get; init; } = true;

    /// <summary>Only these truth tables are read (the others are reported <see cref="TableStatus.Absent"/> and left empty);
    /// null reads every one present. A run whose stages compare with a few planted truths (risks, segments) skips the
    /// large ones it never reads (action values, opportunity weeks).</summary>
    public IReadOnlyList<string>? TruthTables { get; init; }

    /// <summary>Receives one message per table loaded.</summary>
    public IProgress<string>? Progress { get; init; }

    /// <summary>Ask Linux for transparent huge pages on the managed heap while the tables are read (fewer page faults:
    /// 0.59-0.61 M instead of 1.02-1.05 M in `score` at 100,000 accounts). Off by default: the huge pages stay with
    /// the heap after the load and raised `run`'s peak past its 4 GB budget (docs/scale.md, load7). A hint only:
    /// no value read depends on it; ignored off Linux, when the kernel's THP mode is not "madvise", or with
    /// WORKBENCH_LOAD_HUGEPAGES=0.</summary>
    public bool HugePages { get; init; }

    /// <summary>Keep only this many months of usage and engagement rows as records, counted back from the month after
    /// spend's last month (the default as-of month of a scoring: <c>KeepRecentMonths = 16</c> keeps the 16 months before
    /// it). Earlier rows are read and validated like every row (a bad one fails the load as before) but only summarized in
    /// <see cref="CrmDataset.EarlyFacts"/>: their account-product pairs, usage rows per month, and each account's latest
    /// touch. Usage and engagement are then read after spend. Null (default) keeps every row; for a job that reads nothing
    /// else of those months (scoring as of the default date: docs/scale.md, scoreload).</summary>
    public int? KeepRecentMonths { get; init; }

    internal void Validate()
    {
        if (KeepRecentMonths is < 1)
            throw new OptionsValidationException($"LoadOptions.KeepRecentMonths must be at least 1, got {KeepRecentMonths}.");
        if (EarliestDate > LatestDate)
            throw new OptionsValidationException($"LoadOptions.EarliestDate ({EarliestDate:yyyy-MM-dd}) must not be after LatestDate ({LatestDate:yyyy-MM-dd}).");
        if (MaxProblems < 1) throw new OptionsValidationException($"LoadOptions.MaxProblems must be at least 1, got {MaxProblems}.");
        foreach (var t in RequiredTables)
            if (!CrmSchema.Tables.Any(s => s.Name == t))
                throw new OptionsValidationException($"LoadOptions.RequiredTables: unknown table '{t}'. Known: {string.Join(", ", CrmSchema.Tables.Select(s => s.Name))}");
        foreach (var t in Tables ?? [])
            if (!CrmSchema.Tables.Any(s => s.Name == t))
                throw new OptionsValidationException($"LoadOptions.Tables: unknown table '{t}'. Known: {string.Join(", ", CrmSchema.Tables.Select(s => s.Name))}");
        foreach (var t in TruthTables ?? [])
            if (!TruthSchema.Tables.Any(s => s.Name == t))
                throw new OptionsValidationException($"LoadOptions.TruthTables: unknown truth table '{t}'. Known: {string.Join(", ", TruthSchema.Tables.Select(s => s.Name))}");
    }
}

/// <summary>One table's line in a load report. Read = data rows seen; Read = Accepted + Rejected.</summary>
public sealed record TableLoadReport(string Table, string? File, TableStatus Status, long Read, long Accepted, long Rejected, string? RejectsFile = null);

/// <summary>What a load found and did: per table counts, and the problems (the first
/// <see cref="LoadOptions.MaxProblems"/> per table; <see cref="ProblemCount"/> counts them all).</summary>
public sealed record LoadReport(string Directory, DataFormat Format, ValidationMode Mode, IReadOnlyList<TableLoadReport> Tables,
    IReadOnlyList<DataProblem> Problems, long ProblemCount)
{
    /// <summary>Names of the tables that were present (loaded or failed).</summary>
    public IReadOnlyList<string> FoundTables => Tables.Where(t => t.Status != TableStatus.Absent).Select(t => t.Table).ToArray();

    public long TotalRejected => Tables.Sum(t => t.Rejected);

    public bool HasProblems => ProblemCount > 0;

    /// <summary>The report as an aligned text table, then the problems kept.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Load report for {Directory} ({Format.ToString().ToLowerInvariant()}, {Mode.ToString().ToLowerInvariant()})");
        int w = Math.Max(5, Tables.Count == 0 ? 5 : Tables.Max(t => t.Table.Length));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"table".PadRight(w)}  {"status",-7}  {"read",12}  {"accepted",12}  {"rejected",10}  rejects file"));
        foreach (var t in Tables)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{t.Table.PadRight(w)}  {t.Status.ToString().ToLowerInvariant(),-7}  {t.Read,12:N0}  {t.Accepted,12:N0}  {t.Rejected,10:N0}  {t.RejectsFile ?? ""}").TrimEnd());
        sb.AppendLine(CultureInfo.InvariantCulture, $"{ProblemCount:N0} problem(s), {TotalRejected:N0} row(s) rejected.");
        foreach (var p in Problems) sb.Append("  ").AppendLine(p.ToString());
        if (ProblemCount > Problems.Count) sb.AppendLine(CultureInfo.InvariantCulture, $"  ... and {ProblemCount - Problems.Count:N0} more (see the rejects files)");
        return sb.ToString();
    }

    public override string ToString() => ToText();
}

/// <summary>A loaded dataset and the report of how it was loaded.</summary>
public sealed record LoadResult(CrmDataset Dataset, LoadReport Report);
