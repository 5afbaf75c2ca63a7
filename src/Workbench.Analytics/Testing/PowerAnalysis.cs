#pragma warning disable CS1573 // records document only the parameters that need explaining
using MathNet.Numerics.Distributions;

namespace Workbench.Analytics.Testing;

/// <summary>Noise of the metric measured on pre-period data, in the terms the design needs: the squared coefficient of
/// variation of a rep's (cluster's) total, split into a part that does not shrink with a longer window (differences
/// between books) and a part that does (which renewals happen to fall in the window): CV^2(months) = Between +
/// Within / months, fitted from the first half of the pre-period and the whole of it.</summary>
/// <param name="Between">Share of CV^2 that a longer window does not reduce.</param>
/// <param name="Within">Share of CV^2 that falls as 1 / months.</param>
/// <param name="PreMonths">Length of the pre-period the fit used.</param>
/// <param name="AccountsPerRep">Accounts billed per rep in the pre-period (the book size the CV was measured at).</param>
/// <param name="PlaceboCupedReduction">Variance reduction CUPED achieved predicting the second half of the pre-period
/// from its first half (a placebo run on pre-period data only; a diagnostic, shorter windows than the test's).</param>
public sealed record PrePeriodVariance(double Between, double Within, int PreMonths, double AccountsPerRep,
    double PlaceboCupedReduction, int TreatmentClusters, int ControlClusters)
{
    /// <summary>Share of a window's variance that persists across windows: Between / (Between + Within / months).
    /// Under this model it is the correlation of a unit's totals in two adjacent windows of that length.</summary>
    public double PersistentShare(double months) =>
        Between + Within / Math.Max(1e-9, months) > 0 ? Between / (Between + Within / Math.Max(1e-9, months)) : 0;

    /// <summary>Variance reduction CUPED should reach with a pre-period of <paramref name="preMonths"/> as covariate for
    /// an analysis window of <paramref name="postMonths"/>: the squared correlation, PersistentShare(pre) x
    /// PersistentShare(post).</summary>
    public double CupedVarianceReduction(double preMonths, double postMonths) =>
        Math.Clamp(PersistentShare(preMonths) * PersistentShare(postMonths), 0, 0.99);

    /// <summary>CV^2 of a rep's total over <paramref name="months"/> with <paramref name="accountsPerRep"/> accounts each
    /// (accounts are independent, so CV^2 scales with 1 / accounts).</summary>
    public double ClusterCv2(double months, double accountsPerRep) =>
        (Between + Within / Math.Max(1e-9, months)) * AccountsPerRep / Math.Max(1e-9, accountsPerRep);
}

/// <summary>Planned design: reps per arm, accounts per rep, weeks of the analysis window, alpha, and the variance the
/// estimator leaves (1 - variance reduction).</summary>
public sealed record DesignInputs(int TreatmentReps, int ControlReps, double AccountsPerRep, double Weeks, double Alpha, double VarianceReduction = 0)
{
    public double Months => Weeks * 12.0 / 52.0;
}

/// <summary>Power, minimum detectable effect and sample size of a rep-randomised test on a relative lift. The delta
/// method gives Var(log(1 + lift)) ~ CV^2 (1 - R^2) (1 / reps_T + 1 / reps_C), CV being that of a rep's total; tests
/// are two-sided with the Student t on reps - 2 degrees of freedom (as the analysis uses), power from the shifted t.</summary>
public static class PowerAnalysis
{
    /// <summary>Measures the metric's noise on the pre-period: a placebo (A/A) readout of the pre-period gives the CV of a
    /// rep's total over the whole pre-period and over its first half; CUPED predicting the second half from the first
    /// gives the variance reduction to expect.</summary>
    public static PrePeriodVariance FromPrePeriod(ExperimentData data, double accountsPerRep)
    {
        ArgumentNullException.ThrowIfNull(data);
        int gT = data.Clusters(RolloutArm.Treatment), gC = data.Clusters(RolloutArm.Control);
        double inv = 1.0 / gT + 1.0 / gC;
        int full = data.PreMonths, half = full / 2;
        var placeboFull = data with { Units = data.Units.Select(u => u with { Post = u.Pre }).ToArray() };
        var placeboHalf = data with { Units = data.Units.Select(u => u with { Post = u.PreEarly }).ToArray() };
        double cv2Full = Sq(LiftEstimators.Unadjusted(placeboFull).LogStandardError) / inv;
        double cv2Half = Sq(LiftEstimators.Unadjusted(placeboHalf).LogStandardError) / inv;
        double between, within;
        if (half < 1 || half == full || !double.IsFinite(cv2Half)) { between = cv2Full; within = 0; }
        else
        {
            within = (cv2Half - cv2Full) / (1.0 / half - 1.0 / full);
            between = cv2Full - within / full;
            if (within < 0) { within = 0; between = cv2Full; }
            else if (between < 0) { between = 0; within = cv2Full * full; }
        }
        // Placebo CUPED on pre-period data only: the late half of the pre-period as outcome, its early half as covariate.
        var late = data with
        {
            Units = data.Units.Select(u => u with
            {
                Post = new RatioValue(u.Pre.Numerator - u.PreEarly.Numerator,
                    data.IsRatio ? u.Pre.Denominator - u.PreEarly.Denominator : 1),
                Pre = u.PreEarly,
            }).ToArray(),
        };
        double placebo = 0;
        if (half >= 1)
        {
            double vu = Sq(LiftEstimators.Unadjusted(late).LogStandardError), vc = Sq(LiftEstimators.Cuped(late).LogStandardError);
            if (vu > 0 && double.IsFinite(vc)) placebo = Math.Clamp(1 - vc / vu, 0, 0.99);
        }
        return new PrePeriodVariance(between, within, full, accountsPerRep, placebo, gT, gC);
    }

