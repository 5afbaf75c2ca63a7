namespace Workbench.Analytics.Ranking;

/// <summary>Evaluation of one target (churn or upsell) on the test months.</summary>
public sealed record TargetMetrics(
    PropensityTarget Target, int Rows, int Positives, double Auc, double PrAuc, double LogLoss, double Brier, double? OracleAuc,
    double NdcgAtK, double PrecisionAtK, double RecallAtK, double? OracleNdcgAtK,
    IReadOnlyDictionary<string, double> BaselineNdcgAtK, int TreeCount,
    IReadOnlyList<CalibrationBin> Reliability, IReadOnlyList<GainPoint> Gain, IReadOnlyList<RocPoint> Roc, IReadOnlyList<PrPoint> PrecisionRecall)
{
    public string BestBaseline => BaselineNdcgAtK.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key;
    public double BestBaselineNdcgAtK => BaselineNdcgAtK[BestBaseline];

    /// <summary>Why the model is weak (a tree model with at most one tree, or test ROC AUC at most
    /// <see cref="WeakModel.MaxAuc"/>), or null when it is not. A weak model is flagged in the run output, the run
    /// record (<c>TARGET.weak_model</c> = 1) and metrics.json, and the default promotion floors refuse it.</summary>
    public string? Weakness { get; init; }
}

/// <summary>The weak-model rule: a model that ranks little better than chance must not be promoted silently.</summary>
public static class WeakModel
{
    /// <summary>Test ROC AUC at or below which a model is weak.</summary>
    public const double MaxAuc = 0.52;

    /// <summary>Why a model of <paramref name="algorithm"/> with <paramref name="trees"/> trees and test ROC AUC
    /// <paramref name="auc"/> is weak, or null when it is not (a linear model has no trees, so only its AUC counts).</summary>
    public static string? Reason(PropensityAlgorithm algorithm, int trees, double auc)
    {
        var reasons = new List<string>();
        if (algorithm != PropensityAlgorithm.LogisticRegression && trees <= 1)
            reasons.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0} tree(s): boosting stopped before learning anything", trees));
        if (double.IsNaN(auc))
            reasons.Add("test ROC AUC undefined: the test months hold one class only, so nothing shows that it ranks");
        else if (!(auc > MaxAuc))
            reasons.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, "test ROC AUC {0:0.000} <= {1:0.00}: it ranks little better than chance", auc, MaxAuc));
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }
}

public sealed record RocPoint(double FalsePositiveRate, double TruePositiveRate);

/// <summary>What evaluating a prioritizer on its test months gives: the models, the split, the metrics of both targets
/// against baselines and the oracle, and the scored products and books of the test months.</summary>
public sealed record RankingResult(
    PropensityModel ChurnModel, PropensityModel UpsellModel, TimeSplit Split, double UpsellRatio,
    TargetMetrics Churn, TargetMetrics Upsell,
    IReadOnlyList<ProductPriority> Products, IReadOnlyList<AccountPriority> Books, int K);

