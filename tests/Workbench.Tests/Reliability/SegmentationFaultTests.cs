using Workbench.Analytics.Segmentation;
using Workbench.Reporting.Segmentation;
using Workbench.Tests.Experiments;
using Workbench.Tests.Segmentation;

namespace Workbench.Tests.Reliability;

/// <summary>Segmentation parameters the data cannot support are refused before any work; one cluster still charts.</summary>
public class SegmentationFaultTests
{
    static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");

    [Theory]
    [InlineData("kmeans", "1")]
    [InlineData("gmm", "1")]
    [InlineData("kmeans", "500")]
    public void A_k_the_data_cannot_support_is_refused_with_exit_2_and_no_output(string method, string k)
    {
        var outDir = Path.Combine(TestPaths.NewTempDir("seg-k"), "out");
        var r = WorkbenchProcess.Run(TestPaths.NewTempDir("cwd"), "segment", "--data", Sample, "--out", outDir, "--method", method, "--k", k);
        Assert.True(r.Exit == 2, $"exit {r.Exit}: {r.Err}");
        Assert.Contains($"--k {k}: the number of segments must be between 2 and 499", r.Err);
        Assert.False(Directory.Exists(outDir), "a refused segmentation must leave no output");
    }

    [Fact]
    public void A_single_cluster_result_still_draws_its_silhouette_plot()
    {
        var (x, _) = SegmentationTestData.Blobs(1, 3, 60, seed: 3);
        var r = Segmenter.Run(new SegmentationInput(x), new SegmentationOptions { Seed = 1, K = 1 });
        Assert.Equal(1, r.K);
        var chart = SegmentationCharts.SilhouettePlot(r.Silhouette, r.Assignments);
        Assert.Contains("single segment", Plotly.NET.GenericChart.toChartHTML(chart));
    }
}
