using static Workbench.Analytics.Features.BetterDirection;
using static Workbench.Analytics.Features.ConceptGroups;

namespace Workbench.Analytics.Features;

/// <summary>
/// Every point-in-time feature: its metadata and how it is computed from the panel at as-of month t.
/// A computation may read only months &lt; t (the leakage tests hold it to that).
/// </summary>
internal static class FeatureCatalog
{
    /// <param name="Definition">The registry entry.</param>
    /// <param name="Compute">The value at the snapshot (reads months before the as-of month only).</param>
    /// <param name="BeforeAfter">For a change feature, the two ends it compares (same months it reads), so a sentence can
    /// say "from 82% to 51%"; null for level features.</param>
    internal sealed record Spec(FeatureDefinition Definition, Func<FeatureContext, double> Compute, Func<FeatureContext, (double Before, double After)>? BeforeAfter);

    static Spec F(string name, string group, string description, string unit, BetterDirection better, string template, int window, Func<FeatureContext, double> compute,
        bool categorical = false, Func<FeatureContext, (double Before, double After)>? beforeAfter = null)
        => new(new FeatureDefinition(name, group, description, unit, better, template, window, categorical), compute, beforeAfter);

    static Dictionary<string, Spec>? byName;

    /// <summary>The catalog entry named <paramref name="name"/>, or null.</summary>
    internal static Spec? Find(string name) =>
        (byName ??= All.ToDictionary(s => s.Definition.Name, StringComparer.Ordinal)).GetValueOrDefault(name);

