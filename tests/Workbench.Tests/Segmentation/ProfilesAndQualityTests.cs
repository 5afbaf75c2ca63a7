using Workbench.Analytics.Segmentation;

namespace Workbench.Tests.Segmentation;

public class ProfilesAndQualityTests
{
    /// <summary>Three planted groups: big spenders, heavy users, rare buyers; churn only in the rare buyers.</summary>
    static (FeatureMatrix X, int[] Labels, double[] Churn) Accounts()
    {
        var rng = new Random(17);
        var rows = new List<double[]>(); var labels = new List<int>(); var churn = new List<double>();
        for (int g = 0; g < 3; g++)
            for (int i = 0; i < 100; i++)
            {
                double spend = g == 0 ? 50_000 : 5_000, usage = g == 1 ? 0.9 : 0.4, orders = g == 2 ? 1 : 12;
                rows.Add([spend * (1 + 0.1 * SegmentationTestData.Normal(rng)), usage + 0.05 * SegmentationTestData.Normal(rng), orders + rng.Next(2)]);
                labels.Add(g);
                churn.Add(g == 2 && i % 2 == 0 ? 1 : 0);
            }
        return (FeatureMatrix.FromRows(rows, ["annual_spend", "seat_utilization", "orders_per_year"]), labels.ToArray(), churn.ToArray());
    }

    [Fact]
    public void Profiles_report_sizes_means_medians_outcomes_and_rule_based_names()
    {
        var (x, labels, churn) = Accounts();
        var profiles = SegmentProfiler.Build(x, labels, new Dictionary<string, double[]> { ["churn"] = churn }, new ProfileOptions { Log1pColumns = ["annual_spend"] });
        Assert.Equal(3, profiles.Count);
        Assert.All(profiles, p => Assert.Equal(100, p.Size));
        Assert.All(profiles, p => Assert.Equal(1.0 / 3, p.Share, 12));
        var spend0 = Enumerable.Range(0, 100).Select(i => x[i, 0]).ToArray();
        Assert.Equal(spend0.Average(), profiles[0].Column("annual_spend").Mean, 9);
        Assert.Equal(spend0.Order().ElementAt(49) / 2 + spend0.Order().ElementAt(50) / 2, profiles[0].Column("annual_spend").Median, 9);
        Assert.Equal(0.5, profiles[2].OutcomeRates["churn"], 12);
        Assert.Equal(0.0, profiles[0].OutcomeRates["churn"], 12);
        Assert.Equal("annual_spend", profiles[0].DistinguishingColumns[0]);
        Assert.Contains("high value", profiles[0].Name);
        Assert.Contains("tech enthusiasts", profiles[1].Name);
        Assert.Contains("occasional", profiles[2].Name);
        Assert.True(profiles[1].Column("seat_utilization").StandardizedMeanDifference > 2);
    }

    [Fact]
    public void Analyst_names_and_roles_override_the_rules()
    {
        var (x, labels, _) = Accounts();
        var profiles = SegmentProfiler.Build(x, labels, options: new ProfileOptions
        {
            NameOverrides = new Dictionary<int, string> { [0] = "Enterprise" },
            ColumnRoles = new Dictionary<string, ColumnRole> { ["seat_utilization"] = ColumnRole.Other },
        });
        Assert.Equal("Enterprise", profiles[0].Name);
        Assert.Equal("set by the analyst", profiles[0].NameReason);
        Assert.DoesNotContain("tech enthusiasts", profiles[1].Name); // usage role switched off
        Assert.Equal("budget, frequent", profiles[1].Name);          // remaining traits: lower spend, more orders than the rest
    }

    [Fact]
    public void Checklist_passes_for_clean_segments_and_fails_the_size_floor_for_a_tiny_one()
    {
        var (x, truth) = SegmentationTestData.Blobs(4, 6, 200, seed: 77, sizes: [1, 1, 1, 0.1]);
        var result = Segmenter.Run(new SegmentationInput(x), new SegmentationOptions { Seed = 1, K = 4 });
        Assert.True(ClusteringMetrics.AdjustedRandIndex(result.Assignments, truth) >= 0.95);
        var check = result.Quality.Checklist.ToDictionary(c => c.Name);
        Assert.Equal(["actionable", "stable", "large enough", "differentiable"], result.Quality.Checklist.Select(c => c.Name));
        Assert.True(check["stable"].Passed, check["stable"].Explanation);
        Assert.True(check["differentiable"].Passed);
        Assert.True(check["actionable"].Passed);
        Assert.False(check["large enough"].Passed);                     // 20 of 620 rows = 3.2% < 5%
        Assert.Equal(20.0 / 620, check["large enough"].Value, 9);
        Assert.False(result.Quality.AllPassed);
    }

    [Fact]
    public void Stability_resamples_fitted_side_by_side_equal_the_resamples_fitted_one_after_another()
    {
        var (x, _, _) = Accounts();
        int[] Cluster(FeatureMatrix m, int s) => KMeans.Fit(m, new KMeansOptions(3) { Seed = s, NInit = 2 }).Labels;
        const int resamples = 6, seed = 21;
        var aris = SegmentQualityAssessor.BootstrapStability(x, Cluster, resamples, seed);

        // The same statistic drawn and fitted in one loop, resample after resample.
        var rng = new Random(RunContext.DeriveSeed(seed, "bootstrap-stability"));
        var maps = new Dictionary<int, int>[resamples];
        for (int b = 0; b < resamples; b++)
        {
            var idx = new int[x.Rows];
            for (int i = 0; i < x.Rows; i++) idx[i] = rng.Next(x.Rows);
            var labels = Cluster(x.SelectRows(idx), RunContext.DeriveSeed(seed, "bootstrap-fit-" + b));
            maps[b] = new Dictionary<int, int>();
            for (int i = 0; i < x.Rows; i++) maps[b].TryAdd(idx[i], labels[i]);
        }
        for (int b = 0; b < resamples; b++)
        {
            var a = maps[b]; var c = maps[(b + 1) % resamples];
            var common = a.Keys.Where(c.ContainsKey).Order().ToArray();
            Assert.Equal(ClusteringMetrics.AdjustedRandIndex(common.Select(i => a[i]).ToArray(), common.Select(i => c[i]).ToArray()), aris[b]);
        }
    }

    [Fact]
    public void Stability_is_low_when_clustering_uniform_noise()
    {
        var rng = new Random(4);
        var x = FeatureMatrix.FromRows(Enumerable.Range(0, 400).Select(_ => Enumerable.Range(0, 6).Select(_ => rng.NextDouble()).ToArray()).ToArray(),
            Enumerable.Range(0, 6).Select(j => "u" + j).ToArray());
        var aris = SegmentQualityAssessor.BootstrapStability(x, (m, s) => KMeans.Fit(m, new KMeansOptions(6) { Seed = s, NInit = 1 }).Labels, 8, seed: 3);
        Assert.Equal(8, aris.Length);
        Assert.True(aris.Average() < 0.75, $"mean ARI {aris.Average()}");
    }
}
