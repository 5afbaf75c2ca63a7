using System.Buffers;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
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
/// when its link is followed. The detail views, the products under each row and its "why" cell are drawn by the shared
/// book.js from one compact JSON element per page (<see cref="DetailsJson"/>), which keeps a page about half the size of
/// pre-rendered HTML (the report at 100,000 accounts was over 300 MB). The manager's index gives team totals, the top accounts across books, new A grades and
/// movers since the previous scoring, reps by value at risk, and the model card. Every text from the data is HTML-escaped;
/// book.js sets data texts as text, never as markup; pages run no inline script (book.js is shared) and chart figures and
/// detail data sit in JSON script elements escaped by
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
    static string Prob(double v) => !double.IsFinite(v) ? "" : Fast(v, 10) ?? Math.Round(v, 10).ToString("0.##########", Inv);

    /// <summary>Math.Round(v, decimals) as the custom format "0.##..." writes it, from its integer (NumberText: the same text
    /// without the runtime's Dragon4 fallback, a large share of the pages' CPU at 100,000 accounts); null where it declines.</summary>
    static string? Fast(double v, int decimals)
    {
        Span<char> text = stackalloc char[48];
        return NumberText.TryFormatOptionalDecimals(v, decimals, text, out int n) ? new string(text[..n]) : null;
    }
    static string Date(DateOnly? d) => d is { } x ? x.ToString("yyyy-MM-dd", Inv) : "\u2013";

    static void Head(StringBuilder sb, string title)
    {
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
          .Append(E(title)).Append("</title>\n<link rel=\"stylesheet\" href=\"").Append(BookReport.StyleFile).Append("\">\n")
          .Append("<script src=\"").Append(BookReport.PlotlyFile).Append("\"></script>\n</head>\n<body id=\"top\">\n");
    }

    static string Tail(StringBuilder sb) => sb.Append("<script src=\"").Append(BookReport.ScriptFile).Append("\"></script>\n</body>\n</html>\n").ToString();

    static string Money(BookPageOptions o, double v)
    {
        if (!double.IsFinite(v)) return "\u2013";
        // "N0" of the absolute value from its rounded integer (NumberText, the same text) rather than the runtime's formatting.
        Span<char> digits = stackalloc char[32];
        return NumberText.TryFormatGroupedInteger(Math.Abs(v), digits, out int n)
            ? string.Concat(v < 0 ? "-" : "", o.Symbol, digits[..n])
            : (v < 0 ? "-" : "") + o.Symbol + Math.Abs(v).ToString("N0", Inv);
    }

    /// <summary>A money cell; <paramref name="sortable"/> adds the value (to the cent) for the index's sortable tables (a rep's
    /// list sorts on its row group's attributes instead).</summary>
    static void MoneyCell(StringBuilder sb, BookPageOptions o, double v, string css = "num", bool sortable = true)
    {
        sb.Append("<td");
        if (css.Length > 0) sb.Append(" class=\"").Append(css).Append('"');
        if (sortable) sb.Append(" data-value=\"").Append(Cents(v)).Append('"');
        sb.Append('>').Append(E(Money(o, v))).Append("</td>");
    }

    static string Cents(double v) => !double.IsFinite(v) ? "" : Fast(v, 2) ?? Math.Round(v, 2).ToString("0.##", Inv);

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

    /// <summary>One rep's page (the text of <see cref="WriteRepHtml"/>).</summary>
    public static string RepHtml(ScoringResult result, ScoredBook book, BookPageOptions o)
    {
        using var bytes = new MemoryStream();
        WriteRepHtml(bytes, result, book, o);
        return Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
    }

    static readonly UTF8Encoding Utf8NoBom = new(false);

    /// <summary>One rep's page written to <paramref name="stream"/> as UTF-8 (no byte-order mark): the list as text, then the
    /// details JSON, most of the page, copied from the JSON writer's bytes with <see cref="BookReport.ScriptJson"/>'s escapes
    /// applied to the bytes (no UTF-16 copy of it, no page-sized string).</summary>
    public static void WriteRepHtml(Stream stream, ScoringResult result, ScoredBook book, BookPageOptions o)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(book);
        ArgumentNullException.ThrowIfNull(o);
        bool clv = book.Accounts.Any(a => a.Clv is not null), nba = book.Accounts.Any(a => a.NextAction is not null);
        // One builder per thread kept from page to page (a page's builder, sized for its list at under 1 KB of text per
        // account, was a large-object allocation per page: 834 of them at 100,000 accounts).
        var sb = pageText ?? new StringBuilder(book.Accounts.Count * 1024 + 16384);
        pageText = null; // a page that throws leaves no half-written builder behind for the next one
        sb.Clear();
        sb.EnsureCapacity(book.Accounts.Count * 1024 + 16384);
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
        foreach (var a in book.Accounts) AccountRows(sb, a, o, clv, nba, result.Previous is not null);
        sb.Append("</table>\n");

        Charts(sb, book.Summary, o);
        sb.Append("<div id=\"details\" data-previous=\"").Append(result.Previous is null ? "no" : "yes").Append("\"></div>\n<script type=\"application/json\" id=\"details-data\">");
        // The text encoded chunk by chunk through one encoder and byte buffer per thread (a StreamWriter per page allocated
        // two large buffers per page); the same bytes as a StreamWriter with UTF-8 without a byte-order mark.
        var encoder = pageEncoder ??= Utf8NoBom.GetEncoder();
        var bytes = pageBytes ??= new byte[1 << 15];
        encoder.Reset();
        foreach (var chunk in sb.GetChunks()) Encode(stream, encoder, bytes, chunk.Span, flush: false);
        Encode(stream, encoder, bytes, [], flush: true); // the text so far is ASCII at its end, so no character is split here
        DetailsJson(stream, result, book, o);
        stream.Write(PageEnd);
        // Kept for the next page on this thread unless it grew past a few MB (one huge book, e.g. every account unassigned).
        if (sb.Capacity <= 1 << 22) pageText = sb;
    }

    [ThreadStatic] static StringBuilder? pageText;
    [ThreadStatic] static Encoder? pageEncoder;
    [ThreadStatic] static byte[]? pageBytes;
    /// <summary>What follows the details JSON: the end of its script element and the page's tail (ASCII).</summary>
    static readonly byte[] PageEnd = Encoding.UTF8.GetBytes("</script>\n" + Tail(new StringBuilder()));

    internal static void Encode(Stream stream, Encoder encoder, byte[] bytes, ReadOnlySpan<char> chars, bool flush)
    {
        while (true)
        {
            encoder.Convert(chars, bytes, flush, out int used, out int written, out bool completed);
            stream.Write(bytes, 0, written);
            chars = chars[used..];
            // Without flush a high surrogate at a chunk's end stays in the encoder (not "completed"): done once the input is used.
            if (chars.IsEmpty && (completed || !flush)) return;
        }
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

    static void AccountRows(StringBuilder sb, ScoredAccount a, BookPageOptions o, bool clv, bool nba, bool compared)
    {
        var p = a.Priority;
        var (trendText, _) = TrendMeaning(p);
        string anchor = AnchorOf(a.AccountId);
        string productIds = string.Join("|", a.Products.Select(x => x.ProductId.ToLowerInvariant()));
        double change = a.Previous is null ? double.NaN : p.Priority - a.Previous.Priority;
        sb.Append("<tbody class=\"acct\" data-account=\"").Append(E(a.AccountId)).Append("\" data-rank=\"").Append(p.Rank.ToString(Inv))
          .Append("\" data-grade=\"").Append(p.Grade).Append("\" data-trend=\"").Append(E(trendText)).Append("\" data-focus=\"").Append(E(p.Focus.Name()))
          .Append("\" data-products=\"").Append(E(productIds)).Append("\" data-priority=\"").Append(Cents(p.Priority))
          .Append(double.IsFinite(change) ? "\" data-change=\"" + Cents(change) : "") // an absent value sorts as empty
          .Append("\" data-churn=\"").Append(Prob(a.PAnyChurn)).Append("\" data-upsell=\"").Append(Prob(a.PAnyUpsell)).Append("\" data-expected=\"").Append(Cents(p.ExpectedUpsell))
          .Append("\" data-risk=\"").Append(Cents(p.RevenueAtRisk)).Append(a.Clv is { } cv ? "\" data-clv=\"" + Cents(cv) : "")
          .Append("\" data-renewal=\"").Append(a.Context.RenewalDate is { } rd ? rd.ToString("yyyy-MM-dd", Inv) : "")
          .Append(a.NextAction is null ? "" : "\" data-action=\"" + E(a.NextAction.Action)).Append("\">\n<tr class=\"main\">");
        sb.Append("<td class=\"num\">").Append(p.Rank.ToString(Inv)).Append("</td>");
        // book.js adds the products button and the hidden products row (their table is in the account's detail data).
        sb.Append("<td><a class=\"name\" href=\"#").Append(anchor).Append("\">").Append(E(a.AccountName)).Append("</a> <small>").Append(E(a.AccountId)).Append("</small></td>");
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
        sb.Append("<td class=\"opt why\"></td></tr>\n"); // book.js writes the first reason from the account's detail data (held once)
        sb.Append("</tbody>\n");
    }

    /// <summary>
    /// The detail views of a rep's accounts as one compact JSON array (in the list's order) that the shared book.js turns
    /// into the same sections at load: reasons, the product table (also copied into the list row), the spend and usage
    /// history, open opportunities and the facts of the account. Pre-rendered HTML was about 3.3 KB per account, most of the
    /// report at 100,000 accounts; what the list row already shows (rank, name, id, badges, priority, probabilities) is read
    /// from the row instead of being written twice. Texts go in as JSON strings and book.js sets them as text, never as
    /// markup; <see cref="BookReport.ScriptJson"/> keeps the script element closed.
    /// Keys: f focus, n next best action, s since last scoring, c lifetime value, r renewal, l last activity, rf/ra reasons for
    /// and against ([sentence, support, why now]), p products ([id, name, P(churn), P(upsell), run-rate, expected upsell,
    /// revenue at risk]), t index of the top product, h history ([from, to, spend, users, peak spend, peak users]), o open
    /// opportunities ([id, product, stage, amount, created]).
    /// </summary>
    static void DetailsJson(Stream stream, ScoringResult result, ScoredBook book, BookPageOptions o)
    {
        // One buffer per thread, kept from page to page (no page-sized array grown and copied for each page).
        var buffer = detailsBuffer ??= new ArrayBufferWriter<byte>(1 << 20);
        buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartArray();
            foreach (var a in book.Accounts) DetailJson(w, result, a, o);
            w.WriteEndArray();
        }
        WriteScriptJson(stream, buffer.WrittenSpan);
    }

    [ThreadStatic] static ArrayBufferWriter<byte>? detailsBuffer;
    static readonly SearchValues<byte> ScriptJsonSpecial = SearchValues.Create([(byte)'<', (byte)'>', (byte)'&', (byte)0xE2]);

    /// <summary>UTF-8 JSON bytes written with <see cref="BookReport.ScriptJson"/>'s escapes: '&lt;', '&gt;', '&amp;' and
    /// U+2028, U+2029 (E2 80 A8, E2 80 A9 in UTF-8) as \u escapes; every other byte as is (the same bytes as decoding,
    /// escaping the text and encoding it again).</summary>
    internal static void WriteScriptJson(Stream stream, ReadOnlySpan<byte> json)
    {
        while (!json.IsEmpty)
        {
            int at = json.IndexOfAny(ScriptJsonSpecial);
            if (at < 0) { stream.Write(json); return; }
            stream.Write(json[..at]);
            byte b = json[at];
            ReadOnlySpan<byte> escape = b switch
            {
                (byte)'<' => "\\u003c"u8,
                (byte)'>' => "\\u003e"u8,
                (byte)'&' => "\\u0026"u8,
                _ when json.Length >= at + 3 && json[at + 1] == 0x80 && json[at + 2] == 0xA8 => "\\u2028"u8,
                _ when json.Length >= at + 3 && json[at + 1] == 0x80 && json[at + 2] == 0xA9 => "\\u2029"u8,
                _ => default,
            };
            if (escape.IsEmpty) { stream.Write(json.Slice(at, 1)); json = json[(at + 1)..]; continue; }
            stream.Write(escape);
            json = json[(at + (b == 0xE2 ? 3 : 1))..];
        }
    }

    static void DetailJson(Utf8JsonWriter w, ScoringResult result, ScoredAccount a, BookPageOptions o)
    {
        var p = a.Priority;
        var n = a.FocusNarrative;
        var top = a.Products.First(x => x.ProductId == p.TopProduct);
        w.WriteStartObject();
        w.WriteString("f", p.Focus.Name() + " on " + top.ProductName + " (" + n.Target + " probability " + Pct(n.Probability) + ")");
        if (a.NextAction is { } na)
            w.WriteString("n", na.Action + (na.Product is null ? "" : " on " + na.Product) + ": " + na.Reason + " (expected value " + Money(o, na.ExpectedValue) + ")");
        if (a.Previous is { } was)
            w.WriteString("s", "grade " + was.Grade + " \u2192 " + p.Grade + ", priority " + Money(o, was.Priority) + " \u2192 " + Money(o, p.Priority) + " (scored " + Date(was.AsOf) + ")");
        if (a.Clv is { } clv) w.WriteString("c", Money(o, clv));
        if (a.Context.RenewalDate is not null) w.WriteString("r", Date(a.Context.RenewalDate) + " (" + a.Context.RenewalProduct + ")");
        if (a.Context.LastActivity is not null) w.WriteString("l", Date(a.Context.LastActivity) + " (" + a.Context.LastActivityType + ")");
        ReasonsJson(w, "rf", n.ReasonsFor);
        ReasonsJson(w, "ra", n.ReasonsAgainst);
        w.WriteStartArray("p");
        int topIndex = 0;
        for (int i = 0; i < a.Products.Count; i++)
        {
            var x = a.Products[i];
            if (x.ProductId == p.TopProduct) topIndex = i;
            w.WriteStartArray();
            w.WriteStringValue(x.ProductId); w.WriteStringValue(x.ProductName);
            Number(w, x.PChurn); Number(w, x.PUpsell); // full doubles: the page's P(churn), P(upsell) cells carry them for sorting and checks
            w.WriteStringValue(Money(o, x.RunRate)); w.WriteStringValue(Money(o, x.ExpectedUpsell)); w.WriteStringValue(Money(o, x.RevenueAtRisk));
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteNumber("t", topIndex);
        var history = a.Context.History;
        if (history.Count > 0)
        {
            w.WriteStartArray("h");
            w.WriteStringValue(history[0].Month.ToString("yyyy-MM", Inv)); w.WriteStringValue(history[^1].Month.ToString("yyyy-MM", Inv));
            JoinedHistory(w, history, users: false);
            JoinedHistory(w, history, users: true);
            w.WriteStringValue(Money(o, Math.Max(1, history.Max(h => h.Spend))));
            w.WriteStringValue(Math.Max(1, history.Max(h => h.ActiveUsers ?? 0)).ToString("N0", Inv));
            w.WriteEndArray();
        }
        if (a.Context.OpenOpportunities.Count > 0)
        {
            w.WriteStartArray("o");
            foreach (var op in a.Context.OpenOpportunities)
            {
                w.WriteStartArray();
                w.WriteStringValue(op.OpportunityId); w.WriteStringValue(op.ProductName); w.WriteStringValue(op.Stage);
                w.WriteStringValue(Money(o, op.Amount)); w.WriteStringValue(Date(op.CreatedDate));
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>The history's spend (rounded, "0") or active users (one decimal, "0.#", empty when unknown) joined by commas as
    /// one JSON string, formatted into a stack buffer (the same text as string.Join of each value's ToString, without a string
    /// per month); a value too long for the buffer falls back to string.Join.</summary>
    static void JoinedHistory(Utf8JsonWriter w, IReadOnlyList<HistoryPoint> history, bool users)
    {
        Span<char> text = stackalloc char[history.Count * 24 + 8];
        int at = 0;
        for (int i = 0; i < history.Count; i++)
        {
            if (i > 0) text[at++] = ',';
            var h = history[i];
            int n = 0;
            // NumberText first (the same text from the value's integer; the runtime's custom formats fall back to Dragon4).
            bool ok = users
                ? h.ActiveUsers is not { } u || NumberText.TryFormatTenths(u, text[at..^1], out n) || Math.Round(u, 1).TryFormat(text[at..^1], out n, "0.#", Inv)
                : NumberText.TryFormatIntegral(Math.Round(h.Spend), text[at..^1], out n) || Math.Round(h.Spend).TryFormat(text[at..^1], out n, "0", Inv);
            if (!ok)
            {
                w.WriteStringValue(users ? string.Join(",", history.Select(x => x.ActiveUsers is { } v ? Math.Round(v, 1).ToString("0.#", Inv) : ""))
                    : string.Join(",", history.Select(x => Math.Round(x.Spend).ToString("0", Inv))));
                return;
            }
            at += n;
        }
        w.WriteStringValue(text[..at]);
    }

    static void Number(Utf8JsonWriter w, double v) { if (double.IsFinite(v)) w.WriteNumberValue(v); else w.WriteNullValue(); }

    static void ReasonsJson(Utf8JsonWriter w, string key, IReadOnlyList<Reason> reasons)
    {
        w.WriteStartArray(key);
        foreach (var r in reasons)
        {
            w.WriteStartArray();
            w.WriteStringValue(r.Sentence);
            if (r.Support is null) w.WriteNullValue(); else w.WriteStringValue(r.Support);
            w.WriteNumberValue(r.WhyNow ? 1 : 0);
            w.WriteEndArray();
        }
        w.WriteEndArray();
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