    internal static readonly Spec[] All =
    [
        F("spend_mean_1m", Spend, "Spend on the product last month", "$/month", Higher, "Spend on {product} was {value} last month", 1, c => c.PairMean(c.Panel.Spend, 1)),
        F("spend_mean_3m", Spend, "Mean monthly spend on the product over the last 3 months", "$/month", Higher, "Spend on {product} averaged {value} over the last 3 months", 3, c => c.PairMean(c.Panel.Spend, 3)),
        F("spend_mean_6m", Spend, "Mean monthly spend on the product over the last 6 months", "$/month", Higher, "Spend on {product} averaged {value} over the last 6 months", 6, c => c.PairMean(c.Panel.Spend, 6)),
        F("spend_mean_12m", Spend, "Mean monthly spend on the product over the last 12 months", "$/month", Higher, "Spend on {product} averaged {value} over the last 12 months", 12, c => c.PairMean(c.Panel.Spend, 12)),
        F("spend_trend_3v12", Spend, "Change of the last 3 months' mean spend against the last 12 months' mean", "ratio", Higher, "Spend on {product} moved from {before} to {after} a month ({window})", 12, c => Ratio(c.PairMean(c.Panel.Spend, 3), c.PairMean(c.Panel.Spend, 12)),
            beforeAfter: c => (c.PairMean(c.Panel.Spend, 12), c.PairMean(c.Panel.Spend, 3))),
        F("spend_volatility_6m", Spend, "Coefficient of variation of monthly spend over 6 months", "ratio", Lower, "Monthly spend on {product} swung by {value} over the last 6 months", 6, c => c.PairCv(c.Panel.Spend, 6)),
        F("seats_purchased", Spend, "Seats under contract last month", "seats", Higher, "{product} has {value} seats under contract", 1, c => c.PairLast(c.Panel.SeatsPurchased)),
        F("seats_change_6m", Spend, "Change in seats under contract over 6 months", "seats", Higher, "Seats on {product} changed from {before} to {after} ({window})", 6, c => c.PairChange(c.Panel.SeatsPurchased, 6),
            beforeAfter: c => (c.PairAt(c.Panel.SeatsPurchased, 7), c.PairAt(c.Panel.SeatsPurchased, 1))),
        F("utilization_1m", Utilization, "Share of purchased seats in use last month", "%", Higher, "Seat utilization of {product} is {value}", 1, c => c.PairLast(c.Panel.Utilization)),
        F("utilization_mean_3m", Utilization, "Mean seat utilization over 3 months", "%", Higher, "Seat utilization of {product} averaged {value} over the last 3 months", 3, c => c.PairMean(c.Panel.Utilization, 3)),
        F("utilization_change_3m", Utilization, "Change in seat utilization over 3 months", "pp", Higher, "Seat utilization of {product} went from {before} to {after} in the last 3 months", 3, c => c.PairChange(c.Panel.Utilization, 3),
            beforeAfter: c => (c.PairAt(c.Panel.Utilization, 4), c.PairAt(c.Panel.Utilization, 1))),
        F("utilization_change_6m", Utilization, "Change in seat utilization over 6 months", "pp", Higher, "Seat utilization of {product} went from {before} to {after} in the last 6 months", 6, c => c.PairChange(c.Panel.Utilization, 6),
            beforeAfter: c => (c.PairAt(c.Panel.Utilization, 7), c.PairAt(c.Panel.Utilization, 1))),
        F("active_users_1m", Headcount, "Active users last month", "users", Higher, "{product} had {value} active users last month", 1, c => c.PairLast(c.Panel.ActiveUsers)),
        F("active_users_growth_3m", Headcount, "Relative growth of active users over 3 months", "ratio", Higher, "Active users of {product} went from {before} to {after} in the last 3 months", 3, c => c.PairGrowth(c.Panel.ActiveUsers, 3),
            beforeAfter: c => (c.PairAt(c.Panel.ActiveUsers, 4), c.PairAt(c.Panel.ActiveUsers, 1))),
        F("active_users_growth_6m", Headcount, "Relative growth of active users over 6 months", "ratio", Higher, "Active users of {product} went from {before} to {after} in the last 6 months", 6, c => c.PairGrowth(c.Panel.ActiveUsers, 6),
            beforeAfter: c => (c.PairAt(c.Panel.ActiveUsers, 7), c.PairAt(c.Panel.ActiveUsers, 1))),
        F("key_actions_mean_3m", Usage, "Mean monthly key actions over 3 months", "actions/month", Higher, "Users took {value} key actions a month in {product} over the last 3 months", 3, c => c.PairMean(c.Panel.KeyActions, 3)),
        F("key_actions_trend_3v12", Usage, "Change of the last 3 months' key actions against the 12-month mean", "ratio", Higher, "Key actions in {product} moved from {before} to {after} a month ({window})", 12, c => Ratio(c.PairMean(c.Panel.KeyActions, 3), c.PairMean(c.Panel.KeyActions, 12)),
            beforeAfter: c => (c.PairMean(c.Panel.KeyActions, 12), c.PairMean(c.Panel.KeyActions, 3))),
        F("emails_3m", Engagement, "Emails exchanged with the account in 3 months", "emails", Higher, "{value} emails were exchanged with the account in the last 3 months", 3, c => c.AccountSum(c.Panel.Emails, 3)),
        F("meetings_3m", Engagement, "Meetings with the account in 3 months", "meetings", Higher, "The account had {value} meetings in the last 3 months", 3, c => c.AccountSum(c.Panel.Meetings, 3)),
        F("meetings_change_3v3", Engagement, "Meetings in the last 3 months minus the 3 months before", "meetings", Higher, "Meetings went from {before} to {after} per quarter", 6, c => c.AccountSum(c.Panel.Meetings, 3) - c.AccountSumBetween(c.Panel.Meetings, 6, 3),
            beforeAfter: c => (c.AccountSumBetween(c.Panel.Meetings, 6, 3), c.AccountSum(c.Panel.Meetings, 3))),
        F("meetings_12m", Engagement, "Meetings with the account in 12 months", "meetings", Higher, "The account had {value} meetings in the last 12 months", 12, c => c.AccountSum(c.Panel.Meetings, 12)),
        F("trainings_6m", Engagement, "Trainings attended in 6 months", "trainings", Higher, "The account attended {value} trainings in the last 6 months", 6, c => c.AccountSum(c.Panel.Trainings, 6)),
        F("survey_score_last", Engagement, "Most recent survey score in the last 12 months (0-10)", "score", Higher, "The latest survey score was {value} out of 10", 12, c => c.LastSurvey(12)),
        F("tickets_3m", Support, "Support tickets in 3 months", "tickets", Lower, "The account opened {value} support tickets in the last 3 months", 3, c => c.AccountSum(c.Panel.Tickets, 3)),
        F("ticket_severity_3m", Support, "Mean severity of support tickets in 3 months (1-4)", "severity", Lower, "Its support tickets averaged severity {value} in the last 3 months", 3, c => SafeDiv(c.AccountSum(c.Panel.TicketSeverity, 3), c.AccountSum(c.Panel.Tickets, 3))),
        F("ticket_severity_sum_3m", Support, "Sum of support ticket severities in 3 months (the support load)", "severity points", Lower, "Support load was {value} severity points in the last 3 months", 3, c => c.AccountSum(c.Panel.TicketSeverity, 3)),
        F("tickets_12m", Support, "Support tickets in 12 months", "tickets", Lower, "The account opened {value} support tickets in the last 12 months", 12, c => c.AccountSum(c.Panel.Tickets, 12)),
        F("champion_change_6m", Champion, "Champion (main contact) changes in 6 months", "changes", Lower, "The account's champion changed {value} time(s) in the last 6 months", 6, c => c.AccountSum(c.Panel.ChampionChanges, 6)),
        F("price_change_6m", Price, "Price changes on the product in 6 months", "changes", Lower, "The price of {product} changed {value} time(s) in the last 6 months", 6, c => c.PairSum(c.Panel.PriceChanges, 6)),
        F("addons_12m", PurchaseHistory, "Add-on bookings on the product in 12 months", "bookings", Higher, "The account added to {product} {value} time(s) in the last 12 months", 12, c => c.PairSum(c.Panel.AddOns, 12)),
        F("downgrades_12m", PurchaseHistory, "Downgrade bookings on the product in 12 months", "bookings", Lower, "The account downgraded {product} {value} time(s) in the last 12 months", 12, c => c.PairSum(c.Panel.Downgrades, 12)),
        F("product_tenure_months", Tenure, "Months since the first spend on the product", "months", Higher, "The account has used {product} for {value} months", 0, c => c.Builder.PairTenure(c.Pair, c.T)),
        F("account_tenure_months", Tenure, "Months since the account was created", "months", Higher, "The account has been a customer for {value} months", 0, c => c.AccountTenure()),
        F("months_to_renewal", Renewal, "Months until the product's contract renews (NaN without a contract)", "months", Neutral, "{product} renews in {value} months", 0, c => c.MonthsToRenewal()),
        F("term_months", Renewal, "Term of the current contract", "months", Neutral, "The current {product} contract runs {value} months", 0, c => c.ContractTerm()),
        F("calendar_month", Renewal, "Calendar month of the as-of date (1-12): budget cycles and year-end buying", "month", Neutral, "The period starts in month {value} of the year", 0, c => c.AsOf.Month),
        F("employees_log", Firmographics, "log10 of the account's employee count", "log10 employees", Neutral, "The account has about {value} employees", 0, c => c.Account.Employees is int e && e > 0 ? Math.Log10(e) : double.NaN),
        F("company_age_years", Firmographics, "Years since the account's company was founded", "years", Neutral, "The company is {value} years old", 0, c => c.Account.FoundedYear is int y ? c.AsOf.Year - y : double.NaN),
        F("revenue_band", Firmographics, "Revenue band as an ordinal (0 = smallest)", "band", Neutral, "The account is in revenue band {value}", 0, c => c.Builder.RevenueBandCode(c.AccountIndex), categorical: true),
        F("industry", Firmographics, "Industry (category code)", "category", Neutral, "The account is in {value}", 0, c => c.Builder.IndustryCode(c.AccountIndex), categorical: true),
        F("region", Firmographics, "Region (category code)", "category", Neutral, "The account is in region {value}", 0, c => c.Builder.RegionCode(c.AccountIndex), categorical: true),
        F("account_products_active", ProductMix, "Products the account paid for last month", "products", Higher, "The account pays for {value} products", 1, c => c.Builder.ActiveProducts(c.AccountIndex, c.T - 1)),
        F("product_share_of_account", ProductMix, "This product's share of the account's spend over 3 months", "%", Neutral, "{product} is {value} of the account's spend", 3, c => SafeDiv(c.Panel.SpendSum(c.Pair, c.T - 3, c.T), c.Builder.AccountSpend(c.AccountIndex, c.T - 3, c.T))),
        F("account_spend_mean_3m", ProductMix, "Mean monthly spend of the whole account over 3 months", "$/month", Higher, "The account spends {value} a month across products", 3, c => c.Builder.AccountSpend(c.AccountIndex, c.T - 3, c.T) / 3),
        F("key_actions_per_1k_spend", Roi, "Key actions per $1,000 spent over 3 months (a return-on-investment proxy)", "actions/$1k", Higher, "Users take {value} key actions per $1,000 spent on {product}", 3, c => SafeDiv(c.PairSumNaN(c.Panel.KeyActions, 3), c.Panel.SpendSum(c.Pair, c.T - 3, c.T) / 1000)),
    ];

    static double Ratio(double recent, double baseline) => baseline > 0 && !double.IsNaN(recent) ? recent / baseline - 1 : double.NaN;
    static double SafeDiv(double a, double b) => b > 0 && !double.IsNaN(a) ? a / b : double.NaN;
}
