using Workbench.Analytics.Lifetime;
using CS = Plotly.NET.CSharp;
using static Workbench.Reporting.ChartText;

namespace Workbench.Reporting.Lifetime;

/// <summary>Charts of the lifetime models. They draw what the Analytics results hold and compute nothing.</summary>
public static class LifetimeCharts
{
    /// <summary>Heatmap of P(alive) (or expected purchases) by frequency (rows) and recency (columns).</summary>
    public static GenericChart FrequencyRecency(FrequencyRecencyMatrix matrix, bool probabilityAlive, string unit)
    {
        var z = (probabilityAlive ? matrix.ProbabilityAlive : matrix.ExpectedPurchases)
            .Select(row => row.ToArray()).ToArray();
        var chart = CS.Chart.Heatmap<double, double, int, string>(zData: z, X: matrix.Recencies.ToArray(), Y: matrix.Frequencies.ToArray(),
            Name: probabilityAlive ? "P(alive)" : "expected purchases");
        var what = probabilityAlive ? "P(alive)" : $"Expected purchases in the next {matrix.Horizon.ToString("0.##", Workbench.RunContext.Culture)} {unit}";
        return Titled(chart, $"{what} by frequency and recency (T = {matrix.T.ToString("0.##", Workbench.RunContext.Culture)} {unit})",
            $"recency ({unit} from first to last purchase)", "frequency (repeat purchases)");
    }

    /// <summary>Mean holdout purchases, actual against predicted, by calibration frequency.</summary>
    public static GenericChart CalibrationHoldout(LifetimeEvaluationResult evaluation)
    {
        var labels = evaluation.ByFrequency.Select(b => b.Label).ToArray();
        var actual = CS.Chart.Line<string, double, string>(x: labels, y: evaluation.ByFrequency.Select(b => b.ActualMean).ToArray(), ShowMarkers: true, Name: "actual");
        var predicted = CS.Chart.Line<string, double, string>(x: labels, y: evaluation.ByFrequency.Select(b => b.PredictedMean).ToArray(), ShowMarkers: true, Name: "model");
        return Titled(CS.Chart.Combine([actual, predicted]), "Calibration vs holdout: mean purchases in the holdout period",
            "purchases in the calibration period", "mean purchases in the holdout period");
    }

    /// <summary>Cumulative repeat purchases of the cohort, actual against the model, with the calibration end marked by name.</summary>
    public static GenericChart CumulativeTracking(LifetimeEvaluationResult evaluation, DateOnly calibrationEnd)
    {
        var dates = evaluation.Tracking.Select(p => p.End.ToDateTime(TimeOnly.MinValue)).ToArray();
        var actual = CS.Chart.Line<DateTime, double, string>(x: dates, y: evaluation.Tracking.Select(p => p.Actual).ToArray(), Name: "actual");
        var predicted = CS.Chart.Line<DateTime, double, string>(x: dates, y: evaluation.Tracking.Select(p => p.Predicted).ToArray(), Name: "model");
        return Titled(CS.Chart.Combine([actual, predicted]),
            $"Cumulative repeat purchases (calibration ends {calibrationEnd.ToString("yyyy-MM-dd", Workbench.RunContext.Culture)})", "", "cumulative repeat purchases");
    }

    /// <summary>Each cohort's observed survival with its sBG fit projected over the same periods.</summary>
    public static GenericChart Retention(IReadOnlyList<CohortRetention> cohorts)
    {
        var traces = new List<GenericChart>();
        foreach (var c in cohorts)
        {
            var periods = Enumerable.Range(0, c.Alive.Count).ToArray();
            traces.Add(CS.Chart.Line<int, double, string>(x: periods, y: c.Alive.Select(a => a / c.Alive[0]).ToArray(), ShowMarkers: true, Name: $"cohort {c.Cohort}"));
            if (c.Fit is { } fit)
                traces.Add(CS.Chart.Line<int, double, string>(x: periods, y: periods.Select(t => fit.Survival(t)).ToArray(), Name: $"cohort {c.Cohort} sBG"));
        }
        if (traces.Count == 0) traces.Add(CS.Chart.Line<int, double, string>(x: [0], y: [1.0], Name: "no cohort"));
        var period = cohorts.Count > 0 ? cohorts[0].PeriodMonths : 1;
        return Titled(CS.Chart.Combine(traces), "Retention by acquisition cohort with the shifted-beta-geometric fit",
            $"periods of {period} months since the first purchase", "share still buying");
    }

    /// <summary>Box plot of CLV per account by segment (each box one segment's accounts).</summary>
    public static GenericChart ClvDistributionBySegment(IReadOnlyList<SegmentClv> segments, string segmentKind)
    {
        var traces = segments.Select(seg => CS.Chart.BoxPlot<string, double, string>(
            X: Enumerable.Repeat(seg.Segment, seg.Values.Count).ToArray(), Y: seg.Values.ToArray(), Name: seg.Segment)).ToList();
        if (traces.Count == 0) traces.Add(CS.Chart.BoxPlot<string, double, string>(X: new[] { "(none)" }, Y: new[] { 0.0 }, Name: "no accounts"));
        return Titled(CS.Chart.Combine(traces), $"CLV distribution by {segmentKind}", segmentKind, "CLV per account");
    }
}
