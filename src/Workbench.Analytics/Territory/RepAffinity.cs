#pragma warning disable CS1573 // records document only the parameters that need explaining
using MathNet.Numerics.Distributions;

namespace Workbench.Analytics.Territory;

/// <summary>One closed deal of the win history: who worked it, the account's group, won or lost, its amount.</summary>
public readonly record struct ClosedDeal(string RepId, int Group, bool Won, double Amount);

/// <summary>A rep's estimated win rate in one account group.</summary>
/// <param name="Deals">Closed deals the rep had in the group before the planning date.</param>
/// <param name="Wins">Of which won.</param>
/// <param name="Rate">Posterior mean: (wins + alpha) / (deals + alpha + beta), shrunk toward the group's rate.</param>
/// <param name="Lower">Lower end of the equal-tailed credible interval (Beta posterior).</param>
/// <param name="Upper">Upper end.</param>
public sealed record AffinityCell(string RepId, int Group, int Deals, int Wins, double Rate, double Lower, double Upper)
{
    /// <summary>The raw win rate (NaN without deals).</summary>
    public double RawRate => Deals > 0 ? (double)Wins / Deals : double.NaN;
}

/// <summary>An account group with its pooled win history and the beta prior its reps' rates shrink toward.</summary>
/// <param name="Label">Group name (a user segment's label, or "group N").</param>
/// <param name="Accounts">Accounts in the group on the planning date.</param>
/// <param name="WinRate">Pooled win rate of the group (prior mean).</param>
/// <param name="PriorStrength">alpha + beta of the beta prior (method of moments on the reps' rates): a rep's rate
/// counts this many pseudo-deals at the group rate.</param>
/// <param name="OpportunitiesPerAccountYear">Closed deals per account and year of history.</param>
/// <param name="MeanDealAmount">Mean amount of the group's closed deals.</param>
public sealed record TerritoryGroup(int Group, string Label, int Accounts, int Deals, int Wins, double WinRate, double PriorStrength,
    double OpportunitiesPerAccountYear, double MeanDealAmount);

/// <summary>
/// Empirical-Bayes win rates of every rep in every account group (beta-binomial): within a group, reps' true rates
/// are taken to follow a Beta(alpha, beta) whose mean is the group's pooled rate and whose spread is the between-rep
/// variance left after removing binomial noise (method of moments); each rep's rate is the posterior mean given its
/// wins and losses, with an equal-tailed credible interval. Few deals mean little trust: the estimate stays near the
/// group's rate.
/// </summary>
public static class RepAffinity
{
    /// <summary>Prior strengths are kept in [1, 10,000] pseudo-deals.</summary>
    public const double MinPriorStrength = 1, MaxPriorStrength = 10_000;

    /// <summary>Estimates the rep x group table.</summary>
    /// <param name="repIds">Every rep to estimate (reps without deals get the group's rate and the prior's interval).</param>
    /// <param name="groupLabels">Group names, index = group.</param>
    /// <param name="accountsPerGroup">Accounts in each group.</param>
    /// <param name="historyYears">Length of the win history, for the opportunity rate.</param>
    /// <param name="level">Credible level, e.g. 0.9.</param>
    public static (TerritoryGroup[] Groups, AffinityCell[][] Cells) Estimate(IEnumerable<ClosedDeal> deals, IReadOnlyList<string> repIds,
        IReadOnlyList<string> groupLabels, IReadOnlyList<int> accountsPerGroup, double historyYears, double level)
    {
        int g = groupLabels.Count, reps = repIds.Count;
        var repIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < reps; r++) repIndex[repIds[r]] = r;
        var n = new int[reps, g];
        var w = new int[reps, g];
        var amount = new double[g];
        var dealsInGroup = new int[g];
        foreach (var d in deals)
        {
            if ((uint)d.Group >= (uint)g) throw new ArgumentOutOfRangeException(nameof(deals), $"Deal group {d.Group} is outside 0..{g - 1}.");
            amount[d.Group] += d.Amount;
            dealsInGroup[d.Group]++;
            if (!repIndex.TryGetValue(d.RepId, out int r)) continue; // a rep unknown to the reps table: counts for the group only
            n[r, d.Group]++;
            if (d.Won) w[r, d.Group]++;
        }
        var groups = new TerritoryGroup[g];
        var cells = new AffinityCell[reps][];
        for (int r = 0; r < reps; r++) cells[r] = new AffinityCell[g];
        double lo = (1 - level) / 2, hi = 1 - lo;
        for (int k = 0; k < g; k++)
        {
            long sn = 0, sw = 0;
            double sn2 = 0;
            int withDeals = 0;
            for (int r = 0; r < reps; r++) { sn += n[r, k]; sw += w[r, k]; sn2 += (double)n[r, k] * n[r, k]; if (n[r, k] > 0) withDeals++; }
            double mu = sn > 0 ? (sw + 0.5) / (sn + 1.0) : 0.5;
            double strength = MaxPriorStrength;
            if (withDeals >= 2 && sn > 0)
            {
                double ss = 0;
                for (int r = 0; r < reps; r++) if (n[r, k] > 0) { double x = (double)w[r, k] / n[r, k] - mu; ss += n[r, k] * x * x; }
                double denom = sn - sn2 / sn;
                double tau2 = denom > 0 ? (ss - (withDeals - 1) * mu * (1 - mu)) / denom : 0;
                strength = tau2 > 0 ? Math.Clamp(mu * (1 - mu) / tau2 - 1, MinPriorStrength, MaxPriorStrength) : MaxPriorStrength;
            }
            double alpha = mu * strength, beta = (1 - mu) * strength;
            for (int r = 0; r < reps; r++)
            {
                double a = alpha + w[r, k], b = beta + n[r, k] - w[r, k];
                cells[r][k] = new AffinityCell(repIds[r], k, n[r, k], w[r, k], a / (a + b), Beta.InvCDF(a, b, lo), Beta.InvCDF(a, b, hi));
            }
            double years = Math.Max(historyYears, 1.0 / 12);
            groups[k] = new TerritoryGroup(k, groupLabels[k], accountsPerGroup[k], (int)sn, (int)sw, mu, strength,
                accountsPerGroup[k] > 0 ? dealsInGroup[k] / (accountsPerGroup[k] * years) : 0,
                dealsInGroup[k] > 0 ? amount[k] / dealsInGroup[k] : 0);
        }
        return (groups, cells);
    }
}
