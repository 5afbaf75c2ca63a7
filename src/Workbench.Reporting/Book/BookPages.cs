using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Workbench.Analytics.Explanation;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Scoring;
using Workbench.Domain;

namespace Workbench.Reporting.Book;

/// <summary>What the model card on the manager's index says: the promoted run, when it was trained and on what data, its
/// test metrics (with the baselines the run measured) and the promotion floors it met.</summary>
public sealed record ModelCard(
    string ModelName, string? RunId, string? RunName, DateTimeOffset? TrainedUtc, DateTimeOffset? PromotedUtc, string? TrainingData,
    IReadOnlyList<(string Metric, double Value)> Metrics, IReadOnlyList<(string Metric, double Floor, double Value, bool Met)> Floors);

/// <summary>How the book's pages are rendered: the currency of the money columns, the grade cut-offs to explain, the
/// model card and the last month of the scored data (its freshness).</summary>
public sealed record BookPageOptions
{
    /// <summary>ISO 4217 code of the amounts in the data (USD, EUR, GBP, JPY get their symbol; others are written as the code).</summary>
    public string Currency { get; init; } = "USD";
    public PriorityOptions Priority { get; init; } = new();
    public ModelCard? ModelCard { get; init; }
    /// <summary>The last month with data in the scored dataset.</summary>
    public DateOnly? DataLastMonth { get; init; }

    internal string Symbol => Currency.ToUpperInvariant() switch { "USD" => "$", "EUR" => "\u20AC", "GBP" => "\u00A3", "JPY" => "\u00A5", var c => c + "\u00A0" };
}

