using Workbench.Analytics.Testing;
using Workbench.Reporting.Segmentation;
using CS = Plotly.NET.CSharp;

namespace Workbench.Reporting.Testing;

/// <summary>Charts, tables and the offline page of an A/B readout. Everything shown is already in the
/// <see cref="ImpactResult"/>; this class only formats and draws.</summary>
public static class ImpactReport
{
    static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The metric per arm and month, with the rollout start marked.</summary>
    public static GenericChart ArmsChart(ImpactResult result)
    {
        var d = result.Data;
        var months = d.Monthly.Select(m => m.Month.ToString("yyyy-MM", C)).ToArray();
        var control = CS.Chart.Line<string, double, string>(x: months, y: d.Monthly.Select(m => m.Control).ToArray(), ShowMarkers: true, Name: "control");
        var treatment = CS.Chart.Line<string, double, string>(x: months, y: d.Monthly.Select(m => m.Treatment).ToArray(), ShowMarkers: true, Name: "treatment");
        double max = d.Monthly.SelectMany(m => new[] { m.Control, m.Treatment }).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        string start = d.RolloutStart.ToString("yyyy-MM", C);
        var rollout = CS.Chart.Line<string, double, string>(x: [start, start], y: [0, max], Name: "rollout start");
        string y = d.IsRatio ? MetricLabel(d.Metric) : MetricLabel(d.Metric) + " per " + ExperimentNames.Name(d.Unit);
        return Titled(CS.Chart.Combine([control, treatment, rollout]), $"{MetricLabel(d.Metric)} by month and arm", "month", y);
    }

    /// <summary>Each estimator's lift with its interval (error bars), and the planted effect when known.</summary>
    public static GenericChart LiftChart(ImpactResult result)
    {
        var traces = new List<GenericChart>();
        foreach (var e in result.Estimates)
        {
            var lift = e.Lift * 100;
            traces.Add(CS.Chart.Line<double, string, string>(x: [e.CiLow * 100, e.CiHigh * 100], y: [e.Estimator, e.Estimator], Name: e.Estimator + " 95% interval", ShowMarkers: true));
            traces.Add(CS.Chart.Point<double, string, string>(x: [lift], y: [e.Estimator], Name: e.Estimator + " lift"));
        }
        if (result.PlantedUplift is { } planted && result.Data.Metric == ExperimentMetric.RenewalBookings)
            traces.Add(CS.Chart.Line<double, string, string>(x: [planted * 100, planted * 100], y: ["unadjusted", "did"], Name: "planted effect"));
        return Titled(CS.Chart.Combine(traces), "Relative lift with 95% intervals", "lift (%)", "");
    }

    /// <summary>The estimates table: lift, interval, p-value and the variance each adjustment removed.</summary>
    public static HtmlTable EstimatesTable(ImpactResult result)
    {
        double Reduction(LiftEstimate e) => e.Estimator switch
        {
            "cuped" => result.VarianceReductionCuped,
            "regression" => result.VarianceReductionRegression,
            "did" => result.VarianceReductionDid,
            _ => 0,
        };
        return new HtmlTable("Estimates (relative lift, treatment vs control)",
            ["estimator", "lift", "95% low", "95% high", "p-value", "control", "treatment", "variance reduction"],
            result.Estimates.Select(e => (IReadOnlyList<string>)
            [
                e.Estimator, Pct(e.Lift), Pct(e.CiLow), Pct(e.CiHigh), e.PValue.ToString("F4", C),
                e.Control.ToString("G6", C), e.Treatment.ToString("G6", C), Pct(Reduction(e)),
            ]));
    }

    /// <summary>Pre-period balance of the arms.</summary>
    public static HtmlTable BalanceTable(ImpactResult result) =>
        new("Balance of the arms in the pre-period", ["covariate", "control mean", "treatment mean", "standardized difference", "p-value"],
            result.Balance.Select(b => (IReadOnlyList<string>)
            [
                b.Covariate, b.ControlMean.ToString("G6", C), b.TreatmentMean.ToString("G6", C),
                b.StandardizedDifference.ToString("F3", C), b.PValue.ToString("F4", C),
            ]));

    /// <summary>The design table: power, minimum detectable effect and reps needed, unadjusted and with CUPED.</summary>
    public static HtmlTable PowerTable(ImpactResult result)
    {
        var p = result.Power;
        return new HtmlTable($"Design: power to detect a {Pct(p.TargetLift)} lift (alpha {p.Alpha.ToString("G3", C)}; {p.Design.TreatmentReps} + {p.Design.ControlReps} reps, {p.Design.AccountsPerRep.ToString("F1", C)} accounts per rep, {p.Design.Weeks.ToString("F0", C)} weeks)",
            ["analysis", "power", "minimum detectable effect", "reps per arm for the target"],
            [
                ["unadjusted", Pct(p.PowerUnadjusted), Pct(p.MdeUnadjusted), Count(p.RepsPerArmUnadjusted)],
                ["cuped", Pct(p.PowerCuped), Pct(p.MdeCuped), Count(p.RepsPerArmCuped)],
            ]);
    }

