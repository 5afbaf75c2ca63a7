namespace Workbench.Analytics.Segmentation;

/// <summary>Cross-tabulation of two labelings of the same items: <c>Counts[r][c]</c> is the number of
/// items with the r-th distinct label of the first and the c-th distinct label of the second labeling.</summary>
public sealed record ContingencyTable(IReadOnlyList<int> RowLabels, IReadOnlyList<int> ColumnLabels, int[][] Counts)
{
    public int Total => Counts.Sum(r => r.Sum());
    public int[] RowSums => Counts.Select(r => r.Sum()).ToArray();
    public int[] ColumnSums => Enumerable.Range(0, ColumnLabels.Count).Select(c => Counts.Sum(r => r[c])).ToArray();
}

/// <summary>Metrics that compare two clusterings (label vectors) of the same items.</summary>
public static class ClusteringMetrics
{
    /// <summary>Contingency table of two labelings; labels are any ints (noise -1 counts as its own label),
    /// ordered ascending.</summary>
    public static ContingencyTable Contingency(IReadOnlyList<int> first, IReadOnlyList<int> second)
    {
        if (first.Count != second.Count) throw new OptionsValidationException($"Labelings differ in length: {first.Count} vs {second.Count}.");
        var rows = first.Distinct().Order().ToArray();
        var cols = second.Distinct().Order().ToArray();
        var rIdx = rows.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i);
        var cIdx = cols.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i);
        var counts = rows.Select(_ => new int[cols.Length]).ToArray();
        for (int i = 0; i < first.Count; i++) counts[rIdx[first[i]]][cIdx[second[i]]]++;
        return new ContingencyTable(rows, cols, counts);
    }

    /// <summary>Adjusted Rand index (Hubert &amp; Arabie 1985): 1 for identical partitions (up to renaming),
    /// about 0 for independent ones, can be negative. Two single-cluster labelings give 1.</summary>
    public static double AdjustedRandIndex(IReadOnlyList<int> first, IReadOnlyList<int> second)
    {
        var t = Contingency(first, second);
        double n = first.Count;
        static double Pairs(double x) => x * (x - 1) / 2;
        double sumCells = t.Counts.Sum(r => r.Sum(c => Pairs(c)));
        double sumRows = t.RowSums.Sum(a => Pairs(a));
        double sumCols = t.ColumnSums.Sum(b => Pairs(b));
        double expected = sumRows * sumCols / Pairs(n);
        double max = (sumRows + sumCols) / 2;
        if (max == expected) return 1.0; // both trivial (all one cluster or all singletons): identical structure
        return (sumCells - expected) / (max - expected);
    }
}
