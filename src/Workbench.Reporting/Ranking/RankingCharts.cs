using Workbench.Domain;
using Workbench.Analytics.Ranking;
using CS = Plotly.NET.CSharp;

namespace Workbench.Reporting.Ranking;

/// <summary>Charts for the ranking stage. Each draws a curve or table the Analytics result already holds
/// (<see cref="TargetMetrics"/>, <see cref="ScoredOutcomes"/>, <see cref="CalibrationBin"/>s).</summary>
public static class RankingCharts
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    static readonly Color Reference = Color.fromString("#999999");

    static string F(double v) => v.ToString("0.000", Inv);

    /// <summary>ROC curves of one or more targets, the chance diagonal, and each target's oracle AUC in its legend entry
    /// (the oracle is the ceiling computed from the planted probabilities; absent on real data).</summary>
    public static GenericChart Roc(params TargetMetrics[] targets)
    {
        if (targets is null || targets.Length == 0) throw new ArgumentException("Give at least one target's metrics.", nameof(targets));
        var traces = new List<GenericChart>
        {
            CS.Chart.Line<double, double, string>(x: [0.0, 1.0], y: [0.0, 1.0], Name: "chance (AUC 0.500)", LineDash: StyleParam.DrawingStyle.Dash, LineColor: Reference),
        };
        foreach (var m in targets)
        {
            string name = $"{m.Target.Name()}: AUC {F(m.Auc)}" + (m.OracleAuc is double o ? $" (oracle {F(o)})" : "") + (m.Weakness is null ? "" : " WEAK MODEL, not promotable");
            traces.Add(CS.Chart.Line<double, double, string>(x: m.Roc.Select(p => p.FalsePositiveRate), y: m.Roc.Select(p => p.TruePositiveRate), Name: name));
        }
        return ChartText.Titled(CS.Chart.Combine(traces), "ROC curve (test months)", "false positive rate", "true positive rate");
    }

    /// <summary>Precision against recall as the threshold falls; the dashed line is the base rate (what random order gives).</summary>
    public static GenericChart PrecisionRecall(TargetMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        double baseRate = metrics.Rows == 0 ? 0 : (double)metrics.Positives / metrics.Rows;
        var model = CS.Chart.Line<double, double, string>(x: metrics.PrecisionRecall.Select(p => p.Recall), y: metrics.PrecisionRecall.Select(p => p.Precision), Name: $"{metrics.Target.Name()}: PR AUC {F(metrics.PrAuc)}");
        var chance = CS.Chart.Line<double, double, string>(x: [0.0, 1.0], y: [baseRate, baseRate], Name: $"base rate {F(baseRate)}", LineDash: StyleParam.DrawingStyle.Dash, LineColor: Reference);
        return ChartText.Titled(CS.Chart.Combine([chance, model]), $"Precision-recall: {metrics.Target.Name()}", "recall", "precision");
    }

    /// <summary>Cumulative gain: share of positives captured after contacting the top x share by score; the diagonal is random order.</summary>
    public static GenericChart Gain(TargetMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var xs = metrics.Gain.Select(g => g.ShareContacted).Prepend(0.0);
        var ys = metrics.Gain.Select(g => g.ShareCaptured).Prepend(0.0);
        var model = CS.Chart.Line<double, double, string>(x: xs, y: ys, ShowMarkers: true, Name: $"{metrics.Target.Name()} model");
        var random = CS.Chart.Line<double, double, string>(x: [0.0, 1.0], y: [0.0, 1.0], Name: "random order", LineDash: StyleParam.DrawingStyle.Dash, LineColor: Reference);
        return ChartText.Titled(CS.Chart.Combine([random, model]), $"Cumulative gain: {metrics.Target.Name()}", "share of rows contacted (by score)", "share of positives captured");
    }

    /// <summary>Lift: captured share divided by contacted share; 1 is random order.</summary>
    public static GenericChart Lift(TargetMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var model = CS.Chart.Line<double, double, string>(x: metrics.Gain.Select(g => g.ShareContacted), y: metrics.Gain.Select(g => g.Lift), ShowMarkers: true, Name: $"{metrics.Target.Name()} lift");
        var one = CS.Chart.Line<double, double, string>(x: [0.0, 1.0], y: [1.0, 1.0], Name: "random order (lift 1)", LineDash: StyleParam.DrawingStyle.Dash, LineColor: Reference);
        return ChartText.Titled(CS.Chart.Combine([one, model]), $"Lift: {metrics.Target.Name()}", "share of rows contacted (by score)", "lift over random");
    }

    /// <summary>Reliability diagram of a target's test predictions.</summary>
    public static GenericChart Reliability(TargetMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return Reliability(metrics.Reliability, $"{metrics.Target.Name()}: Brier {F(metrics.Brier)}");
    }

    /// <summary>Reliability diagram: mean predicted probability against the observed rate per equal-count bin; on the
    /// diagonal a prediction of 20% comes true 20% of the time. Marker text gives each bin's row count.</summary>
    public static GenericChart Reliability(IReadOnlyList<CalibrationBin> bins, string name)
    {
        ArgumentNullException.ThrowIfNull(bins);
        if (bins.Count == 0) throw new ArgumentException("No calibration bins.", nameof(bins));
        double max = Math.Max(bins.Max(b => b.MeanPredicted), bins.Max(b => b.ObservedRate));
        max = Math.Min(1, max * 1.1);
        var perfect = CS.Chart.Line<double, double, string>(x: [0.0, max], y: [0.0, max], Name: "perfectly calibrated", LineDash: StyleParam.DrawingStyle.Dash, LineColor: Reference);
        var curve = CS.Chart.Line<double, double, string>(x: bins.Select(b => b.MeanPredicted), y: bins.Select(b => b.ObservedRate), ShowMarkers: true, Name: name,
            MultiText: bins.Select(b => $"{b.Count.ToString(Inv)} rows").ToArray());
        return ChartText.Titled(CS.Chart.Combine([perfect, curve]), "Reliability (calibration)", "mean predicted probability", "observed rate");
    }

    /// <summary>Score distribution by outcome: overlaid histograms (normalized to probability density within each
    /// outcome, so a rare positive class stays visible) of the scores of positives and negatives.</summary>
    public static GenericChart ScoreDistribution(ScoredOutcomes scored, int bins = 40)
    {
        ArgumentNullException.ThrowIfNull(scored);
        if (bins is < 2 or > 500) throw new OptionsValidationException($"bins must be 2..500, got {bins}.");
        var pos = scored.Scores.Where((_, i) => scored.Positive[i]).ToArray();
        var neg = scored.Scores.Where((_, i) => !scored.Positive[i]).ToArray();
        var negTrace = CS.Chart.Histogram<double, double, string>(X: neg, Name: $"not {scored.Target.Name()} ({neg.Length.ToString("N0", Inv)})", Opacity: 0.6,
            HistNorm: StyleParam.HistNorm.ProbabilityDensity, NBinsX: bins, MarkerColor: Reference);
        var posTrace = CS.Chart.Histogram<double, double, string>(X: pos, Name: $"{scored.Target.Name()} ({pos.Length.ToString("N0", Inv)})", Opacity: 0.6,
            HistNorm: StyleParam.HistNorm.ProbabilityDensity, NBinsX: bins, MarkerColor: Color.fromString(scored.Target == PropensityTarget.Churn ? "#d62728" : "#2ca02c"));
        var chart = CS.Chart.Combine([negTrace, posTrace]);
        // Overlaid, not stacked or side by side: the two distributions share the x axis.
        var overlay = new Layout();
        overlay.SetProperty("barmode", "overlay");
        chart = Chart.withLayout(overlay).Invoke(chart);
        return ChartText.Titled(chart, $"Score distribution by outcome: {scored.Target.Name()}", $"predicted P({scored.Target.Name()})", "density");
    }

    /// <summary>NDCG@k inside rep books: the model against each baseline and the oracle, one bar each.</summary>
    public static GenericChart NdcgVsBaselines(TargetMetrics metrics, int k)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var names = new List<string> { "model" };
        var values = new List<double> { metrics.NdcgAtK };
        if (metrics.OracleNdcgAtK is double o) { names.Add("oracle"); values.Add(o); }
        foreach (var kv in metrics.BaselineNdcgAtK.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            names.Add("baseline: " + kv.Key.Replace('_', ' '));
            values.Add(kv.Value);
        }
        var colors = names.Select(n => Color.fromString(n == "model" ? "#1f77b4" : n == "oracle" ? "#2ca02c" : "#999999")).ToArray();
        var bars = CS.Chart.Column<double, string, string>(values: values, Keys: names, Name: $"NDCG@{k.ToString(Inv)}",
            MultiText: values.Select(F).ToArray(), MarkerColor: Color.fromColors(colors));
        return ChartText.Titled(bars, $"NDCG@{k.ToString(Inv)} in rep books: {metrics.Target.Name()}", "", "mean NDCG over books");
    }
}
