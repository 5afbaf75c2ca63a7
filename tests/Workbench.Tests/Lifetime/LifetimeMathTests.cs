using Workbench.Analytics.Lifetime;

namespace Workbench.Tests.Lifetime;

public class LifetimeMathTests
{
    [Fact]
    public void Derl_equals_the_direct_sum_of_discounted_survival_ratios()
    {
        var p = new SbgParameters(0.668, 3.806);
        foreach (var n in new[] { 1, 3, 7 })
        {
            double direct = 0;
            for (int k = 1; k < 5000; k++) direct += p.Survival(n + k) / p.Survival(n) / Math.Pow(1.1, k);
            Assert.Equal(direct, p.DiscountedExpectedResidualLifetime(n, 0.1), 6);
        }
    }

    [Fact]
    public void Bg_nbd_expected_purchases_match_a_numerical_check_and_p_alive_is_one_without_repeats()
    {
        var p = new BgNbdParameters(0.243, 4.414, 0.793, 2.426);
        Assert.Equal(1.0, p.ProbabilityAlive(0, 0, 38.86));
        // Conditional expectation of a fresh customer (x = 0, T = 0) equals the unconditional one.
        Assert.Equal(p.ExpectedPurchases(39), p.ConditionalExpectedPurchases(39, 0, 0, 0), 9);
        Assert.True(p.ProbabilityAlive(2, 30.43, 38.86) > p.ProbabilityAlive(2, 5, 38.86));
    }

    [Fact]
    public void A_model_file_of_another_kind_is_refused_by_name()
    {
        using var ms = new MemoryStream();
        Workbench.Analytics.Modeling.ModelFile.Write(ms, "prioritizer", 1, _ => { });
        ms.Position = 0;
        var ex = Assert.Throws<WorkbenchException>(() => LifetimeModel.Load(ms));
        Assert.Contains("expected a 'lifetime' model", ex.Message);
    }
}
