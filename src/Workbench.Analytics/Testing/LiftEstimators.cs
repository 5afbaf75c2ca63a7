#pragma warning disable CS1573 // records document only the parameters that need explaining
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace Workbench.Analytics.Testing;

/// <summary>A relative lift (treatment / control - 1, as a fraction: 0.10 for +10%) with its delta-method standard
/// error, its interval and two-sided p-value against no effect (both computed on log(1 + lift), see
/// <see cref="LogStandardError"/>).</summary>
/// <param name="Control">The control arm's (adjusted) value of the metric per unit.</param>
/// <param name="Treatment">The treatment arm's (adjusted) value of the metric per unit.</param>
/// <param name="DegreesOfFreedom">Of the Student t used for the interval and the p-value (clusters - 2).</param>
public sealed record LiftEstimate(string Estimator, double Lift, double StandardError, double CiLow, double CiHigh, double PValue,
    double Control, double Treatment, double DegreesOfFreedom)
{
    public double Width => CiHigh - CiLow;
    /// <summary>Standard error of log(1 + lift), the scale the interval and p-value use.</summary>
    public double LogStandardError => StandardError / (1 + Lift);
    public bool Covers(double value) => CiLow <= value && value <= CiHigh;
}

/// <summary>Difference of the arms on one pre-period metric (balance check).</summary>
/// <param name="StandardizedDifference">(treatment - control) / pooled unit-level standard deviation.</param>
public sealed record BalanceRow(string Covariate, double ControlMean, double TreatmentMean, double StandardizedDifference, double PValue);

/// <summary>Sample-ratio check: a chi-square test of the unit (and cluster) counts per arm against the planned split.</summary>
public sealed record SampleRatioCheck(int ControlUnits, int TreatmentUnits, int ControlClusters, int TreatmentClusters,
    double ExpectedTreatmentShare, double ChiSquare, double PValue, bool Mismatch);

/// <summary>The estimators of the A/B readout. Every standard error is cluster-robust at the randomisation unit (the
/// rep): influence values are summed per cluster within each arm (CR1 correction G/(G-1)); relative lifts get their
/// variance by the delta method.</summary>
public static class LiftEstimators
{
    /// <summary>Difference in means of the post-period metric, reported as a relative lift.</summary>
    public static LiftEstimate Unadjusted(ExperimentData data, double alpha = 0.05)
    {
        var (t, c) = ArmStats(data, u => u.Post);
        double lift = t.Mean / c.Mean - 1;
        var psi = new double[data.Units.Count];
        for (int i = 0; i < psi.Length; i++)
            psi[i] = data.Units[i].Arm == RolloutArm.Treatment ? t.Influence[i] / c.Mean : -t.Mean / (c.Mean * c.Mean) * c.Influence[i];
        return Finish("unadjusted", data, lift, ClusterVariance(data, psi), c.Mean, t.Mean, alpha);
    }

    /// <summary>CUPED (Deng, Xu, Kohavi and Walker 2013): each arm's mean minus theta times its pre-period mean's
    /// deviation from the pooled pre-period mean, theta = cov(Y, X) / var(X) on the arm-centred linearised values
    /// summed per cluster (ratio metrics are linearised first, as in the paper's section on ratio metrics).</summary>
    public static LiftEstimate Cuped(ExperimentData data, double alpha = 0.05) => Cuped(data, data.Units, alpha, out _);