    /// <summary>Probability that a two-sided test at <see cref="DesignInputs.Alpha"/> detects a true relative
    /// <paramref name="lift"/>.</summary>
    public static double Power(double lift, DesignInputs design, PrePeriodVariance noise)
    {
        double se = StandardError(lift, design, noise);
        double df = Math.Max(1, design.TreatmentReps + design.ControlReps - 2);
        double crit = Critical(df, design.Alpha);
        double shift = Math.Abs(Math.Log(1 + lift)) / se;
        return 1 - StudentT.CDF(0, 1, df, crit - shift) + StudentT.CDF(0, 1, df, -crit - shift);
    }

    /// <summary>Smallest relative lift detected with probability <paramref name="power"/> (bisection on the power curve).</summary>
    public static double MinimumDetectableEffect(DesignInputs design, PrePeriodVariance noise, double power = 0.8)
    {
        double lo = 0, hi = 0.01;
        while (Power(hi, design, noise) < power && hi < 1e3) hi *= 2;
        if (hi >= 1e3) return double.PositiveInfinity;
        for (int k = 0; k < 60; k++)
        {
            double mid = (lo + hi) / 2;
            if (Power(mid, design, noise) < power) lo = mid; else hi = mid;
        }
        return hi;
    }

    /// <summary>Reps per arm (equal arms) needed to detect <paramref name="lift"/> with probability
    /// <paramref name="power"/>, other design values as given.</summary>
    public static int RepsPerArmFor(double lift, DesignInputs design, PrePeriodVariance noise, double power = 0.8)
    {
        if (lift == 0) return int.MaxValue;
        bool Enough(int n) => Power(lift, design with { TreatmentReps = n, ControlReps = n }, noise) >= power;
        int hi = 2;
        while (!Enough(hi)) { if (hi >= 1 << 24) return int.MaxValue; hi *= 2; }
        int lo = hi / 2;
        if (lo < 2 || Enough(lo)) return hi == 2 ? 2 : lo;
        while (hi - lo > 1) { int mid = (lo + hi) / 2; if (Enough(mid)) hi = mid; else lo = mid; }
        return hi;
    }

    /// <summary>Standard error of log(1 + lift) under the design (the scale the analysis tests on).</summary>
    public static double StandardError(double lift, DesignInputs design, PrePeriodVariance noise)
    {
        double cv2 = noise.ClusterCv2(design.Months, design.AccountsPerRep) * (1 - design.VarianceReduction);
        return Math.Sqrt(cv2 * (1.0 / design.TreatmentReps + 1.0 / design.ControlReps));
    }

    static double Sq(double x) => x * x;

    static readonly System.Collections.Concurrent.ConcurrentDictionary<(double Df, double Alpha), double> CriticalCache = new();

    /// <summary>Two-sided critical value of the Student t (cached: MathNet's inverse CDF is a root search).</summary>
    internal static double Critical(double df, double alpha) =>
        CriticalCache.GetOrAdd((df, alpha), key => StudentT.InvCDF(0, 1, key.Df, 1 - key.Alpha / 2));
}