    /// <summary>One offline page: readout, lift chart, estimates, arms chart, balance, design, warnings.</summary>
    public static string ToHtml(ImpactResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var d = result.Data;
        string title = $"A/B readout: {ExperimentNames.Name(d.Metric)} per {ExperimentNames.Name(d.Unit)}";
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n");
        sb.Append("<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table.workbench-table{border-collapse:collapse;margin:1em 0}")
          .Append("table.workbench-table td,table.workbench-table th{border:1px solid #ccc;padding:3px 8px}caption{font-weight:bold;text-align:left}")
          .Append(".warn{color:#a40}</style>\n");
        sb.Append("<script type=\"text/javascript\">").Append(SegmentationCharts.PlotlyJs.Value).Append("</script>\n</head>\n<body>\n");
        sb.Append("<h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1>\n");
        var e = result.Cuped;
        sb.Append("<p style=\"font-size:1.4em\"><b>CUPED lift ").Append(Pct(e.Lift)).Append("</b> (95% interval ").Append(Pct(e.CiLow)).Append(" to ")
          .Append(Pct(e.CiHigh)).Append("; p = ").Append(e.PValue.ToString("F3", C)).Append(')');
        if (double.IsFinite(result.BootstrapLow))
            sb.Append("; cluster bootstrap ").Append(Pct(result.BootstrapLow)).Append(" to ").Append(Pct(result.BootstrapHigh));
        sb.Append("</p>\n");
        foreach (var paragraph in ImpactReadout.Paragraphs(result)) sb.Append("<p>").Append(WebUtility.HtmlEncode(paragraph)).Append("</p>\n");
        foreach (var w in result.Warnings) sb.Append("<p class=\"warn\">").Append(WebUtility.HtmlEncode(w)).Append("</p>\n");
        Chart(sb, "lift", LiftChart(result));
        sb.Append(EstimatesTable(result).ToHtml()).Append('\n');
        Chart(sb, "arms", ArmsChart(result));
        sb.Append(BalanceTable(result).ToHtml()).Append('\n');
        var s = result.SampleRatio;
        sb.Append("<p>Sample ratio: ").Append(s.TreatmentClusters).Append(" treatment and ").Append(s.ControlClusters).Append(" control reps (")
          .Append(s.TreatmentUnits).Append(" and ").Append(s.ControlUnits).Append(" units); chi-square ").Append(s.ChiSquare.ToString("F3", C))
          .Append(", p = ").Append(s.PValue.ToString("F4", C)).Append(s.Mismatch ? " <b class=\"warn\">mismatch</b>" : " (no mismatch)").Append("</p>\n");
        sb.Append(PowerTable(result).ToHtml()).Append('\n');
        return sb.Append("</body>\n</html>\n").ToString();
    }

    static void Chart(StringBuilder sb, string id, GenericChart chart)
    {
        sb.Append("<div id=\"").Append(id).Append("\" style=\"width:100%;height:460px\"></div>\n");
        sb.Append("<script type=\"text/javascript\">(function(){var fig=").Append(SegmentationCharts.ToJson(chart).Replace("</", "<\\/"))
          .Append(";Plotly.newPlot('").Append(id).Append("',fig.data,fig.layout,fig.config);})();</script>\n");
    }

    static string MetricLabel(ExperimentMetric m) => m switch
    {
        ExperimentMetric.RenewalBookings => "renewal bookings",
        ExperimentMetric.TotalBookings => "total bookings",
        ExperimentMetric.ChurnedRevenue => "churned revenue",
        _ => "win rate",
    };

    static string Pct(double x) => double.IsFinite(x) ? (x * 100).ToString("0.0", C) + "%" : "n/a";
    static string Count(int n) => n == int.MaxValue ? "n/a" : n.ToString(C);

    static GenericChart Titled(GenericChart chart, string title, string x, string y)
    {
        chart = Plotly.NET.Chart.withTitle(ChartText.WrapTitle(title), null).Invoke(chart);
        if (x.Length > 0) chart = CS.GenericChartExtensions.WithXAxisStyle<double, double, string>(chart, TitleText: x);
        if (y.Length > 0) chart = CS.GenericChartExtensions.WithYAxisStyle<double, double, string>(chart, TitleText: y);
        return chart;
    }
}
