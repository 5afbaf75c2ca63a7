using static Workbench.Analytics.Features.BetterDirection;
using static Workbench.Analytics.Features.ConceptGroups;

namespace Workbench.Analytics.Features;

/// <summary>
/// Account-level point-in-time features (the account profile: one row per account, as segmentation and territory
/// read it), computed from the same <see cref="MonthlyPanel"/> through the same <see cref="FeatureContext"/> as the
/// account-product features of <see cref="FeatureCatalog"/>: every product of the account over the profile window,
/// months before the as-of month only (<see cref="LeakageCheck"/> holds both levels to that). Rates are per billed
/// month, so a young account and an old one compare.
/// </summary>
internal static class AccountFeatureCatalog
{
    /// <param name="Definition">The registry entry (its window is the profile's: all history unless a window is asked for).</param>
    /// <param name="Compute">The value at the snapshot over the last <c>w</c> months (null: all history before it).</param>
    internal sealed record Spec(FeatureDefinition Definition, Func<FeatureContext, int?, double> Compute);

    static Spec F(string name, string group, string description, string unit, BetterDirection better, string template, Func<FeatureContext, int?, double> compute)
        => new(new FeatureDefinition(name, group, description, unit, better, template), compute);

    static double PerBilledMonth(FeatureContext c, int? w, double total) => total / c.AccountBilledMonths(w);

    internal static readonly Spec[] All =
    [
        F("monthly_spend", Spend, "Mean monthly spend of the account over its billed months", "$/month", Higher, "The account spends {value} a month",
            (c, w) => PerBilledMonth(c, w, c.AccountBilledSpend(w))),
        F("purchases_per_year", PurchaseHistory, "Purchases a year: add-on and new-product bookings after the account's first day (orders when the data has transactions)", "purchases/year", Higher, "The account buys {value} times a year",
            (c, w) => PerBilledMonth(c, w, c.AccountTotal(c.Panel.Purchases, w) * 12.0)),
        F("active_products", ProductMix, "Products billed in a billed month, on average", "products", Higher, "The account pays for {value} products",
            (c, w) => PerBilledMonth(c, w, c.AccountBilledProductMonths(w))),
        F("seat_utilization", Utilization, "Mean share of purchased seats in use over the account's product-months", "%", Higher, "Seat utilization averaged {value}",
            (c, w) => c.AccountPairMean(c.Panel.Utilization, w)),
        F("active_users", Headcount, "Mean monthly active users (each month the largest product's user base)", "users", Higher, "The account has {value} active users",
            (c, w) => c.AccountMonthlyMaxMean(c.Panel.ActiveUsers, w)),
        F("key_actions_per_seat", Usage, "Key actions per used seat", "actions/seat", Higher, "Users take {value} key actions per used seat",
            (c, w) => c.AccountPairRatio(c.Panel.KeyActions, c.Panel.SeatsUsed, w)),
        F("engagement_per_month", Engagement, "Emails, meetings and trainings per billed month", "touches/month", Higher, "The account has {value} touches a month",
            (c, w) => PerBilledMonth(c, w, c.AccountTotal(c.Panel.Emails, w) + c.AccountTotal(c.Panel.Meetings, w) + c.AccountTotal(c.Panel.Trainings, w))),
        F("support_tickets_per_month", Support, "Support tickets per billed month", "tickets/month", Lower, "The account opens {value} support tickets a month",
            (c, w) => PerBilledMonth(c, w, c.AccountTotal(c.Panel.Tickets, w))),
        F("tenure_months", Tenure, "Months since the account was created (30.44-day months)", "months", Higher, "The account has been a customer for {value} months",
            (c, _) => c.AccountAgeMonths()),
    ];

    /// <summary>The registry of the account-level features, in column order.</summary>
    internal static readonly FeatureRegistry Registry = new(All.Select(s => s.Definition));

    /// <summary>The account's profile row at month index <paramref name="t"/> over the last <paramref name="windowMonths"/>
    /// months (null: all history); NaN where nothing was observed.</summary>
    internal static double[] Row(MonthlyPanel panel, int account, int t, int? windowMonths)
    {
        var c = new FeatureContext(null!, panel, -1, account, t); // account level: no pair, no builder lookups
        var row = new double[All.Length];
        for (int j = 0; j < row.Length; j++) row[j] = All[j].Compute(c, windowMonths);
        return row;
    }
}
