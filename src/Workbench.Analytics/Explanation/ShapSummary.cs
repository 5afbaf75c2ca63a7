namespace Workbench.Analytics.Explanation;

/// <summary>A feature's global importance: the mean absolute SHAP value over the explained rows (raw-margin units).</summary>
public sealed record FeatureImportance(int FeatureIndex, string FeatureName, double MeanAbsoluteShap, double MeanShap);

/// <summary>Points for a dependence plot of one feature: its value in each row against its SHAP value there.</summary>
public sealed record DependenceData(int FeatureIndex, string FeatureName, IReadOnlyList<float> FeatureValues, IReadOnlyList<double> ShapValues);

/// <summary>Global views over a batch of SHAP values (data only; charts live in Reporting).</summary>
public static class ShapSummary
{
    /// <summary>Features ranked by mean |SHAP| (largest first; ties by feature index, so the order is deterministic).</summary>
    public static IReadOnlyList<FeatureImportance> Importance(ShapBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.RowCount == 0) throw new ArgumentException("The batch has no rows: importance needs at least one.", nameof(batch));
        var sums = new ImportanceSums(batch.FeatureNames);
        sums.Add(batch);
        return sums.Importance();
    }

    /// <summary>The sums behind <see cref="ShapSummary.Importance(ShapBatch)"/>, added batch by batch: batches added in row order give the
    /// same bits as one batch of all their rows (each feature's sums are added row after row either way).</summary>
    internal sealed class ImportanceSums(IReadOnlyList<string> featureNames)
    {
        readonly double[] _sumAbs = new double[featureNames.Count], _sum = new double[featureNames.Count];
        int _rows;

        public void Add(ShapBatch batch)
        {
            for (int r = 0; r < batch.RowCount; r++)
            {
                var row = batch.Row(r);
                for (int f = 0; f < row.Length; f++) { _sumAbs[f] += Math.Abs(row[f]); _sum[f] += row[f]; }
            }
            _rows += batch.RowCount;
        }

        public IReadOnlyList<FeatureImportance> Importance()
        {
            if (_rows == 0) throw new InvalidOperationException("No rows were added: importance needs at least one.");
            return Enumerable.Range(0, _sumAbs.Length)
                .Select(f => new FeatureImportance(f, featureNames[f], _sumAbs[f] / _rows, _sum[f] / _rows))
                .OrderByDescending(i => i.MeanAbsoluteShap).ThenBy(i => i.FeatureIndex)
                .ToArray();
        }
    }

    /// <summary>Feature value against SHAP value for one feature, one point per row (NaN values kept as NaN).</summary>
    /// <param name="batch">SHAP values of <paramref name="rows"/>.</param>
    /// <param name="rows">The same rows, in the same order, that produced <paramref name="batch"/>.</param>
    /// <param name="featureIndex">Which feature.</param>
    public static DependenceData Dependence(ShapBatch batch, IReadOnlyList<float[]> rows, int featureIndex)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count != batch.RowCount)
            throw new ArgumentException($"Got {rows.Count} rows for a batch of {batch.RowCount}: pass the rows that were explained.", nameof(rows));
        if ((uint)featureIndex >= (uint)batch.FeatureCount)
            throw new ArgumentOutOfRangeException(nameof(featureIndex), featureIndex, $"Expected 0..{batch.FeatureCount - 1}.");
        var x = new float[rows.Count];
        var phi = new double[rows.Count];
        for (int r = 0; r < rows.Count; r++) { x[r] = rows[r][featureIndex]; phi[r] = batch[r, featureIndex]; }
        return new DependenceData(featureIndex, batch.FeatureNames[featureIndex], x, phi);
    }

    /// <summary>Dependence data for a feature by name.</summary>
    public static DependenceData Dependence(ShapBatch batch, IReadOnlyList<float[]> rows, string featureName)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (int f = 0; f < batch.FeatureCount; f++)
            if (string.Equals(batch.FeatureNames[f], featureName, StringComparison.Ordinal)) return Dependence(batch, rows, f);
        throw new ArgumentException($"No feature named '{featureName}'; features are: {string.Join(", ", batch.FeatureNames)}.", nameof(featureName));
    }
}
