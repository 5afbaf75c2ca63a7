using Workbench.Domain;
using Workbench.Analytics.Explanation;
using Workbench.Analytics.Scoring;
using Workbench.Experiments.Artifacts;

namespace Workbench.Experiments.Scoring;

/// <summary>The scored book as book.csv (one line per account, every text cell through <see cref="CsvText"/> so a
/// spreadsheet runs no formula) and book.json (reps, accounts, products and reasons).</summary>
public static class BookFiles
{
    /// <summary>book.csv: rep_id, rep_name, account_id, account_name, as_of, rank, grade, trend, priority, previous_priority,
    /// p_churn, p_upsell (the account's highest product probability), expected_upsell, revenue_at_risk, focus, top_product,
    /// then reason_for_1..N and reason_against_1..M (sentences of the focus narrative).</summary>
    public static string Csv(ScoringResult result, NarrativeOptions narratives)
    {
        ArgumentNullException.ThrowIfNull(result);
        string Money(double v) => CsvText.Number(Math.Round(v, 2));
        string P(double v) => CsvText.Number(Math.Round(v, 4));
        var header = new List<string> { "rep_id", "rep_name", "account_id", "account_name", "as_of", "rank", "grade", "trend", "priority", "previous_priority",
            "p_churn", "p_upsell", "expected_upsell", "revenue_at_risk", "focus", "top_product" };
        if (result.Clv is not null) header.Add("clv");
        header.AddRange(Enumerable.Range(1, narratives.TopReasonsFor).Select(i => $"reason_for_{i}"));
        header.AddRange(Enumerable.Range(1, narratives.TopReasonsAgainst).Select(i => $"reason_against_{i}"));
        return CsvText.Table(header, result.Books.SelectMany(book => book.Accounts.Select(a =>
        {
            var p = a.Priority;
            var top = a.Products.First(x => x.ProductId == p.TopProduct);
            var cells = new List<string>
            {
                CsvText.Cell(book.RepId), CsvText.Cell(book.RepName), CsvText.Cell(a.AccountId), CsvText.Cell(a.AccountName),
                p.AsOf.ToString("yyyy-MM-dd", RunContext.Culture), p.Rank.ToString(RunContext.Culture), p.Grade.ToString(), p.Trend.ToString().ToLowerInvariant(),
                Money(p.Priority), Money(p.PreviousPriority), P(p.MaxPChurn), P(p.MaxPUpsell), Money(p.ExpectedUpsell), Money(p.RevenueAtRisk),
                CsvText.Cell(p.Focus.Name()), CsvText.Cell(top.ProductName),
            };
            if (result.Clv is { } clv) cells.Add(clv.TryGetValue(a.AccountId, out var v) ? Money(v) : "");
            var n = a.FocusNarrative;
            cells.AddRange(Enumerable.Range(0, narratives.TopReasonsFor).Select(i => CsvText.Cell(i < n.ReasonsFor.Count ? n.ReasonsFor[i].Sentence : "")));
            cells.AddRange(Enumerable.Range(0, narratives.TopReasonsAgainst).Select(i => CsvText.Cell(i < n.ReasonsAgainst.Count ? n.ReasonsAgainst[i].Sentence : "")));
            return cells;
        })));
    }

    /// <summary>book.json: the model, dates and every rep's ranked accounts with products and reasons.</summary>
    public static string JsonText(ScoringResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = BaseJsonText(result);
        if (result.Clv is not { } clv) return text;
        // The lifetime part: "clv_model" at the top and "clv" in each account (absent without a lifetime part, so a book
        // scored without one keeps its bytes).
        var root = System.Text.Json.Nodes.JsonNode.Parse(text)!.AsObject();
        var ordered = new System.Text.Json.Nodes.JsonObject();
        foreach (var (key, node) in root.ToList())
        {
            root.Remove(key);
            ordered[key] = node;
            if (key == "model") ordered["clv_model"] = result.ClvModel;
        }
        foreach (var book in ordered["books"]!.AsArray())
            foreach (var account in book!["accounts"]!.AsArray())
                if (clv.TryGetValue(account!["account_id"]!.GetValue<string>(), out var v) && double.IsFinite(v))
                    account["clv"] = Math.Round(v, 2);
        return ordered.ToJsonString(Json.Options) + "\n";
    }

    static string BaseJsonText(ScoringResult result)
    {
        static object Reasons(IEnumerable<Reason> reasons) => reasons.Select(r => new { r.Concept, r.Sentence, r.Support, r.Contribution }).ToList();
        return Json.Serialize(new
        {
            model = result.ModelName,
            as_of = result.AsOf.ToString("yyyy-MM-dd", RunContext.Culture),
            previous_as_of = result.PreviousAsOf.ToString("yyyy-MM-dd", RunContext.Culture),
            reps = result.Books.Count,
            accounts = result.AccountCount,
            books = result.Books.Select(b => new
            {
                rep_id = b.RepId, rep_name = b.RepName,
                accounts = b.Accounts.Select(a => new
                {
                    a.Priority.Rank, account_id = a.AccountId, account_name = a.AccountName, grade = a.Priority.Grade.ToString(),
                    trend = a.Priority.Trend.ToString().ToLowerInvariant(), priority = a.Priority.Priority, previous_priority = a.Priority.PreviousPriority,
                    p_churn = a.Priority.MaxPChurn, p_upsell = a.Priority.MaxPUpsell, expected_upsell = a.Priority.ExpectedUpsell,
                    revenue_at_risk = a.Priority.RevenueAtRisk, focus = a.Priority.Focus.Name(), top_product = a.Priority.TopProduct,
                    explained_target = a.FocusNarrative.Target,
                    reasons_for = Reasons(a.FocusNarrative.ReasonsFor), reasons_against = Reasons(a.FocusNarrative.ReasonsAgainst),
                    products = a.Products.Select(p => new
                    {
                        product_id = p.ProductId, product_name = p.ProductName, p_churn = p.PChurn, p_upsell = p.PUpsell, run_rate = p.RunRate,
                        expected_upsell = p.ExpectedUpsell, revenue_at_risk = p.RevenueAtRisk,
                    }).ToList(),
                }).ToList(),
            }).ToList(),
        });
    }
}
