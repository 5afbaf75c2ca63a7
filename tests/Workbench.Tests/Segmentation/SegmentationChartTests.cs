using Workbench.Analytics.Segmentation;
using Workbench.Reporting.Segmentation;

namespace Workbench.Tests.Segmentation;

public class SegmentationChartTests
{
    static readonly Lazy<SegmentationResult> Result = new(() =>
    {
        var (x, _) = SegmentationTestData.Blobs(3, 4, 60, seed: 6);
        return Segmenter.Run(new SegmentationInput(x), new SegmentationOptions { Seed = 1, Method = SegmentationMethod.GaussianMixture, KMax = 5, Covariance = CovarianceType.Diagonal });
    });

    [Fact]
    public void Parallel_coordinates_chart_has_a_parcoords_trace_with_the_dimension_labels()
    {
        var json = SegmentationCharts.ToJson(SegmentationCharts.ParallelCoordinates(Result.Value));
        Assert.Contains("\"parcoords\"", json);
        foreach (var name in new[] { "f0", "f1", "f2", "f3" }) Assert.Contains($"\"label\":\"{name}\"", json);
    }

    [Fact]
    public void K_selection_charts_carry_their_series()
    {
        var sel = Result.Value.KSelection!;
        var elbow = SegmentationCharts.ToJson(SegmentationCharts.Elbow(sel));
        Assert.Contains("Elbow", elbow);
        Assert.Contains($"elbow (k={sel.ElbowK})", elbow);
        var gap = SegmentationCharts.ToJson(SegmentationCharts.Gap(sel.Gap));
        Assert.Contains("\"error_y\"", gap);
        Assert.Contains("Gap statistic", gap);
        Assert.Contains("BIC", SegmentationCharts.ToJson(SegmentationCharts.Bic(sel)));
        Assert.Contains("Silhouette by k", SegmentationCharts.ToJson(SegmentationCharts.SilhouetteByK(sel)));
        Assert.Contains("\"type\":\"bar\"", SegmentationCharts.ToJson(SegmentationCharts.SilhouettePlot(Result.Value.Silhouette, Result.Value.Assignments)));
    }

    [Fact]
    public void Pca_scatter_has_one_trace_per_segment_named_from_profiles_and_k_distance_marks_eps()
    {
        var r = Result.Value;
        var json = SegmentationCharts.ToJson(SegmentationCharts.PcaScatter(r));
        foreach (var p in r.Profiles) Assert.Contains($"{p.Segment}: {p.Name}", json);
        Assert.Contains("PC1", json);
        var kd = Dbscan.KDistance(r.ClusteredData, 4);
        Assert.Contains("suggested eps", SegmentationCharts.ToJson(SegmentationCharts.KDistance(kd)));
    }

    [Fact]
    public void Bic_chart_without_mixtures_is_refused()
    {
        var (x, _) = SegmentationTestData.Blobs(2, 3, 30, seed: 2);
        var sel = KSelector.Select(x, new KSelectionOptions { KMax = 4, Seed = 1 });
        Assert.Throws<WorkbenchException>(() => SegmentationCharts.Bic(sel));
    }
}
