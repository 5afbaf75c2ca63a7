using Workbench.Analytics.Explanation;
using Workbench.Analytics.Scoring;
using Workbench.Analytics.Ranking;

namespace Workbench.Experiments.Scoring;

/// <summary>The scored book as book.csv (one line per account, every text cell through <see cref="CsvText"/> so a
/// spreadsheet runs no formula), book-products.csv (one line per account-product) and book.json (reps, accounts, products,
/// reasons with their statistics, history, renewal, activity, opportunities): the same fields the pages show.</summary>
public static class BookFiles
{
    static readonly System.Globalization.CultureInfo C = RunContext.Culture;
    static string Money(double v) => double.IsFinite(v) ? CsvText.Number(Math.Round(v, 2)) : "";
    static string P(double v) => CsvText.Number(Math.Round(v, 4));
    static string D(DateOnly? d) => d is { } x ? x.ToString("yyyy-MM-dd", C) : "";

    /// <summary>book.csv columns, in order (then reason_for_i / reason_for_i_support and reason_against_i / reason_against_i_support).</summary>
    public static readonly IReadOnlyList<string> AccountColumns =
    [
        "rep_id", "rep_name", "account_id", "account_name", "as_of", "rank", "grade", "previous_grade", "trend", "trend_meaning", "priority",
        "previous_month_priority", "previous_scoring_priority", "priority_change", "p_any_churn", "p_any_upsell", "expected_upsell", "revenue_at_risk",
        "focus", "top_product", "products", "clv", "next_action", "next_action_product", "next_action_value", "renewal_date", "renewal_product",
        "last_activity", "last_activity_type", "open_opportunities", "open_opportunity_amount",
    ];

    /// <summary>book.csv: one line per account with the columns of <see cref="AccountColumns"/> and the focus narrative's reasons.
    /// p_any_churn = 1 - prod(1 - P(churn)) over the account's products (p_any_upsell likewise); expected_upsell and
    /// revenue_at_risk are sums over its products; priority = their sum.</summary>
    public static string Csv(ScoringResult result, NarrativeOptions narratives)
    {
        ArgumentNullException.ThrowIfNull(result);
        var header = new List<string>(AccountColumns);
        for (int i = 1; i <= narratives.TopReasonsFor; i++) { header.Add($"reason_for_{i}"); header.Add($"reason_for_{i}_support"); }
        for (int i = 1; i <= narratives.TopReasonsAgainst; i++) { header.Add($"reason_against_{i}"); header.Add($"reason_against_{i}_support"); }
        return CsvText.Table(header, result.Books.SelectMany(book => book.Accounts.Select(a =>
        {
            var p = a.Priority;
            var top = a.Products.First(x => x.ProductId == p.TopProduct);
            var cells = new List<string>
            {
                CsvText.Cell(book.RepId), CsvText.Cell(book.RepName), CsvText.Cell(a.AccountId), CsvText.Cell(a.AccountName),
                p.AsOf.ToString("yyyy-MM-dd", C), p.Rank.ToString(C), p.Grade.ToString(), a.Previous?.Grade.ToString() ?? "",
                p.Trend.ToString().ToLowerInvariant(), TrendReading.Of(p).Text,
                Money(p.Priority), Money(p.PreviousPriority), a.Previous is null ? "" : Money(a.Previous.Priority),
                a.Previous is null ? "" : Money(p.Priority - a.Previous.Priority),
                P(a.PAnyChurn), P(a.PAnyUpsell), Money(p.ExpectedUpsell), Money(p.RevenueAtRisk),
                CsvText.Cell(p.Focus.Name()), CsvText.Cell(top.ProductName), a.Products.Count.ToString(C),
                a.Clv is { } clv ? Money(clv) : "", CsvText.Cell(a.NextAction?.Action ?? ""), CsvText.Cell(a.NextAction?.Product ?? ""),
                a.NextAction is { } na ? Money(na.ExpectedValue) : "",
                D(a.Context.RenewalDate), CsvText.Cell(a.Context.RenewalProduct ?? ""), D(a.Context.LastActivity), CsvText.Cell(a.Context.LastActivityType ?? ""),
                a.Context.OpenOpportunities.Count.ToString(C), Money(a.Context.OpenOpportunities.Sum(o => o.Amount)),
            };
            var n = a.FocusNarrative;
            for (int i = 0; i < narratives.TopReasonsFor; i++)
            { cells.Add(CsvText.Cell(i < n.ReasonsFor.Count ? n.ReasonsFor[i].Sentence : "")); cells.Add(CsvText.Cell(i < n.ReasonsFor.Count ? n.ReasonsFor[i].Support ?? "" : "")); }
            for (int i = 0; i < narratives.TopReasonsAgainst; i++)
            { cells.Add(CsvText.Cell(i < n.ReasonsAgainst.Count ? n.ReasonsAgainst[i].Sentence : "")); cells.Add(CsvText.Cell(i < n.ReasonsAgainst.Count ? n.ReasonsAgainst[i].Support ?? "" : "")); }
            return cells;
        })));
    }

