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
