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

    /// <summary>Values whose Newtonsoft text is not the plain shortest form everywhere: integral doubles (".0" added), signed
    /// zeros, exponents both ways, the largest and smallest doubles, and ordinary random values.</summary>
    static double[] AwkwardValues(int n, int seed)
    {
        var rng = new Random(seed);
        double[] special = [0.0, -0.0, 1.0, -2.0, 1e-7, -3.5e-12, 1e21, 1.2345e300, double.MaxValue, double.MinValue, double.Epsilon, 0.1, 1.0 / 3, 123456789.0, 5e-324];
        return Enumerable.Range(0, n).Select(i => i < special.Length ? special[i]
            : rng.Next(4) switch { 0 => Math.Round(rng.NextDouble() * 100), 1 => rng.NextDouble() * 1e-6, 2 => (rng.NextDouble() - 0.5) * 1e18, _ => rng.NextDouble() * 4 - 2 }).ToArray();
    }

    [Fact]
    public void Parallel_coordinates_json_written_directly_is_plotly_nets_text()
    {
        const int n = 3_000;
        var values = AwkwardValues(n * 4, seed: 11);
        var features = FeatureMatrix.FromFlat(values, n, ["a", "b", "c", "d"]);
        var rng = new Random(3);
        var segments = Enumerable.Range(0, n).Select(_ => rng.Next(-1, 6)).ToArray();
        var expected = SegmentationCharts.ToJson(SegmentationCharts.ParallelCoordinates(features, segments));
        Assert.Equal(expected, SegmentationCharts.ParallelCoordinatesJson(features, segments));
        Assert.Contains("\"label\":\"b\",\"values\":[-0.0,", expected); // Newtonsoft writes -0 as -0.0, and so does the direct writer

    }

    [Fact]
    public void Pca_scatter_json_written_directly_is_plotly_nets_text()
    {
        var r = Result.Value;
        int n = r.Assignments.Length;
        var scores = FeatureMatrix.FromFlat(AwkwardValues(n * 2, seed: 5), n, ["pc1", "pc2"]);
        var withNoise = r with { PcaScores = scores, Assignments = r.Assignments.Select((s, i) => i % 17 == 0 ? -1 : s).ToArray() };
        foreach (var result in new[] { r, r with { PcaScores = scores }, withNoise })
            Assert.Equal(SegmentationCharts.ToJson(SegmentationCharts.PcaScatter(result)), SegmentationCharts.PcaScatterJson(result));
    }

    [Fact]
    public void Chart_json_with_the_kept_template_text_is_plotly_nets_text_and_a_changed_template_is_not_taken_for_it()
    {
        var r = Result.Value;
        var sel = r.KSelection!;
        Func<Plotly.NET.GenericChart>[] charts =
        [
            () => SegmentationCharts.Elbow(sel), () => SegmentationCharts.Gap(sel.Gap), () => SegmentationCharts.SilhouetteByK(sel),
            () => SegmentationCharts.Bic(sel), () => SegmentationCharts.SilhouettePlot(r.Silhouette, r.Assignments),
            () => SegmentationCharts.ParallelCoordinates(r), () => SegmentationCharts.PcaScatter(r),
            () => SegmentationCharts.KDistance(Dbscan.KDistance(r.ClusteredData, 4)),
        ];
        // Twice: the first chart keeps the template's text, every later one is spliced.
        foreach (var make in charts.Concat(charts))
            Assert.Equal(Plotly.NET.GenericChart.toJson(make()), SegmentationCharts.ToJson(make()));

        var changed = SegmentationCharts.Elbow(sel);
        var template = (DynamicObj.DynamicObj)Plotly.NET.GenericChart.getLayout(changed).TryGetPropertyValue("template")!.Value;
        var templateLayout = (DynamicObj.DynamicObj)template.TryGetPropertyValue("layout")!.Value;
        templateLayout.SetProperty("hovermode", "x");
        var json = SegmentationCharts.ToJson(changed);
        Assert.Equal(Plotly.NET.GenericChart.toJson(changed), json);
        Assert.Contains("\"hovermode\":\"x\"", json);
    }

    [Fact]
    public void Bic_chart_without_mixtures_is_refused()
    {
        var (x, _) = SegmentationTestData.Blobs(2, 3, 30, seed: 2);
        var sel = KSelector.Select(x, new KSelectionOptions { KMax = 4, Seed = 1 });
        Assert.Throws<WorkbenchException>(() => SegmentationCharts.Bic(sel));
    }
}
