using Workbench.Analytics.Segmentation;

namespace Workbench.Tests.Segmentation;

public class KSelectionTests
{
    [Fact]
    public void Silhouette_matches_hand_computation()
    {
        // 1-D points 0, 1, 10, 11 in two clusters: s(0) = (10.5 - 1) / 10.5, s(1) = (9.5 - 1) / 9.5, symmetric.
        var x = FeatureMatrix.FromRows([[0.0], [1.0], [10.0], [11.0]], ["v"]);
        var s = Silhouette.Compute(x, [0, 0, 1, 1]);
        double expected = (9.5 / 10.5 + 8.5 / 9.5) / 2;
        Assert.Equal(expected, s.Mean, 12);
        Assert.False(s.Sampled);
        Assert.Equal(9.5 / 10.5, s.Values[0], 12);
    }

    [Fact]
    public void Sampled_silhouette_is_seeded_and_close_to_exact()
    {
        var (x, truth) = SegmentationTestData.Blobs(3, 4, 400, seed: 3, minSeparation: 5);
        var exact = Silhouette.Compute(x, truth);
        var a = Silhouette.Compute(x, truth, seed: 1, exactLimit: 500, sampleSize: 600);
        var b = Silhouette.Compute(x, truth, seed: 1, exactLimit: 500, sampleSize: 600);
        Assert.True(a.Sampled);
        Assert.Equal(600, a.RowIndices.Length);
        Assert.Equal(a.Mean, b.Mean);
        Assert.Equal(exact.Mean, a.Mean, 1);
    }

    [Fact]
    public void Knee_is_found_where_the_curve_bends()
    {
        Assert.Equal(3, Knee.Find([1, 2, 3, 4, 5, 6, 7], [1000, 600, 250, 40, 35, 30, 26], KneeShape.ConvexDecreasing));
        Assert.Equal(5, Knee.Find([0, 1, 2, 3, 4, 5, 6, 7], [1, 1.1, 1.2, 1.3, 1.4, 1.6, 5, 9], KneeShape.ConvexIncreasing));
    }

    [Fact]
    public void Gap_statistic_finds_planted_k_and_one_cluster_in_uniform_noise()
    {
        var (x, _) = SegmentationTestData.Blobs(4, 8, 100, seed: 8);
        var gap = GapStatistic.Compute(x, new GapOptions { KMax = 7, Seed = 1 });
        Assert.Equal(4, gap.ChosenK);
        Assert.Equal(gap.ExpectedLogW[3] - gap.LogW[3], gap.Gap[3], 12);
        Assert.All(gap.StandardError, s => Assert.True(s > 0));

        var rng = new Random(2);
        var uniform = FeatureMatrix.FromRows(Enumerable.Range(0, 300).Select(_ => new[] { rng.NextDouble(), rng.NextDouble(), rng.NextDouble() }).ToArray(), ["a", "b", "c"]);
        Assert.Equal(1, GapStatistic.Compute(uniform, new GapOptions { KMax = 6, Seed = 1, Reference = GapReference.BoundingBox }).ChosenK);
    }

    [Theory]
    [InlineData(4, 8)]
    [InlineData(5, 16)]
    public void Recommends_the_true_k_for_well_separated_blobs(int k, int d)
    {
        var (x, _) = SegmentationTestData.Blobs(k, d, 120, seed: 100 + k);
        var sel = KSelector.Select(x, new KSelectionOptions { Seed = 5, KMax = 8, IncludeMixtureBic = true, MixtureCovariance = CovarianceType.Diagonal });
        Assert.Equal(k, sel.RecommendedK);
        Assert.Equal(k, sel.ElbowK);
        Assert.Equal(k, sel.Gap.ChosenK);
        Assert.Equal(k, sel.CandidateKs[Array.IndexOf(sel.MixtureBic!, sel.MixtureBic!.Min())]);
        Assert.Contains("silhouette", sel.Reason);
        Assert.Contains("gap", sel.Reason);
        Assert.Contains("elbow", sel.Reason);
        Assert.StartsWith($"k={k}:", sel.Reason);
        Assert.Equal(Enumerable.Range(1, 8), sel.Ks);
        Assert.True(sel.Inertia.Zip(sel.Inertia.Skip(1)).All(p => p.Second <= p.First * 1.0001));
    }
}
