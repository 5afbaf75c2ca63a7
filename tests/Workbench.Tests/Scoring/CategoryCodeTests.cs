using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Tests.Scoring;

/// <summary>A model codes categories (industry, region, revenue band) as it was trained, whatever values the scored data holds.</summary>
[Collection(ScoringCollection.Name)]
public class CategoryCodeTests(ScoringFixture fx)
{
    /// <summary>The data without the accounts of <paramref name="industry"/> and every row keyed by them.</summary>
    static CrmDataset Without(CrmDataset d, string industry)
    {
        var keep = d.Accounts.Where(a => a.Industry != industry).Select(a => a.AccountId).ToHashSet(StringComparer.Ordinal);
        var opportunities = d.Opportunities.Where(o => keep.Contains(o.AccountId)).ToList();
        var kept = opportunities.Select(o => o.OpportunityId).ToHashSet(StringComparer.Ordinal);
        return d with
        {
            Accounts = d.Accounts.Where(a => keep.Contains(a.AccountId)).ToList(),
            Contracts = d.Contracts.Where(x => keep.Contains(x.AccountId)).ToList(),
            Spend = d.Spend.Where(x => keep.Contains(x.AccountId)).ToList(),
            Usage = d.Usage.Where(x => keep.Contains(x.AccountId)).ToList(),
            Engagement = d.Engagement.Where(x => keep.Contains(x.AccountId)).ToList(),
            Bookings = d.Bookings.Where(x => keep.Contains(x.AccountId)).ToList(),
            Book = d.Book.Where(x => keep.Contains(x.AccountId)).ToList(),
            Opportunities = opportunities,
            StageHistory = d.StageHistory.Where(x => kept.Contains(x.OpportunityId)).ToList(),
            OpportunityActivities = d.OpportunityActivities.Where(x => kept.Contains(x.OpportunityId)).ToList(),
            Actions = d.Actions.Where(x => keep.Contains(x.AccountId)).ToList(),
            Transactions = d.Transactions.Where(x => keep.Contains(x.AccountId)).ToList(),
        };
    }

    [Fact]
    public void Data_lacking_the_first_industry_scores_every_other_account_as_the_whole_data_does()
    {
        var whole = new CrmCatalog(ScoringFixture.Sample).Load().Dataset;
        string first = whole.Accounts.Select(a => a.Industry).Distinct().Order(StringComparer.Ordinal).First();
        var model = fx.TrainedModel;
        var all = model.Score(whole).Books.SelectMany(b => b.Accounts).ToDictionary(a => a.AccountId, StringComparer.Ordinal);
        var part = model.Score(Without(whole, first)).Books.SelectMany(b => b.Accounts).ToList();
        Assert.True(part.Count > 50);
        Assert.True(part.Count < all.Count);
        foreach (var a in part)
        {
            var expected = all[a.AccountId].Products.Select(p => (p.ProductId, p.PChurn, p.PUpsell));
            Assert.Equal(expected, a.Products.Select(p => (p.ProductId, p.PChurn, p.PUpsell)));
        }
    }

    [Fact]
    public void An_industry_training_never_saw_is_missing_for_its_account_and_moves_no_other_account()
    {
        var whole = new CrmCatalog(ScoringFixture.Sample).Load().Dataset;
        var model = fx.TrainedModel;
        Assert.NotNull(model.Categories);
        Assert.Equal(whole.Accounts.Select(a => a.Industry).Distinct().Order(StringComparer.Ordinal), model.Categories!.Industries);
        var all = model.Score(whole).Books.SelectMany(b => b.Accounts).ToDictionary(a => a.AccountId, StringComparer.Ordinal);
        // One scored account moves to an industry no training row had, sorting between the real ones.
        string moved = all.Keys.Order(StringComparer.Ordinal).First();
        var renamed = whole with { Accounts = whole.Accounts.Select(a => a.AccountId == moved ? a with { Industry = "Hospitality" } : a).ToList() };
        Assert.DoesNotContain("Hospitality", model.Categories.Industries);
        var features = model.FeaturesFor(renamed);
        int industry = features.Features.Registry.Names.ToList().IndexOf("industry");
        for (int r = 0; r < features.Features.RowCount; r++)
            if (features.Features.AccountId(r) == moved) Assert.True(float.IsNaN(features.Features.Values[(long)r * features.Features.ColumnCount + industry]));
        foreach (var a in model.Score(renamed).Books.SelectMany(b => b.Accounts).Where(a => a.AccountId != moved))
            Assert.Equal(all[a.AccountId].Products.Select(p => (p.ProductId, p.PChurn, p.PUpsell)), a.Products.Select(p => (p.ProductId, p.PChurn, p.PUpsell)));
    }

    [Fact]
    public void A_saved_model_keeps_its_category_values()
    {
        using var ms = new MemoryStream();
        fx.TrainedModel.Save(ms);
        ms.Position = 0;
        var loaded = Workbench.Analytics.Prioritization.PrioritizerModel.Load(ms);
        Assert.Equal(fx.TrainedModel.Categories!.Industries, loaded.Categories!.Industries);
        Assert.Equal(fx.TrainedModel.Categories.Regions, loaded.Categories.Regions);
        Assert.Equal(fx.TrainedModel.Categories.RevenueBands, loaded.Categories.RevenueBands);
    }
}
