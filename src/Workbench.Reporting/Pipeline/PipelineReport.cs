using Workbench.Analytics.Pipeline;
using Workbench.Domain;
using Workbench.Reporting.Book;
using Workbench.Reporting.Segmentation;
using CS = Plotly.NET.CSharp;

namespace Workbench.Reporting.Pipeline;

/// <summary>What the pipeline report shows: the open deals' calls, the reps' gaps, the forecast, the headline metrics
/// (computed in Analytics; this class only formats them).</summary>
public sealed record PipelineReportInput(
    DateOnly AsOf, IReadOnlyList<OpportunityCall> Calls, IReadOnlyList<RepGap> Gaps, IReadOnlyList<ForecastCell> Forecast,
    IReadOnlyDictionary<string, string> RepNames, OpportunityEvaluationResult? Evaluation);

/// <summary>
/// The offline pipeline report: an index page with every rep's gap and forecast error, and one page per rep with their
/// open deals (sortable: win probability, expected value, declared and supported stage, stuck flag), the stage evidence
/// in words and the reasons for and against a win, and two small charts (declared against supported stage of the open
/// deals; the forecasts against what closed, by quarter) drawn by the plotly.js written once beside the pages. Plain HTML
/// with an inline sorting script; no network.
/// </summary>
public static class PipelineReport
{
    public const string IndexFile = "index.html";
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Every page: file name (relative to the report folder) and its HTML.</summary>
    public static IEnumerable<(string File, string Html)> Pages(PipelineReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        yield return (BookReport.PlotlyFile, SegmentationCharts.PlotlyJs.Value);
        yield return (IndexFile, IndexHtml(input));
        foreach (var rep in Reps(input)) yield return (BookReport.RepFileName(rep), RepHtml(input, rep));
    }

    static IEnumerable<string> Reps(PipelineReportInput input) =>
        input.Calls.Select(c => c.RepId).Concat(input.Gaps.Select(g => g.RepId)).Distinct().OrderBy(r => r, StringComparer.Ordinal);

    public static string IndexHtml(PipelineReportInput input)
    {
        var sb = new StringBuilder();
        Head(sb, $"Pipeline as of {input.AsOf:yyyy-MM-dd}");
        sb.Append("<h1>Pipeline as of ").Append(input.AsOf.ToString("yyyy-MM-dd", Inv)).Append("</h1>\n");
        if (input.Evaluation is { } e)
            sb.Append("<p class=\"meta\">Held out from ").Append(e.SplitDate.ToString("yyyy-MM-dd", Inv)).Append(": win AUC ").Append(e.WinAuc.ToString("0.000", Inv))
              .Append(e.OracleWinAuc is { } o ? " (oracle " + o.ToString("0.000", Inv) + ")" : "")
              .Append("; forecast error (WAPE per rep and quarter): model ").Append(e.ForecastWape.ToString("0.000", Inv))
              .Append(", declared stages ").Append(e.DeclaredForecastWape.ToString("0.000", Inv)).Append(".</p>\n");
        sb.Append("<table class=\"sortable\" id=\"reps\">\n<thead><tr>");
        foreach (var (h, t) in new[] { ("rep", "text"), ("open deals", "number"), ("expected bookings", "number"), ("stuck", "number"),
            ("mean gap (declared - supported)", "number"), ("95% interval", "text") })
            sb.Append("<th data-type=\"").Append(t).Append("\">").Append(E(h)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var rep in Reps(input))
        {
            var calls = input.Calls.Where(c => c.RepId == rep).ToList();
            var gap = input.Gaps.FirstOrDefault(g => g.RepId == rep);
            sb.Append("<tr><td><a href=\"").Append(E(BookReport.RepFileName(rep))).Append("\">").Append(E(input.RepNames.GetValueOrDefault(rep, rep))).Append("</a> <small>")
              .Append(E(rep)).Append("</small></td>");
            Num(sb, calls.Count, "0");
            Num(sb, calls.Sum(c => c.ExpectedValue), "N0");
            Num(sb, calls.Count(c => c.Stuck), "0");
            Num(sb, gap?.MeanGap ?? double.NaN, "+0.00;-0.00;0.00");
            sb.Append("<td>").Append(gap is null || double.IsNaN(gap.Low) ? "" : E($"{gap.Low.ToString("0.00", Inv)} to {gap.High.ToString("0.00", Inv)}")).Append("</td></tr>\n");
        }
        sb.Append("</tbody></table>\n");
        return Tail(sb);
    }

    static readonly OpportunityStage[] OpenStages = [OpportunityStage.Prospecting, OpportunityStage.Qualification, OpportunityStage.Proposal, OpportunityStage.Negotiation];

