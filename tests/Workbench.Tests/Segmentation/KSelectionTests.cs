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
    public void Silhouette_values_equal_the_definition_summed_in_row_order_with_noise_and_a_singleton()
    {
        var (x, truth) = SegmentationTestData.Blobs(3, 5, 300, seed: 11, minSeparation: 4);
        var labels = truth.ToArray();
        for (int i = 0; i < labels.Length; i += 17) labels[i] = -1; // noise is neither scored nor a neighbour
        labels[5] = 7;                                                // a singleton cluster: unscored, 0 in the mean
        var s = Silhouette.Compute(x, labels);
        var ids = labels.Where(l => l >= 0).Distinct().Order().ToArray();
        var sizes = ids.ToDictionary(l => l, l => labels.Count(v => v == l));
        var expected = new Dictionary<int, double>();
        for (int p = 0; p < labels.Length; p++)
        {
            if (labels[p] < 0 || sizes[labels[p]] < 2) continue;
            var sums = ids.ToDictionary(l => l, _ => 0.0);
            for (int q = 0; q < labels.Length; q++)
            {
                if (q == p || labels[q] < 0) continue;
                double d2 = 0;
                for (int j = 0; j < x.Columns; j++) d2 += (x[p, j] - x[q, j]) * (x[p, j] - x[q, j]);
                sums[labels[q]] += Math.Sqrt(d2);
            }
            double a = sums[labels[p]] / (sizes[labels[p]] - 1), b = ids.Where(l => l != labels[p]).Min(l => sums[l] / sizes[l]);
            expected[p] = (b - a) / Math.Max(a, b);
        }
        Assert.Equal(expected.Keys.Order(), s.RowIndices);
        for (int k = 0; k < s.RowIndices.Length; k++) Assert.Equal(expected[s.RowIndices[k]], s.Values[k], 12);
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

    [Fact]
    public void Gap_statistic_fits_side_by_side_give_each_fit_spread_over_the_cores()
    {
        // 4,800 rows: two of k-means' 4,096-row blocks, so a fit on one thread and a fit spread over the cores both sum
        // two blocks; the statistic's own fits run side by side on one thread each.
        var (x, _) = SegmentationTestData.Blobs(4, 3, 1200, seed: 11);
        var options = new GapOptions { KMax = 4, References = 2, Seed = 9 };
        var gap = GapStatistic.Compute(x, options);
        for (int k = 1; k <= 4; k++)
        {
            var alone = KMeans.Fit(x, new KMeansOptions(k) { NInit = options.KMeansRestarts, Seed = RunContext.DeriveSeed(options.Seed, "gap-data-" + k) });
            Assert.Equal(Math.Log(alone.Inertia), gap.LogW[k - 1]);
        }
        var again = GapStatistic.Compute(x, options);
        Assert.Equal(gap.ExpectedLogW, again.ExpectedLogW);
        Assert.Equal(gap.StandardError, again.StandardError);
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