    internal static LiftEstimate Cuped(ExperimentData data, IReadOnlyList<ExperimentUnit> units, double alpha, out double theta)
    {
        var (ty, cy) = ArmStats(units, u => u.Post);
        var (tx, cx) = ArmStats(units, u => u.Pre);
        // theta from cluster totals of the linearised values: with several units per rep this minimises the
        // cluster-robust variance (unit-level theta can even increase it); with one unit per rep it is the usual one.
        var sums = new Dictionary<(RolloutArm, string), (double Y, double X)>();
        for (int i = 0; i < units.Count; i++)
        {
            var (y, x) = units[i].Arm == RolloutArm.Treatment ? (ty, tx) : (cy, cx);
            var key = (units[i].Arm, units[i].ClusterId);
            var s = sums.GetValueOrDefault(key);
            sums[key] = (s.Y + y.Linear[i], s.X + x.Linear[i]);
        }
        double sxy = 0, sxx = 0;
        foreach (var (yc, xc) in sums.Values) { sxy += yc * xc; sxx += xc * xc; }
        theta = sxx > 0 ? sxy / sxx : 0;
        double pooledX = PooledMean(units, u => u.Pre);
        double mt = ty.Mean - theta * (tx.Mean - pooledX), mc = cy.Mean - theta * (cx.Mean - pooledX);
        double lift = mt / mc - 1;
        var psi = new double[units.Count];
        for (int i = 0; i < psi.Length; i++)
            psi[i] = units[i].Arm == RolloutArm.Treatment
                ? (ty.Influence[i] - theta * tx.Influence[i]) / mc
                : -mt / (mc * mc) * (cy.Influence[i] - theta * cx.Influence[i]);
        return Finish("cuped", units, lift, ClusterVariance(units, psi), mc, mt, alpha);
    }

    /// <summary>Regression adjustment (Lin 2013): weighted least squares of the unit's post-period value on the arm, the
    /// centred pre-period covariates and their interactions with the arm (weights = denominators, 1 for sums), with a
    /// cluster-robust (CR1) sandwich covariance. With centred covariates the arm coefficient is the average effect, the
    /// intercept the control value at the mean covariates; the lift is their ratio. The interactions matter here: the
    /// planted effect is proportional to a book's size, and the additive model would weight it by variance instead.</summary>
    public static LiftEstimate RegressionAdjusted(ExperimentData data, double alpha = 0.05)
    {
        var rows = data.Units.Where(u => u.Post.Denominator > 0).ToList();
        // Covariates in priority order, kept only if they vary (a constant column would make the design singular),
        // and only as many as the data supports: at most one parameter per 3 clusters (the cluster-robust covariance
        // has rank below the number of clusters), dropping the lowest-priority covariates first.
        int clusterCount = Clusters(rows);
        int budget = Math.Max(2, Math.Min(rows.Count, clusterCount) / 3);
        var candidates = CovariatePriority(data.CovariateNames).Where(j =>
        {
            double first = rows.Count > 0 ? rows[0].Covariates[j] : 0;
            return rows.Any(u => u.Covariates[j] != first);
        }).ToList();
        while (2 + 2 * candidates.Count > budget && candidates.Count > 0) candidates.RemoveAt(candidates.Count - 1);
        var keep = candidates.ToArray();
        int kk = keep.Length, p = 2 + 2 * kk, n = rows.Count;
        var means = keep.Select(j => rows.Average(u => u.Covariates[j])).ToArray();
        var sds = keep.Select((j, q) => Math.Sqrt(rows.Average(u => Math.Pow(u.Covariates[j] - means[q], 2)))).ToArray();
        var x = Matrix<double>.Build.Dense(n, p);
        var y = Vector<double>.Build.Dense(n);
        var w = new double[n];
        for (int i = 0; i < n; i++)
        {
            var u = rows[i];
            x[i, 0] = 1;
            x[i, 1] = u.Arm == RolloutArm.Treatment ? 1 : 0;
            for (int q = 0; q < kk; q++)
            {
                double c = sds[q] > 0 ? (u.Covariates[keep[q]] - means[q]) / sds[q] : 0;
                x[i, 2 + q] = c;
                x[i, 2 + kk + q] = x[i, 1] * c;
            }
            y[i] = u.Post.Numerator / u.Post.Denominator;
            w[i] = u.Post.Denominator;
        }
        var xw = x.Clone();
        for (int i = 0; i < n; i++) xw.SetRow(i, x.Row(i) * w[i]);
        var xtwx = xw.TransposeThisAndMultiply(x);
        var bread = xtwx.Inverse();
        var beta = bread * xw.TransposeThisAndMultiply(y);
        var resid = y - x * beta;
        // Cluster-robust meat, clusters nested in arms.
        var meat = Matrix<double>.Build.Dense(p, p);
        int clusters = 0;
        foreach (var g in Enumerable.Range(0, n).GroupBy(i => rows[i].ClusterId, StringComparer.Ordinal))
        {
            clusters++;
            var s = Vector<double>.Build.Dense(p);
            foreach (int i in g) s += x.Row(i) * (w[i] * resid[i]);
            meat += s.OuterProduct(s);
        }
        double correction = clusters > 1 ? clusters / (clusters - 1.0) * (n - 1.0) / Math.Max(1, n - p) : 1;
        var cov = bread * meat * bread * correction;
        double b0 = beta[0], b1 = beta[1];
        double lift = b1 / b0;
        // Delta method for b1 / b0.
        double g0 = -b1 / (b0 * b0), g1 = 1 / b0;
        double variance = g0 * g0 * cov[0, 0] + 2 * g0 * g1 * cov[0, 1] + g1 * g1 * cov[1, 1];
        return Finish("regression", data.Units, lift, variance, b0, b0 + b1, alpha);
    }

