using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Domain;

namespace Workbench.Tests.Features;

/// <summary>The one rule that keeps results honest: features see only the past, labels only the window.</summary>
public class LeakageTests
{
    /// <summary>Rewrites every fact dated at or after <paramref name="cut"/> (spend, usage, events, bookings,
    /// contracts signed from then on) with other random values, and adds new future events.</summary>
    static CrmDataset ScrambleFrom(CrmDataset d, DateOnly cut, int seed)
    {
        var rng = new Random(seed);
        bool Future(DateOnly x) => x >= cut;
        return d with
        {
            Spend = d.Spend.Select(s => Future(s.Month) ? s with { Amount = (decimal)(rng.NextDouble() * 9999) } : s).ToList(),
            Usage = d.Usage.Select(u => Future(u.Month) ? u with { SeatsUsed = rng.Next(0, 50), Utilization = rng.NextDouble(), KeyActions = rng.Next(0, 9999), ActiveUsers = rng.Next(1, 60) } : u).ToList(),
            Engagement = d.Engagement.Select(e => Future(e.Date) ? e with { Type = (EngagementType)rng.Next(0, 6), Score = rng.Next(0, 10) } : e)
                .Concat(d.Accounts.Select((a, i) => new EngagementEvent("future" + i, a.AccountId, cut.AddDays(rng.Next(0, 60)), EngagementType.ChampionChange, null))).ToList(),
            Bookings = d.Bookings.Select(b => Future(b.Date) ? b with { Type = (BookingType)rng.Next(0, 7), AmountDelta = rng.Next(-500, 500) } : b).ToList(),
            Contracts = d.Contracts.Select(c => Future(c.StartDate) ? c with { RenewalDate = c.RenewalDate.AddMonths(rng.Next(1, 12)), TermMonths = 36 } : c).ToList(),
        };
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void No_feature_moves_when_only_data_at_or_after_the_as_of_date_changes(int seed)
    {
        var data = TinyCrm.Random(seed, accounts: 30);
        var panel = new MonthlyPanel(data);
        foreach (int t in new[] { 8, 12, 16 })
        {
            var asOf = panel.MonthAt(t);
            var options = new SnapshotOptions { AsOfDates = [asOf] };
            var original = FeatureBuilder.Build(panel, Snapshots.Build(panel, options));
            var scrambledPanel = new MonthlyPanel(ScrambleFrom(data, asOf, seed + 100));
            Assert.Equal(panel.FirstMonth, scrambledPanel.FirstMonth); // the same month axis, or the comparison means nothing
            var scrambled = FeatureBuilder.Build(scrambledPanel, Snapshots.Build(scrambledPanel, options));
            Assert.Equal(original.RowCount, scrambled.RowCount);
            for (int j = 0; j < original.ColumnCount; j++)
                for (int i = 0; i < original.RowCount; i++)
                    Assert.True(original.Values[i * original.ColumnCount + j].Equals(scrambled.Values[i * original.ColumnCount + j]),
                        $"feature '{original.Registry.Definitions[j].Name}' of row {i} moved when only data from {asOf:yyyy-MM-dd} on changed");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void No_before_after_window_of_a_change_feature_moves_when_only_the_future_changes(int seed)
    {
        // The windows a change feature declares for its narratives read the same past as the feature itself.
        var data = TinyCrm.Random(seed, accounts: 30);
        var panel = new MonthlyPanel(data);
        var asOf = panel.MonthAt(12);
        var options = new SnapshotOptions { AsOfDates = [asOf] };
        var original = FeatureBuilder.Build(panel, Snapshots.Build(panel, options));
        var scrambledPanel = new MonthlyPanel(ScrambleFrom(data, asOf, seed + 100));
        var scrambled = FeatureBuilder.Build(scrambledPanel, Snapshots.Build(scrambledPanel, options));
        var changes = FeatureCatalog.All.Where(f => f.BeforeAfter is not null).Select(f => f.Definition.Name).ToList();
        Assert.NotEmpty(changes);
        int compared = 0;
        foreach (var name in changes)
            for (int i = 0; i < original.RowCount; i++)
            {
                var a = FeatureDetails.BeforeAfter(original, i, name)!.Value;
                var b = FeatureDetails.BeforeAfter(scrambled, i, name)!.Value;
                Assert.True(a.Before.Equals(b.Before) && a.After.Equals(b.After), $"{name} of row {i}: ({a.Before}, {a.After}) became ({b.Before}, {b.After})");
                compared++;
            }
        Assert.True(compared > 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void No_account_level_feature_moves_when_only_data_at_or_after_the_as_of_date_changes(int seed)
    {
        // The account profile (segmentation, territory) is computed from the same panel through the same context.
        var data = TinyCrm.Random(seed, accounts: 30);
        var panel = new MonthlyPanel(data);
        foreach (int t in new[] { 8, 12, 16 })
        {
            var asOf = panel.MonthAt(t);
            var scrambledPanel = new MonthlyPanel(ScrambleFrom(data, asOf, seed + 100));
            Assert.Equal(panel.FirstMonth, scrambledPanel.FirstMonth);
            int compared = 0;
            foreach (int? window in new int?[] { null, 6 })
                for (int a = 0; a < panel.AccountIds.Count; a++)
                {
                    var original = AccountFeatureCatalog.Row(panel, a, t, window);
                    var scrambled = AccountFeatureCatalog.Row(scrambledPanel, scrambledPanel.AccountIndexOf(panel.AccountIds[a]), t, window);
                    for (int j = 0; j < original.Length; j++)
                        Assert.True(original[j].Equals(scrambled[j]),
                            $"account feature '{AccountFeatureCatalog.All[j].Definition.Name}' of {panel.AccountIds[a]} (window {window?.ToString() ?? "all"}) moved when only data from {asOf:yyyy-MM-dd} on changed");
                    compared++;
                }
            Assert.True(compared > 0);
            // The public entry point agrees: the same profiles before and after the scramble.
            var profiles = Workbench.Analytics.Segmentation.AccountProfileFeatures.Build(data, asOf);
            var scrambledProfiles = Workbench.Analytics.Segmentation.AccountProfileFeatures.Build(ScrambleFrom(data, asOf, seed + 100), asOf);
            Assert.Equal(profiles.AccountIds, scrambledProfiles.AccountIds);
            Assert.Equal(profiles.All.ToRows(), scrambledProfiles.All.ToRows());
        }
    }

    [Fact]
    public void The_scramble_is_strong_enough_to_move_account_level_features()
    {
        var data = TinyCrm.Random(1, accounts: 30);
        var panel = new MonthlyPanel(data);
        var scrambledPanel = new MonthlyPanel(ScrambleFrom(data, panel.MonthAt(6), 101));
        var original = Enumerable.Range(0, panel.AccountIds.Count).SelectMany(a => AccountFeatureCatalog.Row(panel, a, 12, null)).ToArray();
        var scrambled = Enumerable.Range(0, panel.AccountIds.Count).SelectMany(a => AccountFeatureCatalog.Row(scrambledPanel, a, 12, null)).ToArray();
        Assert.NotEqual(original, scrambled);
    }

    [Fact]
    public void The_live_leakage_check_covers_both_feature_levels()
    {
        var data = TinyCrm.Random(4, accounts: 30);
        var panel = new MonthlyPanel(data);
        var result = LeakageCheck.Run(data, panel.MonthAt(12));
        Assert.True(result.FeaturesIgnoreTheFuture, result.ToString());
        Assert.True(result.Rows > 0 && result.AccountRows > 0, result.ToString());
        Assert.Equal(FeatureBuilder.AccountRegistry.Definitions.Count, result.AccountColumns);
        Assert.Equal(0, result.ChangedAccountFeatureCells);
    }

    [Fact]
    public void Every_feature_whose_sentence_names_two_ends_declares_its_window()
    {
        foreach (var f in FeatureCatalog.All)
            Assert.True(f.Definition.SentenceTemplate.Contains("{before}", StringComparison.Ordinal) == (f.BeforeAfter is not null),
                $"{f.Definition.Name}: the sentence template and the declared before/after window disagree");
    }

    [Fact]
    public void The_scramble_is_strong_enough_to_move_labels()
    {
        // Guards the test above: the same scramble applied from an earlier date must change something.
        var data = TinyCrm.Random(1, accounts: 30);
        var panel = new MonthlyPanel(data);
        var options = new SnapshotOptions { AsOfDates = [panel.MonthAt(12)] };
        var original = FeatureBuilder.Build(panel, Snapshots.Build(panel, options));
        var scrambledPanel = new MonthlyPanel(ScrambleFrom(data, panel.MonthAt(6), 101));
        var scrambled = FeatureBuilder.Build(scrambledPanel, Snapshots.Build(scrambledPanel, options));
        Assert.NotEqual(original.Values, scrambled.Values);
    }

    [Fact]
    public void Label_windows_never_overlap_feature_windows()
    {
        var data = TinyCrm.Random(9, accounts: 30);
        var panel = new MonthlyPanel(data);
        foreach (var (gap, horizon) in new[] { (0, 6), (1, 3), (2, 12) })
        {
            var so = new SnapshotOptions { GapMonths = gap, HorizonMonths = horizon, AsOfDates = [panel.MonthAt(8)] };
            // Every feature reads months [t - window, t); the label window starts at t + gap >= t.
            Assert.All(FeatureBuilder.BaseRegistry.Definitions, d => Assert.True(d.WindowMonths >= 0));
            var snaps = Snapshots.Build(panel, so);
            var lo = new LabelOptions { Source = LabelSource.Bookings };
            var labels = Labeler.Label(panel, snaps, so, lo);
            // Booking labels read only the window: rewriting everything before t + gap leaves them unchanged...
            var cut = panel.MonthAt(8 + gap);
            var before = data with
            {
                Bookings = data.Bookings.Where(b => b.Date >= cut).ToList(),
                Engagement = [], Usage = data.Usage.Select(u => u with { KeyActions = 0 }).ToList(),
            };
            var p2 = new MonthlyPanel(before);
            Assert.Equal(labels.Select(l => l.Outcome), Labeler.Label(p2, snaps, so, lo).Select(l => l.Outcome));
            // ...and so does rewriting everything after the window.
            var end = panel.MonthAt(8 + gap + horizon);
            var after = data with { Bookings = data.Bookings.Where(b => b.Date < end).ToList() };
            Assert.Equal(labels.Select(l => l.Outcome), Labeler.Label(new MonthlyPanel(after), snaps, so, lo).Select(l => l.Outcome));
        }
    }
}
