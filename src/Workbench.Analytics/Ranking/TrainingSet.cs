using Microsoft.ML;
using Microsoft.ML.Data;
namespace Workbench.Analytics.Ranking;

/// <summary>Rows for a binary model: row-major float features with names, and a 0/1 label per row.
/// Missing values are NaN.</summary>
public sealed record TrainingSet(float[] Values, IReadOnlyList<string> FeatureNames, bool[] Labels)
{
    public int RowCount => Labels.Length;
    public int ColumnCount => FeatureNames.Count;

    public ReadOnlySpan<float> Row(int i) => Values.AsSpan(i * ColumnCount, ColumnCount);

    /// <summary>Churn and upsell rows for the same snapshots: the feature values are copied once and shared,
    /// only the labels differ.</summary>
    public static (TrainingSet Churn, TrainingSet Upsell) ChurnAndUpsell(FeatureTable table, IReadOnlyList<int> rows, IReadOnlyList<Label> labels)
    {
        int d = table.ColumnCount;
        var values = new float[rows.Count * d];
        for (int k = 0; k < rows.Count; k++) table.Row(rows[k]).CopyTo(values.AsSpan(k * d, d));
        var names = table.Registry.Names.ToArray();
        return (new TrainingSet(values, names, rows.Select(r => labels[r].Outcome == Outcome.Churn).ToArray()),
                new TrainingSet(values, names, rows.Select(r => labels[r].Outcome == Outcome.Upsell).ToArray()));
    }

    public TrainingSet Subset(IReadOnlyList<int> rows)
    {
        var values = new float[rows.Count * ColumnCount];
        for (int k = 0; k < rows.Count; k++) Row(rows[k]).CopyTo(values.AsSpan(k * ColumnCount, ColumnCount));
        return new TrainingSet(values, FeatureNames, rows.Select(r => Labels[r]).ToArray());
    }

    internal IDataView ToDataView(MLContext ml) => new Modeling.DenseDataView(Values, FeatureNames, Labels);
}
