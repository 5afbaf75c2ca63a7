using Workbench.Data.Io;
using Workbench.Data.Tables;

namespace Workbench.Data.Catalog;

/// <summary>The result of loading one table: its rows (a List of the record type), report line and problems.</summary>
internal sealed record TableOutcome(string Table, object Rows, TableLoadReport Report, IReadOnlyList<DataProblem> Problems, long ProblemCount);

/// <summary>Ties a table's codec to where its rows live in a source object (a CrmDataset or PlantedTruth).</summary>
internal abstract class TableBinding<TSource>
{
    public abstract TableCodec Codec { get; }
    public string Name => Codec.Schema.Name;
    public abstract int Count(TSource source);
    public abstract void Write(TSource source, string path, DataFormat format);
    /// <summary>Reads and validates the table's file. <paramref name="rowFilter"/>: an <see cref="IRowFilter{T}"/> of the
    /// table's record type deciding which valid rows are kept (the others are only summarized by it); null keeps every valid row.</summary>
    public abstract TableOutcome Load(string path, string displayName, DataFormat format, LoadOptions options, string? rejectsPath,
        IReadOnlyList<ForeignKeyCheck> foreignKeys, object? rowFilter = null);
    /// <summary>Distinct values of a column of loaded rows (targets of foreign keys).</summary>
    public abstract HashSet<string> Values(object rows, string column);
}

internal sealed class TableBinding<TSource, T>(TableCodec<T> codec, Func<TSource, IReadOnlyList<T>> rowsOf) : TableBinding<TSource>
{
    public override TableCodec Codec => codec;
    public TableCodec<T> TypedCodec => codec;

    public override int Count(TSource source) => rowsOf(source).Count;

    public override void Write(TSource source, string path, DataFormat format)
    {
        if (format == DataFormat.Csv) CsvTableWriter.Write(codec, rowsOf(source), path);
        else ParquetTableIo.Write(codec, rowsOf(source), path);
    }

    public override TableOutcome Load(string path, string displayName, DataFormat format, LoadOptions options, string? rejectsPath,
        IReadOnlyList<ForeignKeyCheck> foreignKeys, object? rowFilter = null)
    {
        using var rejects = options.Mode == ValidationMode.Lenient && rejectsPath is not null ? new RejectsWriter(rejectsPath) : null;
        var filter = rowFilter is null ? null : rowFilter as IRowFilter<T> ?? throw new ArgumentException($"{rowFilter.GetType().Name} does not filter {typeof(T).Name} rows.", nameof(rowFilter));
        var sink = new RowSink<T>(codec, displayName, options.Mode, options.MaxProblems, foreignKeys, rejects, options.EarliestDate, options.LatestDate, filter);
        bool usable;
        try
        {
            usable = format == DataFormat.Csv
                ? CsvTableReader.Read(codec, path, displayName, sink, options.Mode)
                : ParquetTableIo.Read(codec, path, displayName, sink, options.Mode);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A dangling symlink, a folder named like a table, a file that vanished or cannot be read.
            sink.FileProblem(new DataProblem(displayName, 0, null, null, "a readable file: " + ex.Message));
            usable = false;
        }
        if (usable) CheckSelfReferences(sink, displayName);
        bool wroteRejects = usable && rejects is not null && rejects.Commit();
        var report = new TableLoadReport(Name, displayName, usable ? TableStatus.Loaded : TableStatus.Failed, sink.Read,
            sink.Rows.Count + sink.Summarized, sink.Rejected, wroteRejects ? rejectsPath : null);
        return new TableOutcome(Name, usable ? sink.Rows : new List<T>(), report, sink.Problems, sink.ProblemCount);
    }

