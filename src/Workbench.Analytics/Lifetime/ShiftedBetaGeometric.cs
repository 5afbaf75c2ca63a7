using static Workbench.Analytics.Lifetime.LifetimeMath;

namespace Workbench.Analytics.Lifetime;

/// <summary>Shifted-beta-geometric parameters (Fader and Hardie 2007, "How to project customer retention"): each
/// customer churns at the end of a period with probability theta, beta(alpha, beta) across customers.</summary>
public sealed record SbgParameters(double Alpha, double Beta)
{
    /// <summary>P(T = t): the probability of churning at the end of period t (t &gt;= 1).</summary>
    public double ChurnProbability(int t) => Math.Exp(LnBeta(Alpha + 1, Beta + t - 1) - LnBeta(Alpha, Beta));

    /// <summary>S(t): the share of an acquired cohort still a customer after t periods.</summary>
    public double Survival(int t) => t <= 0 ? 1 : Math.Exp(LnBeta(Alpha, Beta + t) - LnBeta(Alpha, Beta));

    /// <summary>r(t) = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1): the retention rate in period t,
    /// rising with t as the cohort sorts itself (the high-churn customers leave first).</summary>
    public double RetentionRate(int t) => (Beta + t - 1) / (Alpha + Beta + t - 1);

    /// <summary>Discounted expected residual lifetime: the expected number of further payments, each discounted by
    /// (1 + d) per period from now, of a customer who has been active for <paramref name="periodsActive"/> periods
    /// (made that many payments): sum over k &gt;= 1 of S(n + k) / S(n) / (1 + d)^k = 2F1(1, beta + n; alpha + beta + n; 1/(1+d)) - 1.</summary>
    public double DiscountedExpectedResidualLifetime(int periodsActive, double discountRate)
    {
        if (discountRate <= 0) throw new ArgumentOutOfRangeException(nameof(discountRate), "DERL needs a positive discount rate.");
        return Hyp2F1(1, Beta + periodsActive, Alpha + Beta + periodsActive, 1 / (1 + discountRate)) - 1;
    }

    /// <summary>Log-likelihood of a survival table: alive[t] customers still active at the start of period t (alive[0]
    /// acquired); those lost in period t contribute log P(T = t), the survivors at the end log S(last).</summary>
    public double LogLikelihood(IReadOnlyList<double> alive)
    {
        double ll = 0;
        for (int t = 1; t < alive.Count; t++) ll += (alive[t - 1] - alive[t]) * Math.Log(ChurnProbability(t));
        return ll + alive[^1] * Math.Log(Survival(alive.Count - 1));
    }
}

/// <summary>Fits the shifted-beta-geometric model to one cohort's survival counts.</summary>
public static class ShiftedBetaGeometric
{
    public static readonly string[] ParameterNames = ["alpha", "beta"];

    /// <summary>Fits to <paramref name="alive"/> (customers active at the start of each period, alive[0] = acquired).</summary>
    public static (SbgParameters Parameters, MaximumLikelihoodFit Fit) Fit(IReadOnlyList<double> alive)
    {
        if (alive.Count < 2) throw new WorkbenchException("The shifted-beta-geometric fit needs a cohort observed for at least one period.");
        for (int t = 1; t < alive.Count; t++)
            if (alive[t] > alive[t - 1] || alive[t] < 0)
                throw new WorkbenchException($"Survival counts must not increase: period {t} has {alive[t]} after {alive[t - 1]}.");
        var fit = MaximumLikelihood.Fit(ParameterNames, [1, 1], p => new SbgParameters(p[0], p[1]).LogLikelihood(alive), alive[0]);
        return (new SbgParameters(fit.Values[0], fit.Values[1]), fit);
    }
}
