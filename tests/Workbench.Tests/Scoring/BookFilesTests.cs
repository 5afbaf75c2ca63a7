using Workbench.Domain;
using Workbench.Analytics.Explanation;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Scoring;
using Workbench.Data;
using Workbench.Experiments.Scoring;

namespace Workbench.Tests.Scoring;

/// <summary>The scored book's CSVs streamed line by line, and the scoring with the accounts' context built while the
/// narratives are told (and the models reading the feature table itself), give what the plain serial steps give.</summary>
[Collection(ScoringCollection.Name)]
public class BookFilesTests(ScoringFixture fx)
{
    [Fact]
    public void A_page_failing_while_the_files_are_written_leaves_the_previous_scoring_untouched_and_no_staging_folder()
    {
        var root = TestPaths.NewTempDir("score-write-failure");
        var outDir = Path.Combine(root, "out");
        var narratives = fx.TrainedModel.Options.Explanation;
        BatchScoring.Write(fx.HostileOutput.Result, outDir, narratives);
        var before = Directory.GetFiles(outDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllBytes(f))).ToList();
        // Rep pages read the currency; null makes every rep page throw while book.json and the CSVs are written beside them.
        var broken = new Workbench.Reporting.Book.BookPageOptions { Currency = null! };
        Assert.ThrowsAny<Exception>(() => BatchScoring.Write(fx.HostileOutput.Result, outDir, narratives, broken));
        var after = Directory.GetFiles(outDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllBytes(f))).ToList();
        Assert.Equal(before.Select(x => x.f), after.Select(x => x.f));
        Assert.All(before.Zip(after), x => Assert.Equal(x.First.Item2, x.Second.Item2));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
    }

    /// <summary>The values book.json writes: probabilities, money, feature values, contributions, of every size and sign.</summary>
    static IEnumerable<double> BookValues()
    {
        var rng = new Random(20261201);
        for (int i = 0; i < 200_000; i++)
        {
            double magnitude = Math.Pow(10, rng.Next(-7, 8));
            double v = rng.NextDouble() * magnitude * (rng.Next(2) == 0 ? 1 : -1);
            yield return v;
            yield return Math.Round(v, 2);                     // cents
            yield return (float)v;                              // a feature value
            yield return Math.Round(v, rng.Next(0, 12));        // short decimals
        }
        foreach (double v in new[] { 0.5, 1, -1, 1e-4, 0.00009999999, 0.00010000001, 524287.99999999994, 524288, 524288.1, 1234567.891,
            0.1 + 0.2, 2.0 / 3, 1e-10, 5e-11, 0.99999999995, 0.12345678905, 123456.78901234567, BatchScorer.ProbabilityFloor })
        {
            yield return v;
            yield return -v;
        }
    }

    [Fact]
    public void Book_json_numbers_written_from_their_rounded_integer_are_the_bytes_of_the_json_writer()
    {
        var options = new System.Text.Json.JsonWriterOptions { Indented = true };
        var expected = new MemoryStream();
        var actual = new MemoryStream();
        int fast = 0, total = 0;
        using (var e = new System.Text.Json.Utf8JsonWriter(expected, options))
        using (var a = new System.Text.Json.Utf8JsonWriter(actual, options))
        {
            e.WriteStartObject(); a.WriteStartObject();
            e.WriteStartArray("values"); a.WriteStartArray("values");
            Span<byte> text = stackalloc byte[32];
            foreach (double v in BookValues())
            {
                total++;
                e.WriteStartObject(); a.WriteStartObject();
                e.WriteNumber("value", Math.Round(v, 10));
                if (RoundedNumberText.TryFormat(v, text, out int length))
                {
                    fast++;
                    a.WritePropertyName("value");
                    a.WriteRawValue(text[..length], skipInputValidation: true);
                }
                else a.WriteNumber("value", Math.Round(v, 10));
                e.WriteBoolean("after", true); a.WriteBoolean("after", true);
                e.WriteEndObject(); a.WriteEndObject();
            }
            e.WriteEndArray(); a.WriteEndArray();
            e.WriteEndObject(); a.WriteEndObject();
        }
        Assert.True(fast > total / 2, $"the fast path wrote {fast} of {total} values");
        var want = System.Text.Encoding.UTF8.GetString(expected.ToArray()).Split('\n');
        var got = System.Text.Encoding.UTF8.GetString(actual.ToArray()).Split('\n');
        Assert.Equal(want.Length, got.Length);
        var differing = Enumerable.Range(0, want.Length).Where(i => want[i] != got[i]).Take(5).Select(i => $"{want[i]} vs {got[i]}").ToList();
        Assert.Empty(differing);
    }

    [Fact]
    public void Streamed_csv_files_hold_the_text_of_the_csv_strings_as_utf8_without_a_byte_order_mark()
    {
        var result = fx.HostileOutput.Result;
        var narratives = fx.TrainedModel.Options.Explanation;
        var csv = File.ReadAllBytes(Path.Combine(fx.HostileOut, BatchScoring.BookCsvFile));
        Assert.Equal(new System.Text.UTF8Encoding(false).GetBytes(BookFiles.Csv(result, narratives)), csv);
        Assert.NotEqual(0xEF, csv[0]);
        var products = File.ReadAllText(Path.Combine(fx.HostileOut, BatchScoring.BookProductsCsvFile));
        Assert.Equal(BookFiles.ProductsCsv(result), products);
        // One line per account-product after the header.
        Assert.Equal(result.Books.Sum(b => b.Accounts.Sum(a => a.Products.Count)) + 1, products.Count(c => c == '\n'));
    }

    [Fact]
    public void Book_json_is_indented_down_to_the_accounts_and_holds_each_account_on_a_line_of_its_own()
    {
        var result = fx.HostileOutput.Result;
        string text = BookFiles.JsonText(result);
        using var doc = System.Text.Json.JsonDocument.Parse(text);
        var books = doc.RootElement.GetProperty("books");
        Assert.Equal(result.Books.Count, books.GetArrayLength());
        var lines = text.Split('\n');
        // Each account's line, in book and rank order, parses alone to that account's object in the document.
        var accountLines = lines.Where(l => l.StartsWith("        {", StringComparison.Ordinal)).ToList();
        var accounts = books.EnumerateArray().SelectMany(b => b.GetProperty("accounts").EnumerateArray()).ToList();
        Assert.Equal(result.Books.Sum(b => b.Accounts.Count), accountLines.Count);
        Assert.True(accountLines.Count > 0);
        foreach (var (line, account) in accountLines.Zip(accounts))
        {
            using var alone = System.Text.Json.JsonDocument.Parse(line.TrimEnd(','));
            Assert.Equal(account.GetRawText(), alone.RootElement.GetRawText());
        }
        // Around them, the indented writer's layout: the head's fields, each rep's id and name (the hostile names escaped
        // as the writer escapes them), and nothing else on a line of its own.
        Assert.Equal("{", lines[0]);
        Assert.Equal("  \"books\": [", lines.Single(l => l.Contains("\"books\"", StringComparison.Ordinal)));
        var repIds = lines.Where(l => l.StartsWith("      \"rep_id\": ", StringComparison.Ordinal)).ToList();
        Assert.Equal(result.Books.Select(b => "      \"rep_id\": " + JsonString(b.RepId) + ","), repIds);
        Assert.Equal(["}", ""], lines[^2..]);
        // "{", 9 head fields, "books": [; per book "{", rep_id, rep_name, "accounts": [, its accounts, "]", "}"; "]", "}", "".
        Assert.Equal(11 + result.Books.Count * 6 + accountLines.Count + 3, lines.Length);

        // No books, and a book without accounts: still one JSON document of the same shape.
        using var none = System.Text.Json.JsonDocument.Parse(BookFiles.JsonText(result with { Books = [] }));
        Assert.Equal(0, none.RootElement.GetProperty("books").GetArrayLength());
        var emptyBook = result with { Books = [result.Books[0] with { Accounts = [] }] };
        using var empty = System.Text.Json.JsonDocument.Parse(BookFiles.JsonText(emptyBook));
        Assert.Equal(0, empty.RootElement.GetProperty("books")[0].GetProperty("accounts").GetArrayLength());
        Assert.Equal(result.Books[0].RepName, empty.RootElement.GetProperty("books")[0].GetProperty("rep_name").GetString());

        static string JsonString(string value)
        {
            using var ms = new MemoryStream();
            using (var w = new System.Text.Json.Utf8JsonWriter(ms)) w.WriteStringValue(value);
            return System.Text.Encoding.UTF8.GetString(ms.ToArray());
        }
    }

    [Fact]
    public void Explainers_started_before_the_features_give_the_books_of_explainers_built_while_explaining()
    {
        var data = new CrmCatalog(fx.HostileData).Load().Dataset;
        var model = fx.TrainedModel;
        var narratives = model.Options.Explanation;
        var started = model.StartExplainers("prod", narratives);
        var features = model.FeaturesFor(data);
        var withStarted = BatchScorer.Score(model.ForScoring("prod"), features, data, narratives, explainers: started);
        var builtThere = BatchScorer.Score(model.ForScoring("prod"), features, data, narratives);
        Assert.True(withStarted.AccountCount > 0);
        Assert.Contains(withStarted.Books.SelectMany(b => b.Accounts), a => a.FocusNarrative.ReasonsFor.Count > 0);
        Assert.Equal(BookFiles.Csv(builtThere, narratives), BookFiles.Csv(withStarted, narratives));
        byte[] Json(ScoringResult r) { using var s = new MemoryStream(); BookFiles.WriteJson(r, s); return s.ToArray(); }
        Assert.Equal(Json(builtThere), Json(withStarted));

        // Explainers started for other narrative options are refused rather than telling other reasons.
        var other = model.StartExplainers("prod", narratives with { TopReasonsFor = narratives.TopReasonsFor + 1 });
        Assert.Throws<ArgumentException>(() => BatchScorer.Score(model.ForScoring("prod"), features, data, narratives, explainers: other));
    }

    [Fact]
    public void Scoring_gives_the_probabilities_narratives_and_context_of_each_step_run_alone()
    {
        var data = new CrmCatalog(fx.HostileData).Load().Dataset;
        var model = fx.TrainedModel;
        var features = model.FeaturesFor(data);
        var models = model.ForScoring("prod");
        var narratives = model.Options.Explanation;
        var result = BatchScorer.Score(models, features, data, narratives);

        // Each step alone: each model over a copy of the table, each told narrative from its own explainer one row at a time,
        // and the accounts' context built afterwards.
        var table = features.Features;
        var rows = new TrainingSet(table.Values.ToArray(), table.Registry.Names.ToArray(), new bool[table.RowCount]);
        var churn = models.Churn.Score(rows).Probability.Select(ProbabilityBounds.Apply).ToArray();
        var upsell = models.Upsell.Score(rows).Probability.Select(ProbabilityBounds.Apply).ToArray();
        var productNames = data.Products.ToDictionary(p => p.ProductId, p => p.Name, StringComparer.Ordinal);
        string Name(string id) => productNames.GetValueOrDefault(id, id);
        var churnExplainer = new AccountExplainer(models.Churn, models.ChurnBackground, narratives, NarrativeAudience.Rep);
        var upsellExplainer = new AccountExplainer(models.Upsell, models.UpsellBackground, narratives, NarrativeAudience.Rep);
        var rowOf = Enumerable.Range(0, table.RowCount).Where(r => table.Snapshots[r].AsOfMonth == features.AsOfMonth)
            .ToDictionary(r => (table.AccountId(r), table.ProductId(r)));
        int checkedAccounts = 0;
        foreach (var a in result.Books.SelectMany(b => b.Accounts))
        {
            foreach (var p in a.Products)
            {
                int r = rowOf[(a.AccountId, p.ProductId)];
                Assert.Equal(churn[r], p.PChurn);
                Assert.Equal(upsell[r], p.PUpsell);
            }
            if (checkedAccounts++ >= 40) continue; // narratives of the first accounts (a serial explanation per row is slow)
            var explainer = a.Priority.Focus == AccountFocus.Retain ? churnExplainer : upsellExplainer;
            var alone = explainer.Explain(table, [rowOf[(a.AccountId, a.Priority.TopProduct)]], Name).Narratives[0];
            Assert.Equal(alone.ToText(), a.FocusNarrative.ToText());
            Assert.Equal(alone.Margin, a.FocusNarrative.Margin);
        }
        Assert.Contains(result.Books.SelectMany(b => b.Accounts), a => a.Priority.Focus == AccountFocus.Retain);
        Assert.Contains(result.Books.SelectMany(b => b.Accounts), a => a.Priority.Focus != AccountFocus.Retain);
        var contexts = AccountContext.Build(data, features.AsOf, result.Books.SelectMany(b => b.Accounts).Select(a => a.AccountId).ToList(), Name);
        foreach (var a in result.Books.SelectMany(b => b.Accounts))
        {
            var c = contexts[a.AccountId];
            Assert.Equal(c.History, a.Context.History);
            Assert.Equal(c.OpenOpportunities, a.Context.OpenOpportunities);
            Assert.Equal((c.RenewalDate, c.RenewalProduct, c.LastActivity, c.LastActivityType), (a.Context.RenewalDate, a.Context.RenewalProduct, a.Context.LastActivity, a.Context.LastActivityType));
        }
    }
}