/// <summary>
/// The pages of a scored book. A rep's page puts the list first: one row per account (its products expand beneath it, each
/// with its own probabilities and money), filters by grade, focus, product and trend, a search by name, sortable columns, a
/// legend of grades and trend colours, then two charts and one detail view per account (reasons for and against with their
/// statistics, the product table, a spend and usage history chart, open opportunities, renewal and last activity), shown
/// when its link is followed. The manager's index gives team totals, the top accounts across books, new A grades and
/// movers since the previous scoring, reps by value at risk, and the model card. Every text from the data is HTML-escaped;
/// pages run no inline script (book.js is shared) and chart figures sit in JSON script elements escaped by
/// <see cref="BookReport.ScriptJson"/>.
/// </summary>
public static class BookPages
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    static readonly Regex Safe = new("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant);

    /// <summary>The element id of an account's detail view (safe characters plus a hash when the id has others).</summary>
    public static string AnchorOf(string accountId)
    {
        if (Safe.IsMatch(accountId)) return "account-" + accountId;
        var kept = new string(accountId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').Take(40).ToArray());
        return $"account-{kept}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(accountId)))[..8]}";
    }

    /// <summary>What a trend means for the account's focus: rising risk is bad, rising expansion is good.</summary>
    public static (string Text, string Css) TrendMeaning(AccountPriority p)
    {
        var (text, good) = TrendReading.Of(p);
        return (text, good switch { true => "good", false => "bad", null => p.Trend == Trend.New ? "new" : "neutral" });
    }

    static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
    static string Pct(double p) => double.IsFinite(p) ? (100 * p).ToString(p < 0.1 ? "0.0" : "0", Inv) + "%" : "\u2013";
    static string Raw(double v) => double.IsFinite(v) ? v.ToString("R", Inv) : "";
    /// <summary>A probability as book.json writes it (10 decimals): enough to sort and to check against book.json, and
    /// about 8 characters shorter per value than the round-trip double, which pages carry several times per account.</summary>
    static string Prob(double v) => double.IsFinite(v) ? Math.Round(v, 10).ToString("0.##########", Inv) : "";
    static string Date(DateOnly? d) => d is { } x ? x.ToString("yyyy-MM-dd", Inv) : "\u2013";

    static void Head(StringBuilder sb, string title)
    {
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
          .Append(E(title)).Append("</title>\n<link rel=\"stylesheet\" href=\"").Append(BookReport.StyleFile).Append("\">\n")
          .Append("<script src=\"").Append(BookReport.PlotlyFile).Append("\"></script>\n</head>\n<body id=\"top\">\n");
    }

    static string Tail(StringBuilder sb) => sb.Append("<script src=\"").Append(BookReport.ScriptFile).Append("\"></script>\n</body>\n</html>\n").ToString();

    static string Money(BookPageOptions o, double v) => double.IsFinite(v) ? (v < 0 ? "-" : "") + o.Symbol + Math.Abs(v).ToString("N0", Inv) : "\u2013";

    /// <summary>A money cell; <paramref name="sortable"/> adds the value (to the cent) for the index's sortable tables (a rep's
    /// list sorts on its row group's attributes instead).</summary>
    static void MoneyCell(StringBuilder sb, BookPageOptions o, double v, string css = "num", bool sortable = true)
    {
        sb.Append("<td");
        if (css.Length > 0) sb.Append(" class=\"").Append(css).Append('"');
        if (sortable) sb.Append(" data-value=\"").Append(Cents(v)).Append('"');
        sb.Append('>').Append(E(Money(o, v))).Append("</td>");
    }

    static string Cents(double v) => double.IsFinite(v) ? Math.Round(v, 2).ToString("0.##", Inv) : "";

    static void PctCell(StringBuilder sb, double v, string css, bool sortable = true)
    {
        sb.Append("<td class=\"num ").Append(css).Append('"');
        if (sortable) sb.Append(" data-value=\"").Append(Prob(v)).Append('"');
        sb.Append('>').Append(Pct(v)).Append("</td>");
    }

    static void Grade(StringBuilder sb, Grade g) => sb.Append("<span class=\"badge grade-").Append(g).Append("\">").Append(g).Append("</span>");

    static void TrendBadge(StringBuilder sb, AccountPriority p)
    {
        var (text, css) = TrendMeaning(p);
        string arrow = p.Trend switch { Trend.Up => "\u25B2 ", Trend.Down => "\u25BC ", _ => "" };
        sb.Append("<span class=\"badge ").Append(css).Append("\" title=\"priority a month before: ")
          .Append(double.IsNaN(p.PreviousPriority) ? "none" : p.PreviousPriority.ToString("N0", Inv)).Append("\">").Append(arrow).Append(E(text)).Append("</span>");
    }

    static string Change(BookPageOptions o, ScoredAccount a) => a.Previous is null ? "\u2013"
        : (a.Priority.Priority >= a.Previous.Priority ? "+" : "-") + Money(o, Math.Abs(a.Priority.Priority - a.Previous.Priority)).TrimStart('-');

    /// <summary>One rep's page.</summary>
    public static string RepHtml(ScoringResult result, ScoredBook book, BookPageOptions o)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(o);
        bool clv = book.Accounts.Any(a => a.Clv is not null), nba = book.Accounts.Any(a => a.NextAction is not null);
        var sb = new StringBuilder();
        Head(sb, $"Book of {book.RepName} as of {result.AsOf:yyyy-MM-dd}");
        sb.Append("<p class=\"noprint\"><a href=\"").Append(BookReport.IndexFile).Append("\">&larr; team overview</a></p>\n");
        sb.Append("<h1>Book of ").Append(E(book.RepName)).Append(" <small>(").Append(E(book.RepId)).Append(")</small></h1>\n");
        sb.Append("<p class=\"meta\">Model <b>").Append(E(result.ModelName)).Append("</b>, as of ").Append(result.AsOf.ToString("yyyy-MM-dd", Inv))
          .Append("; trend against ").Append(result.PreviousAsOf.ToString("yyyy-MM-dd", Inv))
          .Append(result.Previous is { } prev ? "; changes since the scoring of " + prev.ToString("yyyy-MM-dd", Inv) : "; no previous scoring to compare with")
          .Append(". ").Append(book.Accounts.Count.ToString(Inv)).Append(" accounts; amounts in ").Append(E(o.Currency.ToUpperInvariant())).Append(".</p>\n");
        Legend(sb, o);

        // Controls.
        var products = book.Accounts.SelectMany(a => a.Products).Select(p => (p.ProductId, p.ProductName)).Distinct().OrderBy(p => p.ProductName, StringComparer.Ordinal).ToList();
        sb.Append("<div class=\"controls\" role=\"search\">\n<label>Search <input id=\"search\" type=\"search\" placeholder=\"account name or id\"></label>\n");
        Select(sb, "f-grade", "grade", Enum.GetValues<Grade>().Select(g => (g.ToString(), g.ToString())));
        Select(sb, "f-focus", "focus", [("retain", "retain"), ("expand", "expand")]);
        Select(sb, "f-product", "product", products.Select(p => (p.ProductId.ToLowerInvariant(), p.ProductName)));
        Select(sb, "f-trend", "trend", [("risk rising", "risk rising"), ("risk falling", "risk falling"), ("expansion rising", "expansion rising"),
            ("expansion falling", "expansion falling"), ("steady", "steady"), ("new", "new")]);
        sb.Append("<span><b id=\"shown\">").Append(book.Accounts.Count.ToString(Inv)).Append("</b> of ").Append(book.Accounts.Count.ToString(Inv)).Append(" shown</span>\n</div>\n");

        // The list.
        var heads = new List<(string Head, string Key, string Type, string Title, bool Optional)>
        {
            ("#", "rank", "number", "rank in the book by priority", false), ("account", "name", "text", "click the name for the detail view, the arrow for its products", false),
            ("grade", "grade", "text", "grade within the book", false), ("trend", "trend", "text", "priority against the month before, read for the focus", false),
            ("priority", "priority", "number", "expected upsell + revenue at risk", false), ("since last scoring", "change", "number", "change in priority since the previous scoring", true),
            ("P(any churn)", "churn", "number", "probability that at least one product churns: 1 - product of (1 - P(churn))", false),
            ("P(any upsell)", "upsell", "number", "probability that at least one product expands: 1 - product of (1 - P(upsell))", true),
            ("expected upsell", "expected", "number", "sum over products of P(upsell) x expected upsell amount", true),
            ("revenue at risk", "risk", "number", "sum over products of P(churn) x run-rate x months at risk", true),
            ("focus", "focus", "text", "retain when revenue at risk outweighs expected upsell, expand otherwise", false),
        };
        if (clv) heads.Add(("lifetime value", "clv", "number", "customer lifetime value from the lifetime model", true));
        if (nba) heads.Add(("next best action", "action", "text", "what to do, from the actions analysis", false));
        heads.Add(("renewal", "renewal", "text", "next contract renewal date", true));
        heads.Add(("why", "", "text", "the first reason (what changed recently first)", true));
        sb.Append("<table id=\"book\">\n<thead><tr>");
        foreach (var h in heads)
            sb.Append("<th").Append(h.Key.Length == 0 ? "" : " data-sort=\"" + h.Key + "\" data-type=\"" + h.Type + "\"").Append(" title=\"").Append(E(h.Title)).Append('"')
              .Append(h.Optional ? " class=\"opt\"" : "").Append('>').Append(E(h.Head)).Append("</th>");
        sb.Append("</tr></thead>\n");
        foreach (var a in book.Accounts) AccountRows(sb, a, o, heads.Count, clv, nba, result.Previous is not null);
        sb.Append("</table>\n");

        Charts(sb, book.Summary, o);
        sb.Append("<div id=\"details\">\n");
        foreach (var a in book.Accounts) Detail(sb, result, a, o);
        sb.Append("</div>\n");
        return Tail(sb);
    }

    static void Select(StringBuilder sb, string id, string label, IEnumerable<(string Value, string Text)> options)
    {
        sb.Append("<label>").Append(E(label)).Append(" <select id=\"").Append(id).Append("\"><option value=\"\">all</option>");
        foreach (var (v, t) in options) sb.Append("<option value=\"").Append(E(v)).Append("\">").Append(E(t)).Append("</option>");
        sb.Append("</select></label>\n");
    }

    static void Legend(StringBuilder sb, BookPageOptions o)
    {
        var c = o.Priority.GradeCutoffs;
        string P(double x) => (100 * x).ToString("0", Inv) + "%";
        sb.Append("<div class=\"legend\"><b>Priority</b> = expected upsell + revenue at risk, in ").Append(E(o.Currency.ToUpperInvariant()))
          .Append(" over ").Append(o.Priority.RevenueAtRiskMonths.ToString(Inv)).Append(" months (probability &times; run-rate). <b>Grades</b> within the book by priority: ");
        Grade(sb, Analytics.Ranking.Grade.A); sb.Append(" top ").Append(P(c[0])).Append(", ");
        Grade(sb, Analytics.Ranking.Grade.B); sb.Append(" next ").Append(P(c[1] - c[0])).Append(", ");
        Grade(sb, Analytics.Ranking.Grade.C); sb.Append(" next ").Append(P(c[2] - c[1])).Append(", ");
        Grade(sb, Analytics.Ranking.Grade.D); sb.Append(" the rest. <b>Trend</b> (priority against the month before, beyond &plusmn;")
          .Append(P(o.Priority.TrendTolerance)).Append("): <span class=\"badge bad\">risk rising</span> <span class=\"badge good\">risk falling</span> ")
          .Append("<span class=\"badge good\">expansion rising</span> <span class=\"badge bad\">expansion falling</span> <span class=\"badge neutral\">steady</span> ")
          .Append("<span class=\"badge new\">new</span>. Probabilities are kept within ").Append(Pct(BatchScorer.ProbabilityFloor)).Append(" and ")
          .Append(Pct(1 - BatchScorer.ProbabilityFloor)).Append(".</div>\n");
    }

    static void AccountRows(StringBuilder sb, ScoredAccount a, BookPageOptions o, int columns, bool clv, bool nba, bool compared)
    {
        var p = a.Priority;
        var (trendText, _) = TrendMeaning(p);
        string anchor = AnchorOf(a.AccountId);
        string productIds = string.Join("|", a.Products.Select(x => x.ProductId.ToLowerInvariant()));
        double change = a.Previous is null ? double.NaN : p.Priority - a.Previous.Priority;
        var reason = a.FocusNarrative.ReasonsFor.Count > 0 ? a.FocusNarrative.ReasonsFor[0] : null;
        sb.Append("<tbody class=\"acct\" data-account=\"").Append(E(a.AccountId)).Append("\" data-rank=\"").Append(p.Rank.ToString(Inv))
          .Append("\" data-name=\"").Append(E((a.AccountName + " " + a.AccountId).ToLowerInvariant()))
          .Append("\" data-grade=\"").Append(p.Grade).Append("\" data-trend=\"").Append(E(trendText)).Append("\" data-focus=\"").Append(E(p.Focus.Name()))
          .Append("\" data-products=\"").Append(E(productIds)).Append("\" data-priority=\"").Append(Cents(p.Priority)).Append("\" data-change=\"").Append(Cents(change))
          .Append("\" data-churn=\"").Append(Prob(a.PAnyChurn)).Append("\" data-upsell=\"").Append(Prob(a.PAnyUpsell)).Append("\" data-expected=\"").Append(Cents(p.ExpectedUpsell))
          .Append("\" data-risk=\"").Append(Cents(p.RevenueAtRisk)).Append("\" data-clv=\"").Append(a.Clv is { } cv ? Cents(cv) : "")
          .Append("\" data-renewal=\"").Append(a.Context.RenewalDate is { } rd ? rd.ToString("yyyy-MM-dd", Inv) : "")
          .Append(a.NextAction is null ? "" : "\" data-action=\"" + E(a.NextAction.Action)).Append("\">\n<tr class=\"main\">");
        sb.Append("<td class=\"num\">").Append(p.Rank.ToString(Inv)).Append("</td>");
        sb.Append("<td><button class=\"expand\" type=\"button\" aria-expanded=\"false\" data-count=\"").Append(a.Products.Count.ToString(Inv))
          .Append(a.Products.Count == 1 ? " product" : " products").Append("\">&#9656; ").Append(a.Products.Count.ToString(Inv)).Append(a.Products.Count == 1 ? " product" : " products")
          .Append("</button><a class=\"name\" href=\"#").Append(anchor).Append("\">").Append(E(a.AccountName)).Append("</a> <small>").Append(E(a.AccountId)).Append("</small></td>");
        sb.Append("<td>"); Grade(sb, p.Grade);
        if (a.Previous is { } was && was.Grade != p.Grade) sb.Append(" <small>was ").Append(was.Grade).Append("</small>");
        sb.Append("</td><td>"); TrendBadge(sb, p); sb.Append("</td>");
        MoneyCell(sb, o, p.Priority, sortable: false);
        sb.Append("<td class=\"num opt\">").Append(a.Previous is null ? (compared ? "new" : "\u2013") : E(Change(o, a))).Append("</td>");
        PctCell(sb, a.PAnyChurn, "", sortable: false); // the book table sorts by the tbody's data-* attributes
        PctCell(sb, a.PAnyUpsell, "opt", sortable: false);
        MoneyCell(sb, o, p.ExpectedUpsell, "num opt", false);
        MoneyCell(sb, o, p.RevenueAtRisk, "num opt", false);
        sb.Append("<td>").Append(E(p.Focus.Name())).Append("</td>");
        if (clv) { if (a.Clv is { } c) MoneyCell(sb, o, c, "num opt", false); else sb.Append("<td class=\"num opt\">\u2013</td>"); }
        if (nba) sb.Append("<td>").Append(a.NextAction is { } na ? E(na.Action) + (na.Product is null ? "" : " <small>" + E(na.Product) + "</small>") : "\u2013").Append("</td>");
        sb.Append("<td class=\"opt date\">").Append(Date(a.Context.RenewalDate)).Append("</td>");
        sb.Append("<td class=\"opt why\">").Append(reason is null ? "\u2013" : (reason.WhyNow ? "<span class=\"whynow\">now:</span> " : "") + E(reason.Sentence)).Append("</td></tr>\n");
        // The product table itself is in the account's detail view; book.js copies it here (one copy per page, not two).
        sb.Append("<tr class=\"products-row\" hidden><td colspan=\"").Append(columns.ToString(Inv)).Append("\" data-products-of=\"").Append(anchor).Append("\"></td></tr>\n</tbody>\n");
    }

    static void ProductTable(StringBuilder sb, ScoredAccount a, BookPageOptions o)
    {
        // Its money cells carry no class: the stylesheet right-aligns columns 4-6 (table.products td:nth-child(n+4)).
        sb.Append("<table class=\"products\"><thead><tr><th>product</th><th>P(churn)</th><th>P(upsell)</th><th>run-rate / month</th><th>expected upsell</th><th>revenue at risk</th></tr></thead><tbody>");
        foreach (var p in a.Products)
        {
            sb.Append("<tr data-product=\"").Append(E(p.ProductId)).Append("\"><td>").Append(E(p.ProductName))
              .Append(p.ProductId == a.Priority.TopProduct ? " <small>(top)</small>" : "").Append("</td>");
            PctCell(sb, p.PChurn, "p-churn"); PctCell(sb, p.PUpsell, "p-upsell");
            MoneyCell(sb, o, p.RunRate, "", false); MoneyCell(sb, o, p.ExpectedUpsell, "", false); MoneyCell(sb, o, p.RevenueAtRisk, "", false);
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
    }

    static void Reasons(StringBuilder sb, string title, string css, IReadOnlyList<Reason> reasons)
    {
        sb.Append("<h3>").Append(E(title)).Append("</h3>");
        if (reasons.Count == 0) { sb.Append("<p class=\"note\">None that a rep can act on.</p>\n"); return; }
        sb.Append("<ul class=\"").Append(css).Append("\">");
        foreach (var r in reasons)
            sb.Append("<li>").Append(r.WhyNow ? "<span class=\"whynow\">now:</span> " : "").Append(E(r.Sentence))
              .Append(r.Support is null ? "" : "<br><span class=\"support\">" + E(r.Support) + "</span>").Append("</li>");
        sb.Append("</ul>\n");
    }

    static void Detail(StringBuilder sb, ScoringResult result, ScoredAccount a, BookPageOptions o)
    {
        var p = a.Priority;
        var n = a.FocusNarrative;
        var top = a.Products.First(x => x.ProductId == p.TopProduct);
        sb.Append("<section class=\"detail\" id=\"").Append(AnchorOf(a.AccountId)).Append("\">\n<p class=\"noprint\"><a href=\"#top\">&larr; back to the list</a></p>\n<h2>#")
          .Append(p.Rank.ToString(Inv)).Append(' ').Append(E(a.AccountName)).Append(" <small>").Append(E(a.AccountId)).Append("</small> ");
        Grade(sb, p.Grade); sb.Append(' '); TrendBadge(sb, p); sb.Append("</h2>\n<dl>");
        void Item(string term, string html) => sb.Append("<dt>").Append(E(term)).Append("</dt><dd>").Append(html).Append("</dd>");
        Item("focus", E(p.Focus.Name()) + " on " + E(top.ProductName) + " (" + E(n.Target) + " probability " + Pct(n.Probability) + ")");
        if (a.NextAction is { } na)
            Item("next best action", E(na.Action) + (na.Product is null ? "" : " on " + E(na.Product)) + ": " + E(na.Reason) + " (expected value " + E(Money(o, na.ExpectedValue)) + ")");
        Item("priority", E(Money(o, p.Priority)) + " = expected upsell " + E(Money(o, p.ExpectedUpsell)) + " + revenue at risk " + E(Money(o, p.RevenueAtRisk)));
        Item("P(any churn) / P(any upsell)", Pct(a.PAnyChurn) + " / " + Pct(a.PAnyUpsell));
        Item("since last scoring", a.Previous is { } was
            ? "grade " + was.Grade + " &rarr; " + p.Grade + ", priority " + E(Money(o, was.Priority)) + " &rarr; " + E(Money(o, p.Priority)) + " (scored " + Date(was.AsOf) + ")"
            : result.Previous is null ? "no previous scoring" : "not in the previous scoring");
        Item("lifetime value", a.Clv is { } clv ? E(Money(o, clv)) : "\u2013");
        Item("renewal", a.Context.RenewalDate is null ? "no active contract renewing" : Date(a.Context.RenewalDate) + " (" + E(a.Context.RenewalProduct) + ")");
        Item("last activity", a.Context.LastActivity is null ? "none recorded" : Date(a.Context.LastActivity) + " (" + E(a.Context.LastActivityType) + ")");
        sb.Append("</dl>\n");
        Reasons(sb, "Reasons for", "for", n.ReasonsFor);
        Reasons(sb, "Reasons against", "against", n.ReasonsAgainst);
        sb.Append("<h3>Products</h3>");
        ProductTable(sb, a, o);
        sb.Append("\n<h3>Spend and usage, last ").Append(a.Context.History.Count.ToString(Inv)).Append(" months</h3>\n");
        History(sb, a.Context.History, o);
        sb.Append("<h3>Open opportunities</h3>");
        if (a.Context.OpenOpportunities.Count == 0) sb.Append("<p class=\"note\">None.</p>\n");
        else
        {
            sb.Append("<table class=\"opps\"><thead><tr><th>opportunity</th><th>product</th><th>declared stage</th><th>amount</th><th>created</th></tr></thead><tbody>");
            foreach (var op in a.Context.OpenOpportunities)
            {
                sb.Append("<tr><td>").Append(E(op.OpportunityId)).Append("</td><td>").Append(E(op.ProductName)).Append("</td><td>").Append(E(op.Stage)).Append("</td>");
                MoneyCell(sb, o, op.Amount, sortable: false);
                sb.Append("<td>").Append(Date(op.CreatedDate)).Append("</td></tr>");
            }
            sb.Append("</tbody></table>\n");
        }
        sb.Append("</section>\n");
    }

    /// <summary>A small inline SVG: monthly spend as bars, active users as a line (each on its own scale). The page carries
    /// only the numbers (data-spend, data-users, data-from, data-to); the shared book.js draws the bars and the line, which
    /// keeps a rep's page about 1 KB per account smaller than drawing them here.</summary>
    static void History(StringBuilder sb, IReadOnlyList<HistoryPoint> history, BookPageOptions o)
    {
        if (history.Count == 0) { sb.Append("<p class=\"note\">No history.</p>\n"); return; }
        const double W = 480, H = 120;
        double maxSpend = Math.Max(1, history.Max(h => h.Spend));
        double maxUsers = Math.Max(1, history.Max(h => h.ActiveUsers ?? 0));
        sb.Append("<svg class=\"history\" fill=\"#9ecae1\" role=\"img\" viewBox=\"0 0 ").Append(W.ToString(Inv)).Append(' ').Append((H + 16).ToString(Inv))
          .Append("\" width=\"").Append(W.ToString(Inv)).Append("\" height=\"").Append((H + 16).ToString(Inv)).Append("\" data-spend=\"");
        for (int i = 0; i < history.Count; i++) sb.Append(i == 0 ? "" : ",").Append(Math.Round(history[i].Spend).ToString("0", Inv));
        sb.Append("\" data-users=\"");
        for (int i = 0; i < history.Count; i++) sb.Append(i == 0 ? "" : ",").Append(history[i].ActiveUsers is { } u ? Math.Round(u, 1).ToString("0.#", Inv) : "");
        sb.Append("\" data-from=\"").Append(history[0].Month.ToString("yyyy-MM", Inv)).Append("\" data-to=\"").Append(history[^1].Month.ToString("yyyy-MM", Inv))
          .Append("\"><title>Monthly spend (bars) and active users (line)</title></svg>\n<p class=\"note\">Bars: spend (peak ")
          .Append(E(Money(o, maxSpend))).Append(" a month); red line: active users (peak ").Append(maxUsers.ToString("N0", Inv)).Append(").</p>\n");
    }

    /// <summary>Priority by grade and value at stake by focus.</summary>
    static void Charts(StringBuilder sb, BookSummary summary, BookPageOptions o)
    {
        var grades = summary.PriorityByGrade.Select(g => g.Grade.ToString()).ToArray();
        var totals = summary.PriorityByGrade.Select(g => g.Priority).ToArray();
        var counts = summary.GradeCounts.Select(g => g.Count).ToArray();
        var byGrade = BookCharts.Bar("Where the value is: total priority by grade", "grade", "total priority (" + o.Currency.ToUpperInvariant() + ")", "priority",
            grades, totals, totals.Select((t, i) => Money(o, t) + " in " + counts[i].ToString(Inv) + " accounts").ToArray(),
            summary.PriorityByGrade.Select(g => BookReport.GradeColor(g.Grade)).ToArray());
        double[] stakes = [summary.RetainAtRisk, summary.ExpandUpsell];
        var byFocus = BookCharts.Bar("Value at stake by focus", "", o.Currency.ToUpperInvariant(), "value at stake", ["retain: revenue at risk", "expand: expected upsell"],
            stakes, stakes.Select(v => Money(o, v)).ToArray(), ["#cf222e", "#1a7f37"]);
        sb.Append("<h2 class=\"noprint\">Charts</h2>\n<div class=\"charts\">\n");
        foreach (var (id, chart) in new[] { ("priority-by-grade", byGrade), ("value-by-focus", byFocus) })
            sb.Append("<div id=\"").Append(id).Append("\" class=\"chart\" data-figure=\"").Append(id).Append("-figure\"></div>\n<script type=\"application/json\" id=\"")
              .Append(id).Append("-figure\">").Append(BookReport.ScriptJson(chart)).Append("</script>\n");
        sb.Append("</div>\n");
    }

    /// <summary>The manager's index page.</summary>
    public static string IndexHtml(ScoringResult result, BookPageOptions o)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(o);
        var all = result.Books.SelectMany(b => b.Accounts).ToList();
        var repOf = result.Books.SelectMany(b => b.Accounts.Select(a => (a.AccountId, b))).ToDictionary(x => x.AccountId, x => x.b, StringComparer.Ordinal);
        var team = BookSummary.Of(all);
        var sb = new StringBuilder();
        Head(sb, $"Team overview: {result.ModelName} as of {result.AsOf:yyyy-MM-dd}");
        sb.Append("<h1>Team overview</h1>\n<p class=\"meta\">Model <b>").Append(E(result.ModelName)).Append("</b>, as of ").Append(result.AsOf.ToString("yyyy-MM-dd", Inv))
          .Append(result.Previous is { } prev ? ", compared with the scoring of " + prev.ToString("yyyy-MM-dd", Inv) : ", no previous scoring to compare with")
          .Append(". Amounts in ").Append(E(o.Currency.ToUpperInvariant())).Append(".</p>\n");
        if (result.UnassignedAccounts > 0)
            sb.Append("<p class=\"note\"><b>").Append(result.UnassignedAccounts.ToString(Inv)).Append(" accounts have no owner</b> at the as-of date and sit in the \"")
              .Append(E(RepBooks.Unassigned)).Append("\" book: supply a reps table and rep-account assignments (reps.csv, rep_accounts.csv) or map an owner column (docs/mapping.md).</p>\n");
        sb.Append("<div class=\"cards\">");
        void Card(string label, string value) => sb.Append("<div class=\"card\"><b>").Append(E(value)).Append("</b>").Append(E(label)).Append("</div>");
        Card("reps", result.Books.Count.ToString(Inv));
        Card("accounts", all.Count.ToString(Inv));
        Card("total priority", Money(o, team.TotalPriority));
        Card("revenue at risk", Money(o, team.RevenueAtRisk));
        Card("expected upsell", Money(o, team.ExpectedUpsell));
        Card("A-grade accounts", team.GradeCounts[0].Count.ToString(Inv));
        sb.Append("</div>\n");

        string AccountLink(ScoredAccount a) => "<a href=\"" + E(BookReport.RepFileName(repOf[a.AccountId].RepId)) + "#" + AnchorOf(a.AccountId) + "\">" + E(a.AccountName) + "</a>";
        sb.Append("<h2>Top accounts across all books</h2>\n<table id=\"top-accounts\" class=\"sortable\"><thead><tr><th data-type=\"number\">#</th><th>account</th><th>rep</th><th>grade</th><th>trend</th>")
          .Append("<th data-type=\"number\">priority</th><th data-type=\"number\">P(any churn)</th><th>focus</th><th>why</th></tr></thead><tbody>\n");
        int k = 0;
        foreach (var a in result.Accounts.Take(15))
        {
            sb.Append("<tr><td class=\"num\">").Append((++k).ToString(Inv)).Append("</td><td>").Append(AccountLink(a)).Append("</td><td>").Append(E(repOf[a.AccountId].RepName)).Append("</td><td>");
            Grade(sb, a.Priority.Grade); sb.Append("</td><td>"); TrendBadge(sb, a.Priority); sb.Append("</td>");
            MoneyCell(sb, o, a.Priority.Priority); PctCell(sb, a.PAnyChurn, "");
            sb.Append("<td>").Append(E(a.Priority.Focus.Name())).Append("</td><td>").Append(E(a.FocusNarrative.ReasonsFor.Count > 0 ? a.FocusNarrative.ReasonsFor[0].Sentence : "\u2013")).Append("</td></tr>\n");
        }
        sb.Append("</tbody></table>\n");

        sb.Append("<h2>Since the last scoring</h2>\n");
        if (result.Previous is null)
            sb.Append("<p class=\"note\" id=\"no-previous\">No previous scoring to compare with. Scoring again into the same output folder, or with <code>--previous DIR</code>, shows new A grades and the biggest movers here.</p>\n");
        else
        {
            var newA = BookComparison.NewAGrades(result);
            sb.Append("<h3>New A grades (").Append(newA.Count.ToString(Inv)).Append(")</h3>\n<ul id=\"new-a\">");
            foreach (var (a, _) in newA.Take(20))
                sb.Append("<li>").Append(AccountLink(a)).Append(" <small>").Append(E(repOf[a.AccountId].RepName)).Append(", was ")
                  .Append(a.Previous is null ? "not scored" : a.Previous.Grade.ToString()).Append(", priority ").Append(E(Money(o, a.Priority.Priority))).Append("</small></li>");
            sb.Append("</ul>\n<h3>Biggest movers</h3>\n<table id=\"movers\"><thead><tr><th>account</th><th>rep</th><th>grade</th><th>priority then</th><th>priority now</th><th>change</th></tr></thead><tbody>\n");
            foreach (var m in BookComparison.Movers(result))
            {
                sb.Append("<tr><td>").Append(AccountLink(m.Account)).Append("</td><td>").Append(E(repOf[m.Account.AccountId].RepName)).Append("</td><td>")
                  .Append(m.Previous.Grade).Append(" &rarr; ").Append(m.Account.Priority.Grade).Append("</td>");
                MoneyCell(sb, o, m.Previous.Priority); MoneyCell(sb, o, m.Account.Priority.Priority);
                sb.Append("<td class=\"num\" data-value=\"").Append(Raw(m.Change)).Append("\">").Append(E(Change(o, m.Account))).Append("</td></tr>\n");
            }
            sb.Append("</tbody></table>\n");
        }

        sb.Append("<h2>Reps by value at risk</h2>\n<table class=\"sortable\" id=\"reps\">\n<thead><tr>");
        foreach (var (h, type) in new[] { ("rep", "text"), ("accounts", "number"), ("A", "number"), ("B", "number"), ("C", "number"), ("D", "number"),
            ("risk rising", "number"), ("revenue at risk", "number"), ("expected upsell", "number"), ("total priority", "number") })
            sb.Append("<th data-type=\"").Append(type).Append("\">").Append(E(h)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var b in result.Books.OrderByDescending(b => b.Summary.RevenueAtRisk).ThenBy(b => b.RepId, StringComparer.Ordinal))
        {
            var s = b.Summary;
            sb.Append("<tr><td><a href=\"").Append(E(BookReport.RepFileName(b.RepId))).Append("\">").Append(E(b.RepName)).Append("</a> <small>").Append(E(b.RepId)).Append("</small></td>");
            BookReport.NumberCell(sb, s.Accounts, "0");
            foreach (var (_, count) in s.GradeCounts) BookReport.NumberCell(sb, count, "0");
            BookReport.NumberCell(sb, b.Accounts.Count(a => TrendMeaning(a.Priority).Css == "bad" && a.Priority.Focus == AccountFocus.Retain), "0");
            MoneyCell(sb, o, s.RevenueAtRisk); MoneyCell(sb, o, s.ExpectedUpsell); MoneyCell(sb, o, s.TotalPriority);
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody></table>\n");
        Charts(sb, team, o);
        ModelCardHtml(sb, result, o);
        return Tail(sb);
    }

    static void ModelCardHtml(StringBuilder sb, ScoringResult result, BookPageOptions o)
    {
        sb.Append("<h2>Model card</h2>\n<dl id=\"model-card\" class=\"detail\" style=\"display:grid\">");
        void Item(string term, string text) => sb.Append("<dt>").Append(E(term)).Append("</dt><dd>").Append(E(text)).Append("</dd>");
        var card = o.ModelCard;
        Item("model", result.ModelName);
        Item("run", card?.RunId is null ? "unknown" : card.RunId + (card.RunName is null ? "" : " (" + card.RunName + ")"));
        Item("trained", card?.TrainedUtc is { } t ? t.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv) : "unknown");
        Item("promoted", card?.PromotedUtc is { } pr ? pr.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv) : "unknown");
        Item("training data", card?.TrainingData ?? "unknown");
        Item("scored data", (o.DataLastMonth is { } last ? "last month " + last.ToString("yyyy-MM", Inv) + ", " : "") + "scored as of " + result.AsOf.ToString("yyyy-MM-dd", Inv)
            + (o.DataLastMonth is { } l2 && result.AsOf > l2.AddMonths(2) ? " (the data is more than a month old)" : ""));
        if (card is not null && card.Floors.Count > 0)
            Item("floors", $"{card.Floors.Count(f => f.Met)} of {card.Floors.Count} met: " + string.Join("; ", card.Floors.Select(f =>
                $"{f.Metric} {f.Value.ToString("0.###", Inv)} {(f.Met ? ">=" : "<")} {f.Floor.ToString("0.###", Inv)}")));
        else Item("floors", "none recorded");
        sb.Append("</dl>\n");
        if (card is not null && card.Metrics.Count > 0)
        {
            sb.Append("<p class=\"note\">Test metrics on the held-out months, beside the baselines the run measured (sort by current spend, by usage drop, random) and, on generated data, the oracle.</p>\n")
              .Append("<table class=\"sortable\" id=\"metrics\"><thead><tr><th>metric</th><th data-type=\"number\">value</th></tr></thead><tbody>\n");
            foreach (var (m, v) in card.Metrics) { sb.Append("<tr><td>").Append(E(m)).Append("</td>"); BookReport.NumberCell(sb, v, "0.###"); sb.Append("</tr>\n"); }
            sb.Append("</tbody></table>\n");
        }
    }
}