    /// <summary>Covariate indices from most to least useful: the pre-period outcome, spend, book size, then the rest.</summary>
    static IEnumerable<int> CovariatePriority(IReadOnlyList<string> names)
    {
        string[] order = ["pre_outcome", "pre_monthly_spend", "pre_book_size"];
        foreach (var name in order)
        {
            int j = IndexOf(names, name);
            if (j >= 0) yield return j;
        }
        for (int j = 0; j < names.Count; j++)
            if (Array.IndexOf(order, names[j]) < 0) yield return j;
    }

    static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int j = 0; j < names.Count; j++) if (names[j] == name) return j;
        return -1;
    }

    /// <summary>Difference in differences across the rollout start on the ratio scale: (treatment post / treatment pre)
    /// / (control post / control pre) - 1, i.e. parallel trends in logs, with the pre- and post-periods of the same
    /// units correlated through the cluster sums.</summary>
    public static LiftEstimate DifferenceInDifferences(ExperimentData data, double alpha = 0.05)
    {
        var (tPost, cPost) = ArmStats(data, u => u.Post);
        var (tPre, cPre) = ArmStats(data, u => u.Pre);
        double ratio = tPost.Mean * cPre.Mean / (tPre.Mean * cPost.Mean);
        var psi = new double[data.Units.Count];
        for (int i = 0; i < psi.Length; i++)
            psi[i] = data.Units[i].Arm == RolloutArm.Treatment
                ? ratio * (tPost.Influence[i] / tPost.Mean - tPre.Influence[i] / tPre.Mean)
                : ratio * (cPre.Influence[i] / cPre.Mean - cPost.Influence[i] / cPost.Mean);
        // Reported arm values: the treatment's post value and its counterfactual (its pre value moved like control).
        double counterfactual = tPre.Mean * cPost.Mean / cPre.Mean;
        return Finish("did", data.Units, ratio - 1, ClusterVariance(data.Units, psi), counterfactual, tPost.Mean, alpha);
    }

    /// <summary>Percentile interval of the CUPED lift from a cluster bootstrap: clusters (reps) are resampled with
    /// replacement within each arm and theta is re-estimated every time. Seeded; same seed, same interval.</summary>
    public static (double Low, double High) CupedBootstrapInterval(ExperimentData data, int resamples, int seed, double alpha = 0.05)
    {
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), "At least one resample is needed.");
        var rng = new Random(RunContext.DeriveSeed(seed, "abtest-bootstrap"));
        var byArm = data.Units.GroupBy(u => u.Arm).OrderBy(g => g.Key)
            .Select(g => g.GroupBy(u => u.ClusterId, StringComparer.Ordinal).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.ToArray()).ToArray())
            .ToArray();
        var lifts = new List<double>(resamples);
        var sample = new List<ExperimentUnit>(data.Units.Count);
        for (int b = 0; b < resamples; b++)
        {
            sample.Clear();
            foreach (var clusters in byArm)
                for (int k = 0; k < clusters.Length; k++) sample.AddRange(clusters[rng.Next(clusters.Length)]);
            var est = Cuped(data, sample, alpha, out _);
            if (double.IsFinite(est.Lift)) lifts.Add(est.Lift);
        }
        if (lifts.Count == 0) return (double.NaN, double.NaN);
        lifts.Sort();
        return (Quantile(lifts, alpha / 2), Quantile(lifts, 1 - alpha / 2));
    }

    /// <summary>Balance of the arms on every pre-period covariate: standardized difference and the cluster-robust
    /// p-value of the difference in means.</summary>
    public static IReadOnlyList<BalanceRow> Balance(ExperimentData data)
    {
        var rows = new List<BalanceRow>();
        for (int j = 0; j < data.CovariateNames.Count; j++)
        {
            int col = j;
            var (t, c) = ArmStats(data.Units, u => new RatioValue(u.Covariates[col], 1));
            var diffPsi = new double[data.Units.Count];
            for (int i = 0; i < diffPsi.Length; i++)
                diffPsi[i] = data.Units[i].Arm == RolloutArm.Treatment ? t.Influence[i] : -c.Influence[i];
            double variance = ClusterVariance(data.Units, diffPsi);
            double diff = t.Mean - c.Mean;
            double sdT = Sd(data.Units, RolloutArm.Treatment, col), sdC = Sd(data.Units, RolloutArm.Control, col);
            double pooled = Math.Sqrt((sdT * sdT + sdC * sdC) / 2);
            double df = Math.Max(1, Clusters(data.Units) - 2);
            double p = variance > 0 ? 2 * (1 - StudentT.CDF(0, 1, df, Math.Abs(diff) / Math.Sqrt(variance))) : 1;
            rows.Add(new BalanceRow(data.CovariateNames[j], c.Mean, t.Mean, pooled > 0 ? diff / pooled : 0, p));
        }
        return rows;
    }

    /// <summary>Chi-square test of the arm counts against the planned treatment share; clusters (reps) are the
    /// randomised units, so the test runs on cluster counts. A mismatch is flagged below p = 0.001.</summary>
    public static SampleRatioCheck SampleRatio(ExperimentData data, double expectedTreatmentShare = 0.5)
    {
        int ct = data.Clusters(RolloutArm.Treatment), cc = data.Clusters(RolloutArm.Control);
        double n = ct + cc, et = n * expectedTreatmentShare, ec = n - et;
        double chi = (ct - et) * (ct - et) / et + (cc - ec) * (cc - ec) / ec;
        double p = 1 - ChiSquared.CDF(1, chi);
        return new SampleRatioCheck(data.Count(RolloutArm.Control), data.Count(RolloutArm.Treatment), cc, ct, expectedTreatmentShare, chi, p, p < 0.001);
    }

    // ---- shared machinery ----

    /// <summary>An arm's ratio mean sum(y)/sum(d), each unit's influence (y - m d) / sum(d) (zero for other arms), and
    /// its linearised value (y - m d) / mean(d).</summary>
    internal sealed record ArmStat(double Mean, double[] Influence, double[] Linear);

    internal static (ArmStat Treatment, ArmStat Control) ArmStats(ExperimentData data, Func<ExperimentUnit, RatioValue> value) =>
        ArmStats(data.Units, value);

    internal static (ArmStat Treatment, ArmStat Control) ArmStats(IReadOnlyList<ExperimentUnit> units, Func<ExperimentUnit, RatioValue> value) =>
        (Stat(units, RolloutArm.Treatment, value), Stat(units, RolloutArm.Control, value));

    static ArmStat Stat(IReadOnlyList<ExperimentUnit> units, RolloutArm arm, Func<ExperimentUnit, RatioValue> value)
    {
        double sy = 0, sd = 0; int n = 0;
        foreach (var u in units)
            if (u.Arm == arm) { var v = value(u); sy += v.Numerator; sd += v.Denominator; n++; }
        double mean = sd > 0 ? sy / sd : double.NaN, meanD = n > 0 ? sd / n : double.NaN;
        var influence = new double[units.Count];
        var linear = new double[units.Count];
        for (int i = 0; i < units.Count; i++)
        {
            if (units[i].Arm != arm || sd <= 0) continue;
            var v = value(units[i]);
            double r = v.Numerator - mean * v.Denominator;
            influence[i] = r / sd;
            linear[i] = r / meanD;
        }
        return new ArmStat(mean, influence, linear);
    }

    static double PooledMean(IReadOnlyList<ExperimentUnit> units, Func<ExperimentUnit, RatioValue> value)
    {
        double sy = 0, sd = 0;
        foreach (var u in units) { var v = value(u); sy += v.Numerator; sd += v.Denominator; }
        return sd > 0 ? sy / sd : double.NaN;
    }

    /// <summary>CR1 cluster-robust variance of sum(psi): per arm, G/(G-1) times the sum over clusters of the squared
    /// cluster totals.</summary>
    internal static double ClusterVariance(ExperimentData data, double[] psi) => ClusterVariance(data.Units, psi);

    internal static double ClusterVariance(IReadOnlyList<ExperimentUnit> units, double[] psi)
    {
        double total = 0;
        foreach (var arm in new[] { RolloutArm.Control, RolloutArm.Treatment })
        {
            var sums = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int i = 0; i < units.Count; i++)
                if (units[i].Arm == arm)
                    sums[units[i].ClusterId] = sums.GetValueOrDefault(units[i].ClusterId) + psi[i];
            int g = sums.Count;
            if (g < 2) return double.NaN;
            double s = 0;
            foreach (var v in sums.Values) s += v * v;
            total += g / (g - 1.0) * s;
        }
        return total;
    }

    internal static int Clusters(IReadOnlyList<ExperimentUnit> units) =>
        units.Select(u => (u.Arm, u.ClusterId)).Distinct().Count();

    static LiftEstimate Finish(string name, ExperimentData data, double lift, double variance, double control, double treatment, double alpha) =>
        Finish(name, data.Units, lift, variance, control, treatment, alpha);

    static LiftEstimate Finish(string name, IReadOnlyList<ExperimentUnit> units, double lift, double variance, double control, double treatment, double alpha)
    {
        // The delta method on the log of the ratio: log(1 + lift) has standard error se / (1 + lift). Its interval,
        // mapped back, stays above -100% and follows the right skew of a ratio of noisy means.
        double se = Math.Sqrt(Math.Max(0, variance));
        double df = Math.Max(1, Clusters(units) - 2);
        double q = PowerAnalysis.Critical(df, alpha);
        if (!(1 + lift > 0) || !double.IsFinite(se))
            return new LiftEstimate(name, lift, se, double.NaN, double.NaN, double.NaN, control, treatment, df);
        double seLog = se / (1 + lift), log = Math.Log(1 + lift);
        double p = seLog > 0 ? 2 * (1 - StudentT.CDF(0, 1, df, Math.Abs(log) / seLog)) : double.NaN;
        return new LiftEstimate(name, lift, se, (1 + lift) * Math.Exp(-q * seLog) - 1, (1 + lift) * Math.Exp(q * seLog) - 1, p, control, treatment, df);
    }

    static double Sd(IReadOnlyList<ExperimentUnit> units, RolloutArm arm, int col)
    {
        var v = units.Where(u => u.Arm == arm).Select(u => u.Covariates[col]).ToArray();
        if (v.Length < 2) return 0;
        double m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1));
    }

    static double Quantile(List<double> sorted, double q)
    {
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(sorted.Count - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
