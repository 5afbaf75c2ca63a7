using Workbench.Analytics.Actions;
using CS = Plotly.NET.CSharp;

namespace Workbench.Reporting.Actions;

/// <summary>Tables and charts of the next-best-action analysis. Everything shown is already in the results; this class
/// only formats and draws.</summary>
public static class ActionReport
{
    static readonly CultureInfo C = CultureInfo.InvariantCulture;
    static string N(double v) => v.ToString("N0", C);

    /// <summary>Each policy's off-policy estimates beside its true value (when the data carries truth).</summary>
    public static HtmlTable PolicyValuesTable(ActionEvaluationResult result) =>
        new("Policy value per decision (long-term value change)" + (result.PropensitiesEstimated ? " — propensities ESTIMATED" : ""),
            ["policy", "DM", "IPS", "SNIPS", "DR", "DR 95% low", "DR 95% high", "true value", "covered"],
            result.Policies.Select(p => (IReadOnlyList<string>)
            [
                p.Policy, N(p.Dm), N(p.Ips), N(p.Snips), N(p.Dr), N(p.DrCiLow), N(p.DrCiHigh),
                p.TrueValue is double t ? N(t) : "", p.TrueValue is null ? "" : p.Covered ? "yes" : "no",
            ]));

    /// <summary>Cumulative regret against the oracle, round by round, one line per strategy.</summary>
    public static GenericChart RegretChart(IEnumerable<ExplorationResult> results)
    {
        var traces = results.Select(r =>
        {
            int step = Math.Max(1, r.CumulativeRegret.Count / 200);
            var idx = Enumerable.Range(0, r.CumulativeRegret.Count).Where(i => i % step == 0 || i == r.CumulativeRegret.Count - 1).ToArray();
            return CS.Chart.Line<int, double, string>(x: idx.Select(i => i + 1).ToArray(), y: idx.Select(i => r.CumulativeRegret[i]).ToArray(), Name: r.Strategy.ToString());
        }).ToList();
        var chart = Plotly.NET.Chart.withTitle("Cumulative regret against the oracle", null).Invoke(CS.Chart.Combine(traces));
        chart = CS.GenericChartExtensions.WithXAxisStyle<double, double, string>(chart, TitleText: "round");
        return CS.GenericChartExtensions.WithYAxisStyle<double, double, string>(chart, TitleText: "cumulative regret (value)");
    }
}
