namespace Workbench.Data.Generation;

/// <summary>
/// Observable drivers of one account-product at the start of a month, computed only from data dated
/// before that month (the same data a point-in-time feature builder can see).
/// </summary>
internal struct DriverInputs
{
    /// <summary>Mean observed seat utilization over the last 3 months.</summary>
    public double Utilization;
    /// <summary>Last observed utilization minus the one 3 months earlier.</summary>
    public double UtilizationTrend;
    /// <summary>log(active users last month / active users 3 months earlier): the headcount signal.</summary>
    public double HeadcountGrowth;
    /// <summary>Meetings + emails/4 over the last 3 months (account level).</summary>
    public double Engagement;
    /// <summary>Sum of support ticket severities over the last 3 months (account level).</summary>
    public double SupportLoad;
    /// <summary>A ChampionChange engagement event in the last 6 months.</summary>
    public bool ChampionChange;
    /// <summary>A PriceChange booking on this product in the last 6 months.</summary>
    public bool PriceChange;
}

/// <summary>
/// The planted logistic hazards. Each driver contributes one additive term to the logit, centered on a
/// typical value so that a positive term pushes toward the event; the dominant driver is the one with the
/// largest positive term. Terms that are not drivers (intercept, Q4 and renewal-month shifts, the
/// unobserved noise) are left out of the dominance comparison.
/// </summary>
internal static class HazardModel
{
    public const double ChurnIntercept = -5.2, UpsellIntercept = -3.9;
    public const double RenewalMonthChurnShift = 0.8, FourthQuarterUpsellShift = 0.35;
    public const double EngagementReference = 2.4, SupportReference = 2.0;
    /// <summary>Terms below this size do not name a dominant driver (Driver.None).</summary>
    public const double DominanceFloor = 0.10;

    // Index order of the term arrays.
    static readonly Driver[] TermDrivers =
        [Driver.UtilizationTrend, Driver.HeadcountGrowth, Driver.Engagement, Driver.SupportLoad, Driver.ChampionChange, Driver.PriceChange, Driver.Segment];

    public static void ChurnTerms(in DriverInputs x, double segmentOffset, Span<double> terms)
    {
        terms[0] = 4.0 * Math.Max(0, 0.60 - x.Utilization) - 10.0 * x.UtilizationTrend;
        terms[1] = -6.0 * x.HeadcountGrowth;
        terms[2] = -0.40 * (x.Engagement - EngagementReference);
        terms[3] = 0.20 * (x.SupportLoad - SupportReference);
        terms[4] = x.ChampionChange ? 1.4 : 0;
        terms[5] = x.PriceChange ? 1.2 : 0;
        terms[6] = segmentOffset;
    }

    public static void UpsellTerms(in DriverInputs x, double segmentOffset, Span<double> terms)
    {
        terms[0] = 5.0 * Math.Max(0, x.Utilization - 0.80) + 9.0 * x.UtilizationTrend;
        terms[1] = 8.0 * x.HeadcountGrowth;
        terms[2] = 0.30 * (x.Engagement - EngagementReference);
        terms[3] = -0.15 * Math.Max(0, x.SupportLoad - SupportReference);
        terms[4] = x.ChampionChange ? -0.6 : 0;
        terms[5] = x.PriceChange ? -0.4 : 0;
        terms[6] = segmentOffset;
    }

    public static double Sum(ReadOnlySpan<double> terms)
    {
        double s = 0;
        foreach (var t in terms) s += t;
        return s;
    }

    public static Driver Dominant(ReadOnlySpan<double> terms)
    {
        int best = -1;
        double bestValue = DominanceFloor;
        for (int i = 0; i < terms.Length; i++)
            if (terms[i] > bestValue) { bestValue = terms[i]; best = i; }
        return best < 0 ? Driver.None : TermDrivers[best];
    }

    public static double Logistic(double z) => 1.0 / (1.0 + Math.Exp(-z));
}
