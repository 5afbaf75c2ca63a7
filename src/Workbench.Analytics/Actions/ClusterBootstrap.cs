using MathNet.Numerics.Distributions;

namespace Workbench.Analytics.Actions;

/// <summary>How a bootstrap confidence interval is read off the resamples.</summary>
public enum BootstrapInterval
{
    /// <summary>The 2.5% and 97.5% quantiles of the resampled means.</summary>
    Percentile,
    /// <summary>Bootstrap-t: the estimate minus the 97.5% and 2.5% quantiles of the resampled t statistics
    /// (mean minus estimate over the resample's own standard error) times the sample's standard error. It corrects for
    /// skew that the percentile interval inherits from heavy-tailed terms (Efron and Tibshirani 1993, ch. 12).</summary>
    Studentized,
    /// <summary>Bias-corrected percentile (BC; Efron 1987, without the acceleration): the percentile interval's levels
    /// moved by twice z0 = InvPhi(share of resampled means below the estimate), so a bootstrap distribution whose median
    /// sits off the estimate (skewed terms) is re-centred on it. Round 15 of docs/actions.md: not the default.</summary>
    BiasCorrected,
    /// <summary>Bias-corrected and accelerated percentile (BCa; Efron 1987): the bias correction z0 of
    /// <see cref="BiasCorrected"/> plus the acceleration a = sum d^3 / (6 (sum d^2)^1.5) of the leave-one-cluster-out
    /// (jackknife) estimates' deviations d from their mean; the levels become Phi(z0 + (z0 + z) / (1 - a (z0 + z))).
    /// For right-skewed terms a is positive and the interval moves toward the long tail, which the percentile interval
    /// under-reaches when the sample lacks the rare large terms (round 17 of docs/actions.md).</summary>
    Accelerated,
    /// <summary>Not a bootstrap: the normal interval (estimate +- 1.96 SE) of a model-based standard error in which each
    /// action's residual variance is pooled over every logged decision with that action, not only those the policy
    /// matches, so it does not shrink when the matching decisions lack the rare large responses (round 19 of
    /// docs/actions.md; <c>PooledVariance</c>). Needs the per-decision weights and residuals: the doubly robust
    /// evaluation reads it, <see cref="ClusterBootstrap.Interval"/> refuses it.</summary>
    Pooled,
    /// <summary>The union of the <see cref="Percentile"/> interval and the <see cref="Pooled"/> one (the lower of the two
    /// low ends, the higher of the two high ends). Read by the doubly robust evaluation only. Round 19 of docs/actions.md:
    /// at least 18 of 20 seeds for every policy on seeds 101-120, but the oracle at 17 of 20 on 121-140; not the
    /// default.</summary>
    PercentileOrPooled,
}

