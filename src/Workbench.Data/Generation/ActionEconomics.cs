namespace Workbench.Data.Generation;

/// <summary>What a rep sees (and the generator knows) about an account when deciding an action.</summary>
internal struct ActionState
{
    public int Segment;
    /// <summary>Mean seat utilization of the anchor product over the last 3 months and its 3-month change.</summary>
    public double Utilization, UtilizationTrend;
    /// <summary>Meetings + emails/4 over the last 3 months (account level).</summary>
    public double Engagement;
    /// <summary>The month's highest planted monthly churn probability and upsell demand over the active products.</summary>
    public double ChurnHazard, UpsellHazard;
    /// <summary>Annual run-rate of the active products.</summary>
    public double AnnualValue;
}

/// <summary>
/// The planted economics of rep actions (documented in data-samples/README.md, "actions with consequences").
/// A response depends on the segment (the planted base rates) and on the account's state; a response brings an
/// immediate value and changes the following <see cref="HorizonMonths"/> months: the monthly churn and upsell hazards
/// are multiplied and a discount cuts the price. The long-term value of an action is the immediate value plus the
/// expected change in revenue over the horizon, against taking no action, in closed form, so a test computes the
/// exact expected value of any policy on the logged decisions. The upsell bundle has the best immediate value but
/// raises churn on under-used accounts; the discount saves risky accounts but costs revenue on safe ones.
/// </summary>
internal static class ActionEconomics
{
    public const int HorizonMonths = 12;
    /// <summary>Share of the run-rate an upsell adds for the rest of the horizon.</summary>
    const double UpsellGain = 0.30;
    /// <summary>Baseline probability that a rep acts on an account in a month (plus half the churn hazard).</summary>
    public const double ActionRate = 0.10;
    /// <summary>Share of the logging policy spread uniformly over all actions (every action keeps a propensity of at
    /// least Floor / actions, which is what makes importance weighting possible).</summary>
    public const double LoggingFloor = 0.20;

    public static int Count => GeneratorCatalog.Actions.Length;

    static bool UnderUsed(in ActionState s) => s.Utilization < 0.6;
    static bool Falling(in ActionState s) => s.UtilizationTrend < -0.03;

    public static double ResponseRate(double baseRate, int a, in ActionState s)
    {
        double m = a switch
        {
            0 => 1 + 8 * s.ChurnHazard,                          // discount: risky accounts take it
            1 => Falling(s) || UnderUsed(s) ? 1.8 : 0.7,         // training: where utilization is falling or low
            2 => s.Engagement < 2.0 ? 1.5 : 1.0,                 // exec call: where the relationship has gone quiet
            3 => s.Utilization > 0.8 ? 1.6 : 1.0,                // bundle: where seats are full
            _ => 1.0,                                            // health check
        };
        return Math.Clamp(baseRate * m, 0, 0.9);
    }

    /// <summary>Churn multiplier, upsell multiplier and price factor over the horizon after a response.</summary>
    static (double Churn, double Upsell, double Price) Effects(int a, in ActionState s) => a switch
    {
        0 => (0.35, 1.0, 0.85),
        1 => (Falling(s) || UnderUsed(s) ? 0.40 : 0.90, 1.2, 1.0),
        2 => (s.Engagement < 2.0 ? 0.60 : 0.90, 1.4, 1.0),
        3 => (UnderUsed(s) ? 2.2 : 1.1, 0.5, 1.0),
        _ => (0.75, 1.1, 1.0),
    };

    /// <summary>Immediate value of a response (before the draw around it).</summary>
    public static double Immediate(int a, in ActionState s) => GeneratorCatalog.ActionValueShare[a] * s.AnnualValue;

    /// <summary>Expected revenue over the horizon with these monthly hazards and price factor.</summary>
    static double HorizonRevenue(double annual, double churn, double upsell, double price)
    {
        churn = Math.Clamp(churn, 0, 0.95); upsell = Math.Clamp(upsell, 0, 0.95);
        double total = 0, survive = 1, notYet = 1;
        for (int k = 1; k <= HorizonMonths; k++)
        {
            survive *= 1 - churn; notYet *= 1 - upsell;
            total += survive * price * (1 + UpsellGain * (1 - notYet));
        }
        return annual / 12 * total;
    }

    /// <summary>Value of a response: the immediate value plus the change in horizon revenue the action causes.</summary>
    public static double ValueIfResponded(int a, in ActionState s)
    {
        var (mc, mu, pf) = Effects(a, s);
        double baseline = HorizonRevenue(s.AnnualValue, s.ChurnHazard, s.UpsellHazard, 1);
        double after = HorizonRevenue(s.AnnualValue, s.ChurnHazard * mc, s.UpsellHazard * mu, pf);
        return Immediate(a, s) + after - baseline;
    }

    /// <summary>The reps' habit: a softmax over context-dependent preferences, mixed with a uniform share.</summary>
    public static void LoggingPropensities(in ActionState s, Span<double> p)
    {
        Span<double> score = stackalloc double[Count];
        score[0] = -0.5 + 12 * s.ChurnHazard;                  // discounts for accounts at risk
        score[1] = Falling(s) ? 0.6 : -0.4;                     // training when usage falls
        score[2] = s.Engagement < 2.0 ? 0.4 : 0.0;
        score[3] = 0.5 + (s.Utilization > 0.8 ? 0.8 : 0.0);     // bundles are the reps' favourite
        score[4] = 0.0;
        double max = double.NegativeInfinity, sum = 0;
        foreach (var x in score) max = Math.Max(max, x);
        for (int a = 0; a < Count; a++) { p[a] = Math.Exp(score[a] - max); sum += p[a]; }
        for (int a = 0; a < Count; a++) p[a] = (1 - LoggingFloor) * p[a] / sum + LoggingFloor / Count;
    }
}
