using Workbench.Analytics.Segmentation;

namespace Workbench.Tests.Segmentation;

public class SegmenterTests
{
    [Theory]
    [InlineData(SegmentationMethod.KMeans, 4, 8)]
    [InlineData(SegmentationMethod.KMeans, 5, 16)]
    [InlineData(SegmentationMethod.GaussianMixture, 4, 8)]
    public void Run_recovers_planted_segments_with_the_right_k(SegmentationMethod method, int k, int d)
    {
        var (x, truth) = SegmentationTestData.Blobs(k, d, 120, seed: 500 + k * d);
        var options = new SegmentationOptions { Seed = 9, Method = method, Covariance = CovarianceType.Diagonal };
        var r = Segmenter.Run(new SegmentationInput(x), options);
        Assert.Equal(k, r.K);
        Assert.Equal(k, r.KSelection!.RecommendedK);
        var (ari, table) = r.CompareWith(truth);
        Assert.True(ari >= 0.8, $"ARI {ari}");
        Assert.Equal(k, table.ColumnLabels.Count);
        Assert.True(r.StabilityAri >= 0.9);
        Assert.True(r.Silhouette.Mean > 0.5);
        Assert.Equal(method == SegmentationMethod.GaussianMixture, r.KSelection.MixtureBic is not null);
        Assert.Equal(2, r.PcaScores.Columns);
        Assert.True(r.Quality.AllPassed, string.Join("; ", r.Quality.Checklist.Select(c => c.Explanation)));
    }

    [Fact]
    public void Run_is_deterministic_for_a_seed_and_changes_with_it()
    {
        var (x, _) = SegmentationTestData.Blobs(3, 5, 150, seed: 1, minSeparation: 4);
        var a = Segmenter.Run(new SegmentationInput(x), new SegmentationOptions { Seed = 4 });
        var b = Segmenter.Run(new SegmentationInput(x), new SegmentationOptions { Seed = 4 });
        Assert.Equal(a.Assignments, b.Assignments);
        Assert.Equal(a.KSelection!.Reason, b.KSelection!.Reason);
        Assert.Equal(a.Quality.StabilityAris, b.Quality.StabilityAris);
        Assert.Equal(a.Silhouette.Mean, b.Silhouette.Mean);
    }

    [Fact]
    public void Dbscan_run_uses_the_k_distance_knee_and_reports_noise()
    {
        var (blobs, _) = SegmentationTestData.Blobs(3, 4, 150, seed: 41, minSeparation: 14);
        var rng = new Random(5);
        var outliers = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, 4).Select(_ => rng.NextDouble() * 60 - 30).ToArray());
        var x = FeatureMatrix.FromRows(blobs.ToRows().Concat(outliers).ToArray(), blobs.ColumnNames);
        var r = Segmenter.Run(new SegmentationInput(x), new SegmentationOptions { Seed = 2, Method = SegmentationMethod.Dbscan, Scaling = ScalingMethod.None });
        Assert.NotNull(r.KDistance);
        Assert.Null(r.KSelection);
        Assert.Equal(3, r.K);
        Assert.Contains(-1, r.Assignments);
        Assert.Equal("noise", r.SegmentName(-1));
        Assert.Equal(3, r.Profiles.Count);
    }

    [Fact]
    public void Bad_options_are_rejected_up_front()
    {
        var (x, _) = SegmentationTestData.Blobs(2, 3, 10, seed: 1);
        Assert.Throws<OptionsValidationException>(() => Segmenter.Run(new SegmentationInput(x), new SegmentationOptions { Log1pColumns = ["nope"] }));
        Assert.Throws<OptionsValidationException>(() => Segmenter.Run(new SegmentationInput(x), new SegmentationOptions { PcaComponents = 9 }));
        Assert.Throws<OptionsValidationException>(() => Segmenter.Run(new SegmentationInput(x) { RowIds = ["a"] }, new SegmentationOptions()));
    }
}
