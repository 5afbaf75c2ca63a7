namespace Workbench.Analytics.Features;

/// <summary>
/// The two ends behind a change feature, so a sentence can say "from 82% to 51%" rather than "-31pp": for
/// utilization_change_3m the values 4 months and 1 month before the as-of date, for spend_trend_3v12 the 12-month and
/// 3-month means, and so on. Reads the same months the feature read, nothing later.
/// </summary>
public static class FeatureDetails
{
    /// <summary>(before, after) for change features; null for level features.</summary>
    public static (double Before, double After)? BeforeAfter(FeatureTable table, int row, string feature)
    {
        var s = table.Snapshots[row];
        var panel = table.Panel;
        int t = s.AsOfMonth, b = s.Pair * panel.Months, a = s.Account * panel.Months;
        double At(double[] series, int m) => m >= 0 && m < panel.Months ? series[b + m] : double.NaN;
        double Mean(double[] series, int w)
        {
            double sum = 0; int n = 0;
            for (int m = Math.Max(0, t - w); m < t; m++) if (!double.IsNaN(series[b + m])) { sum += series[b + m]; n++; }
            return n == 0 ? double.NaN : sum / n;
        }
        double AccountSum(double[] series, int from, int to)
        {
            double sum = 0;
            for (int m = Math.Max(0, from); m < to; m++) sum += series[a + m];
            return sum;
        }
        return feature switch
        {
            "utilization_change_3m" => (At(panel.Utilization, t - 4), At(panel.Utilization, t - 1)),
            "utilization_change_6m" => (At(panel.Utilization, t - 7), At(panel.Utilization, t - 1)),
            "active_users_growth_3m" => (At(panel.ActiveUsers, t - 4), At(panel.ActiveUsers, t - 1)),
            "active_users_growth_6m" => (At(panel.ActiveUsers, t - 7), At(panel.ActiveUsers, t - 1)),
            "seats_change_6m" => (At(panel.SeatsPurchased, t - 7), At(panel.SeatsPurchased, t - 1)),
            "spend_trend_3v12" => (Mean(panel.Spend, 12), Mean(panel.Spend, 3)),
            "key_actions_trend_3v12" => (Mean(panel.KeyActions, 12), Mean(panel.KeyActions, 3)),
            "meetings_change_3v3" => (AccountSum(panel.Meetings, t - 6, t - 3), AccountSum(panel.Meetings, t - 3, t)),
            _ => null,
        };
    }
}
