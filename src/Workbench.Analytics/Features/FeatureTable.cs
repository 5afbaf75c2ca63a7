using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.Data.Analysis;

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
    /// <summary>The builder the rows were computed with, kept by scoring only (<see cref="ScoringFeatures"/>) so its explainers
    /// write their sentences from it rather than building it again per model; null elsewhere (a run's tables do not hold it
    /// alive).</summary>
    internal FeatureBuilder? Builder { get; init; }
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

    /// <summary>The given rows (indexes into this table), in that order.</summary>
    public FeatureTable Rows(IReadOnlyList<int> rows)
    {
        var values = new float[(long)rows.Count * ColumnCount];
        for (int k = 0; k < rows.Count; k++) Row(rows[k]).CopyTo(values.AsSpan((int)((long)k * ColumnCount), ColumnCount));
        return new FeatureTable(Panel, rows.Select(i => Snapshots[i]).ToArray(), Registry, values);
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

    /// <summary>One row per feature: how many values are present and missing (NaN), and the mean, standard deviation,
    /// minimum and maximum of the present values. Unlike <c>DataFrame.Description()</c>, whose min/max/mean become NaN as
    /// soon as a column holds one missing value, missing values are counted, not propagated.</summary>
    public DataFrame Describe()
    {
        var n = ColumnCount;
        var count = new long[n];
        var sum = new double[n];
        var min = new double[n];
        var max = new double[n];
        Array.Fill(min, double.PositiveInfinity);
        Array.Fill(max, double.NegativeInfinity);
        for (int i = 0; i < RowCount; i++)
            for (int j = 0; j < n; j++)
            {
                double v = Values[(long)i * n + j];
                if (double.IsNaN(v)) continue;
                count[j]++;
                sum[j] += v;
                if (v < min[j]) min[j] = v;
                if (v > max[j]) max[j] = v;
            }
        var mean = new double[n];
        for (int j = 0; j < n; j++) mean[j] = count[j] > 0 ? sum[j] / count[j] : double.NaN;
        var squares = new double[n];
        for (int i = 0; i < RowCount; i++)
            for (int j = 0; j < n; j++)
            {
                double v = Values[(long)i * n + j];
                if (!double.IsNaN(v)) squares[j] += (v - mean[j]) * (v - mean[j]);
            }
        double? Present(double v, int j) => count[j] > 0 ? v : null;
        return new DataFrame(
            new StringDataFrameColumn("feature", Registry.Names),
            new PrimitiveDataFrameColumn<long>("count", count),
            new PrimitiveDataFrameColumn<long>("missing", count.Select(c => RowCount - c)),
            new PrimitiveDataFrameColumn<double>("mean", Enumerable.Range(0, n).Select(j => Present(mean[j], j))),
            new PrimitiveDataFrameColumn<double>("std", Enumerable.Range(0, n).Select(j => count[j] > 1 ? Math.Sqrt(squares[j] / (count[j] - 1)) : (double?)null)),
            new PrimitiveDataFrameColumn<float>("min", Enumerable.Range(0, n).Select(j => count[j] > 0 ? (float)min[j] : (float?)null)),
            new PrimitiveDataFrameColumn<float>("max", Enumerable.Range(0, n).Select(j => count[j] > 0 ? (float)max[j] : (float?)null)));
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
