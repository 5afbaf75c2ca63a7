using Workbench.Domain;
using Workbench.Analytics.Explanation;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Scoring;
using Workbench.Data;
using Workbench.Experiments.Scoring;

namespace Workbench.Tests.Scoring;

/// <summary>The scored book's files written fast (book.json rendered by rep on several threads, the CSVs streamed) and the
/// scoring done side by side (both models, both explainers, the accounts' context) give what one thread gives.</summary>
[Collection(ScoringCollection.Name)]
public class BookFilesTests(ScoringFixture fx)
{
    static byte[] OneWriter(ScoringResult result)
    {
        using var s = new MemoryStream();
        BookFiles.WriteJsonOneWriter(result, s);
        return s.ToArray();
    }

    static byte[] ByRep(ScoringResult result, int booksPerBatch)
    {
        using var s = new MemoryStream();
        BookFiles.WriteJson(result, s, booksPerBatch);
        return s.ToArray();
    }

    [Fact]
    public void Book_json_rendered_by_rep_in_batches_is_the_one_writer_document_for_any_batch_size()
    {
        foreach (var result in new[] { fx.HostileOutput.Result, fx.TwiceOutput.Result })
        {
            Assert.True(result.Books.Count >= 3, "the sample should give several books");
            var expected = OneWriter(result);
            foreach (int batch in new[] { 1, 2, 3, result.Books.Count - 1, result.Books.Count, 32 })
                Assert.True(expected.AsSpan().SequenceEqual(ByRep(result, batch)), $"book.json by rep, {batch} books per batch, differs from one writer's");
            // It is also a valid document holding every book in order.
            using var doc = System.Text.Json.JsonDocument.Parse(expected);
            Assert.Equal(result.Books.Select(b => b.RepId), doc.RootElement.GetProperty("books").EnumerateArray().Select(b => b.GetProperty("rep_id").GetString()));
        }
        // What score wrote is that document.
        Assert.Equal(OneWriter(fx.HostileOutput.Result), File.ReadAllBytes(Path.Combine(fx.HostileOut, BatchScoring.BookJsonFile)));
    }

    [Fact]
    public void Book_json_of_an_empty_result_is_a_valid_document_with_no_books()
    {
        var empty = fx.HostileOutput.Result with { Books = [] };
        using var doc = System.Text.Json.JsonDocument.Parse(ByRep(empty, 2));
        Assert.Equal(0, doc.RootElement.GetProperty("books").GetArrayLength());
        Assert.Equal(0, doc.RootElement.GetProperty("accounts").GetInt32());
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
    public void Scoring_side_by_side_gives_the_probabilities_and_narratives_of_one_model_and_one_explainer_at_a_time()
    {
        var data = new CrmCatalog(fx.HostileData).Load().Dataset;
        var model = fx.TrainedModel;
        var features = model.FeaturesFor(data);
        var models = model.ForScoring("prod");
        var narratives = model.Options.Explanation;
        var result = BatchScorer.Score(models, features, data, narratives);

        // Serially: each model over the whole table, then each told narrative from its own explainer, one row at a time.
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
        // The accounts' context, built while the narratives are told, is the one built afterwards.
        var contexts = AccountContext.Build(data, features.AsOf, result.Books.SelectMany(b => b.Accounts).Select(a => a.AccountId).ToList(), Name);
        foreach (var a in result.Books.SelectMany(b => b.Accounts))
        {
            var c = contexts[a.AccountId];
            Assert.Equal(c.History, a.Context.History);
            Assert.Equal(c.OpenOpportunities, a.Context.OpenOpportunities);
            Assert.Equal((c.RenewalDate, c.RenewalProduct, c.LastActivity, c.LastActivityType), (a.Context.RenewalDate, a.Context.RenewalProduct, a.Context.LastActivity, a.Context.LastActivityType));
        }
    }

    [Fact]
    public void A_failure_on_either_side_surfaces_as_itself()
    {
        var first = Assert.Throws<WorkbenchException>(() => BatchScorer.SideBySide<int, int>(() => throw new WorkbenchException("first"), () => 2));
        Assert.Equal("first", first.Message);
        var second = Assert.Throws<InvalidOperationException>(() => BatchScorer.SideBySide<int, int>(() => 1, () => throw new InvalidOperationException("second")));
        Assert.Equal("second", second.Message);
        Assert.Equal((1, "two"), BatchScorer.SideBySide(() => 1, () => "two"));
    }
}