    /// <summary>book-products.csv: one line per account-product with its own probabilities and money (what a row expands to).</summary>
    public static string ProductsCsv(ScoringResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string[] header = ["rep_id", "account_id", "account_name", "product_id", "product_name", "is_top_product", "p_churn", "p_upsell", "run_rate", "expected_upsell", "revenue_at_risk"];
        return CsvText.Table(header, result.Books.SelectMany(book => book.Accounts.SelectMany(a => a.Products.Select(p => (IReadOnlyList<string>)
        [
            CsvText.Cell(book.RepId), CsvText.Cell(a.AccountId), CsvText.Cell(a.AccountName), CsvText.Cell(p.ProductId), CsvText.Cell(p.ProductName),
            p.ProductId == a.Priority.TopProduct ? "true" : "false", P(p.PChurn), P(p.PUpsell), Money(p.RunRate), Money(p.ExpectedUpsell), Money(p.RevenueAtRisk),
        ]))).Select(x => x.ToList()));
    }

    /// <summary>book.json: the model, dates and every rep's ranked accounts with the page's fields (written with a
    /// <see cref="Utf8JsonWriter"/>: no reflection; numbers rounded to 10 decimals, NaN as null).</summary>
    public static string JsonText(ScoringResult result)
    {
        var buffer = new System.IO.MemoryStream();
        WriteJson(result, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>book.json written straight to <paramref name="stream"/> (the same bytes as <see cref="JsonText"/>), flushed
    /// after every rep's book so no copy of the whole document is held in memory.</summary>
    public static void WriteJson(ScoringResult result, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(stream);
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            void Num(string name, double v) { if (double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, 10)); else w.WriteNull(name); }
            void Str(string name, string? v) { if (v is null) w.WriteNull(name); else w.WriteString(name, v); }
            void Reasons(string name, IEnumerable<Reason> reasons)
            {
                w.WriteStartArray(name);
                foreach (var r in reasons)
                {
                    w.WriteStartObject();
                    Str("concept", r.Concept); Str("feature", r.Lead); Str("sentence", r.Sentence); Str("support", r.Support); Num("contribution", r.Contribution);
                    w.WriteBoolean("why_now", r.WhyNow); w.WriteBoolean("is_context", r.IsContext);
                    w.WriteStartArray("features");
                    foreach (var f in r.Features) { w.WriteStartObject(); Str("feature", f.Feature); Num("value", f.Value); Num("contribution", f.Contribution); w.WriteEndObject(); }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteStartObject();
            Str("model", result.ModelName);
            Str("clv_model", result.ClvModel);
            Str("as_of", result.AsOf.ToString("yyyy-MM-dd", C));
            Str("previous_as_of", result.PreviousAsOf.ToString("yyyy-MM-dd", C));
            Str("previous_scoring_as_of", result.Previous?.ToString("yyyy-MM-dd", C));
            Num("probability_floor", BatchScorer.ProbabilityFloor);
            w.WriteNumber("reps", result.Books.Count);
            w.WriteNumber("accounts", result.AccountCount);
            w.WriteNumber("unassigned_accounts", result.UnassignedAccounts);
            w.WriteStartArray("books");
            foreach (var b in result.Books)
            {
                w.WriteStartObject();
                Str("rep_id", b.RepId); Str("rep_name", b.RepName);
                w.WriteStartArray("accounts");
                foreach (var a in b.Accounts)
                {
                    var p = a.Priority;
                    w.WriteStartObject();
                    w.WriteNumber("rank", p.Rank); Str("account_id", a.AccountId); Str("account_name", a.AccountName); Str("grade", p.Grade.ToString());
                    Str("trend", p.Trend.ToString().ToLowerInvariant()); Str("trend_meaning", TrendReading.Of(p).Text);
                    Num("priority", p.Priority); Num("previous_month_priority", p.PreviousPriority);
                    if (a.Previous is { } was)
                    {
                        w.WriteStartObject("previous_scoring");
                        Str("as_of", was.AsOf.ToString("yyyy-MM-dd", C)); Str("rep_id", was.RepId); w.WriteNumber("rank", was.Rank); Str("grade", was.Grade.ToString()); Num("priority", was.Priority);
                        w.WriteEndObject();
                        Num("priority_change", p.Priority - was.Priority);
                    }
                    else { w.WriteNull("previous_scoring"); w.WriteNull("priority_change"); }
                    Num("p_any_churn", a.PAnyChurn); Num("p_any_upsell", a.PAnyUpsell); Num("expected_upsell", p.ExpectedUpsell); Num("revenue_at_risk", p.RevenueAtRisk);
                    Str("focus", p.Focus.Name()); Str("top_product", p.TopProduct); Str("explained_target", a.FocusNarrative.Target);
                    if (a.Clv is { } clv) Num("clv", clv); else w.WriteNull("clv");
                    if (a.NextAction is { } na)
                    {
                        w.WriteStartObject("next_action");
                        Str("action", na.Action); Str("product", na.Product); Str("reason", na.Reason); Num("expected_value", na.ExpectedValue);
                        w.WriteEndObject();
                    }
                    else w.WriteNull("next_action");
                    Str("renewal_date", a.Context.RenewalDate?.ToString("yyyy-MM-dd", C)); Str("renewal_product", a.Context.RenewalProduct);
                    Str("last_activity", a.Context.LastActivity?.ToString("yyyy-MM-dd", C)); Str("last_activity_type", a.Context.LastActivityType);
                    Reasons("reasons_for", a.FocusNarrative.ReasonsFor); Reasons("reasons_against", a.FocusNarrative.ReasonsAgainst);
                    w.WriteStartArray("products");
                    foreach (var x in a.Products)
                    {
                        w.WriteStartObject();
                        Str("product_id", x.ProductId); Str("product_name", x.ProductName); Num("p_churn", x.PChurn); Num("p_upsell", x.PUpsell);
                        Num("run_rate", x.RunRate); Num("expected_upsell", x.ExpectedUpsell); Num("revenue_at_risk", x.RevenueAtRisk);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteStartArray("history");
                    foreach (var h in a.Context.History)
                    {
                        w.WriteStartObject(); Str("month", h.Month.ToString("yyyy-MM-dd", C)); Num("spend", h.Spend);
                        if (h.ActiveUsers is { } u) Num("active_users", u); else w.WriteNull("active_users");
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteStartArray("open_opportunities");
                    foreach (var o in a.Context.OpenOpportunities)
                    {
                        w.WriteStartObject(); Str("opportunity_id", o.OpportunityId); Str("product_name", o.ProductName); Str("declared_stage", o.Stage);
                        Num("amount", o.Amount); Str("created_date", o.CreatedDate.ToString("yyyy-MM-dd", C)); w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                w.Flush();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
    }
}
