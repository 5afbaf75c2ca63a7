using System.Collections.Concurrent;
using System.Text.Json;
using Workbench.Analytics.Segmentation;
using Workbench.Cli.Commands;
using Workbench.Data.Generation;
using Workbench.Domain;

namespace Workbench.Tests.Segmentation;

/// <summary>Segmentation measured against the generator's planted segments: the recommended k must be the planted k
/// and the clusters must match the planted segments (adjusted Rand index), with sensible names.</summary>
public sealed class GeneratedSegmentsTests
{
    /// <summary>(seed, planted segments): one dataset per case, 2,000 accounts x 36 months, segmented once and shared by the tests.</summary>
    public static readonly TheoryData<int, int> Cases = new() { { 3, 6 }, { 6, 5 }, { 7, 4 } };

    sealed record Run(CrmDataset Data, AccountProfiles Profiles, SegmentationResult Result, int[] Truth);

    static readonly ConcurrentDictionary<(int, int), Lazy<Run>> Runs = new();

    static Run Segment(int seed, int segments) => Runs.GetOrAdd((seed, segments), key => new Lazy<Run>(() =>
    {
        var data = CrmGenerator.Generate(new GeneratorOptions { Accounts = 2000, Months = 36, Seed = key.Item1, Segments = key.Item2 });
        var profiles = AccountProfileFeatures.Build(data);
        var result = profiles.WithFullProfiles(Segmenter.Run(profiles.ToSegmentationInput(), profiles.SegmentationOptions(seed: 42)));
        return new Run(data, profiles, result, profiles.TrueSegments(data.Truth)!);
    })).Value;

    [Theory, MemberData(nameof(Cases))]
    public void Recommended_k_is_the_planted_k_and_the_segments_match_the_planted_ones(int seed, int segments)
    {
        var run = Segment(seed, segments);
        var (ari, table) = run.Result.CompareWith(run.Truth);
        string counts = string.Join("; ", table.Counts.Select(r => string.Join(" ", r)));
        Assert.True(run.Result.KSelection!.RecommendedK == segments,
            $"recommended k {run.Result.KSelection.RecommendedK}, planted {segments}: {run.Result.KSelection.Reason}");
        Assert.True(ari >= 0.8, $"adjusted Rand index {ari:F3}; contingency (found x planted): {counts}");
    }

    /// <summary>Each found segment is matched to the planted segment most of its accounts come from; where the planted
    /// profile has a clear trait (size of spend, intensity of use), the suggested name must say it.</summary>
    [Theory, MemberData(nameof(Cases))]
    public void Profiles_name_segments_after_their_planted_traits(int seed, int segments)
    {
        var run = Segment(seed, segments);
        var plantedName = run.Data.Truth!.Segments.DistinctBy(s => s.Segment).ToDictionary(s => s.Segment, s => s.SegmentName);
        var expected = new Dictionary<string, (string[] Has, string[] HasNot)>
        {
            ["Enterprise expanders"] = (["high value", "tech enthusiasts"], ["budget", "light users"]),
            ["Price-sensitive SMB"] = (["budget"], ["high value", "tech enthusiasts"]),
            ["Dormant large"] = (["high value", "light users"], ["budget", "tech enthusiasts"]),
            ["Fast growers"] = (["tech enthusiasts"], ["high value", "light users"]),
            ["Steady mid-market"] = ([], ["high value", "budget"]),
        };
        int checkedNames = 0;
        foreach (var p in run.Result.Profiles)
        {
            int majority = Enumerable.Range(0, run.Truth.Length).Where(i => run.Result.Assignments[i] == p.Segment)
                .GroupBy(i => run.Truth[i]).OrderByDescending(g => g.Count()).First().Key;
            if (!expected.TryGetValue(plantedName[majority], out var rule)) continue;
            foreach (var word in rule.Has) Assert.True(p.Name.Contains(word), $"segment {p.Segment} (mostly '{plantedName[majority]}') is named '{p.Name}', expected '{word}': {p.NameReason}");
            foreach (var word in rule.HasNot) Assert.False(p.Name.Contains(word), $"segment {p.Segment} (mostly '{plantedName[majority]}') is named '{p.Name}', which should not say '{word}'");
            checkedNames++;
        }
        Assert.True(checkedNames >= 4, $"only {checkedNames} segments matched a planted segment with a known trait");
        // Outcomes ride along: expanders are upsold more often than the price-sensitive SMBs.
        var expanders = run.Result.Profiles.First(p => p.Name.Contains("high value") && p.Name.Contains("tech enthusiasts"));
        var smb = run.Result.Profiles.First(p => p.Name.Contains("budget"));
        Assert.True(expanders.OutcomeRates[AccountProfileFeatures.UpsellRate] > smb.OutcomeRates[AccountProfileFeatures.UpsellRate]);
    }

