using Workbench.Analytics.Segmentation;

namespace Workbench.Tests.Segmentation;

public class KMeansTests
{
    [Theory]
    [InlineData(4, 8)]
    [InlineData(5, 16)]
    public void Recovers_well_separated_blobs(int k, int d)
    {
        var (x, truth) = SegmentationTestData.Blobs(k, d, 150, seed: 11 * k + d);
        var model = KMeans.Fit(x, k, seed: 3);
        Assert.True(ClusteringMetrics.AdjustedRandIndex(model.Labels, truth) >= 0.8);
        Assert.Equal(k, model.Labels.Distinct().Count());
    }

    [Fact]
    public void Inertia_equals_brute_force_sum_of_squared_distances()
    {
        var (x, _) = SegmentationTestData.Blobs(3, 5, 301, seed: 5); // 903 rows: not a multiple of the 4-row kernel
        var m = KMeans.Fit(x, new KMeansOptions(3) { Seed = 1, NInit = 2 });
        double brute = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            var dists = m.Centroids.Select(c => Enumerable.Range(0, x.Columns).Sum(j => Math.Pow(x[i, j] - c[j], 2))).ToArray();
            Assert.Equal(Array.IndexOf(dists, dists.Min()), m.Labels[i]);
            brute += dists.Min();
        }
        Assert.Equal(brute, m.Inertia, 6);
        Assert.Equal(m.Labels, m.Predict(x));
    }

    [Fact]
    public void Same_seed_gives_identical_results_regardless_of_thread_count()
    {
        var (x, _) = SegmentationTestData.Blobs(6, 7, 3000, seed: 9, minSeparation: 3); // 18,000 rows = several row blocks
        var many = KMeans.Fit(x, new KMeansOptions(6) { Seed = 42, Tolerance = 0, MaxIterations = 40 });
        var one = KMeans.Fit(x, new KMeansOptions(6) { Seed = 42, Tolerance = 0, MaxIterations = 40, MaxDegreeOfParallelism = 1 });
        Assert.Equal(many.Labels, one.Labels);
        Assert.Equal(many.Inertia, one.Inertia); // bit-identical: partial sums combined in block order
        Assert.Equal(many.Centroids.SelectMany(c => c), one.Centroids.SelectMany(c => c));
    }

    [Fact]
    public void Invalid_k_is_rejected()
    {
        var (x, _) = SegmentationTestData.Blobs(2, 2, 3, seed: 1);
        Assert.Throws<OptionsValidationException>(() => KMeans.Fit(x, new KMeansOptions(0)));
        Assert.Throws<OptionsValidationException>(() => KMeans.Fit(x, new KMeansOptions(7)));
    }
}
