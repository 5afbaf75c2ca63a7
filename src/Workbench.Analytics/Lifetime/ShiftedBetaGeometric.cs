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

/// <summary>Account-level contractual value for subscription-like monthly spend: an account still paying in the
/// calibration-end month keeps paying its latest monthly amount (its run-rate) while it survives; survival follows a
/// shifted-beta-geometric model fitted on every account's tenure (churned accounts: P(T = n); accounts still paying,
/// right-censored: P(T &gt;= n)), so an account's expected remaining months depend on how long it has already stayed.
/// Accounts not paying in the calibration-end month are churned and worth nothing.</summary>
public static class RunRateSurvivalValue
{
    public const string ModelName = "sbg_run_rate";

    /// <summary>Per account (of <paramref name="monthly"/>: one purchase per account-month): run-rate, months paid,
    /// whether it is active, the fitted sBG, expected 12-month revenue and the discounted CLV over the horizon.</summary>
    public static (SbgParameters Survival, IReadOnlyList<(string AccountId, bool Active, int Tenure, double RunRate, double Revenue12, double Clv, double? ClvLow, double? ClvHigh)> Values)
        Estimate(IReadOnlyList<Purchase> monthly, DateOnly calibrationEnd, LifetimeOptions options)
    {
        options.Validate();
        var endMonth = new DateOnly(calibrationEnd.Year, calibrationEnd.Month, 1);
        var accounts = monthly.Where(p => p.Date <= calibrationEnd).GroupBy(p => p.AccountId).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var months = g.GroupBy(p => new DateOnly(p.Date.Year, p.Date.Month, 1)).Select(m => (Month: m.Key, Amount: m.Sum(p => p.Amount))).OrderBy(m => m.Month).ToList();
                int tenure = (months[^1].Month.Year - months[0].Month.Year) * 12 + months[^1].Month.Month - months[0].Month.Month + 1;
                return (AccountId: g.Key, Active: months[^1].Month == endMonth, Tenure: tenure, RunRate: months[^1].Amount);
            }).ToList();
        if (accounts.Count(a => !a.Active) == 0 || accounts.Count(a => a.Active) == 0)
            throw new WorkbenchException("The run-rate survival model needs both churned accounts and accounts still paying at the calibration end.");
        var fit = MaximumLikelihood.Fit(ShiftedBetaGeometric.ParameterNames, [1, 1], p =>
        {
            var sbg = new SbgParameters(p[0], p[1]);
            double ll = 0;
            foreach (var a in accounts) ll += a.Active ? Math.Log(sbg.Survival(a.Tenure - 1)) : Math.Log(sbg.ChurnProbability(a.Tenure));
            return ll;
        }, accounts.Count);
        var s = new SbgParameters(fit.Values[0], fit.Values[1]);
        double monthlyDiscount = Math.Pow(1 + options.AnnualDiscountRate, 1.0 / 12) - 1;
        // Discounted expected paying months over the horizon per tenure, under each sBG parameter draw (the interval).
        double DiscountedMonths(SbgParameters q, int tenure)
        {
            double baseS = q.Survival(tenure - 1), sum = 0;
            for (int k = 1; k <= options.HorizonMonths; k++) sum += q.Survival(tenure - 1 + k) / baseS / Math.Pow(1 + monthlyDiscount, k);
            return sum;
        }
        var draws = ParameterUncertainty.Draw(fit, options.IntervalDraws, new Random(RunContext.DeriveSeed(options.Seed, "lifetime-interval-sbg")))
            .Select(q => new SbgParameters(q[0], q[1])).ToList();
        var byTenure = accounts.Where(a => a.Active).Select(a => a.Tenure).Distinct()
            .ToDictionary(t => t, t => draws.Select(q => DiscountedMonths(q, t)).ToArray());
        var values = accounts.Select(a =>
        {
            if (!a.Active) return (a.AccountId, a.Active, a.Tenure, a.RunRate, 0.0, 0.0, draws.Count > 0 ? 0.0 : (double?)null, draws.Count > 0 ? 0.0 : (double?)null);
            double baseS = s.Survival(a.Tenure - 1), revenue12 = 0, clv = 0;
            for (int k = 1; k <= Math.Max(12, options.HorizonMonths); k++)
            {
                double keep = s.Survival(a.Tenure - 1 + k) / baseS;
                if (k <= 12) revenue12 += keep * a.RunRate;
                if (k <= options.HorizonMonths) clv += keep * a.RunRate / Math.Pow(1 + monthlyDiscount, k);
            }
            var ci = ParameterUncertainty.Interval(byTenure[a.Tenure].Select(m => options.Margin * a.RunRate * m), options.IntervalLevel);
            return (a.AccountId, a.Active, a.Tenure, a.RunRate, revenue12, options.Margin * clv, ci?.Low, ci?.High);
        }).ToList();
        return (s, values);
    }
}