    /// <summary>Foreign keys into the same table (accounts' parent): checked once the whole table is read, and
    /// repeated because dropping a parent can orphan its children.</summary>
    void CheckSelfReferences(RowSink<T> sink, string displayName)
    {
        var schema = codec.Schema;
        var self = schema.ForeignKeys.Where(f => f.Table == schema.Name).ToList();
        if (self.Count == 0 || sink.Rows.Count == 0) return;
        var b = new RowBuffer(schema.Columns.Count);
        var enums = CellText.EnumsOf(schema);
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var fk in self)
            {
                int col = codec.Ordinal(fk.Column);
                var targets = Values(sink.Rows, fk.TargetColumn);
                for (int i = 0; i < sink.Rows.Count; i++)
                {
                    codec.Fill(sink.Rows[i], b);
                    if (b.IsNull[col] || targets.Contains(b.Str[col]!)) continue;
                    sink.RejectLate(sink.RowLines[i], new DataProblem(displayName, sink.RowLines[i], fk.Column, b.Str[col],
                        $"an existing {fk.TargetColumn} of table {fk.Table}"), CellText.Line(b, schema, enums));
                    sink.Rows.RemoveAt(i); sink.RowLines.RemoveAt(i); i--;
                    changed = true;
                }
            }
        }
    }

    public override HashSet<string> Values(object rows, string column)
    {
        var list = (List<T>)rows;
        int col = codec.Ordinal(column);
        var b = new RowBuffer(codec.Schema.Columns.Count);
        var set = new HashSet<string>(list.Count, StringComparer.Ordinal);
        foreach (var r in list) { codec.Fill(r, b); if (!b.IsNull[col]) set.Add(b.Str[col]!); }
        return set;
    }
}

internal static class Bindings
{
    static TableBinding<CrmDataset, T> C<T>(TableCodec<T> codec, Func<CrmDataset, IReadOnlyList<T>> get) => new(codec, get);
    static TableBinding<PlantedTruth, T> P<T>(TableCodec<T> codec, Func<PlantedTruth, IReadOnlyList<T>> get) => new(codec, get);

    /// <summary>Canonical tables in dependency order: a table comes after every table its foreign keys name.</summary>
    public static readonly IReadOnlyList<TableBinding<CrmDataset>> Canonical =
    [
        C(Codecs.Accounts, d => d.Accounts), C(Codecs.Products, d => d.Products), C(Codecs.Reps, d => d.Reps),
        C(Codecs.Contracts, d => d.Contracts), C(Codecs.Spend, d => d.Spend), C(Codecs.Usage, d => d.Usage),
        C(Codecs.Engagement, d => d.Engagement), C(Codecs.Bookings, d => d.Bookings), C(Codecs.Book, d => d.Book),
        C(Codecs.Opportunities, d => d.Opportunities), C(Codecs.Actions, d => d.Actions), C(Codecs.StageHistory, d => d.StageHistory),
        C(Codecs.Transactions, d => d.Transactions),
        C(Codecs.OpportunityActivities, d => d.OpportunityActivities),
    ];

    public static readonly IReadOnlyList<TableBinding<PlantedTruth>> Truth =
    [
        P(Codecs.Risks, t => t.Risks), P(Codecs.Segments, t => t.Segments), P(Codecs.RepSkills, t => t.RepSkills),
        P(Codecs.RepBiases, t => t.RepBiases), P(Codecs.ActionResponses, t => t.ActionResponses),
        P(Codecs.OpportunityWeeks, t => t.OpportunityWeeks), P(Codecs.ActionValues, t => t.ActionValues),
    ];

    /// <summary>Tables grouped so each level depends only on earlier levels; tables in a level load in parallel.</summary>
    public static IReadOnlyList<IReadOnlyList<TableBinding<CrmDataset>>> Levels()
    {
        var level = new Dictionary<string, int>();
        foreach (var t in Canonical)
            level[t.Name] = t.Codec.Schema.ForeignKeys.Where(f => f.Table != t.Name).Select(f => level[f.Table] + 1).DefaultIfEmpty(0).Max();
        return Canonical.GroupBy(t => level[t.Name]).OrderBy(g => g.Key).Select(g => (IReadOnlyList<TableBinding<CrmDataset>>)g.ToList()).ToList();
    }
}
