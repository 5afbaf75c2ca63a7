using Workbench.Domain;
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
}

public sealed record RocPoint(double FalsePositiveRate, double TruePositiveRate);

/// <summary>What evaluating a prioritizer on its test months gives: the models, the split, the metrics of both targets
/// against baselines and the oracle, and the scored products and books of the test months.</summary>
public sealed record RankingResult(
    PropensityModel ChurnModel, PropensityModel UpsellModel, TimeSplit Split, double UpsellRatio,
    TargetMetrics Churn, TargetMetrics Upsell,
    IReadOnlyList<ProductPriority> Products, IReadOnlyList<AccountPriority> Books, int K);