    /// <summary>The rep's open deals counted by the stage they declared and by the stage the data supports (side by side per stage).</summary>
    public static GenericChart StageGapChart(IReadOnlyList<OpportunityCall> calls, RepGap? gap)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var keys = OpenStages.Select(Stage).ToArray();
        var declared = CS.Chart.Column<int, string, string>(values: OpenStages.Select(st => calls.Count(c => c.DeclaredStage == st)).ToArray(), Keys: keys, Name: "declared");
        var supported = CS.Chart.Column<int, string, string>(values: OpenStages.Select(st => calls.Count(c => c.SupportedStage == st)).ToArray(), Keys: keys, Name: "supported by the data");
        var title = gap is null ? "Open deals: declared and supported stage"
            : $"Open deals by stage (mean gap {gap.MeanGap.ToString("+0.00;-0.00;0.00", Inv)} stages)";
        return ChartText.Titled(CS.Chart.Combine([declared, supported]), title, "stage", "open deals");
    }

    /// <summary>Per quarter: the model's forecast, the declared-stage forecast and what closed won.</summary>
    public static GenericChart ForecastChart(IReadOnlyList<ForecastCell> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var keys = cells.Select(c => c.Quarter.ToString("yyyy-MM", Inv)).ToArray();
        GenericChart Bars(Func<ForecastCell, double> f, string name) =>
            CS.Chart.Column<double, string, string>(values: cells.Select(c => Math.Round(f(c), 0)).ToArray(), Keys: keys, Name: name);
        return ChartText.Titled(CS.Chart.Combine([Bars(c => c.ModelForecast, "model forecast"), Bars(c => c.DeclaredForecast, "declared-stage forecast"), Bars(c => c.Actual, "closed won")]),
            "Forecast against what closed, by quarter", "quarter (deals open on its first day)", "bookings");
    }

    static void DrawChart(StringBuilder sb, string id, GenericChart chart, int width, int height)
    {
        sb.Append("<div id=\"").Append(id).Append("\" class=\"chart\" style=\"display:inline-block;width:").Append(width).Append("px;height:").Append(height).Append("px\"></div>\n");
        sb.Append("<script type=\"text/javascript\">(function(){var fig=").Append(BookReport.ScriptJson(ChartText.ToJson(chart)))
          .Append(";fig.layout.width=").Append(width).Append(";fig.layout.height=").Append(height)
          .Append(";Plotly.newPlot('").Append(id).Append("',fig.data,fig.layout,{displaylogo:false,staticPlot:false});})();</script>\n");
    }

    public static string RepHtml(PipelineReportInput input, string rep)
    {
        var name = input.RepNames.GetValueOrDefault(rep, rep);
        var calls = input.Calls.Where(c => c.RepId == rep).OrderByDescending(c => c.ExpectedValue).ThenBy(c => c.OpportunityId, StringComparer.Ordinal).ToList();
        var gap = input.Gaps.FirstOrDefault(g => g.RepId == rep);
        var sb = new StringBuilder();
        Head(sb, $"Pipeline of {name} as of {input.AsOf:yyyy-MM-dd}", plotly: true);
        sb.Append("<p><a href=\"").Append(IndexFile).Append("\">&larr; all reps</a></p>\n<h1>Pipeline of ").Append(E(name)).Append(" <small>(").Append(E(rep)).Append(")</small></h1>\n");
        sb.Append("<p class=\"meta\">As of ").Append(input.AsOf.ToString("yyyy-MM-dd", Inv)).Append(": ").Append(calls.Count.ToString(Inv)).Append(" open deals, expected bookings ")
          .Append(calls.Sum(c => c.ExpectedValue).ToString("N0", Inv)).Append(". ");
        if (gap is not null)
            sb.Append("Recorded stages run <b id=\"gap\">").Append(gap.MeanGap.ToString("+0.00;-0.00;0.00", Inv)).Append("</b> stages from what the data supports")
              .Append(double.IsNaN(gap.Low) ? "" : $" (95% interval {gap.Low.ToString("0.00", Inv)} to {gap.High.ToString("0.00", Inv)}, {gap.Deals.ToString(Inv)} deals)")
              .Append(gap.MeanGap > 0 ? ": optimistic. " : ": cautious. ");
        sb.Append("Click a column header to sort.</p>\n");
        var cells = input.Forecast.Where(f => f.RepId == rep).OrderBy(f => f.Quarter).ToList();
        sb.Append("<div class=\"charts\">\n");
        DrawChart(sb, "stage-gap", StageGapChart(calls, gap), 460, 300);
        if (cells.Count > 0) DrawChart(sb, "forecast-chart", ForecastChart(cells), 560, 300);
        sb.Append("</div>\n");
        sb.Append("<table class=\"sortable\" id=\"deals\">\n<thead><tr>");
        foreach (var (h, t) in new[] { ("opportunity", "text"), ("account", "text"), ("amount", "number"), ("win probability", "number"), ("expected value", "number"),
            ("declared", "text"), ("supported", "text"), ("gap", "number"), ("stuck", "text"), ("evidence", "text") })
            sb.Append("<th data-type=\"").Append(t).Append("\">").Append(E(h)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var c in calls)
        {
            sb.Append("<tr><td><a href=\"#").Append(E("opp-" + c.OpportunityId)).Append("\">").Append(E(c.OpportunityId)).Append("</a></td><td>").Append(E(c.AccountId)).Append("</td>");
            Num(sb, (double)c.Amount, "N0");
            Num(sb, c.WinProbability, "P1");
            Num(sb, c.ExpectedValue, "N0");
            sb.Append("<td>").Append(E(Stage(c.DeclaredStage))).Append("</td><td>").Append(E(Stage(c.SupportedStage))).Append("</td>");
            Num(sb, c.Gap, "+0;-0;0");
            sb.Append("<td>").Append(c.Stuck ? "<span class=\"badge stuck\">stuck</span>" : "").Append("</td><td>").Append(E(c.StageReason)).Append("</td></tr>\n");
        }
        sb.Append("</tbody></table>\n");
        if (cells.Count > 0)
        {
            sb.Append("<h2>Forecast against what closed</h2>\n<table id=\"forecast\"><thead><tr><th>quarter</th><th>deals open on day 1</th><th>model forecast</th><th>declared-stage forecast</th><th>closed won</th></tr></thead>\n<tbody>\n");
            foreach (var f in cells)
            {
                sb.Append("<tr><td>").Append(f.Quarter.ToString("yyyy-MM-dd", Inv)).Append("</td>");
                Num(sb, f.Deals, "0"); Num(sb, f.ModelForecast, "N0"); Num(sb, f.DeclaredForecast, "N0"); Num(sb, f.Actual, "N0");
                sb.Append("</tr>\n");
            }
            sb.Append("</tbody></table>\n");
        }
        sb.Append("<h2>Why each deal</h2>\n");
        foreach (var c in calls)
        {
            sb.Append("<div class=\"deal\" id=\"").Append(E("opp-" + c.OpportunityId)).Append("\"><h3>").Append(E(c.OpportunityId)).Append(" <small>")
              .Append(c.WinProbability.ToString("P0", Inv)).Append(" to win</small></h3>\n<p>").Append(E(c.StageReason)).Append("</p>\n<ul class=\"for\">");
            foreach (var r in c.ReasonsFor) sb.Append("<li>").Append(E(r.Sentence)).Append(r.Support is null ? "" : " <small>(" + E(r.Support) + ")</small>").Append("</li>");
            sb.Append("</ul>\n<ul class=\"against\">");
            foreach (var r in c.ReasonsAgainst) sb.Append("<li>").Append(E(r.Sentence)).Append(r.Support is null ? "" : " <small>(" + E(r.Support) + ")</small>").Append("</li>");
            sb.Append("</ul></div>\n");
        }
        return Tail(sb);
    }

    static string Stage(Workbench.Domain.OpportunityStage s) => s.ToString().ToLowerInvariant();
    static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    static void Num(StringBuilder sb, double v, string format) =>
        sb.Append("<td class=\"num\" data-value=\"").Append(double.IsFinite(v) ? v.ToString("R", Inv) : "").Append("\">")
          .Append(double.IsFinite(v) ? v.ToString(format, Inv) : "").Append("</td>");

    static void Head(StringBuilder sb, string title, bool plotly = false) =>
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n<style>\n")
          .Append("body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ddd;padding:4px 8px;vertical-align:top}")
          .Append("th{background:#f3f3f3;cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}")
          .Append("td.num{text-align:right}.badge{padding:1px 7px;border-radius:9px;color:#fff;font-weight:bold}.stuck{background:#d62728}.meta{color:#555}")
          .Append(".deal{border-top:1px solid #eee;margin-top:1em}ul.for li::marker{content:'+ '}ul.against li::marker{content:'- '}\n</style>\n")
          .Append(plotly ? "<script type=\"text/javascript\" src=\"" + BookReport.PlotlyFile + "\"></script>\n" : "").Append("</head>\n<body>\n");

    static string Tail(StringBuilder sb) => sb.Append(BookReport.SortScript).Append("</body>\n</html>\n").ToString();
}
