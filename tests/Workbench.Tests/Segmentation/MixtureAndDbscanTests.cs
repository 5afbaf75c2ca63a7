using Workbench.Analytics.Segmentation;

namespace Workbench.Tests.Segmentation;

public class MixtureAndDbscanTests
{
    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void Gaussian_mixture_recovers_blobs(CovarianceType cov)
    {
        var (x, truth) = SegmentationTestData.Blobs(4, 8, 150, seed: 21);
        var g = GaussianMixture.Fit(x, new GaussianMixtureOptions(4) { Covariance = cov, Seed = 2 });
        Assert.True(ClusteringMetrics.AdjustedRandIndex(g.Labels, truth) >= 0.8);
        Assert.Equal(1.0, g.Weights.Sum(), 9);
        int d = 8;
        Assert.Equal(3 + 4 * d + (cov == CovarianceType.Full ? 4 * d * (d + 1) / 2 : 4 * d), g.ParameterCount);
        Assert.Equal(-2 * g.LogLikelihood + g.ParameterCount * Math.Log(x.Rows), g.Bic, 6);
        Assert.Equal(g.Labels, g.Predict(x));
    }

    [Fact]
    public void Mixture_bic_is_lowest_at_the_true_k()
    {
        var (x, _) = SegmentationTestData.Blobs(5, 8, 120, seed: 31);
        var bic = Enumerable.Range(2, 6).Select(k => GaussianMixture.Fit(x, new GaussianMixtureOptions(k) { Seed = 4, Covariance = CovarianceType.Diagonal }).Bic).ToArray();
        Assert.Equal(5, 2 + Array.IndexOf(bic, bic.Min()));
    }

    [Fact]
    public void Dbscan_finds_the_blobs_and_marks_scattered_points_as_noise()
    {
        var (blobs, truth) = SegmentationTestData.Blobs(3, 4, 150, seed: 41, minSeparation: 14);
        var rng = new Random(5);
        var outliers = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, 4).Select(_ => rng.NextDouble() * 60 - 30).ToArray()).ToArray();
        var x = FeatureMatrix.FromRows(blobs.ToRows().Concat(outliers).ToArray(), blobs.ColumnNames);
        var curve = Dbscan.KDistance(x, 4);
        Assert.True(curve.SortedDistances.Zip(curve.SortedDistances.Skip(1)).All(p => p.First <= p.Second));
        var r = Dbscan.Run(x, curve.SuggestedEpsilon, 5);
        Assert.Equal(3, r.ClusterCount);
        Assert.True(r.NoiseCount >= 10, $"noise {r.NoiseCount}");
        // Nearly all planted outliers are noise, nearly no blob point is.
        Assert.True(r.Labels.Skip(blobs.Rows).Count(l => l == -1) >= 15);
        var blobLabels = r.Labels.Take(blobs.Rows).ToArray();
        var clustered = Enumerable.Range(0, blobs.Rows).Where(i => blobLabels[i] >= 0).ToArray();
        Assert.True(clustered.Length >= 0.95 * blobs.Rows);
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(clustered.Select(i => blobLabels[i]).ToArray(), clustered.Select(i => truth[i]).ToArray()), 9);
    }
}
