using Workbench.Analytics.Explanation;

[assembly: Workbench.DisplayRegistrations(typeof(Workbench.Reporting.ReportingDisplays))]

namespace Workbench.Reporting;

/// <summary>The HTML renderings of results, registered with <see cref="DisplayRegistry"/> for the notebook engine: the
/// result types (Analytics) carry no presentation; their HTML lives here.</summary>
public static class ReportingDisplays
{
    /// <summary>The MIME type of the renderings registered here.</summary>
    public const string HtmlMimeType = "text/html";

    static ReportingDisplays()
    {
        DisplayRegistry.Register<HtmlTable>(HtmlMimeType, t => t.ToHtml());
        DisplayRegistry.Register<Narrative>(HtmlMimeType, NarrativeHtml);
    }

    /// <summary>Runs the registrations (idempotent); the notebook engine does this through the assembly attribute.</summary>
    public static void Register() => DisplayRegistry.EnsureRegistrations(typeof(ReportingDisplays).Assembly);

    /// <summary>A narrative as an escaped HTML fragment: the account, product, date and probability, then the reasons for
    /// (with their supporting statistics) and against.</summary>
    public static string NarrativeHtml(Narrative narrative)
    {
        ArgumentNullException.ThrowIfNull(narrative);
        static string E(string s) => WebUtility.HtmlEncode(s);
        var n = narrative;
        var sb = new StringBuilder("<div class=\"narrative\">");
        sb.Append(CultureInfo.InvariantCulture, $"<p><b>{E(n.AccountId)}</b> / {E(n.ProductId)} as of {n.AsOf:yyyy-MM-dd}: {E(n.Target)} probability <b>{n.Probability:P0}</b></p>");
        if (n.ReasonsFor.Count > 0) sb.Append("<ul class=\"for\">").AppendJoin("", n.ReasonsFor.Select(r => $"<li>{E(r.Sentence)}{(r.Support is null ? "" : $" <small>({E(r.Support)})</small>")}</li>")).Append("</ul>");
        if (n.ReasonsAgainst.Count > 0) sb.Append("<p>On the other hand:</p><ul class=\"against\">").AppendJoin("", n.ReasonsAgainst.Select(r => $"<li>{E(r.Sentence)}</li>")).Append("</ul>");
        return sb.Append("</div>").ToString();
    }
}