    [Fact]
    public void Profile_features_as_of_a_date_ignore_everything_after_it()
    {
        var data = CrmGenerator.Generate(new GeneratorOptions { Accounts = 300, Months = 24, Seed = 5, Segments = 5 });
        var asOf = new DateOnly(2024, 3, 15);
        var month = new DateOnly(2024, 3, 1); // March is not over on the 15th: its monthly rows must not count
        var past = data with
        {
            Spend = data.Spend.Where(s => s.Month < month).ToArray(),
            Usage = data.Usage.Where(u => u.Month < month).ToArray(),
            Engagement = data.Engagement.Where(e => e.Date < asOf).ToArray(),
            Bookings = data.Bookings.Where(b => b.Date < asOf).ToArray(),
        };
        var full = AccountProfileFeatures.Build(data, asOf);
        var truncated = AccountProfileFeatures.Build(past, asOf);
        Assert.Equal(truncated.AccountIds, full.AccountIds);
        Assert.Equal(truncated.All.ToRows(), full.All.ToRows());
        Assert.Equal(truncated.Outcomes[AccountProfileFeatures.ChurnRate], full.Outcomes[AccountProfileFeatures.ChurnRate]);
        // Accounts created on or after the date are left out with a reason, not silently.
        var later = data.Accounts.Where(a => a.CreatedDate >= asOf).Select(a => a.AccountId).ToHashSet();
        Assert.NotEmpty(later);
        Assert.All(later, id => Assert.Contains(full.ExcludedAccounts, e => e.AccountId == id && e.Reason.Contains("on or after")));
        Assert.DoesNotContain(full.AccountIds, later.Contains);
        // And the snapshot differs from the end-of-data one: the later months would have changed the features.
        var end = AccountProfileFeatures.Build(data);
        Assert.True(full.AsOf < end.AsOf);
        string first = full.AccountIds[0];
        Assert.NotEqual(full.All.Row(0), end.All.Row(end.AccountIds.ToList().IndexOf(first)));
    }

    static readonly System.CommandLine.InvocationConfiguration NoDefaultHandler = new() { EnableDefaultExceptionHandler = false };

