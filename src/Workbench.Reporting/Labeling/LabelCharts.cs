using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using CS = Plotly.NET.CSharp;

namespace Workbench.Reporting.Labeling;

/// <summary>Whether class-balance charts show counts of snapshots or shares of each group.</summary>
public enum BalanceScale { Counts, Shares }

/// <summary>Charts for the labeling stage. They draw what a <see cref="LabelReport"/> or an
/// <see cref="AccountHistory"/> already holds.</summary>
public static class LabelCharts
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    // One colour per outcome, the same in every chart, so a reader learns it once.
    static readonly Color UpsellColor = Color.fromString("#2ca02c"), ChurnColor = Color.fromString("#d62728"), FlatColor = Color.fromString("#b0b0b0");

    /// <summary>Class balance over time: one stacked column per as-of date (upsell, churn, flat).</summary>
    public static GenericChart BalanceOverTime(LabelReport report, BalanceScale scale = BalanceScale.Counts)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Stacked(report.ByMonth, scale, "Label balance over time", "as-of date");
    }

    /// <summary>Class balance by product: one stacked bar per product.</summary>
    public static GenericChart BalanceByProduct(LabelReport report, BalanceScale scale = BalanceScale.Shares)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Stacked(report.ByProduct, scale, "Label balance by product", "product");
    }

    /// <summary>Class balance by (true or found) segment; needs a report built with segments.</summary>
    public static GenericChart BalanceBySegment(LabelReport report, BalanceScale scale = BalanceScale.Shares)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.BySegment.Count == 0) throw new WorkbenchException("This label report has no segments: build it with a segment lookup (LabelReport.Build(..., segmentOf)).");
        return Stacked(report.BySegment, scale, "Label balance by segment", "segment");
    }

    static GenericChart Stacked(IReadOnlyList<LabelBalance> groups, BalanceScale scale, string title, string xTitle)
    {
        var keys = groups.Select(g => g.Group).ToArray();
        double Value(LabelBalance b, int count, double rate) => scale == BalanceScale.Shares ? rate : count;
        var traces = new[]
        {
            CS.Chart.StackedColumn<double, string, string>(values: groups.Select(b => Value(b, b.Upsell, b.UpsellRate)), Keys: keys, Name: "upsell", MarkerColor: UpsellColor),
            CS.Chart.StackedColumn<double, string, string>(values: groups.Select(b => Value(b, b.Churn, b.ChurnRate)), Keys: keys, Name: "churn", MarkerColor: ChurnColor),
            CS.Chart.StackedColumn<double, string, string>(values: groups.Select(b => Value(b, b.Flat, b.FlatRate)), Keys: keys, Name: "flat", MarkerColor: FlatColor),
        };
        return ChartText.Titled(CS.Chart.Combine(traces), title, xTitle, scale == BalanceScale.Shares ? "share of snapshots" : "snapshots (account-products)");
    }

    /// <summary>Spend per product over time for one account, read from the panel.</summary>
    public static GenericChart AccountSpend(MonthlyPanel panel, string accountId) => AccountSpend(AccountHistory.Of(panel, accountId), null);

    /// <summary>Spend per product over time for one account with the label window of <paramref name="window"/> shaded
    /// and the run-rate the label compares against drawn as a dashed line.</summary>
    public static GenericChart AccountSpend(MonthlyPanel panel, string accountId, LabelWindow window) => AccountSpend(AccountHistory.Of(panel, accountId), window);

    /// <summary>Spend per product over time (one line per product, total dotted), optionally with a shaded label window.</summary>
    public static GenericChart AccountSpend(AccountHistory history, LabelWindow? window)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (window is not null && window.AccountId != history.AccountId)
            throw new WorkbenchException($"The label window is for account {window.AccountId}, the history for {history.AccountId}.");
        var traces = new List<GenericChart>();
        foreach (var product in history.Products)
        {
            var s = history.SpendOf(product);
            traces.Add(CS.Chart.Line<DateTime, double, string>(x: s.Keys, y: s.Values, Name: product, ShowMarkers: true));
        }
        traces.Add(CS.Chart.Line<DateTime, double, string>(x: history.TotalSpend.Keys, y: history.TotalSpend.Values, Name: "total",
            LineDash: StyleParam.DrawingStyle.Dot, LineColor: Color.fromString("#444444")));
        double top = history.TotalSpend.Values.DefaultIfEmpty(0).Max();
        string title = $"Monthly spend of {history.AccountId}";
        if (window is not null)
        {
            DateTime from = window.From.ToDateTime(TimeOnly.MinValue), to = window.To.ToDateTime(TimeOnly.MinValue);
            // The window [From, To) as a filled rectangle: x from the first window month to the start of the month after it.
            traces.Insert(0, CS.Chart.Line<DateTime, double, string>(
                x: [from, from, to, to, from], y: [0, top * 1.05, top * 1.05, 0, 0],
                Name: $"label window ({window.ProductId}: {window.Outcome.ToString().ToLowerInvariant()})",
                Fill: StyleParam.Fill.ToSelf, FillColor: Color.fromString(window.Outcome switch
                {
                    Outcome.Churn => "rgba(214,39,40,0.15)",
                    Outcome.Upsell => "rgba(44,160,44,0.15)",
                    _ => "rgba(128,128,128,0.15)",
                }), LineWidth: 0));
            var asOf = window.AsOf.ToDateTime(TimeOnly.MinValue);
            traces.Add(CS.Chart.Line<DateTime, double, string>(x: [asOf, asOf], y: [0, top * 1.05], Name: $"as-of {window.AsOf.ToString("yyyy-MM-dd", Inv)}",
                LineDash: StyleParam.DrawingStyle.Dash, LineColor: Color.fromString("#1f77b4")));
            title += $": label window {window.From.ToString("yyyy-MM", Inv)} to {window.To.AddMonths(-1).ToString("yyyy-MM", Inv)}";
        }
        return ChartText.Titled(CS.Chart.Combine(traces), title, "month", "spend per month");
    }
}
