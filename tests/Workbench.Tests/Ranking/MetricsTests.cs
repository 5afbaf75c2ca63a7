using Workbench.Analytics.Ranking;

namespace Workbench.Tests.Ranking;

/// <summary>Metrics against hand-computed values (and scikit-learn's documented examples).</summary>
public class MetricsTests
{
    static readonly double[] Scores = [0.1, 0.4, 0.35, 0.8];
    static readonly bool[] Labels = [false, false, true, true];

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