    [Fact]
    public void Segment_command_writes_assignments_profiles_charts_and_metrics_against_the_planted_segments()
    {
        string data = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");
        string out1 = TestPaths.NewTempDir("segment-cli"), out2 = TestPaths.NewTempDir("segment-cli");
        Assert.Equal(0, SegmentCommand.Create().Parse(["--data", data, "--out", out1, "--seed", "3"]).Invoke(NoDefaultHandler));
        Assert.Equal(0, SegmentCommand.Create().Parse(["--data", data, "--out", out2, "--seed", "3"]).Invoke(NoDefaultHandler));

        foreach (var f in new[] { "assignments.csv", "segment-profiles.json", "segment-metrics.json", "segment-charts.html" })
        {
            Assert.True(File.Exists(Path.Combine(out1, f)), f);
            Assert.Equal(File.ReadAllBytes(Path.Combine(out1, f)), File.ReadAllBytes(Path.Combine(out2, f))); // same seed, same bytes
        }
        var lines = File.ReadAllLines(Path.Combine(out1, "assignments.csv"));
        Assert.Equal("account_id,segment,segment_name", lines[0]);
        Assert.Equal(500, lines.Length - 1);

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(out1, "segment-metrics.json")));
        var root = metrics.RootElement;
        foreach (var key in new[] { "recommended_k", "silhouette", "stability_ari", "planted_k", "ari" })
            Assert.True(root.TryGetProperty(key, out _), $"segment-metrics.json lacks '{key}'");
        Assert.Equal(5, root.GetProperty("planted_k").GetInt32());
        Assert.InRange(root.GetProperty("silhouette").GetDouble(), -1, 1);
        Assert.InRange(root.GetProperty("ari").GetDouble(), -1, 1);

        using var profiles = JsonDocument.Parse(File.ReadAllText(Path.Combine(out1, "segment-profiles.json")));
        Assert.Equal(root.GetProperty("k").GetInt32(), profiles.RootElement.GetProperty("segments").GetArrayLength());

        var html = File.ReadAllText(Path.Combine(out1, "segment-charts.html"));
        Assert.DoesNotContain("<script src=", html);             // plotly.js is inlined, not fetched: the page works offline
        Assert.Contains("Plotly.newPlot(", html);
        foreach (var id in new[] { "elbow", "gap", "silhouette-by-k", "parallel-coordinates", "pca-scatter" })
            Assert.Contains($"<div id=\"{id}\"", html);
    }

    [Fact]
    public void Segment_command_rejects_an_unknown_method()
    {
        string data = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");
        var ex = Assert.Throws<OptionsValidationException>(() =>
            SegmentCommand.Create().Parse(["--data", data, "--out", TestPaths.NewTempDir("segment-cli"), "--method", "spectral"]).Invoke(NoDefaultHandler));
        Assert.Contains("spectral", ex.Message);
    }

    [Fact]
    public void Purchase_frequency_counts_orders_when_the_data_carries_transactions()
    {
        var data = Workbench.Data.Generation.CrmGenerator.Generate(new Workbench.Data.Generation.GeneratorOptions { Accounts = 30, Months = 24, Seed = 7 });
        var id = data.Accounts[0].AccountId;
        var asOf = AccountProfileFeatures.Build(data).AsOf;
        // Three orders in the last year (one of two lines), none of them bookings.
        var d0 = asOf.AddMonths(-2);
        var orders = new[]
        {
            new TransactionRecord("o1", id, "p1", d0, 10m), new TransactionRecord("o1", id, "p2", d0, 5m),
            new TransactionRecord("o2", id, "p1", d0.AddDays(-30), 7m), new TransactionRecord("o3", id, "p1", d0.AddDays(-60), 7m),
            new TransactionRecord("o4", id, "p1", asOf.AddDays(1), 7m), // after the as-of date: not counted
        };
        var withOrders = data with { Bookings = [], Transactions = orders };
        var profiles = AccountProfileFeatures.Build(withOrders, asOf);
        int row = profiles.AccountIds.ToList().IndexOf(id);
        int col = profiles.All.ColumnNames.ToList().IndexOf(AccountProfileFeatures.PurchasesPerYear);
        Assert.True(row >= 0 && col >= 0);
        var bookingsOnly = AccountProfileFeatures.Build(data with { Bookings = [] }, asOf);
        Assert.Equal(0, bookingsOnly.All[row, col]);
        Assert.True(profiles.All[row, col] > 0, "three orders must give a positive purchase frequency");
        // Three orders give three times one order's frequency (two lines of one order count once).
        var oneOrder = AccountProfileFeatures.Build(data with { Bookings = [], Transactions = orders[..2] }, asOf);
        Assert.Equal(3 * oneOrder.All[row, col], profiles.All[row, col], 9);
        Assert.All(Enumerable.Range(0, profiles.AccountIds.Count).Where(r => r != row), r => Assert.Equal(0, profiles.All[r, col]));
    }
}
