using Workbench.Analytics.Territory;
using Workbench.Reporting.Book;
using Workbench.Reporting.Segmentation;
using CS = Plotly.NET.CSharp;

namespace Workbench.Reporting.Territory;

/// <summary>
/// Charts and offline HTML of a territory plan: the rep-by-group affinity heat map, an index page with the expected
/// wins of the plan against today's owners, the region baseline and (on generated data) the oracle, and one page per
/// rep listing the accounts gained and lost with the reason for each. It draws what the Analytics objects hold and
/// computes nothing. Text from the data is HTML-escaped; chart JSON in scripts is escaped like the book report's.
/// </summary>
public static class TerritoryReport
{
    public const string IndexFile = "index.html";
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Shrunk win rate of every rep (rows) in every group (columns), with deals and interval on hover.</summary>
    public static GenericChart AffinityHeatmap(TerritoryModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var z = model.Affinity.Select(row => row.Select(c => Math.Round(c.Rate, 4)).ToArray()).ToArray();
        var text = model.Affinity.Select(row => row.Select(c => string.Format(Inv, "{0}: {1:0.0%} [{2:0%}-{3:0%}], {4} deals", c.RepId, c.Rate, c.Lower, c.Upper, c.Deals)).ToArray()).ToArray();
        var chart = CS.Chart.Heatmap<double, string, string, string>(zData: z, X: model.Groups.Select(g => g.Label).ToArray(),
            Y: model.Reps.Select(r => r.RepId).ToArray(), Name: "win rate", MultiText: text.SelectMany(t => t).ToArray());
        return ChartText.Titled(chart, "Rep affinity: estimated win rate by account group (shrunk toward the group rate)", "account group", "rep");
    }

    /// <summary>Expected wins per year of the plan, today's owners, the region baseline and the oracle (estimated and true rates).</summary>
    public static GenericChart WinsComparison(TerritoryEvaluationResult evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        string[] keys = ["region baseline", "current", "plan", "oracle"];
        double[] Values(WinsComparison w) => [w.RegionBaseline, w.Current, w.Plan, w.Oracle ?? double.NaN];
        var charts = new List<GenericChart> { CS.Chart.Column<double, string, string>(values: Values(evaluation.ExpectedWins), Keys: keys, Name: "estimated rates") };
        if (evaluation.TrueExpectedWins is { } t) charts.Add(CS.Chart.Column<double, string, string>(values: Values(t), Keys: keys, Name: "true rates"));
        return ChartText.Titled(CS.Chart.Combine(charts), "Expected wins per year", "assignment", "expected wins per year");
    }

