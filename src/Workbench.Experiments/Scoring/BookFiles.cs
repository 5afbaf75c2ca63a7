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
    static string Money(double v) => double.IsFinite(v) ? Rounded(v, 2) : "";
    static string P(double v) => Rounded(v, 4);

    /// <summary>CsvText.Number(Math.Round(v, decimals)), the shortest round-trip text, from the rounded integer where
    /// NumberText applies (the same text, without the runtime's shortest-digit search per cell).</summary>
    static string Rounded(double v, int decimals)
    {
        Span<char> text = stackalloc char[48];
        return NumberText.TryFormatRounded(v, decimals, text, out int n) ? new string(text[..n]) : CsvText.Number(Math.Round(v, decimals));
    }
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
        using var w = new StringWriter(C);
        WriteCsv(result, narratives, w);
        return w.ToString();
    }

    /// <summary>book.csv (the text of <see cref="Csv"/>) written line by line to <paramref name="w"/>: no row list and no
    /// whole-file string held (the file is about 67 MB at 100,000 accounts).</summary>
    public static void WriteCsv(ScoringResult result, NarrativeOptions narratives, TextWriter w)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(narratives);
        ArgumentNullException.ThrowIfNull(w);
        var header = new List<string>(AccountColumns);
        for (int i = 1; i <= narratives.TopReasonsFor; i++) { header.Add($"reason_for_{i}"); header.Add($"reason_for_{i}_support"); }
        for (int i = 1; i <= narratives.TopReasonsAgainst; i++) { header.Add($"reason_against_{i}"); header.Add($"reason_against_{i}_support"); }
        w.Write(CsvText.Line(header.Select(h => CsvText.Cell(h))));
        w.Write('\n');
        foreach (var book in result.Books)
        {
            string repId = CsvText.Cell(book.RepId), repName = CsvText.Cell(book.RepName);
            foreach (var a in book.Accounts)
            {
                var p = a.Priority;
                var top = a.Products.First(x => x.ProductId == p.TopProduct);
                w.Write(repId); w.Write(','); w.Write(repName);
                Cells(w, CsvText.Cell(a.AccountId), CsvText.Cell(a.AccountName),
                    p.AsOf.ToString("yyyy-MM-dd", C), p.Rank.ToString(C), p.Grade.ToString(), a.Previous?.Grade.ToString() ?? "",
                    p.Trend.ToString().ToLowerInvariant(), TrendReading.Of(p).Text,
                    Money(p.Priority), Money(p.PreviousPriority), a.Previous is null ? "" : Money(a.Previous.Priority),
                    a.Previous is null ? "" : Money(p.Priority - a.Previous.Priority));
                Cells(w, P(a.PAnyChurn), P(a.PAnyUpsell), Money(p.ExpectedUpsell), Money(p.RevenueAtRisk),
                    CsvText.Cell(p.Focus.Name()), CsvText.Cell(top.ProductName), a.Products.Count.ToString(C),
                    a.Clv is { } clv ? Money(clv) : "", CsvText.Cell(a.NextAction?.Action ?? ""), CsvText.Cell(a.NextAction?.Product ?? ""),
                    a.NextAction is { } na ? Money(na.ExpectedValue) : "");
                Cells(w, D(a.Context.RenewalDate), CsvText.Cell(a.Context.RenewalProduct ?? ""), D(a.Context.LastActivity), CsvText.Cell(a.Context.LastActivityType ?? ""),
                    a.Context.OpenOpportunities.Count.ToString(C), Money(a.Context.OpenOpportunities.Sum(o => o.Amount)));
                var n = a.FocusNarrative;
                for (int i = 0; i < narratives.TopReasonsFor; i++)
                    Cells(w, CsvText.Cell(i < n.ReasonsFor.Count ? n.ReasonsFor[i].Sentence : ""), CsvText.Cell(i < n.ReasonsFor.Count ? n.ReasonsFor[i].Support ?? "" : ""));
                for (int i = 0; i < narratives.TopReasonsAgainst; i++)
                    Cells(w, CsvText.Cell(i < n.ReasonsAgainst.Count ? n.ReasonsAgainst[i].Sentence : ""), CsvText.Cell(i < n.ReasonsAgainst.Count ? n.ReasonsAgainst[i].Support ?? "" : ""));
                w.Write('\n');
            }
        }
    }

    /// <summary>Writes each cell preceded by the separator (the line's first cell is written by the caller).</summary>
    static void Cells(TextWriter w, params ReadOnlySpan<string> cells)
    {
        foreach (var c in cells) { w.Write(','); w.Write(c); }
    }

    /// <summary>book-products.csv: one line per account-product with its own probabilities and money (what a row expands to).</summary>
    public static string ProductsCsv(ScoringResult result)
    {
        using var w = new StringWriter(C);
        WriteProductsCsv(result, w);
        return w.ToString();
    }

    /// <summary>book-products.csv (the text of <see cref="ProductsCsv"/>) written line by line to <paramref name="w"/>.</summary>
    public static void WriteProductsCsv(ScoringResult result, TextWriter w)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(w);
        string[] header = ["rep_id", "account_id", "account_name", "product_id", "product_name", "is_top_product", "p_churn", "p_upsell", "run_rate", "expected_upsell", "revenue_at_risk"];
        w.Write(CsvText.Line(header.Select(h => CsvText.Cell(h))));
        w.Write('\n');
        foreach (var book in result.Books)
        {
            string repId = CsvText.Cell(book.RepId);
            foreach (var a in book.Accounts)
            {
                string accountId = CsvText.Cell(a.AccountId), accountName = CsvText.Cell(a.AccountName);
                foreach (var p in a.Products)
                {
                    w.Write(repId);
                    Cells(w, accountId, accountName, CsvText.Cell(p.ProductId), CsvText.Cell(p.ProductName),
                        p.ProductId == a.Priority.TopProduct ? "true" : "false", P(p.PChurn), P(p.PUpsell), Money(p.RunRate), Money(p.ExpectedUpsell), Money(p.RevenueAtRisk));
                    w.Write('\n');
                }
            }
        }
    }

    /// <summary>book.json: the model, dates and every rep's ranked accounts with the page's fields (written with a
    /// <see cref="Utf8JsonWriter"/>: no reflection; numbers rounded to 10 decimals, NaN as null).</summary>
    public static string JsonText(ScoringResult result)
    {
        var buffer = new System.IO.MemoryStream();
        WriteJson(result, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    // The writer's checks of each call's place in the document are skipped (the calls below always nest correctly; the
    // tests parse the file back), and property names are encoded once (same bytes: plain ASCII names need no escaping).
    // The document is indented down to each rep's accounts; every account is one unindented line (AccountOptions).
    static readonly JsonWriterOptions JsonOptions = new() { Indented = true, SkipValidation = true };
    static readonly JsonWriterOptions AccountOptions = new() { Indented = false, SkipValidation = true };
    static readonly JsonEncodedText J_account_id = JsonEncodedText.Encode("account_id");
    static readonly JsonEncodedText J_account_name = JsonEncodedText.Encode("account_name");
    static readonly JsonEncodedText J_accounts = JsonEncodedText.Encode("accounts");
    static readonly JsonEncodedText J_action = JsonEncodedText.Encode("action");
    static readonly JsonEncodedText J_active_users = JsonEncodedText.Encode("active_users");
    static readonly JsonEncodedText J_amount = JsonEncodedText.Encode("amount");
    static readonly JsonEncodedText J_as_of = JsonEncodedText.Encode("as_of");
    static readonly JsonEncodedText J_books = JsonEncodedText.Encode("books");
    static readonly JsonEncodedText J_clv = JsonEncodedText.Encode("clv");
    static readonly JsonEncodedText J_clv_model = JsonEncodedText.Encode("clv_model");
    static readonly JsonEncodedText J_concept = JsonEncodedText.Encode("concept");
    static readonly JsonEncodedText J_contribution = JsonEncodedText.Encode("contribution");
    static readonly JsonEncodedText J_created_date = JsonEncodedText.Encode("created_date");
    static readonly JsonEncodedText J_declared_stage = JsonEncodedText.Encode("declared_stage");
    static readonly JsonEncodedText J_expected_upsell = JsonEncodedText.Encode("expected_upsell");
    static readonly JsonEncodedText J_expected_value = JsonEncodedText.Encode("expected_value");
    static readonly JsonEncodedText J_explained_target = JsonEncodedText.Encode("explained_target");
    static readonly JsonEncodedText J_feature = JsonEncodedText.Encode("feature");
    static readonly JsonEncodedText J_features = JsonEncodedText.Encode("features");
    static readonly JsonEncodedText J_focus = JsonEncodedText.Encode("focus");
    static readonly JsonEncodedText J_grade = JsonEncodedText.Encode("grade");
    static readonly JsonEncodedText J_history = JsonEncodedText.Encode("history");
    static readonly JsonEncodedText J_is_context = JsonEncodedText.Encode("is_context");
    static readonly JsonEncodedText J_last_activity = JsonEncodedText.Encode("last_activity");
    static readonly JsonEncodedText J_last_activity_type = JsonEncodedText.Encode("last_activity_type");
    static readonly JsonEncodedText J_model = JsonEncodedText.Encode("model");
    static readonly JsonEncodedText J_month = JsonEncodedText.Encode("month");
    static readonly JsonEncodedText J_next_action = JsonEncodedText.Encode("next_action");
    static readonly JsonEncodedText J_open_opportunities = JsonEncodedText.Encode("open_opportunities");
    static readonly JsonEncodedText J_opportunity_id = JsonEncodedText.Encode("opportunity_id");
    static readonly JsonEncodedText J_p_any_churn = JsonEncodedText.Encode("p_any_churn");
    static readonly JsonEncodedText J_p_any_upsell = JsonEncodedText.Encode("p_any_upsell");
    static readonly JsonEncodedText J_p_churn = JsonEncodedText.Encode("p_churn");
    static readonly JsonEncodedText J_p_upsell = JsonEncodedText.Encode("p_upsell");
    static readonly JsonEncodedText J_previous_as_of = JsonEncodedText.Encode("previous_as_of");
    static readonly JsonEncodedText J_previous_month_priority = JsonEncodedText.Encode("previous_month_priority");
    static readonly JsonEncodedText J_previous_scoring = JsonEncodedText.Encode("previous_scoring");
    static readonly JsonEncodedText J_previous_scoring_as_of = JsonEncodedText.Encode("previous_scoring_as_of");
    static readonly JsonEncodedText J_priority = JsonEncodedText.Encode("priority");
    static readonly JsonEncodedText J_priority_change = JsonEncodedText.Encode("priority_change");
    static readonly JsonEncodedText J_probability_floor = JsonEncodedText.Encode("probability_floor");
    static readonly JsonEncodedText J_product = JsonEncodedText.Encode("product");
    static readonly JsonEncodedText J_product_id = JsonEncodedText.Encode("product_id");
    static readonly JsonEncodedText J_product_name = JsonEncodedText.Encode("product_name");
    static readonly JsonEncodedText J_products = JsonEncodedText.Encode("products");
    static readonly JsonEncodedText J_rank = JsonEncodedText.Encode("rank");
    static readonly JsonEncodedText J_reason = JsonEncodedText.Encode("reason");
    static readonly JsonEncodedText J_reasons_against = JsonEncodedText.Encode("reasons_against");
    static readonly JsonEncodedText J_reasons_for = JsonEncodedText.Encode("reasons_for");
    static readonly JsonEncodedText J_renewal_date = JsonEncodedText.Encode("renewal_date");
    static readonly JsonEncodedText J_renewal_product = JsonEncodedText.Encode("renewal_product");
    static readonly JsonEncodedText J_rep_id = JsonEncodedText.Encode("rep_id");
    static readonly JsonEncodedText J_rep_name = JsonEncodedText.Encode("rep_name");
    static readonly JsonEncodedText J_reps = JsonEncodedText.Encode("reps");
    static readonly JsonEncodedText J_revenue_at_risk = JsonEncodedText.Encode("revenue_at_risk");
    static readonly JsonEncodedText J_run_rate = JsonEncodedText.Encode("run_rate");
    static readonly JsonEncodedText J_sentence = JsonEncodedText.Encode("sentence");
    static readonly JsonEncodedText J_spend = JsonEncodedText.Encode("spend");
    static readonly JsonEncodedText J_support = JsonEncodedText.Encode("support");
    static readonly JsonEncodedText J_top_product = JsonEncodedText.Encode("top_product");
    static readonly JsonEncodedText J_trend = JsonEncodedText.Encode("trend");
    static readonly JsonEncodedText J_trend_meaning = JsonEncodedText.Encode("trend_meaning");
    static readonly JsonEncodedText J_unassigned_accounts = JsonEncodedText.Encode("unassigned_accounts");
    static readonly JsonEncodedText J_value = JsonEncodedText.Encode("value");
    static readonly JsonEncodedText J_why_now = JsonEncodedText.Encode("why_now");

    /// <summary>book.json written straight to <paramref name="stream"/> (the same bytes as <see cref="JsonText"/>), account by
    /// account, so no copy of the whole document is held in memory: indented down to each rep's accounts, every account one
    /// unindented line (<see cref="WriteAccounts"/>). One writer on one thread: book.json is
    /// about half of the writing work and the rep pages and CSVs fill the other core meanwhile (rendering it by rep on
    /// both cores, same bytes, measured more CPU and no gain on this 2-core machine).</summary>
    public static void WriteJson(ScoringResult result, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(stream);
        using var line = new AccountLine();
        using (var w = new Utf8JsonWriter(stream, JsonOptions))
        {
            // The head through the writer; from "books" on, the layout the indented writer gave (two spaces a level), by hand
            // around each account's line.
            WriteHead(w, result);
            w.WritePropertyName(J_books);
            w.Flush();
        }
        if (result.Books.Count == 0) stream.Write("[]"u8);
        else
        {
            stream.Write("["u8);
            for (int i = 0; i < result.Books.Count; i++)
            {
                stream.Write(i == 0 ? "\n    {\n      \"rep_id\": "u8 : ",\n    {\n      \"rep_id\": "u8);
                line.WriteString(stream, result.Books[i].RepId);
                stream.Write(",\n      \"rep_name\": "u8);
                line.WriteString(stream, result.Books[i].RepName);
                WriteAccounts(stream, result.Books[i], line);
                stream.Write("\n    }"u8);
            }
            stream.Write("\n  ]"u8);
        }
        stream.Write("\n}\n"u8);
        stream.Flush();
    }

    static void Num(Utf8JsonWriter w, JsonEncodedText name, double v)
    {
        if (!double.IsFinite(v)) { w.WriteNull(name); return; }
        // Math.Round(v, 10)'s text written from its integer of 1e-10 units (same bytes, see RoundedNumberText).
        Span<byte> text = stackalloc byte[32];
        if (RoundedNumberText.TryFormat(v, text, out int length))
        {
            w.WritePropertyName(name);
            w.WriteRawValue(text[..length], skipInputValidation: true);
        }
        else w.WriteNumber(name, Math.Round(v, 10));
    }
    /// <summary>A date as "yyyy-MM-dd" in the invariant (Gregorian) calendar, written from its year, month and day (no string
    /// per date; a history point each month of every account): four-digit year (DateOnly's are 1-9999), two-digit month and day.</summary>
    static void Date(Utf8JsonWriter w, JsonEncodedText name, DateOnly date)
    {
        date.Deconstruct(out int year, out int month, out int day);
        Span<char> text = stackalloc char[10];
        text[0] = (char)('0' + year / 1000); text[1] = (char)('0' + year / 100 % 10); text[2] = (char)('0' + year / 10 % 10); text[3] = (char)('0' + year % 10);
        text[4] = '-'; text[5] = (char)('0' + month / 10); text[6] = (char)('0' + month % 10);
        text[7] = '-'; text[8] = (char)('0' + day / 10); text[9] = (char)('0' + day % 10);
        w.WriteString(name, text);
    }

    static void Str(Utf8JsonWriter w, JsonEncodedText name, string? v) { if (v is null) w.WriteNull(name); else w.WriteString(name, v); }

    static void Reasons(Utf8JsonWriter w, JsonEncodedText name, IEnumerable<Reason> reasons)
    {
        w.WriteStartArray(name);
        foreach (var r in reasons)
        {
            w.WriteStartObject();
            Str(w, J_concept, r.Concept); Str(w, J_feature, r.Lead); Str(w, J_sentence, r.Sentence); Str(w, J_support, r.Support); Num(w, J_contribution, r.Contribution);
            w.WriteBoolean(J_why_now, r.WhyNow); w.WriteBoolean(J_is_context, r.IsContext);
            w.WriteStartArray(J_features);
            foreach (var f in r.Features) { w.WriteStartObject(); Str(w, J_feature, f.Feature); Num(w, J_value, f.Value); Num(w, J_contribution, f.Contribution); w.WriteEndObject(); }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>The document's opening: the model, the dates and the counts, up to the "books" array.</summary>
    static void WriteHead(Utf8JsonWriter w, ScoringResult result)
    {
        w.WriteStartObject();
        Str(w, J_model, result.ModelName);
        Str(w, J_clv_model, result.ClvModel);
        Str(w, J_as_of, result.AsOf.ToString("yyyy-MM-dd", C));
        Str(w, J_previous_as_of, result.PreviousAsOf.ToString("yyyy-MM-dd", C));
        Str(w, J_previous_scoring_as_of, result.Previous?.ToString("yyyy-MM-dd", C));
        Num(w, J_probability_floor, BatchScorer.ProbabilityFloor);
        w.WriteNumber(J_reps, result.Books.Count);
        w.WriteNumber(J_accounts, result.AccountCount);
        w.WriteNumber(J_unassigned_accounts, result.UnassignedAccounts);
    }

    /// <summary>A rep's ranked accounts with the page's fields (the "accounts" property, after the rep's name), each account
    /// a line of its own, written unindented into <paramref name="line"/> and copied out: at 100,000 accounts the indentation
    /// was 253 of book.json's 609 MB, and a line per account keeps the file readable, greppable by account id and diffable
    /// account by account (docs/decisions.md, "book.json: one line per account").</summary>
    static void WriteAccounts(Stream stream, ScoredBook b, AccountLine line)
    {
        stream.Write(",\n      \"accounts\": ["u8);
        for (int i = 0; i < b.Accounts.Count; i++)
        {
            stream.Write(i == 0 ? "\n        "u8 : ",\n        "u8);
            line.Begin();
            WriteAccount(line.Writer, b.Accounts[i]);
            line.CopyTo(stream);
        }
        stream.Write(b.Accounts.Count == 0 ? "]"u8 : "\n      ]"u8);
    }

    /// <summary>The buffer and unindented writer of one account's line, reused from account to account.</summary>
    sealed class AccountLine : IDisposable
    {
        readonly System.Buffers.ArrayBufferWriter<byte> bytes = new(1 << 14);
        public readonly Utf8JsonWriter Writer;
        public AccountLine() => Writer = new Utf8JsonWriter(bytes, AccountOptions);

        public void Begin() { bytes.ResetWrittenCount(); Writer.Reset(bytes); }

        public void CopyTo(Stream stream) { Writer.Flush(); stream.Write(bytes.WrittenSpan); }

        /// <summary>A JSON string value (the writer's escaping) written to <paramref name="stream"/>; null as null.</summary>
        public void WriteString(Stream stream, string? value)
        {
            Begin();
            if (value is null) Writer.WriteNullValue(); else Writer.WriteStringValue(value);
            CopyTo(stream);
        }

        public void Dispose() => Writer.Dispose();
    }

    /// <summary>One ranked account with the page's fields, as one JSON object.</summary>
    static void WriteAccount(Utf8JsonWriter w, ScoredAccount a)
    {
        var p = a.Priority;
        w.WriteStartObject();
        w.WriteNumber(J_rank, p.Rank); Str(w, J_account_id, a.AccountId); Str(w, J_account_name, a.AccountName); Str(w, J_grade, p.Grade.ToString());
        Str(w, J_trend, p.Trend.ToString().ToLowerInvariant()); Str(w, J_trend_meaning, TrendReading.Of(p).Text);
        Num(w, J_priority, p.Priority); Num(w, J_previous_month_priority, p.PreviousPriority);
        if (a.Previous is { } was)
        {
            w.WriteStartObject(J_previous_scoring);
            Str(w, J_as_of, was.AsOf.ToString("yyyy-MM-dd", C)); Str(w, J_rep_id, was.RepId); w.WriteNumber(J_rank, was.Rank); Str(w, J_grade, was.Grade.ToString()); Num(w, J_priority, was.Priority);
            w.WriteEndObject();
            Num(w, J_priority_change, p.Priority - was.Priority);
        }
        else { w.WriteNull(J_previous_scoring); w.WriteNull(J_priority_change); }
        Num(w, J_p_any_churn, a.PAnyChurn); Num(w, J_p_any_upsell, a.PAnyUpsell); Num(w, J_expected_upsell, p.ExpectedUpsell); Num(w, J_revenue_at_risk, p.RevenueAtRisk);
        Str(w, J_focus, p.Focus.Name()); Str(w, J_top_product, p.TopProduct); Str(w, J_explained_target, a.FocusNarrative.Target);
        if (a.Clv is { } clv) Num(w, J_clv, clv); else w.WriteNull(J_clv);
        if (a.NextAction is { } na)
        {
            w.WriteStartObject(J_next_action);
            Str(w, J_action, na.Action); Str(w, J_product, na.Product); Str(w, J_reason, na.Reason); Num(w, J_expected_value, na.ExpectedValue);
            w.WriteEndObject();
        }
        else w.WriteNull(J_next_action);
        Str(w, J_renewal_date, a.Context.RenewalDate?.ToString("yyyy-MM-dd", C)); Str(w, J_renewal_product, a.Context.RenewalProduct);
        Str(w, J_last_activity, a.Context.LastActivity?.ToString("yyyy-MM-dd", C)); Str(w, J_last_activity_type, a.Context.LastActivityType);
        Reasons(w, J_reasons_for, a.FocusNarrative.ReasonsFor); Reasons(w, J_reasons_against, a.FocusNarrative.ReasonsAgainst);
        w.WriteStartArray(J_products);
        foreach (var x in a.Products)
        {
            w.WriteStartObject();
            Str(w, J_product_id, x.ProductId); Str(w, J_product_name, x.ProductName); Num(w, J_p_churn, x.PChurn); Num(w, J_p_upsell, x.PUpsell);
            Num(w, J_run_rate, x.RunRate); Num(w, J_expected_upsell, x.ExpectedUpsell); Num(w, J_revenue_at_risk, x.RevenueAtRisk);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray(J_history);
        foreach (var h in a.Context.History)
        {
            w.WriteStartObject(); Date(w, J_month, h.Month); Num(w, J_spend, h.Spend);
            if (h.ActiveUsers is { } u) Num(w, J_active_users, u); else w.WriteNull(J_active_users);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray(J_open_opportunities);
        foreach (var o in a.Context.OpenOpportunities)
        {
            w.WriteStartObject(); Str(w, J_opportunity_id, o.OpportunityId); Str(w, J_product_name, o.ProductName); Str(w, J_declared_stage, o.Stage);
            Num(w, J_amount, o.Amount); Date(w, J_created_date, o.CreatedDate); w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
