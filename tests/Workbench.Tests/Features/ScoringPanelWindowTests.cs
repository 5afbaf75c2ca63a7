using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Tests.Features;

/// <summary>Scoring lays out only the months its features read (the as-of month's and the month before's look-back
/// windows): every feature value, run-rate and snapshot must be the one the panel of the whole history gives.</summary>
public class ScoringPanelWindowTests
{
    static readonly Lazy<CrmDataset> Sample = new(() =>
        new CrmCatalog(Path.Combine(TestPaths.RepoRoot, "data-samples", "generated")).Load().Dataset);

    static void AssertSameAsWholeHistory(CrmDataset data, DateOnly? asOf, bool expectWindow)
    {
        var window = ScoringFeatures.Build(data, asOf, null, null, null, wholeHistory: false);
        var whole = ScoringFeatures.Build(data, asOf, null, null, null, wholeHistory: true);
        Assert.Equal(0, whole.Panel.HistoryOffset);
        if (expectWindow)
        {
            Assert.True(window.Panel.HistoryOffset > 0, "the scoring panel skips the early months");
            Assert.True(window.Panel.Months < whole.Panel.Months);
        }
        else Assert.Equal(0, window.Panel.HistoryOffset);
        Assert.Equal(whole.AsOf, window.AsOf);
        Assert.Equal(whole.PreviousAsOf, window.PreviousAsOf);
        Assert.Equal(whole.Panel.Pairs, window.Panel.Pairs);
        Assert.Equal(whole.Features.Registry.Names, window.Features.Registry.Names);
        Assert.Equal(whole.Features.Snapshots.Select(s => (s.Pair, s.Account, s.Product, whole.Panel.MonthAt(s.AsOfMonth))),
            window.Features.Snapshots.Select(s => (s.Pair, s.Account, s.Product, window.Panel.MonthAt(s.AsOfMonth))));
        // Bit for bit (NaN included), column by column so a failure names the feature.
        int d = whole.Features.ColumnCount;
        for (int j = 0; j < d; j++)
            for (int i = 0; i < whole.Features.RowCount; i++)
            {
                float w = whole.Features.Values[(long)i * d + j], x = window.Features.Values[(long)i * d + j];
                if (BitConverter.SingleToInt32Bits(w) != BitConverter.SingleToInt32Bits(x))
                    Assert.Fail($"{whole.Features.Registry.Definitions[j].Name} differs at row {i} (as of {asOf?.ToString() ?? "default"}): whole {w:R}, window {x:R}");
            }
        Assert.Equal(whole.RunRates, window.RunRates);
        // The spend and usage rows per month the extent check reads, counted by the scoring panel as it gathered the pairs:
        // every month of the data, not only the laid-out ones (a run's panel counts none).
        Assert.Null(whole.Panel.RowsPerMonth);
        var first = data.Spend.Select(s => s.Month).Concat(data.Usage.Select(u => u.Month)).Min();
        var expected = new int[window.Panel.HistoryOffset + window.Panel.Months];
        foreach (var month in data.Spend.Select(s => s.Month).Concat(data.Usage.Select(u => u.Month)))
            expected[(month.Year - first.Year) * 12 + month.Month - first.Month]++;
        Assert.Equal(expected, window.Panel.RowsPerMonth);
    }

    [Fact]
    public void The_scoring_panel_gives_the_whole_history_s_features_at_the_default_as_of_date()
        => AssertSameAsWholeHistory(Sample.Value, null, expectWindow: true);

    [Theory]
    [InlineData(2023, 8, false)] // the earliest as-of date the history rule allows: no month to skip
    [InlineData(2024, 3, false)] // 14 months in: the look-back reaches the data's first month
    [InlineData(2024, 9, true)]
    [InlineData(2025, 7, true)]
    [InlineData(2026, 1, true)]  // the month after the data: the default
    public void The_scoring_panel_gives_the_whole_history_s_features_at_every_kind_of_as_of_date(int year, int month, bool expectWindow)
        => AssertSameAsWholeHistory(Sample.Value, new DateOnly(year, month, 1), expectWindow);

