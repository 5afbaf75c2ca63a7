using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;
using Workbench.Analytics.Labeling;

namespace Workbench.Analytics.Features;

/// <summary>
/// Features of a set of snapshots: one row per snapshot (account, product, as-of date), one float column
/// per registry entry, row-major. Hand it to ML.NET with <see cref="ToDataView"/> or look at it with
/// <see cref="ToDataFrame"/>.
/// </summary>
public sealed class FeatureTable
{
    public MonthlyPanel Panel { get; }
    public IReadOnlyList<Snapshot> Snapshots { get; }
    public FeatureRegistry Registry { get; }
    /// <summary>Row-major values: row i, column j at [i * ColumnCount + j].</summary>
    public float[] Values { get; }
    public int RowCount => Snapshots.Count;
    public int ColumnCount => Registry.Definitions.Count;

    public FeatureTable(MonthlyPanel panel, IReadOnlyList<Snapshot> snapshots, FeatureRegistry registry, float[] values)
    {
        if (values.LongLength != (long)snapshots.Count * registry.Definitions.Count)
            throw new ArgumentException($"Expected {snapshots.Count} x {registry.Definitions.Count} values, got {values.LongLength}.");
        (Panel, Snapshots, Registry, Values) = (panel, snapshots, registry, values);
    }

    public int ColumnIndex(string name)
    {
        for (int j = 0; j < ColumnCount; j++) if (Registry.Definitions[j].Name == name) return j;
        throw new KeyNotFoundException($"Feature '{name}' is not in this table. Columns: {string.Join(", ", Registry.Names)}");
    }

    public float this[int row, string column] => Values[(long)row * ColumnCount + ColumnIndex(column)];

    public ReadOnlySpan<float> Row(int row) => Values.AsSpan((int)((long)row * ColumnCount), ColumnCount);

    public string AccountId(int row) => Panel.AccountIds[Snapshots[row].Account];
    public string ProductId(int row) => Panel.ProductIds[Snapshots[row].Product];
    public DateOnly AsOf(int row) => Panel.MonthAt(Snapshots[row].AsOfMonth);

    /// <summary>Rows whose as-of date satisfies a predicate (for time-based splits).</summary>
    public FeatureTable Where(Func<Snapshot, bool> keep)
    {
        var idx = Enumerable.Range(0, RowCount).Where(i => keep(Snapshots[i])).ToArray();
        var values = new float[(long)idx.Length * ColumnCount];
        for (int k = 0; k < idx.Length; k++) Row(idx[k]).CopyTo(values.AsSpan(k * ColumnCount, ColumnCount));
        return new FeatureTable(Panel, idx.Select(i => Snapshots[i]).ToArray(), Registry, values);
    }

    /// <summary>A Microsoft.Data.Analysis DataFrame: key columns (account_id, product_id, as_of) then one column per feature.</summary>
    public DataFrame ToDataFrame(IReadOnlyList<Label>? labels = null)
    {
        var cols = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("account_id", Enumerable.Range(0, RowCount).Select(AccountId)),
            new StringDataFrameColumn("product_id", Enumerable.Range(0, RowCount).Select(ProductId)),
            new PrimitiveDataFrameColumn<DateTime>("as_of", Enumerable.Range(0, RowCount).Select(i => AsOf(i).ToDateTime(TimeOnly.MinValue))),
        };
        for (int j = 0; j < ColumnCount; j++)
        {
            var col = new SingleDataFrameColumn(Registry.Definitions[j].Name, RowCount);
            for (int i = 0; i < RowCount; i++) col[i] = Values[(long)i * ColumnCount + j];
            cols.Add(col);
        }
        if (labels is not null)
        {
            if (labels.Count != RowCount) throw new ArgumentException($"{labels.Count} labels for {RowCount} rows.");
            cols.Add(new StringDataFrameColumn("label", labels.Select(l => l.Outcome.ToString().ToLowerInvariant())));
        }
        return new DataFrame(cols);
    }

    /// <summary>An ML.NET view with a "Features" vector column (float, one slot per feature, slot names from the registry)
    /// and, when labels are given, a boolean "Label" column that is true for <paramref name="positive"/>.</summary>
    public IDataView ToDataView(MLContext ml, IReadOnlyList<Label>? labels = null, Outcome positive = Outcome.Churn)
    {
        if (labels is not null && labels.Count != RowCount) throw new ArgumentException($"{labels.Count} labels for {RowCount} rows.");
        var y = labels?.Select(l => l.Outcome == positive).ToArray();
        return new Modeling.DenseDataView(Values, Registry.Names.ToArray(), y);
    }
}
