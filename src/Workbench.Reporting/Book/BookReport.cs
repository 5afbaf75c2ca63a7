using Workbench.Domain;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
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
    public const string IndexFile = "index.html", PlotlyFile = "plotly.min.js", StyleFile = "book.css", ScriptFile = "book.js";
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

    /// <summary>Every file of the report with default page options (no model card, US dollars).</summary>
    public static IEnumerable<(string File, string Html)> Pages(ScoringResult result) => Pages(result, new BookPageOptions());

    /// <summary>Every file of the report: file name (relative to the report folder) and its text. The pages share one copy
    /// of the plotly.js bundle shipped in Plotly.NET (<see cref="PlotlyFile"/>), one style sheet (<see cref="StyleFile"/>)
    /// and one script (<see cref="ScriptFile"/>) beside them, so each page carries only its own data and opens offline.</summary>
    public static IEnumerable<(string File, string Html)> Pages(ScoringResult result, BookPageOptions options) =>
        PageRenderers(result, options).Select(p => (p.File, p.Render()));

    /// <summary>The files of <see cref="Pages(ScoringResult, BookPageOptions)"/>, in the same order, each with the function
    /// that renders it; the renderers share nothing mutable, so a caller may run them on several threads (every file name
    /// is distinct: <see cref="RepFileName"/> never gives two reps one file).</summary>
    public static IReadOnlyList<(string File, Func<string> Render)> PageRenderers(ScoringResult result, BookPageOptions options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        var pages = new List<(string, Func<string>)>(result.Books.Count + 4)
        {
            (PlotlyFile, () => SegmentationCharts.PlotlyJs.Value),
            (StyleFile, () => BookAssets.Css),
            (ScriptFile, () => BookAssets.Js),
            (IndexFile, () => BookPages.IndexHtml(result, options)),
        };
        foreach (var book in result.Books) pages.Add((RepFileName(book.RepId), () => BookPages.RepHtml(result, book, options)));
        return pages;
    }

    /// <summary>The files of <see cref="PageRenderers"/>, in the same order and with the same bytes (UTF-8, no byte-order
    /// mark), each with the action that writes it to a stream: a rep's page is written as it is rendered (see
    /// <see cref="BookPages.WriteRepHtml"/>) rather than as a string that is then encoded. Safe on several threads, like
    /// <see cref="PageRenderers"/>.</summary>
    public static IReadOnlyList<(string File, Action<Stream> Write)> PageWriters(ScoringResult result, BookPageOptions options)
    {
        var renderers = PageRenderers(result, options);
        int shared = renderers.Count - result.Books.Count; // the bundle, style sheet, script and index come first, then one page per book
        var writers = new List<(string, Action<Stream>)>(renderers.Count);
        for (int i = 0; i < renderers.Count; i++)
        {
            var (file, render) = renderers[i];
            if (i < shared) writers.Add((file, stream => WriteText(stream, render())));
            else
            {
                var book = result.Books[i - shared];
                writers.Add((file, stream => BookPages.WriteRepHtml(stream, result, book, options)));
            }
        }
        return writers;
    }

    static readonly UTF8Encoding Utf8NoBom = new(false);

    static void WriteText(Stream stream, string text)
    {
        using var w = new StreamWriter(stream, Utf8NoBom, 1 << 16, leaveOpen: true);
        w.Write(text);
    }

    /// <summary>The manager's index page (see <see cref="BookPages.IndexHtml"/>).</summary>
    public static string IndexHtml(ScoringResult result) => BookPages.IndexHtml(result, new BookPageOptions());

    /// <summary>One rep's page (see <see cref="BookPages.RepHtml"/>).</summary>
    public static string RepHtml(ScoringResult result, ScoredBook book) => BookPages.RepHtml(result, book, new BookPageOptions());

    /// <summary>JSON made safe inside a script element: no '&lt;' (so no "&lt;/script&gt;" or "&lt;!--"), '&gt;' or '&amp;'.
    /// The \u escapes are the same characters to a JSON or JavaScript parser.</summary>
    public static string ScriptJson(string json) =>
        json.Replace("<", "\\u003c", StringComparison.Ordinal).Replace(">", "\\u003e", StringComparison.Ordinal).Replace("&", "\\u0026", StringComparison.Ordinal)
            .Replace("\u2028", "\\u2028", StringComparison.Ordinal).Replace("\u2029", "\\u2029", StringComparison.Ordinal);

    static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    internal static void NumberCell(StringBuilder sb, double v, string format) =>
        sb.Append("<td class=\"num\" data-value=\"").Append(double.IsFinite(v) ? v.ToString("R", Inv) : "").Append("\">")
          .Append(double.IsFinite(v) ? v.ToString(format, Inv) : "").Append("</td>");

    static string TrendSymbol(Trend t) => t switch { Trend.Up => "&#9650;", Trend.Down => "&#9660;", Trend.Steady => "&#9654;", _ => "&#9733;" };

    internal static string GradeColor(Grade g) => g switch { Grade.A => "#1a7f37", Grade.B => "#4c9a2a", Grade.C => "#d4a72c", _ => "#999999" };

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