    [Fact]
    public void Pairs_billed_only_in_the_last_month_or_only_before_the_window_get_the_whole_history_s_tenure()
    {
        var data = Sample.Value;
        var lastMonth = data.Spend.Max(s => s.Month);
        var firstMonth = data.Spend.Min(s => s.Month);
        // Pairs billed in the data's first and last months, so each edit below leaves a pair that is scored.
        var billedAt = (DateOnly m) => data.Spend.Where(s => s.Month == m && s.Amount > 0).Select(s => (s.AccountId, s.ProductId)).ToHashSet();
        var firstBilled = billedAt(firstMonth);
        var pairs = billedAt(lastMonth).Where(firstBilled.Contains).Order().ToArray();
        Assert.True(pairs.Length > 20);
        // One month of history: a pair whose only spend and usage rows are in the data's last month.
        var newPair = pairs[3];
        // First billed long before the window, then not billed (zero rows) until the last two months.
        var gapPair = pairs[10];
        // Billed zero for its first year: its first billed month is the first positive row, not its first row.
        var zeroPair = pairs[20];
        var spend = data.Spend
            .Where(s => (s.AccountId, s.ProductId) != newPair || s.Month == lastMonth)
            .Select(s => (s.AccountId, s.ProductId) == gapPair && s.Month > new DateOnly(2023, 6, 1) && s.Month < lastMonth.AddMonths(-1) ? s with { Amount = 0m } : s)
            .Select(s => (s.AccountId, s.ProductId) == zeroPair && s.Month < new DateOnly(2024, 1, 1) ? s with { Amount = 0m } : s)
            .ToList();
        var usage = data.Usage.Where(u => (u.AccountId, u.ProductId) != newPair || u.Month == lastMonth).ToList();
        var edited = data with
        {
            Spend = spend, Usage = usage,
            Contracts = data.Contracts.Where(c => (c.AccountId, c.ProductId) != newPair).ToList(),
            Bookings = data.Bookings.Where(b => (b.AccountId, b.ProductId) != newPair).ToList(),
        };
        AssertSameAsWholeHistory(edited, null, expectWindow: true);

        var scored = ScoringFeatures.Build(edited);
        int Pair((string Account, string Product) p) =>
            scored.Panel.PairIndexOf(scored.Panel.AccountIndexOf(p.Account), scored.Panel.ProductIndexOf(p.Product));
        double Tenure((string, string) p) => scored.Features.Builder!.PairTenure(Pair(p), scored.AsOfMonth);
        double Expected((string Account, string Product) p)
        {
            var first = spend.Where(s => (s.AccountId, s.ProductId) == p && s.Amount > 0).Min(s => s.Month);
            return (scored.AsOf.Year - first.Year) * 12 + scored.AsOf.Month - first.Month;
        }
        Assert.True(scored.Panel.FirstMonth > spend.Where(s => (s.AccountId, s.ProductId) == gapPair && s.Amount > 0).Min(s => s.Month),
            "the gap pair's first bill lies before the scoring panel's first month");
        Assert.Equal(1, Tenure(newPair));
        Assert.Equal(Expected(gapPair), Tenure(gapPair));
        Assert.Equal(Expected(zeroPair), Tenure(zeroPair));
        Assert.True(Expected(zeroPair) <= 24);
    }

    [Fact]
    public void A_credit_before_the_window_gives_the_whole_history_s_running_sums_and_tenure()
    {
        // A negative amount in the data's first month (strict loads refuse it; an in-memory dataset may carry it): that month
        // is not billed, and every running sum starts below zero.
        var data = Sample.Value;
        var first = data.Spend[0];
        Assert.Equal(data.Spend.Min(s => s.Month), first.Month);
        var withCredit = data with { Spend = data.Spend.Select((s, i) => i == 0 ? s with { Amount = -first.Amount } : s).ToList() };
        AssertSameAsWholeHistory(withCredit, null, expectWindow: true);
    }

    [Fact]
    public void The_look_back_covers_the_longest_feature_window_the_change_month_and_the_previous_month()
    {
        int lookback = ScoringFeatures.LookbackMonths(new SnapshotOptions(), new LabelOptions());
        int longest = FeatureBuilder.BaseRegistry.Definitions.Max(f => f.WindowMonths);
        Assert.Equal(12, longest);
        Assert.True(lookback >= longest + 2, $"look-back {lookback}");
        Assert.True(ScoringFeatures.LookbackMonths(new SnapshotOptions { MinHistoryMonths = 30 }, new LabelOptions()) > 30);
        Assert.True(ScoringFeatures.LookbackMonths(new SnapshotOptions(), new LabelOptions { PurchaseLookbackMonths = 24 }) > 24);
    }
}
