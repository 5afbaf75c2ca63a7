namespace Workbench.Analytics.Features;

/// <summary>
/// The two ends behind a change feature, so a sentence can say "from 82% to 51%" rather than "-31pp": each change
/// feature of the catalog declares them next to its computation (for utilization_change_3m the values 4 months and 1
/// month before the as-of date, for spend_trend_3v12 the 12-month and 3-month means, and so on), reading the same months
/// the feature read, nothing later.
/// </summary>
public static class FeatureDetails
{
    /// <summary>(before, after) for change features; null for level features and names outside the catalog.</summary>
    public static (double Before, double After)? BeforeAfter(FeatureTable table, int row, string feature)
    {
        if (FeatureCatalog.Find(feature)?.BeforeAfter is not { } beforeAfter) return null;
        var s = table.Snapshots[row];
        // The window helpers read the panel only; the builder (account-level lookups) is not needed here.
        return beforeAfter(new FeatureContext(null!, table.Panel, s.Pair, s.Account, s.AsOfMonth));
    }
}