/// <summary>
/// A 95% (or other level) interval of a ratio mean (sum of terms over count of terms) by a bootstrap over clusters: each
/// cluster (an account with all its decisions) is resampled whole, because a cluster's terms are not independent.
/// The standard error of the studentized interval is the cluster-robust one:
/// sqrt(C/(C-1) * sum_c (S_c - mean * N_c)^2) / N for C clusters with sums S_c and counts N_c, N = sum N_c.
/// </summary>
public static class ClusterBootstrap
{
    /// <summary>The interval of sum(Sum)/sum(Count) over <paramref name="clusters"/>, with <paramref name="samples"/>
    /// resamples drawn from <paramref name="rng"/>.</summary>
    /// <exception cref="ArgumentException">No clusters, fewer than 20 samples, or a level outside (0, 1).</exception>
    public static (double Low, double High) Interval(IReadOnlyList<(double Sum, int Count)> clusters, int samples, double level, BootstrapInterval kind, Random rng)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(rng);
        if (clusters.Count == 0) throw new ArgumentException("The bootstrap needs at least one cluster.", nameof(clusters));
        if (samples < 20) throw new ArgumentException($"The bootstrap needs at least 20 samples, got {samples}.", nameof(samples));
        if (!(level > 0 && level < 1)) throw new ArgumentException($"The level must be in (0, 1), got {level.ToString(CultureInfo.InvariantCulture)}.", nameof(level));
        if (kind is BootstrapInterval.Pooled or BootstrapInterval.PercentileOrPooled)
            throw new ArgumentException($"The {kind} interval needs each decision's weight and residual; the doubly robust evaluation computes it.", nameof(kind));
        int c = clusters.Count;
        double qLow = (1 - level) / 2, qHigh = 1 - qLow;
        var draws = new int[c];
        if (kind is BootstrapInterval.Percentile or BootstrapInterval.BiasCorrected or BootstrapInterval.Accelerated)
        {
            var boot = new double[samples];
            for (int b = 0; b < samples; b++)
            {
                double sum = 0; int count = 0;
                for (int j = 0; j < c; j++) { var x = clusters[rng.Next(c)]; sum += x.Sum; count += x.Count; }
                boot[b] = sum / count;
            }
            Array.Sort(boot);
            if (kind is BootstrapInterval.BiasCorrected or BootstrapInterval.Accelerated)
            {
                double estimate = clusters.Sum(x => x.Sum) / clusters.Sum(x => x.Count);
                double below = boot.Count(b => b < estimate) + 0.5 * boot.Count(b => b == estimate);
                // Clamped so that z0 stays finite when every resample falls on one side.
                double z0 = Normal.InvCDF(0, 1, Math.Clamp(below / samples, 0.5 / samples, 1 - 0.5 / samples));
                double a = kind == BootstrapInterval.Accelerated ? Acceleration(clusters) : 0;
                double Level(double q) { double z = z0 + Normal.InvCDF(0, 1, q); return Normal.CDF(0, 1, z0 + z / (1 - a * z)); }
                qLow = Level(qLow);
                qHigh = Level(qHigh);
            }
            return (Quantile(boot, qLow), Quantile(boot, qHigh));
        }
        var (mean, se) = MeanSe(clusters, null);
        var t = new List<double>(samples);
        for (int b = 0; b < samples; b++)
        {
            for (int j = 0; j < c; j++) draws[j] = rng.Next(c);
            var (mb, sb) = MeanSe(clusters, draws);
            if (sb > 0) t.Add((mb - mean) / sb); // a resample of one repeated cluster has no spread: no t statistic
        }
        if (t.Count == 0 || !(se > 0)) return (mean, mean);
        var ts = t.ToArray();
        Array.Sort(ts);
        return (mean - Quantile(ts, qHigh) * se, mean - Quantile(ts, qLow) * se);
    }

    /// <summary>BCa's acceleration from the jackknife over clusters: each cluster left out in turn (a single cluster has
    /// no jackknife: 0).</summary>
    static double Acceleration(IReadOnlyList<(double Sum, int Count)> clusters)
    {
        int c = clusters.Count;
        if (c < 2) return 0;
        double sum = 0, n = 0;
        foreach (var x in clusters) { sum += x.Sum; n += x.Count; }
        var loo = new double[c];
        for (int j = 0; j < c; j++) loo[j] = n > clusters[j].Count ? (sum - clusters[j].Sum) / (n - clusters[j].Count) : sum / n;
        double mean = loo.Average(), s2 = 0, s3 = 0;
        foreach (double t in loo) { double d = mean - t; s2 += d * d; s3 += d * d * d; }
        return s2 > 0 ? s3 / (6 * Math.Pow(s2, 1.5)) : 0;
    }

    static double Quantile(double[] sorted, double q) => sorted[(int)Math.Clamp(Math.Round(q * (sorted.Length - 1)), 0, sorted.Length - 1)];

    /// <summary>The ratio mean and its cluster-robust standard error, over all clusters or over the drawn ones.</summary>
    static (double Mean, double Se) MeanSe(IReadOnlyList<(double Sum, int Count)> clusters, int[]? draws)
    {
        int m = draws?.Length ?? clusters.Count;
        double sum = 0, n = 0;
        for (int j = 0; j < m; j++) { var x = clusters[draws?[j] ?? j]; sum += x.Sum; n += x.Count; }
        double mean = sum / n, ss = 0;
        for (int j = 0; j < m; j++) { var x = clusters[draws?[j] ?? j]; double e = x.Sum - mean * x.Count; ss += e * e; }
        return (mean, m > 1 ? Math.Sqrt(ss * m / (m - 1.0)) / n : 0);
    }
}
