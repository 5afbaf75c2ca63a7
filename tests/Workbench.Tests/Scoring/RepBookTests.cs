using System.Text.Json;
using Workbench.Analytics.Explanation;
using Workbench.Analytics.Features;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Scoring;
using Workbench.Data;
using Workbench.Experiments.Scoring;

namespace Workbench.Tests.Scoring;

/// <summary>The rep's book v2 (#20): honest account figures, reasons a rep can act on, comparison with the previous scoring,
/// ownership warnings, and files that carry what the pages show.</summary>
[Collection(ScoringCollection.Name)]
public class RepBookTests(ScoringFixture fx)
{
    static readonly string[] Transformed = ["log10", "log1p", "log "];

    [Fact]
    public void On_the_sample_no_reason_cites_a_missing_value_a_transformed_unit_or_the_calendar_month_and_each_has_a_statistic()
    {
        var reasons = fx.HostileOutput.Result.Books.SelectMany(b => b.Accounts).SelectMany(a => a.FocusNarrative.ReasonsFor.Concat(a.FocusNarrative.ReasonsAgainst)).ToList();
        int accounts = fx.HostileOutput.Result.AccountCount;
        Assert.True(reasons.Count >= 3 * accounts, $"{reasons.Count} reasons for {accounts} accounts: the policy should leave most slots filled");
        var registry = FeatureBuilder.BaseRegistry;
        Assert.All(reasons, r => Assert.NotNull(r.Lead));
        int missing = reasons.Count(r => r.Sentence.Contains("not recorded", StringComparison.Ordinal) || double.IsNaN(Lead(r).Value) || r.Lead!.EndsWith("_missing", StringComparison.Ordinal));
        int transformed = reasons.Count(r => Transformed.Any(t => (r.Sentence + " " + r.Support).Contains(t, StringComparison.OrdinalIgnoreCase)));
        int calendar = reasons.Count(r => Lead(r).Feature == "calendar_month" || r.Sentence.Contains("of the year", StringComparison.Ordinal));
        int hidden = reasons.Count(r => !registry.Contains(r.Lead!) || RepPolicy.Of(registry[r.Lead!]) == RepUse.Hidden);
        int withoutStatistic = reasons.Count(r => string.IsNullOrWhiteSpace(r.Support));
        Assert.Equal((0, 0, 0, 0, 0), (missing, transformed, calendar, hidden, withoutStatistic));
        // Context (firmographics, tenure) only when it dominates, and then said to be context.
        Assert.All(reasons.Where(r => r.IsContext), r => Assert.StartsWith("Context: ", r.Sentence, StringComparison.Ordinal));
        // "Why now" reasons come first among the reasons for.
        foreach (var a in fx.HostileOutput.Result.Books.SelectMany(b => b.Accounts))
        {
            var flags = a.FocusNarrative.ReasonsFor.Select(r => r.WhyNow).ToList();
            Assert.Equal(flags.OrderByDescending(f => f).ToList(), flags);
        }
        Assert.Contains(reasons, r => r.WhyNow);
    }

    /// <summary>The feature (with its value) the reason's sentence speaks for.</summary>
    static ReasonFeature Lead(Reason r) => r.Features.Single(f => f.Feature == r.Lead);

    [Fact]
    public void The_rep_policy_hides_transformed_units_missing_indicators_and_the_calendar_month_and_keeps_firmographics_as_context()
    {
        var registry = FeatureBuilder.BaseRegistry;
        Assert.Equal(RepUse.Hidden, RepPolicy.Of(registry["calendar_month"]));
        Assert.Equal(RepUse.Hidden, RepPolicy.Of(registry["employees_log"]));
        Assert.Equal(RepUse.Context, RepPolicy.Of(registry["industry"]));
        Assert.Equal(RepUse.Context, RepPolicy.Of(registry["company_age_years"]));
        Assert.Equal(RepUse.Actionable, RepPolicy.Of(registry["utilization_change_3m"]));
        Assert.True(RepPolicy.IsWhyNow(registry["utilization_change_3m"]));
        Assert.False(RepPolicy.IsWhyNow(registry["meetings_12m"]));
        // Features a later registry adds fall under the rules.
        Assert.Equal(RepUse.Hidden, RepPolicy.Of(new FeatureDefinition("spend_log", ConceptGroups.Spend, "log of spend", "log1p $/month", BetterDirection.Higher, "{value}")));
        Assert.Equal(RepUse.Hidden, RepPolicy.Of(new FeatureDefinition("survey_missing", ConceptGroups.Engagement, "No survey answered", "flag", BetterDirection.Neutral, "{value}")));
        Assert.Equal(RepUse.Context, RepPolicy.Of(new FeatureDefinition("hq_country", ConceptGroups.Firmographics, "Country", "category", BetterDirection.Neutral, "{value}", IsCategorical: true)));
        Assert.Equal(RepUse.Actionable, RepPolicy.Of(new FeatureDefinition("logins_3m", ConceptGroups.Usage, "Logins in 3 months", "logins", BetterDirection.Higher, "{value}")));
    }

