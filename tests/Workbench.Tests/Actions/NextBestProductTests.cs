using Workbench.Analytics.Actions;
using Xunit.Abstractions;

namespace Workbench.Tests.Actions;

[Collection(ActionCollection.Name)]
public sealed class NextBestProductTests(ActionFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void Next_best_product_beats_the_popularity_baseline_at_hit_rate_one()
    {
        var e = NextBestProduct.Evaluate(fixture.Data);
        output.WriteLine($"accounts {e.Accounts}: model hit@1 {e.HitAt1:F3} hit@3 {e.HitAt3:F3}; popularity hit@1 {e.PopularityHitAt1:F3} hit@3 {e.PopularityHitAt3:F3}");
        Assert.True(e.Accounts >= 50, $"only {e.Accounts} accounts purchased in the window");
        Assert.True(e.HitAt1 > e.PopularityHitAt1, $"hit@1 {e.HitAt1:F3} vs popularity {e.PopularityHitAt1:F3}");
        Assert.True(e.HitAt3 >= e.HitAt1);
    }

    [Fact]
    public void Recommendations_rank_every_candidate_and_skip_nothing_held_at_full_use()
    {
        var recs = NextBestProduct.Recommend(fixture.Data);
        Assert.NotEmpty(recs);
        Assert.All(recs, r =>
        {
            Assert.NotEmpty(r.Ranked);
            Assert.Equal(r.Ranked.Count, r.Ranked.Select(x => x.ProductId).Distinct().Count());
            for (int k = 1; k < r.Ranked.Count; k++) Assert.True(r.Ranked[k - 1].Score >= r.Ranked[k].Score);
        });
    }

    [Fact]
    public void Invalid_options_are_listed_together()
    {
        var ex = Assert.Throws<Workbench.OptionsValidationException>(() => new NextProductOptions { HorizonMonths = 0, Trees = 0 }.Validate());
        Assert.Contains("HorizonMonths", ex.Message);
        Assert.Contains("Trees", ex.Message);
    }
}
