using Workbench.Analytics.Segmentation;

namespace Workbench.Tests.Segmentation;

public class SegmentClassifierTests
{
    [Theory]
    [InlineData(SegmentClassifierTrainer.SdcaMaximumEntropy)]
    [InlineData(SegmentClassifierTrainer.LightGbm)]
    public void Classifier_trained_on_cluster_labels_places_new_rows(SegmentClassifierTrainer trainer)
    {
        var (x, truth) = SegmentationTestData.Blobs(4, 8, 200, seed: 12);
        var train = Enumerable.Range(0, x.Rows).Where(i => i % 2 == 0).ToArray();
        var test = Enumerable.Range(0, x.Rows).Where(i => i % 2 == 1).ToArray();
        var km = KMeans.Fit(x.SelectRows(train), 4, seed: 1);
        var clf = SegmentClassifier.Train(x.SelectRows(train), km.Labels, seed: 1, trainer);
        var predicted = clf.Predict(x.SelectRows(test));
        var nearest = km.Predict(x.SelectRows(test));
        double accuracy = SegmentClassifier.Accuracy(predicted, nearest);
        Assert.True(accuracy >= 0.98, $"accuracy {accuracy}; predicted {string.Join(",", predicted.Take(20))}; nearest {string.Join(",", nearest.Take(20))}");
        Assert.True(ClusteringMetrics.AdjustedRandIndex(predicted, test.Select(i => truth[i]).ToArray()) >= 0.9);
    }

    [Fact]
    public void Training_on_top_spenders_only_is_worse_than_a_random_subset_of_the_same_size()
    {
        // Segments differ in spend (column 0). Top spenders cover only some segments, so the biased classifier
        // never learns the others; a random subset of the same size covers all of them.
        var (x, truth) = SegmentationTestData.Blobs(5, 6, 200, seed: 14, minSeparation: 6);
        var spend = x.Column(0);
        double cutoff = spend.Order().ElementAt((int)(0.7 * x.Rows));
        var topSpenders = spend.Select(s => s >= cutoff).ToArray();
        var report = SegmentClassifier.DemonstrateSelectionBias(x, truth, topSpenders, seed: 3);
        Assert.Equal(topSpenders.Count(b => b), report.SubsetSize);
        Assert.True(report.RandomAccuracy >= 0.95, $"random {report.RandomAccuracy}");
        Assert.True(report.BiasedAccuracy < report.RandomAccuracy - 0.2, $"biased {report.BiasedAccuracy} vs random {report.RandomAccuracy}");
        Assert.NotEmpty(report.SegmentsMissingFromBiased);
        Assert.Equal(1.0, report.BiasedSegmentShares.Values.Sum(), 9);
    }
}
