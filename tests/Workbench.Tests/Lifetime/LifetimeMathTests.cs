using Workbench.Analytics.Lifetime;

namespace Workbench.Tests.Lifetime;

public class LifetimeMathTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.95)]
    public void Hypergeometric_2f1_matches_closed_forms_and_euler_transformed_sums(double z)
    {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z
        Assert.Equal(-Math.Log(1 - z) / z, Workbench.Analytics.Lifetime.LifetimeMath.Hyp2F1(1, 1, 2, z), 12);
        // 2F1(a, b; b; z) = (1 - z)^-a
        Assert.Equal(-2.5 * Math.Log(1 - z), Workbench.Analytics.Lifetime.LifetimeMath.LogHyp2F1(2.5, 3, 3, z), 10);
        // A Pareto/NBD-shaped call with a large b (summed through Euler's transformation) against the plain series.
        double a = 40.2, b = 39.6, c = 41.2, zz = z * 0.5, term = 1, sum = 1;
        for (int n = 0; n < 20000; n++) { term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * zz; sum += term; }
        Assert.Equal(Math.Log(sum), Workbench.Analytics.Lifetime.LifetimeMath.LogHyp2F1(a, b, c, zz), 9);
    }

    [Theory]
    [InlineData(0.0, 0.0, 38.86)]
    [InlineData(2.0, 30.43, 38.86)]
    [InlineData(14.0, 5.0, 38.86)]
    public void Pareto_nbd_quadrature_of_the_dropout_integral_equals_the_hypergeometric_series(double x, double tx, double t)
    {
        var p = new ParetoNbdParameters(0.553, 10.578, 0.606, 11.668);
        double rsx = p.R + p.S + x;
        // The series route: log A0 - log(r + s + x), A0 as in Fader and Hardie's note (alpha < beta here).
        double d = p.Beta - p.Alpha;
        double A0 = Math.Exp(Workbench.Analytics.Lifetime.LifetimeMath.LogHyp2F1(rsx, p.R + x, rsx + 1, d / (p.Beta + tx))) / Math.Pow(p.Beta + tx, rsx)
                  - Math.Exp(Workbench.Analytics.Lifetime.LifetimeMath.LogHyp2F1(rsx, p.R + x, rsx + 1, d / (p.Beta + t))) / Math.Pow(p.Beta + t, rsx);
        Assert.Equal(Math.Log(A0) - Math.Log(rsx), p.LogDropoutIntegral(x, tx, t), 8);
    }

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
    public void Bg_nbd_analytic_gradient_matches_central_differences_of_the_log_likelihood()
    {
        var data = CdnowData.Summary();
        double[] at = [0.3, 5.1, 0.7, 2.9];
        var g = new double[4];
        var ll = new BgNbdParameters(at[0], at[1], at[2], at[3]).LogLikelihood(data, g);
        Assert.Equal(new BgNbdParameters(at[0], at[1], at[2], at[3]).LogLikelihood(data), ll, 8);
        for (int i = 0; i < 4; i++)
        {
            double h = 1e-6 * at[i];
            var up = (double[])at.Clone(); up[i] += h;
            var dn = (double[])at.Clone(); dn[i] -= h;
            double numeric = (new BgNbdParameters(up[0], up[1], up[2], up[3]).LogLikelihood(data)
                - new BgNbdParameters(dn[0], dn[1], dn[2], dn[3]).LogLikelihood(data)) / (2 * h);
            Assert.True(Math.Abs(numeric - g[i]) <= 1e-5 * Math.Max(1, Math.Abs(numeric)), $"parameter {i}: analytic {g[i]}, numeric {numeric}");
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
