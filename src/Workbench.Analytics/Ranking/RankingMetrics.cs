namespace Workbench.Analytics.Ranking;

/// <summary>Top-k metrics inside one ranked list (a rep's book): precision, recall and NDCG with graded gains
/// (the realized value of each account). Ties in the score are broken by the original order, so pass rows in a
/// stable order.</summary>
public static class RankingMetrics
{
    public static double PrecisionAtK(IReadOnlyList<double> scores, IReadOnlyList<bool> relevant, int k)
    {
        var top = TopK(scores, k);
        return top.Length == 0 ? double.NaN : (double)top.Count(i => relevant[i]) / top.Length;
    }

    public static double RecallAtK(IReadOnlyList<double> scores, IReadOnlyList<bool> relevant, int k)
    {
        int total = relevant.Count(r => r);
        return total == 0 ? double.NaN : (double)TopK(scores, k).Count(i => relevant[i]) / total;
    }

    /// <summary>NDCG@k = DCG of the ranking by score / DCG of the ideal ranking by gain; gain_i / log2(rank + 1).
    /// NaN when no item has positive gain (the list cannot be ranked well or badly).</summary>
    public static double NdcgAtK(IReadOnlyList<double> scores, IReadOnlyList<double> gains, int k)
    {
        if (scores.Count != gains.Count) throw new ArgumentException("scores and gains differ in length");
        double ideal = Dcg(gains.OrderByDescending(g => g).Take(k).ToArray());
        if (ideal <= 0) return double.NaN;
        return Dcg(TopK(scores, k).Select(i => gains[i]).ToArray()) / ideal;
    }

    static double Dcg(IReadOnlyList<double> gainsInRankOrder)
    {
        double dcg = 0;
        for (int r = 0; r < gainsInRankOrder.Count; r++) dcg += gainsInRankOrder[r] / Math.Log2(r + 2);
        return dcg;
    }

    static int[] TopK(IReadOnlyList<double> scores, int k) =>
        Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k).ToArray();

    /// <summary>Mean of a per-list metric over lists (books) where it is defined.</summary>
    public static double MeanOverLists<TKey>(IEnumerable<IGrouping<TKey, int>> lists, Func<int[], double> metric) =>
        MeanOverLists(lists.Select(g => g.ToArray()), metric);

    /// <summary>Mean of a per-list metric over lists (each the item indices of one book) where it is defined.</summary>
    public static double MeanOverLists(IEnumerable<int[]> lists, Func<int[], double> metric)
    {
        var values = lists.Select(metric).Where(v => !double.IsNaN(v)).ToArray();
        return values.Length == 0 ? double.NaN : values.Average();
    }
}