    /// <summary>Every file of the report: plotly.js beside the pages, the index, one page per rep.</summary>
    public static IEnumerable<(string File, string Html)> Pages(TerritoryModel model, TerritoryPlan plan, TerritoryEvaluationResult? evaluation)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        yield return (BookReport.PlotlyFile, SegmentationCharts.PlotlyJs.Value);
        yield return (IndexFile, IndexHtml(model, plan, evaluation));
        foreach (var load in plan.Loads) yield return (BookReport.RepFileName(load.RepId), RepHtml(model, plan, load));
    }

    public static string IndexHtml(TerritoryModel model, TerritoryPlan plan, TerritoryEvaluationResult? evaluation)
    {
        var sb = new StringBuilder();
        BookReport.Head(sb, $"Territory plan as of {plan.Book.PlanningDate:yyyy-MM-dd}");
        sb.Append("<h1>Territory plan</h1>\n<p class=\"meta\">Plan date ").Append(plan.Book.PlanningDate.ToString("yyyy-MM-dd", Inv)).Append(": ")
          .Append(plan.Book.Accounts.Count.ToString("N0", Inv)).Append(" accounts, ").Append(plan.Book.Reps.Count.ToString(Inv)).Append(" reps, ")
          .Append(plan.Moves.Count.ToString("N0", Inv)).Append(" moves. Objective: ").Append(E(plan.Options.Objective.ToString().ToLowerInvariant()))
          .Append("; capacity &plusmn;").Append(plan.Options.CapacityTolerance.ToString("P0", Inv)).Append(" of ").Append(E(plan.Options.Capacity.ToString()))
          .Append("; move limit ").Append(plan.Options.MaxMoves is int m ? m.ToString("N0", Inv) : "none").Append("; regions ").Append(E(plan.Options.Regions.ToString()))
          .Append(". Groups: ").Append(E(model.Grouping)).Append(".</p>\n");
        var charts = new List<(string, GenericChart)> { ("affinity-heatmap", AffinityHeatmap(model)) };
        if (evaluation is not null) charts.Add(("wins-comparison", WinsComparison(evaluation)));
        Charts(sb, charts, 760, 520);
        sb.Append("<table class=\"sortable\" id=\"reps\">\n<thead><tr>");
        foreach (var (h, type) in new[] { ("rep", "text"), ("rep id", "text"), ("region", "text"), ("current", "number"), ("planned", "number"),
            ("min", "number"), ("max", "number"), ("gained", "number"), ("lost", "number") })
            sb.Append("<th data-type=\"").Append(type).Append("\">").Append(E(h)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var l in plan.Loads)
        {
            sb.Append("<tr><td><a href=\"").Append(E(BookReport.RepFileName(l.RepId))).Append("\">").Append(E(l.Name)).Append("</a></td><td>").Append(E(l.RepId))
              .Append("</td><td>").Append(E(l.Region)).Append("</td>");
            foreach (var v in new[] { l.Current, l.Planned, l.Lower, l.Upper, l.Gained, l.Lost }) Num(sb, v, "N0");
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody></table>\n");
        return BookReport.Tail(sb);
    }

    public static string RepHtml(TerritoryModel model, TerritoryPlan plan, RepLoad load)
    {
        var sb = new StringBuilder();
        BookReport.Head(sb, $"Territory of {load.Name} as of {plan.Book.PlanningDate:yyyy-MM-dd}");
        sb.Append("<p><a href=\"").Append(IndexFile).Append("\">&larr; all reps</a></p>\n<h1>Territory of ").Append(E(load.Name))
          .Append(" <small>(").Append(E(load.RepId)).Append(", ").Append(E(load.Region)).Append(")</small></h1>\n<p class=\"meta\">")
          .Append(load.Current.ToString("N0", Inv)).Append(" accounts today, ").Append(load.Planned.ToString("N0", Inv)).Append(" planned (allowed ")
          .Append(load.Lower.ToString("N0", Inv)).Append("&ndash;").Append(load.Upper.ToString("N0", Inv)).Append("): ")
          .Append(load.Gained.ToString("N0", Inv)).Append(" gained, ").Append(load.Lost.ToString("N0", Inv)).Append(" lost. Click a column header to sort.</p>\n");
        var cells = model.Cell(load.RepId, 0) is null ? null : model.Groups.Select(g => model.Cell(load.RepId, g.Group)!).ToArray();
        if (cells is not null)
        {
            var bars = CS.Chart.Column<double, string, string>(values: cells.Select(c => Math.Round(c.Rate, 4)).ToArray(), Keys: model.Groups.Select(g => g.Label).ToArray(), Name: load.RepId);
            var group = CS.Chart.Point<string, double, string>(x: model.Groups.Select(g => g.Label).ToArray(), y: model.Groups.Select(g => Math.Round(g.WinRate, 4)).ToArray(), Name: "group rate");
            Charts(sb, [("rep-affinity", ChartText.Titled(CS.Chart.Combine([bars, group]), "Estimated win rate by account group", "account group", "win rate"))], 760, 380);
        }
        var gained = plan.Moves.Where(mv => mv.ToRep == load.RepId).ToArray();
        var lost = plan.Moves.Where(mv => mv.FromRep == load.RepId).ToArray();
        MovesTable(sb, "gained", $"Accounts gained ({gained.Length})", gained, m => m.FromRep ?? "(none)", "from");
        MovesTable(sb, "lost", $"Accounts lost ({lost.Length})", lost, m => m.ToRep, "to");
        return BookReport.Tail(sb);
    }

    static void MovesTable(StringBuilder sb, string id, string title, IReadOnlyList<PlannedMove> moves, Func<PlannedMove, string> other, string otherHeader)
    {
        sb.Append("<h2>").Append(E(title)).Append("</h2>\n<table class=\"sortable\" id=\"").Append(id).Append("\">\n<thead><tr>");
        foreach (var (h, type) in new[] { ("account", "text"), ("account id", "text"), ("group", "text"), (otherHeader, "text"), ("expected gain", "number"), ("reason", "text") })
            sb.Append("<th data-type=\"").Append(type).Append("\">").Append(E(h)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var m in moves)
        {
            sb.Append("<tr><td>").Append(E(m.AccountName)).Append("</td><td>").Append(E(m.AccountId)).Append("</td><td>").Append(E(m.Group)).Append("</td><td>").Append(E(other(m))).Append("</td>");
            Num(sb, m.Gain, "0.000");
            sb.Append("<td>").Append(E(m.Reason)).Append("</td></tr>\n");
        }
        sb.Append("</tbody></table>\n");
    }

    static void Charts(StringBuilder sb, IEnumerable<(string Id, GenericChart Chart)> charts, int width, int height)
    {
        sb.Append("<div class=\"charts\">\n");
        foreach (var (id, chart) in charts)
        {
            sb.Append("<div id=\"").Append(id).Append("\" class=\"chart\" style=\"width:").Append(width).Append("px;height:").Append(height).Append("px\"></div>\n");
            sb.Append("<script type=\"text/javascript\">(function(){var fig=").Append(BookReport.ScriptJson(ChartText.ToJson(chart)))
              .Append(";fig.layout.width=").Append(width).Append(";fig.layout.height=").Append(height).Append(";Plotly.newPlot('").Append(id).Append("',fig.data,fig.layout,{displaylogo:false});})();</script>\n");
        }
        sb.Append("</div>\n");
    }

    static void Num(StringBuilder sb, double v, string format) =>
        sb.Append("<td class=\"num\" data-value=\"").Append(double.IsFinite(v) ? v.ToString("R", Inv) : "").Append("\">")
          .Append(double.IsFinite(v) ? v.ToString(format, Inv) : "").Append("</td>");

    static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}
