using Workbench.Analytics.Segmentation;

namespace Workbench.Tests.Segmentation;

public class PreprocessingTests
{
    static readonly string[] Names = ["spend", "usage"];

    [Fact]
    public void Standard_scaling_gives_zero_mean_unit_sd()
    {
        var x = FeatureMatrix.FromRows([[1, 10], [2, 20], [3, 30], [4, 40]], Names);
        var z = Scaling.FitTransform(x, ScalingMethod.Standard);
        for (int j = 0; j < 2; j++)
        {
            var c = z.Column(j);
            Assert.Equal(0, c.Average(), 12);
            Assert.Equal(1, Math.Sqrt(c.Sum(v => v * v) / c.Length), 12);
        }
    }

    [Fact]
    public void Robust_scaling_uses_median_and_iqr_and_log1p_applies_to_named_columns()
    {
        // spend: log1p of e^k - 1 = k for k = 0..4 -> median 2, IQR 3 - 1 = 2 (linear quantiles).
        var rows = Enumerable.Range(0, 5).Select(k => new[] { Math.Exp(k) - 1, k * 10.0 }).ToArray();
        var x = FeatureMatrix.FromRows(rows, Names);
        var scaler = Scaling.Fit(x, ScalingMethod.Robust, ["spend"]);
        Assert.Equal(2, scaler.Centers[0], 10);
        Assert.Equal(2, scaler.Scales[0], 10);
        Assert.Equal(20, scaler.Centers[1], 10);
        Assert.Equal(20, scaler.Scales[1], 10);
        var z = scaler.Transform(x);
        Assert.Equal(-1, z[0, 0], 10);
        Assert.Equal(1, z[4, 0], 10);
    }

    [Fact]
    public void Log1p_rejects_negative_spend_naming_column_and_row()
    {
        var x = FeatureMatrix.FromRows([[1, 1], [-5, 2]], Names);
        var ex = Assert.Throws<OptionsValidationException>(() => Scaling.Fit(x, ScalingMethod.Standard, ["spend"]));
        Assert.Contains("'spend'", ex.Message);
        Assert.Contains("row 1", ex.Message);
    }

    [Fact]
    public void Non_finite_values_are_rejected_with_their_place()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => FeatureMatrix.FromRows([[1, double.NaN]], Names));
        Assert.Contains("row 0, column 'usage'", ex.Message);
    }

    [Fact]
    public void Pca_recovers_known_variances_and_axes()
    {
        // Independent columns with sd 3 and 1, rotated by 30 degrees: variances 9 and 1, ratio 0.9 / 0.1.
        var rng = new Random(7);
        double a = Math.PI / 6;
        var rows = Enumerable.Range(0, 20_000).Select(_ =>
        {
            double u = 3 * SegmentationTestData.Normal(rng), v = SegmentationTestData.Normal(rng);
            return new[] { u * Math.Cos(a) - v * Math.Sin(a), u * Math.Sin(a) + v * Math.Cos(a) };
        }).ToArray();
        var pca = Pca.Fit(FeatureMatrix.FromRows(rows, Names));
        Assert.Equal(0.9, pca.ExplainedVarianceRatio[0], tolerance: 0.01);
        Assert.Equal(0.1, pca.ExplainedVarianceRatio[1], tolerance: 0.01);
        Assert.Equal(1.0, pca.ExplainedVarianceRatio.Sum(), 12);
        Assert.Equal(Math.Cos(a), pca.Components[0][0], tolerance: 0.01);
        Assert.Equal(Math.Sin(a), pca.Components[0][1], tolerance: 0.01);
        var scores = pca.Transform(FeatureMatrix.FromRows(rows, Names));
        Assert.Equal(pca.ExplainedVariance[0], scores.Column(0).Sum(s => s * s) / (rows.Length - 1), 6);
    }
}
