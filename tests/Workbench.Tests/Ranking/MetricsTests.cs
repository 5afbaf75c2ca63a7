using Workbench.Analytics.Ranking;

namespace Workbench.Tests.Ranking;

/// <summary>Metrics against hand-computed values (and scikit-learn's documented examples).</summary>
public class MetricsTests
{
    static readonly double[] Scores = [0.1, 0.4, 0.35, 0.8];
    static readonly bool[] Labels = [false, false, true, true];

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(1000, 3)]
    [InlineData(5000, 40)]
    public void A_score_order_ranks_rows_as_linq_stable_sorts_do_with_ties_nan_and_signed_zeros(int rows, int distinct)
    {
        // Few distinct values, so most rows tie; NaN, -0 and +0 among them (NaN sorts lowest, -0 ties with 0).
        var rng = new Random(rows + distinct);
        double[] pool = [.. Enumerable.Range(0, distinct).Select(k => k / (double)distinct), double.NaN, -0.0, 0.0, 1.0];
        var scores = Enumerable.Range(0, rows).Select(_ => pool[rng.Next(pool.Length)]).ToArray();
        var ranked = new ScoreOrder(scores);
        Assert.Equal(Enumerable.Range(0, rows).OrderByDescending(i => scores[i]).ToArray(), ranked.Descending);
        Assert.Equal(Enumerable.Range(0, rows).OrderBy(i => scores[i]).ToArray(), ranked.Ascending);
        Assert.Equal(scores, ranked.Scores);
    }

    [Fact]
    public void Metrics_over_a_score_order_equal_the_sorts_they_replaced_bit_for_bit()
    {
        // The LINQ sorts each metric did before ScoreOrder, written out here as the reference.
        var rng = new Random(7);
        var scores = Enumerable.Range(0, 20_000).Select(_ => Math.Round(rng.NextDouble(), 3)).ToArray(); // many ties
        var labels = scores.Select(s => rng.NextDouble() < s * 0.3).ToArray();
        var gains = labels.Select(l => l ? 1.0 : 0).ToArray();
        var ranked = new ScoreOrder(scores);
        var ascending = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        var descending = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();

        double rankSumPos = 0; long pos = 0;
        for (int i = 0; i < ascending.Length;)
        {
            int j = i;
            while (j + 1 < ascending.Length && scores[ascending[j + 1]] == scores[ascending[i]]) j++;
            double avgRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) if (labels[ascending[k]]) { rankSumPos += avgRank; pos++; }
            i = j + 1;
        }
        double auc = (rankSumPos - pos * (pos + 1) / 2.0) / ((double)pos * (scores.Length - pos));
        Assert.Equal(BitConverter.DoubleToInt64Bits(auc), BitConverter.DoubleToInt64Bits(ClassificationMetrics.RocAuc(ranked, labels)));

        var bins = ClassificationMetrics.Reliability(ranked, labels);
        for (int b = 0; b < 10; b++)
        {
            var idx = ascending[(scores.Length * b / 10)..(scores.Length * (b + 1) / 10)];
            Assert.Equal(new CalibrationBin(idx.Average(i => scores[i]), idx.Average(i => labels[i] ? 1.0 : 0.0), idx.Length), bins[b]);
        }

        var gain = ClassificationMetrics.GainCurve(ranked, gains);
        double total = gains.Sum(), cum = 0; int next = 1, point = 0;
        for (int i = 0; i < descending.Length; i++)
        {
            cum += gains[descending[i]];
            double share = (i + 1.0) / descending.Length;
            if (share < (double)next / 20 - 1e-12) continue;
            Assert.Equal(new GainPoint(share, cum / total, cum / total / share), gain[point++]);
            next++;
        }
        Assert.Equal(point, gain.Count);

        int totalPos = labels.Count(l => l), tp = 0, seen = 0;
        double ap = 0, prevRecall = 0;
        var curve = new List<PrPoint>();
        for (int i = 0; i < descending.Length;)
        {
            int j = i;
            while (j + 1 < descending.Length && scores[descending[j + 1]] == scores[descending[i]]) j++;
            for (int k = i; k <= j; k++) { if (labels[descending[k]]) tp++; seen++; }
            double recall = (double)tp / totalPos, precision = (double)tp / seen;
            ap += (recall - prevRecall) * precision;
            prevRecall = recall;
            curve.Add(new PrPoint(recall, precision));
            i = j + 1;
        }
        Assert.Equal(BitConverter.DoubleToInt64Bits(ap), BitConverter.DoubleToInt64Bits(ClassificationMetrics.PrAuc(ranked, labels)));
        int step = Math.Max(1, curve.Count / 50);
        Assert.Equal(curve.Where((_, i) => i % step == 0 || i == curve.Count - 1), ClassificationMetrics.PrecisionRecallCurve(ranked, labels));
    }

    [Fact]
    public void Roc_auc_matches_the_scikit_learn_example() => Assert.Equal(0.75, ClassificationMetrics.RocAuc(Scores, Labels), 12);

    [Fact]
    public void Average_precision_matches_the_scikit_learn_example() => Assert.Equal(0.8333333333, ClassificationMetrics.PrAuc(Scores, Labels), 9);

    [Fact]
    public void Tied_scores_give_half_credit()
    {
        Assert.Equal(0.5, ClassificationMetrics.RocAuc([0.3, 0.3, 0.3, 0.3], Labels), 12);
        Assert.True(double.IsNaN(ClassificationMetrics.RocAuc(Scores, [true, true, true, true])));
    }

    [Fact]
    public void Log_loss_and_brier_match_hand_computed_values()
    {
        Assert.Equal(-Math.Log(0.9), ClassificationMetrics.LogLoss([0.9, 0.1], [true, false]), 12);
        Assert.Equal((0.01 + 0.01 + 0.25) / 3, ClassificationMetrics.Brier([0.9, 0.1, 0.5], [true, false, true]), 12);
    }

    [Fact]
    public void Ndcg_matches_a_hand_computed_value()
    {
        double[] gains = [3, 2, 3, 0, 1, 2];
        double[] scores = [6, 5, 4, 3, 2, 1];
        double dcg = 3 + 2 / Math.Log2(3) + 3 / 2.0 + 0 + 1 / Math.Log2(6) + 2 / Math.Log2(7);
        double ideal = 3 + 3 / Math.Log2(3) + 2 / 2.0 + 2 / Math.Log2(5) + 1 / Math.Log2(6);
        Assert.Equal(dcg / ideal, RankingMetrics.NdcgAtK(scores, gains, 6), 12);
        Assert.Equal(1.0, RankingMetrics.NdcgAtK(gains, gains, 3), 12);
        Assert.True(double.IsNaN(RankingMetrics.NdcgAtK(scores, new double[6], 3)));
    }

    [Fact]
    public void Precision_and_recall_at_k_count_the_top_of_the_list()
    {
        double[] scores = [0.9, 0.8, 0.7, 0.6, 0.5];
        bool[] relevant = [true, false, true, false, true];
        Assert.Equal(2.0 / 3, RankingMetrics.PrecisionAtK(scores, relevant, 3), 12);
        Assert.Equal(2.0 / 3, RankingMetrics.RecallAtK(scores, relevant, 3), 12);
        Assert.Equal(1.0, RankingMetrics.RecallAtK(scores, relevant, 5), 12);
    }

    [Fact]
    public void Auc_is_invariant_under_monotone_transforms_of_the_score()
    {
        var rng = new Random(1);
        var s = Enumerable.Range(0, 500).Select(_ => rng.NextDouble()).ToArray();
        var y = s.Select(v => rng.NextDouble() < v).ToArray();
        Assert.Equal(ClassificationMetrics.RocAuc(s, y), ClassificationMetrics.RocAuc(s.Select(v => Math.Exp(3 * v) - 7).ToArray(), y), 12);
    }

    [Fact]
    public void Calibration_maps_raw_scores_onto_observed_rates()
    {
        var rng = new Random(2);
        var raw = Enumerable.Range(0, 4000).Select(_ => rng.NextDouble() * 6 - 3).ToArray();
        // True probability is sigmoid(2x - 1): Platt must recover A ~ 2, B ~ -1.
        var y = raw.Select(x => rng.NextDouble() < 1 / (1 + Math.Exp(-(2 * x - 1)))).ToArray();
        var platt = Calibrator.Fit(CalibrationMethod.Platt, raw, y);
        Assert.InRange(platt.A, 1.7, 2.3);
        Assert.InRange(platt.B, -1.3, -0.7);
        var iso = Calibrator.Fit(CalibrationMethod.Isotonic, raw, y);
        var probs = raw.Order().Select(iso.Apply).ToArray();
        for (int i = 1; i < probs.Length; i++) Assert.True(probs[i] >= probs[i - 1], "isotonic calibration must be monotone");
        Assert.True(ClassificationMetrics.Brier(raw.Select(iso.Apply).ToArray(), y) < ClassificationMetrics.Brier(raw.Select(x => 1 / (1 + Math.Exp(-x))).ToArray(), y));
    }

    [Fact]
    public void Gain_curve_reaches_everything_at_the_end_and_lift_is_above_one_for_a_good_score()
    {
        double[] s = [0.9, 0.8, 0.3, 0.2];
        double[] g = [1, 1, 0, 0];
        var curve = ClassificationMetrics.GainCurve(s, g, points: 4);
        Assert.Equal(1.0, curve[^1].ShareCaptured, 12);
        Assert.Equal(2.0, curve[0].Lift, 12); // top 25% holds 50% of the positives
    }
}
