using Workbench.Analytics.Features;
using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Tests.Reliability;

/// <summary>The data-extent check made before scoring: as-of dates outside the data and stray far-future rows are
/// refused with the data's range, instead of silently scoring a handful of accounts.</summary>
public class ScoringExtentTests
{
    static readonly Lazy<CrmDataset> Sample = new(() =>
        new CrmCatalog(Path.Combine(TestPaths.RepoRoot, "data-samples", "generated")).Load().Dataset);

    static int ScoredAccounts(ScoringFeatures f) =>
        f.Features.Snapshots.Where(s => s.AsOfMonth == f.AsOfMonth).Select(s => s.Account).Distinct().Count();

    static CrmDataset WithStrayRow(CrmDataset data, DateOnly month)
    {
        var first = data.Spend[0];
        return data with { Spend = data.Spend.Append(first with { Month = month }).ToList() };
    }

    [Fact]
    public void A_single_far_future_spend_row_is_refused_instead_of_shrinking_the_scored_population()
    {
        var data = Sample.Value;
        var clean = ScoringFeatures.Build(data);
        Assert.True(ScoredAccounts(clean) > 50, "the clean sample scores many accounts");

        var ex = Assert.Throws<WorkbenchException>(() => ScoringFeatures.Build(WithStrayRow(data, new DateOnly(2099, 1, 1))));
        Assert.Contains("2099-01", ex.Message);
        Assert.Contains("1 spend/usage row(s)", ex.Message);
        Assert.Contains($"the rest of the data ends {clean.Panel.MonthAt(clean.AsOfMonth - 1):yyyy-MM}", ex.Message);
        Assert.Contains("--as-of", ex.Message);
    }

    [Fact]
    public void With_a_stray_row_an_explicit_as_of_date_inside_the_data_scores_the_same_population_as_the_clean_data()
    {
        var data = Sample.Value;
        var clean = ScoringFeatures.Build(data);
        var stray = ScoringFeatures.Build(WithStrayRow(data, new DateOnly(2099, 1, 1)), clean.AsOf);
        Assert.Equal(ScoredAccounts(clean), ScoredAccounts(stray));
        Assert.Equal(clean.AsOf, stray.AsOf);
    }

    [Theory]
    [InlineData(2099, 1)]
    [InlineData(1990, 1)]
    public void An_as_of_date_outside_the_data_is_refused_with_the_data_range(int year, int month)
    {
        var data = Sample.Value;
        var clean = ScoringFeatures.Build(data);
        var ex = Assert.Throws<OptionsValidationException>(() => ScoringFeatures.Build(data, new DateOnly(year, month, 1)));
        Assert.Contains($"{year:D4}-{month:D2}-01 is outside the data", ex.Message);
        // The data's whole extent (a scoring panel itself starts only its look-back months before the as-of date).
        Assert.Contains($"from {data.Spend.Min(s => s.Month):yyyy-MM} to {clean.Panel.MonthAt(clean.Panel.Months - 1):yyyy-MM}", ex.Message);
    }

    [Fact]
    public void The_month_after_the_last_month_is_still_a_valid_explicit_as_of_date()
    {
        var data = Sample.Value;
        var clean = ScoringFeatures.Build(data);
        Assert.Equal(ScoredAccounts(clean), ScoredAccounts(ScoringFeatures.Build(data, clean.AsOf)));
    }
}
