using Workbench.Analytics.Segmentation;

namespace Workbench.Tests.Segmentation;

public class ClusteringMetricsTests
{
    [Fact]
    public void Contingency_table_counts_pairs_of_labels()
    {
        var t = ClusteringMetrics.Contingency([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]);
        Assert.Equal([0, 1], t.RowLabels);
        Assert.Equal([0, 1, 2], t.ColumnLabels);
        Assert.Equal([2, 1, 0], t.Counts[0]);
        Assert.Equal([0, 1, 2], t.Counts[1]);
        Assert.Equal([3, 3], t.RowSums);
        Assert.Equal([2, 2, 2], t.ColumnSums);
        Assert.Equal(6, t.Total);
    }

    [Fact]
    public void Adjusted_rand_index_matches_hand_computation()
    {
        // sum C(n_ij,2) = 2, sum C(a_i,2) = 6, sum C(b_j,2) = 3, C(6,2) = 15:
        // expected = 6*3/15 = 1.2, max = 4.5, ARI = (2 - 1.2) / (4.5 - 1.2) = 0.8 / 3.3.
        Assert.Equal(0.8 / 3.3, ClusteringMetrics.AdjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 12);
        // Crossed halves: cells all 1 -> 0 pairs, rows 2, cols 2, expected 4/6, max 2: ARI = -(2/3)/(4/3) = -0.5.
        Assert.Equal(-0.5, ClusteringMetrics.AdjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]), 12);
    }

    [Fact]
    public void Adjusted_rand_index_is_one_for_renamed_labels_and_symmetric()
    {
        int[] a = [0, 0, 1, 1, 2, 2, 2], b = [5, 5, 3, 3, 9, 9, 9], c = [0, 1, 1, 1, 2, 2, 0];
        Assert.Equal(1.0, ClusteringMetrics.AdjustedRandIndex(a, b), 12);
        Assert.Equal(ClusteringMetrics.AdjustedRandIndex(a, c), ClusteringMetrics.AdjustedRandIndex(c, a), 12);
        Assert.True(ClusteringMetrics.AdjustedRandIndex(a, c) < 1);
    }

    [Fact]
    public void Labelings_of_different_length_are_rejected()
        => Assert.Throws<OptionsValidationException>(() => ClusteringMetrics.AdjustedRandIndex([0, 1], [0]));
}
