using Workbench.Domain;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Plotly.NET;
using Workbench.Analytics.Explanation;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Scoring;
using Workbench.Reporting.Segmentation;
using CS = Plotly.NET.CSharp;

namespace Workbench.Reporting.Book;

/// <summary>
/// The HTML report of a scored book: an index page listing the reps, and one page per rep with a sortable table
/// (plain inline JavaScript), grade and trend badges, each account's narrative, and Plotly charts drawn by the
/// plotly.js bundle written beside the pages, so they open offline. Every piece of text from the data is HTML-escaped, and JSON placed inside
/// script tags has '&lt;', '&gt;' and '&amp;' escaped as \u003c, \u003e and \u0026. The same result gives the same bytes.
/// </summary>
public static class BookReport
{
    public const string IndexFile = "index.html", PlotlyFile = "plotly.min.js";
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    static readonly Regex Safe = new("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant);

    /// <summary>The file name of a rep's page: <c>rep-&lt;id&gt;.html</c>, with an id that is not file-safe replaced by its
    /// safe characters plus a short hash of the original (so two ids never share a file).</summary>
    public static string RepFileName(string repId)
    {
        ArgumentNullException.ThrowIfNull(repId);
        if (Safe.IsMatch(repId)) return $"rep-{repId}.html";
        var kept = new string(repId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').Take(40).ToArray());
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repId)))[..8];
        return $"rep-{kept}-{hash}.html";
    }

    /// <summary>Every file of the report: file name (relative to the report folder) and its text. The pages share one copy of
    /// the plotly.js bundle shipped in Plotly.NET (<see cref="PlotlyFile"/>, beside them), so the report opens offline.</summary>
    public static IEnumerable<(string File, string Html)> Pages(ScoringResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        yield return (PlotlyFile, SegmentationCharts.PlotlyJs.Value);
        yield return (IndexFile, IndexHtml(result));
        foreach (var book in result.Books) yield return (RepFileName(book.RepId), RepHtml(result, book));
    }

    /// <summary>The index page: one row per rep with a link to the rep's page and a summary of the book.</summary>
    public static string IndexHtml(ScoringResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var all = result.Books.SelectMany(b => b.Accounts).ToList();
        var sb = new StringBuilder();
        Head(sb, $"Scored books: {result.ModelName} as of {result.AsOf:yyyy-MM-dd}");
        sb.Append("<h1>Scored books</h1>\n<p class=\"meta\">Model <b>").Append(E(result.ModelName)).Append("</b>, as of ")
          .Append(result.AsOf.ToString("yyyy-MM-dd", Inv)).Append(" (trend against ").Append(result.PreviousAsOf.ToString("yyyy-MM-dd", Inv)).Append("): ")
          .Append(result.Books.Count.ToString(Inv)).Append(" reps, ").Append(all.Count.ToString(Inv)).Append(" accounts.</p>\n");
        Charts(sb, all);
        sb.Append("<table class=\"sortable\" id=\"reps\">\n<thead><tr>");
        foreach (var (h, type) in new[] { ("rep", "text"), ("rep id", "text"), ("accounts", "number"), ("A", "number"), ("B", "number"), ("C", "number"), ("D", "number"),
            ("trending up", "number"), ("trending down", "number"), ("total priority", "number"), ("revenue at risk", "number"), ("expected upsell", "number") })
            sb.Append("<th data-type=\"").Append(type).Append("\">").Append(E(h)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var b in result.Books)
        {
            var summary = b.Summary;
            sb.Append("<tr><td><a href=\"").Append(E(RepFileName(b.RepId))).Append("\">").Append(E(b.RepName)).Append("</a></td><td>").Append(E(b.RepId)).Append("</td>");
            NumberCell(sb, summary.Accounts, "0");
            foreach (var (_, count) in summary.GradeCounts) NumberCell(sb, count, "0");
            NumberCell(sb, summary.TrendingUp, "0");
            NumberCell(sb, summary.TrendingDown, "0");
            NumberCell(sb, summary.TotalPriority, "N0");
            NumberCell(sb, summary.RevenueAtRisk, "N0");
            NumberCell(sb, summary.ExpectedUpsell, "N0");
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody></table>\n");
        return Tail(sb);
    }

    /// <summary>One rep's page: charts, the ranked and sortable book, and each account's reasons for and against.</summary>
    public static string RepHtml(ScoringResult result, ScoredBook book)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(book);
        var sb = new StringBuilder();
        Head(sb, $"Book of {book.RepName} as of {result.AsOf:yyyy-MM-dd}");
        sb.Append("<p><a href=\"").Append(IndexFile).Append("\">&larr; all reps</a></p>\n");
        sb.Append("<h1>Book of ").Append(E(book.RepName)).Append(" <small>(").Append(E(book.RepId)).Append(")</small></h1>\n");
        sb.Append("<p class=\"meta\">Model <b>").Append(E(result.ModelName)).Append("</b>, as of ").Append(result.AsOf.ToString("yyyy-MM-dd", Inv))
          .Append(", trend against ").Append(result.PreviousAsOf.ToString("yyyy-MM-dd", Inv)).Append(". ").Append(book.Accounts.Count.ToString(Inv))
          .Append(" accounts. Priority = expected upsell + revenue at risk (12 months of run-rate by default). Click a column header to sort.</p>\n");
        Charts(sb, book.Accounts);
        sb.Append("<table class=\"sortable\" id=\"book\">\n<thead><tr>");
        var columns = new List<(string, string)> { ("rank", "number"), ("account", "text"), ("grade", "text"), ("trend", "text"), ("priority", "number"),
            ("P(churn)", "number"), ("P(upsell)", "number"), ("expected upsell", "number"), ("revenue at risk", "number"), ("focus", "text"), ("top product", "text"), ("top reason", "text") };
        if (result.Clv is not null) columns.Insert(9, ("CLV", "number"));
        foreach (var (h, type) in columns)
            sb.Append("<th data-type=\"").Append(type).Append("\">").Append(E(h)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var a in book.Accounts)
        {
            var p = a.Priority;
            var top = a.Products.First(x => x.ProductId == p.TopProduct);
            sb.Append("<tr>");
            NumberCell(sb, p.Rank, "0");
            sb.Append("<td><a href=\"#").Append(E(AnchorOf(a.AccountId))).Append("\">").Append(E(a.AccountName)).Append("</a><br><small>").Append(E(a.AccountId)).Append("</small></td>");
            sb.Append("<td data-value=\"").Append(p.Grade).Append("\"><span class=\"badge grade-").Append(p.Grade).Append("\">").Append(p.Grade).Append("</span></td>");
            string trend = p.Trend.ToString().ToLowerInvariant();
            sb.Append("<td data-value=\"").Append(trend).Append("\"><span class=\"badge trend-").Append(trend).Append("\" title=\"previous priority ")
              .Append(double.IsNaN(p.PreviousPriority) ? "none" : p.PreviousPriority.ToString("N0", Inv)).Append("\">").Append(TrendSymbol(p.Trend)).Append(' ').Append(trend).Append("</span></td>");
            NumberCell(sb, p.Priority, "N0");
            NumberCell(sb, p.MaxPChurn, "P1");
            NumberCell(sb, p.MaxPUpsell, "P1");
            NumberCell(sb, p.ExpectedUpsell, "N0");
            NumberCell(sb, p.RevenueAtRisk, "N0");
            if (result.Clv is { } clv) NumberCell(sb, clv.TryGetValue(a.AccountId, out var value) ? value : double.NaN, "N0");
            sb.Append("<td>").Append(E(p.Focus.Name())).Append("</td><td>").Append(E(top.ProductName)).Append("</td><td>")
              .Append(E(a.FocusNarrative.ReasonsFor.Count > 0 ? a.FocusNarrative.ReasonsFor[0].Sentence : "")).Append("</td></tr>\n");
        }
        sb.Append("</tbody></table>\n<h2>Why each account</h2>\n");
        foreach (var a in book.Accounts) Narrative(sb, a);
        return Tail(sb);
    }

    static void Narrative(StringBuilder sb, ScoredAccount a)
    {
        var n = a.FocusNarrative;
        var top = a.Products.First(x => x.ProductId == a.Priority.TopProduct);
        sb.Append("<section class=\"narrative\" id=\"").Append(E(AnchorOf(a.AccountId))).Append("\">\n<h3>#").Append(a.Priority.Rank.ToString(Inv)).Append(' ')
          .Append(E(a.AccountName)).Append(" <span class=\"badge grade-").Append(a.Priority.Grade).Append("\">").Append(a.Priority.Grade).Append("</span></h3>\n");
        sb.Append("<p>Focus: <b>").Append(E(a.Priority.Focus.Name())).Append("</b> on ").Append(E(top.ProductName)).Append(": ").Append(E(n.Target))
          .Append(" probability ").Append(n.Probability.ToString("P0", Inv)).Append(".</p>\n");
        if (n.ReasonsFor.Count > 0)
        {
            sb.Append("<p>Reasons for:</p><ul class=\"for\">");
            foreach (var r in n.ReasonsFor)
                sb.Append("<li>").Append(E(r.Sentence)).Append(r.Support is null ? "" : " <small>(" + E(r.Support) + ")</small>").Append("</li>");
            sb.Append("</ul>\n");
        }
        if (n.ReasonsAgainst.Count > 0)
        {
            sb.Append("<p>Reasons against:</p><ul class=\"against\">");
            foreach (var r in n.ReasonsAgainst) sb.Append("<li>").Append(E(r.Sentence)).Append("</li>");
            sb.Append("</ul>\n");
        }
        sb.Append("<table class=\"products\"><thead><tr><th>product</th><th>P(churn)</th><th>P(upsell)</th><th>run-rate / month</th><th>expected upsell</th><th>revenue at risk</th></tr></thead><tbody>");
        foreach (var p in a.Products)
        {
            sb.Append("<tr><td>").Append(E(p.ProductName)).Append("</td>");
            NumberCell(sb, p.PChurn, "P1"); NumberCell(sb, p.PUpsell, "P1"); NumberCell(sb, p.RunRate, "N0"); NumberCell(sb, p.ExpectedUpsell, "N0"); NumberCell(sb, p.RevenueAtRisk, "N0");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>\n</section>\n");
    }

    /// <summary>Priority distribution and grade counts of a set of accounts (a book, or all books).</summary>
    static void Charts(StringBuilder sb, IReadOnlyList<ScoredAccount> accounts)
    {
        var priorities = accounts.Select(a => a.Priority.Priority).ToArray();
        var histogram = ChartText.Titled(CS.Chart.Histogram<double, double, string>(X: priorities, Name: "accounts", NBinsX: 20, MarkerColor: Color.fromString("#1f77b4")),
            "Priority distribution", "priority (expected value)", "accounts");
        var gradeCounts = BookSummary.Of(accounts).GradeCounts;
        var grades = gradeCounts.Select(g => g.Grade).ToArray();
        var counts = gradeCounts.Select(g => g.Count).ToArray();
        var bars = ChartText.Titled(CS.Chart.Column<int, string, string>(values: counts, Keys: grades.Select(g => g.ToString()).ToArray(), Name: "accounts",
            MultiText: counts.Select(c => c.ToString(Inv)).ToArray(), MarkerColor: Color.fromColors(grades.Select(g => Color.fromString(GradeColor(g))))),
            "Accounts by grade", "grade", "accounts");
        sb.Append("<div class=\"charts\">\n");
        foreach (var (id, chart) in new[] { ("priority-distribution", histogram), ("grade-counts", bars) })
        {
            sb.Append("<div id=\"").Append(id).Append("\" class=\"chart\"></div>\n");
            sb.Append("<script type=\"text/javascript\">(function(){var fig=").Append(ScriptJson(ChartText.ToJson(chart)))
              .Append(";fig.layout.width=560;fig.layout.height=380;Plotly.newPlot('").Append(id).Append("',fig.data,fig.layout,{displaylogo:false});})();</script>\n");
        }
        sb.Append("</div>\n");
    }

    /// <summary>JSON made safe inside a script element: no '&lt;' (so no "&lt;/script&gt;" or "&lt;!--"), '&gt;' or '&amp;'.
    /// The \u escapes are the same characters to a JSON or JavaScript parser.</summary>
    public static string ScriptJson(string json) =>
        json.Replace("<", "\\u003c", StringComparison.Ordinal).Replace(">", "\\u003e", StringComparison.Ordinal).Replace("&", "\\u0026", StringComparison.Ordinal)
            .Replace("\u2028", "\\u2028", StringComparison.Ordinal).Replace("\u2029", "\\u2029", StringComparison.Ordinal);

    static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    static string AnchorOf(string accountId) => "account-" + accountId;

    static void NumberCell(StringBuilder sb, double v, string format) =>
        sb.Append("<td class=\"num\" data-value=\"").Append(double.IsFinite(v) ? v.ToString("R", Inv) : "").Append("\">")
          .Append(double.IsFinite(v) ? v.ToString(format, Inv) : "").Append("</td>");

    static string TrendSymbol(Trend t) => t switch { Trend.Up => "&#9650;", Trend.Down => "&#9660;", Trend.Steady => "&#9654;", _ => "&#9733;" };

    static string GradeColor(Grade g) => g switch { Grade.A => "#1a7f37", Grade.B => "#4c9a2a", Grade.C => "#d4a72c", _ => "#999999" };

    internal static void Head(StringBuilder sb, string title)
    {
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n<style>\n")
          .Append("body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ddd;padding:4px 8px;vertical-align:top}")
          .Append("th{background:#f3f3f3;cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}")
          .Append("td.num{text-align:right}.badge{display:inline-block;white-space:nowrap;padding:1px 7px;border-radius:9px;color:#fff;font-weight:bold;font-size:90%}")
          .Append(".grade-A{background:").Append(GradeColor(Grade.A)).Append("}.grade-B{background:").Append(GradeColor(Grade.B)).Append("}.grade-C{background:")
          .Append(GradeColor(Grade.C)).Append("}.grade-D{background:").Append(GradeColor(Grade.D)).Append("}")
          .Append(".trend-up{background:#1f77b4}.trend-down{background:#d62728}.trend-steady{background:#777}.trend-new{background:#9467bd}")
          .Append(".charts{display:flex;flex-wrap:wrap}.chart{width:560px;height:380px;overflow:hidden}.meta{color:#555}.narrative{border-top:1px solid #eee;margin-top:1em}")
          .Append("ul.for li::marker{content:'+ '}ul.against li::marker{content:'- '}table.products{font-size:90%}\n</style>\n")
          .Append("<script type=\"text/javascript\" src=\"").Append(PlotlyFile).Append("\"></script>\n</head>\n<body>\n");
    }

    internal const string SortScript = """
        <script type="text/javascript">
        (function () {
          function key(row, col, numeric) {
            var cell = row.cells[col];
            var v = cell.hasAttribute('data-value') ? cell.getAttribute('data-value') : cell.textContent;
            if (!numeric) return v.toLowerCase();
            var x = parseFloat(v);
            return isNaN(x) ? -Infinity : x;
          }
          function sortBy(table, th, col) {
            var body = table.tBodies[0];
            var rows = Array.prototype.slice.call(body.rows);
            var numeric = th.getAttribute('data-type') === 'number';
            var ascending = th.getAttribute('aria-sort') !== 'ascending';
            rows.sort(function (a, b) {
              var x = key(a, col, numeric), y = key(b, col, numeric);
              var c = x > y ? 1 : y > x ? -1 : 0; // written without a less-than sign: tests check script bodies hold none
              return ascending ? c : -c;
            });
            rows.forEach(function (r) { body.appendChild(r); });
            Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
            th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
          }
          Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
            Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
              th.addEventListener('click', function () { sortBy(table, th, col); });
            });
          });
        })();
        </script>

        """;

    internal static string Tail(StringBuilder sb) => sb.Append(SortScript).Append("</body>\n</html>\n").ToString();
}
