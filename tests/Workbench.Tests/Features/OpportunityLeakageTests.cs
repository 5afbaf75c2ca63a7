using Workbench.Analytics.Pipeline;
using Workbench.Data.Generation;
using Xunit.Abstractions;

namespace Workbench.Tests.Features;

/// <summary>The point-in-time rule for opportunity features: erasing everything dated on or after the as-of date moves
/// no feature of the deals open on that date (and erasing from an earlier date does, so the check can fail).</summary>
public class OpportunityLeakageTests(ITestOutputHelper output)
{
    static readonly Workbench.Domain.CrmDataset Data = CrmGenerator.Generate(new GeneratorOptions { Accounts = 250, Months = 24, Seed = 3 });

    [Theory]
    [InlineData("2023-09-13")]
    [InlineData("2024-03-01")]
    [InlineData("2024-10-22")]
    public void No_opportunity_feature_moves_when_data_on_or_after_the_as_of_date_is_erased(string date)
    {
        var asOf = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        var result = OpportunityLeakageCheck.Run(Data, asOf);
        output.WriteLine(result.ToString());
        Assert.True(result.Snapshots > 20, result.ToString());
        Assert.True(result.ChangedOutcomes > 0, "erasing the future must reopen deals that closed later: " + result);
        Assert.True(result.FeaturesIgnoreTheFuture, result.ToString() + "; moved: " + string.Join(", ", result.ChangedFeatures));
        // The account's health features are among the checked columns and hold values.
        foreach (var name in OpportunityFeatures.AccountHealth.Names)
            Assert.True(result.Coverage[name] > 0.25, $"{name}: known in {result.Coverage[name]:P0} of the open deals");
    }

    [Fact]
    public void Erasing_from_a_month_before_the_as_of_date_moves_the_accounts_health_features_too()
    {
        var asOf = new DateOnly(2024, 3, 1);
        var result = OpportunityLeakageCheck.Run(Data, asOf, eraseFrom: asOf.AddMonths(-2));
        output.WriteLine(string.Join(", ", result.ChangedFeatures));
        foreach (var name in new[] { "account_spend_mean_3m", "meetings_3m", "emails_3m" }) Assert.Contains(name, result.ChangedFeatures);
    }

    [Fact]
    public void Erasing_from_a_month_before_the_as_of_date_moves_features()
    {
        var asOf = new DateOnly(2024, 3, 1);
        var result = OpportunityLeakageCheck.Run(Data, asOf, eraseFrom: asOf.AddDays(-30));
        output.WriteLine(result.ToString());
        Assert.True(result.ChangedFeatureCells > 0, result.ToString());
    }
}
