namespace Workbench.Domain;

/// <summary>
/// What a load kept of the usage and engagement rows dated before <see cref="Cutoff"/> when it was asked to keep only the
/// recent months as rows (scoring's load: docs/scale.md, scoreload). Every such row was read and validated like any other
/// (a bad one still fails the load); it is only not kept as a record. What is kept is what scoring reads from those months:
/// the account-product pairs usage makes, the usage rows per month (the data's extent and its stray-month check) and each
/// account's latest touch (email, meeting, training or survey event).
/// </summary>
/// <param name="Cutoff">First of a month: usage and engagement rows dated before it are summarized here, not in the tables.</param>
/// <param name="UsagePairs">Distinct (account id, product id) of the summarized usage rows, in first-seen order.</param>
/// <param name="UsageRowsPerMonth">Summarized usage rows by their month value.</param>
/// <param name="LatestTouches">Per account, its summarized touch event with the latest date (then the greatest event id).</param>
/// <param name="SummarizedRows">How many usage and engagement rows were summarized (0: every row is in the tables).</param>
public sealed record EarlyFacts(
    DateOnly Cutoff,
    long SummarizedRows,
    IReadOnlyList<(string AccountId, string ProductId)> UsagePairs,
    IReadOnlyDictionary<DateOnly, int> UsageRowsPerMonth,
    IReadOnlyList<EngagementEvent> LatestTouches)
{
    /// <summary>The engagement types that count as a touch (the rep pages' last activity).</summary>
    public static bool IsTouch(EngagementType type) =>
        type is EngagementType.Email or EngagementType.Meeting or EngagementType.Training or EngagementType.Survey;

    /// <summary>Whether <paramref name="e"/> is a later touch than <paramref name="seen"/>: a later date, or the same date and a
    /// greater event id (ordinal).</summary>
    public static bool IsLater(in EngagementEvent e, in EngagementEvent seen) =>
        e.Date > seen.Date || (e.Date == seen.Date && string.CompareOrdinal(e.EventId, seen.EventId) > 0);
}