    [Fact]
    public void Account_figures_are_sums_and_the_probability_of_any_product_and_probabilities_stay_bounded()
    {
        foreach (var a in fx.HostileOutput.Result.Books.SelectMany(b => b.Accounts))
        {
            Assert.Equal(a.Products.Sum(p => p.ExpectedUpsell), a.Priority.ExpectedUpsell, 6);
            Assert.Equal(a.Products.Sum(p => p.RevenueAtRisk), a.Priority.RevenueAtRisk, 6);
            Assert.Equal(1 - a.Products.Aggregate(1.0, (x, p) => x * (1 - p.PChurn)), a.PAnyChurn, 12);
            Assert.True(a.PAnyChurn >= a.Products.Max(p => p.PChurn) - 1e-12, "any churn is at least the largest product's");
            foreach (var p in a.Products)
            {
                Assert.InRange(p.PChurn, BatchScorer.ProbabilityFloor, 1 - BatchScorer.ProbabilityFloor);
                Assert.InRange(p.PUpsell, BatchScorer.ProbabilityFloor, 1 - BatchScorer.ProbabilityFloor);
            }
            Assert.Equal(AccountContext.HistoryMonths, a.Context.History.Count);
            Assert.True(a.Context.History.All(h => h.Month < fx.HostileOutput.Result.AsOf), "history reads only months before the as-of date");
            Assert.True(a.Context.LastActivity is null || a.Context.LastActivity < fx.HostileOutput.Result.AsOf);
        }
        Assert.Contains(fx.HostileOutput.Result.Books.SelectMany(b => b.Accounts), a => a.Context.RenewalDate is not null);
        Assert.Contains(fx.HostileOutput.Result.Books.SelectMany(b => b.Accounts), a => a.Context.History.Any(h => h.Spend > 0));
    }

    [Fact]
    public void Book_csv_and_json_carry_the_fields_the_page_shows()
    {
        var result = fx.HostileOutput.Result;
        var csv = File.ReadAllLines(Path.Combine(fx.HostileOut, BatchScoring.BookCsvFile));
        foreach (var column in new[] { "p_any_churn", "p_any_upsell", "trend_meaning", "previous_grade", "priority_change", "clv", "next_action", "renewal_date", "last_activity", "open_opportunities", "reason_for_1_support" })
            Assert.Contains(column, csv[0].Split(','));
        var products = File.ReadAllLines(Path.Combine(fx.HostileOut, BatchScoring.BookProductsCsvFile));
        Assert.Equal(result.Books.Sum(b => b.Accounts.Sum(a => a.Products.Count)), products.Length - 1);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(fx.HostileOut, BatchScoring.BookJsonFile)));
        var account = json.RootElement.GetProperty("books")[0].GetProperty("accounts")[0];
        foreach (var field in new[] { "p_any_churn", "p_any_upsell", "trend_meaning", "previous_scoring", "priority_change", "clv", "next_action", "renewal_date",
            "last_activity", "open_opportunities", "history", "products", "reasons_for", "reasons_against" })
            Assert.True(account.TryGetProperty(field, out _), field);
        Assert.Equal(JsonValueKind.Null, account.GetProperty("clv").ValueKind); // no lifetime model in this scoring: null, shown as a dash
        Assert.Equal(AccountContext.HistoryMonths, account.GetProperty("history").GetArrayLength());
        Assert.True(account.GetProperty("reasons_for")[0].TryGetProperty("support", out var support) && support.GetString()!.Length > 0);
    }

    [Fact]
    public void Scoring_the_same_folder_again_compares_with_the_previous_scoring()
    {
        var result = fx.TwiceOutput.Result;
        Assert.Equal(new DateOnly(2025, 12, 1), result.Previous);
        var all = result.Books.SelectMany(b => b.Accounts).ToList();
        Assert.True(all.Count(a => a.Previous is not null) > all.Count / 2, "most accounts were in the previous scoring");
        var movers = BookComparison.Movers(result);
        Assert.NotEmpty(movers);
        Assert.True(movers.Zip(movers.Skip(1)).All(p => Math.Abs(p.First.Change) >= Math.Abs(p.Second.Change)));
        Assert.All(BookComparison.NewAGrades(result), x => Assert.NotEqual(Grade.A, x.Account.Previous?.Grade));
        var index = File.ReadAllText(Path.Combine(fx.TwiceOut, "report", "index.html"));
        Assert.Contains("id=\"movers\"", index);
        Assert.DoesNotContain("id=\"no-previous\"", index);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(fx.TwiceOut, BatchScoring.BookJsonFile)));
        Assert.Equal("2025-12-01", json.RootElement.GetProperty("previous_scoring_as_of").GetString());
        // The first scoring, with nothing before it, says so.
        Assert.Contains("id=\"no-previous\"", File.ReadAllText(fx.HostileOutput.ReportIndex));
    }

    [Fact]
    public void A_previous_folder_without_a_scoring_is_refused_naming_it()
    {
        var empty = TestPaths.NewTempDir("no-previous");
        var ex = Assert.Throws<WorkbenchException>(() => BatchScoring.Run(fx.Store, "prod", fx.HostileData, Path.Combine(empty, "out"), new ScoringOptions { Previous = empty }));
        Assert.Contains(empty, ex.Message);
        Assert.False(Directory.Exists(Path.Combine(empty, "out")));
    }

    [Fact]
    public void Scoring_without_owners_warns_and_says_how_to_supply_them()
    {
        var root = TestPaths.NewTempDir("no-owners");
        var data = new CrmCatalog(ScoringFixture.Sample).Load().Dataset;
        new CrmCatalog(Path.Combine(root, "data")).Write(data with { Book = [] }); // reps but no rep-account assignments
        var output = BatchScoring.Run(fx.Store, "prod", Path.Combine(root, "data"), Path.Combine(root, "out"));
        var warning = Assert.Single(output.Warnings);
        Assert.Contains("(unassigned)", warning);
        Assert.Contains("book.csv", warning);
        Assert.Contains("--mapping", warning);
        Assert.Equal(output.Result.AccountCount, output.Result.UnassignedAccounts);
        Assert.Contains("have no owner", File.ReadAllText(output.ReportIndex));
        Assert.Empty(fx.HostileOutput.Warnings);
    }
}
