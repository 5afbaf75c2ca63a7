using System.Text.Json;
using Workbench.Analytics.Testing;
using Workbench.Cli.Commands;
using Workbench.Data.Generation;
using Workbench.Domain;

namespace Workbench.Tests.Testing;

/// <summary>The pieces of the A/B readout on small hand-made or generated data.</summary>
public sealed class ImpactAnalysisTests
{
    static readonly Lazy<CrmDataset> Small = new(() =>
        CrmGenerator.Generate(new GeneratorOptions { Accounts = 300, Reps = 24, Months = 24, Seed = 11 }));

    static ExperimentUnit Unit(string id, RolloutArm arm, double pre, double post, string? cluster = null) =>
        new(id, cluster ?? id, arm, new RatioValue(pre, 1), new RatioValue(post, 1), [pre, 0, 0, 0, 1], new RatioValue(pre / 2, 1));

    static ExperimentData Hand(params ExperimentUnit[] units) =>
        new(ExperimentMetric.RenewalBookings, AnalysisUnit.Rep, new DateOnly(2024, 1, 1), new DateOnly(2023, 1, 1), new DateOnly(2025, 1, 1),
            units, ExperimentDataBuilder.CovariateNames, [], 0);

    [Fact]
    public void Options_validation_lists_every_problem_at_once()
    {
        var ex = Assert.Throws<OptionsValidationException>(() =>
            new ImpactOptions { Alpha = 0.7, BootstrapResamples = -1, TargetLift = 0, TargetPower = 1.5, ExpectedTreatmentShare = 0 }.Validate());
        foreach (var name in new[] { "Alpha", "BootstrapResamples", "TargetLift", "TargetPower", "ExpectedTreatmentShare" })
            Assert.Contains(name, ex.Message);
        new ImpactOptions().Validate();
    }

    [Fact]
    public void Unadjusted_lift_and_its_standard_error_follow_the_delta_method_for_independent_units()
    {
        double[] t = [12, 15, 9, 14], c = [10, 8, 11, 11];
        var data = Hand([.. t.Select((v, i) => Unit("T" + i, RolloutArm.Treatment, 5, v)), .. c.Select((v, i) => Unit("C" + i, RolloutArm.Control, 5, v))]);
        var e = LiftEstimators.Unadjusted(data);
        double mt = t.Average(), mc = c.Average();
        static double Var(double[] x) { double m = x.Average(); return x.Sum(v => (v - m) * (v - m)) / (x.Length - 1); }
        double varLift = Var(t) / t.Length / (mc * mc) + mt * mt / Math.Pow(mc, 4) * Var(c) / c.Length;
        Assert.Equal(mt / mc - 1, e.Lift, 12);
        Assert.Equal(Math.Sqrt(varLift), e.StandardError, 12);
        Assert.Equal(6, e.DegreesOfFreedom);
        Assert.True(e.CiLow < e.Lift && e.Lift < e.CiHigh);
    }

    [Fact]
    public void Cuped_removes_the_variance_the_pre_period_explains()
    {
        // Post = 2 x pre + small noise: CUPED must remove nearly all the variance of the unadjusted comparison.
        var rng = new Random(3);
        var units = Enumerable.Range(0, 40).Select(i =>
        {
            double pre = 50 + 40 * rng.NextDouble();
            var arm = i % 2 == 0 ? RolloutArm.Treatment : RolloutArm.Control;
            return Unit("U" + i, arm, pre, 2 * pre * (arm == RolloutArm.Treatment ? 1.1 : 1.0) + rng.NextDouble());
        }).ToArray();
        var data = Hand(units);
        var un = LiftEstimators.Unadjusted(data);
        var cu = LiftEstimators.Cuped(data);
        Assert.True(cu.StandardError < 0.2 * un.StandardError, $"cuped se {cu.StandardError}, unadjusted {un.StandardError}");
        Assert.InRange(cu.Lift, 0.08, 0.12);
        Assert.True(cu.Covers(0.10));
    }

    [Fact]
    public void Sample_ratio_check_flags_a_lopsided_split_and_passes_a_balanced_one()
    {
        var lopsided = Hand([.. Enumerable.Range(0, 60).Select(i => Unit("T" + i, RolloutArm.Treatment, 1, 1)), .. Enumerable.Range(0, 20).Select(i => Unit("C" + i, RolloutArm.Control, 1, 1))]);
        var balanced = Hand([.. Enumerable.Range(0, 40).Select(i => Unit("T" + i, RolloutArm.Treatment, 1, 1)), .. Enumerable.Range(0, 41).Select(i => Unit("C" + i, RolloutArm.Control, 1, 1))]);
        var bad = LiftEstimators.SampleRatio(lopsided);
        Assert.True(bad.Mismatch);
        Assert.Equal(20.0, bad.ChiSquare, 9); // (60-40)^2/40 + (20-40)^2/40
        Assert.False(LiftEstimators.SampleRatio(balanced).Mismatch);
    }

    [Fact]
    public void Account_units_are_clustered_by_their_rep_so_the_rep_count_sets_the_degrees_of_freedom()
    {
        var data = ExperimentDataBuilder.Build(Small.Value, ExperimentMetric.RenewalBookings, AnalysisUnit.Account);
        var repArm = Small.Value.Reps.ToDictionary(r => r.RepId, r => r.RolloutArm);
        Assert.All(data.Units, u => Assert.Equal(repArm[u.ClusterId], u.Arm));
        int reps = data.Units.Select(u => u.ClusterId).Distinct().Count();
        Assert.True(data.Units.Count > 5 * reps);
        var e = LiftEstimators.Cuped(data);
        Assert.Equal(reps - 2, e.DegreesOfFreedom);
    }

    [Fact]
    public void Rep_outcomes_add_up_to_the_renewal_bookings_table()
    {
        var data = ExperimentDataBuilder.Build(Small.Value, ExperimentMetric.RenewalBookings, AnalysisUnit.Rep);
        double table = Small.Value.Bookings.Where(b => b.Type == BookingType.Renewal).Sum(b => (double)b.AmountDelta);
        Assert.Equal(table, data.Units.Sum(u => u.Pre.Numerator + u.Post.Numerator), 6);
        Assert.Equal(Small.Value.Truth!.Rollout.StartMonth, data.RolloutStart);
        Assert.Equal(12, data.PreMonths);
        Assert.Equal(12, data.PostMonths);
    }

    [Fact]
    public void Win_rate_is_won_over_closed_opportunities_per_rep()
    {
        var data = ExperimentDataBuilder.Build(Small.Value, ExperimentMetric.WinRate, AnalysisUnit.Rep);
        var closed = Small.Value.Opportunities.Where(o => o.Outcome != OpportunityOutcome.Open).ToList();
        Assert.Equal(closed.Count, data.Units.Sum(u => u.Pre.Denominator + u.Post.Denominator), 9);
        Assert.Equal(closed.Count(o => o.Outcome == OpportunityOutcome.Won), data.Units.Sum(u => u.Pre.Numerator + u.Post.Numerator), 9);
        var result = ImpactAnalysis.Analyze(data, new ImpactOptions { Metric = ExperimentMetric.WinRate, BootstrapResamples = 50 });
        Assert.InRange(result.Cuped.Control, 0.2, 0.9);
    }

    [Fact]
    public void Cluster_bootstrap_is_seeded_and_brackets_the_estimate()
    {
        var data = ExperimentDataBuilder.Build(Small.Value, ExperimentMetric.RenewalBookings, AnalysisUnit.Rep);
        var a = LiftEstimators.CupedBootstrapInterval(data, 300, seed: 5);
        var b = LiftEstimators.CupedBootstrapInterval(data, 300, seed: 5);
        var c = LiftEstimators.CupedBootstrapInterval(data, 300, seed: 6);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        double lift = LiftEstimators.Cuped(data).Lift;
        Assert.True(a.Low < lift && lift < a.High, $"bootstrap [{a.Low}, {a.High}] vs lift {lift}");
    }

    [Fact]
    public void Power_grows_with_reps_and_the_sample_size_for_a_target_reaches_the_target_power()
    {
        var noise = new PrePeriodVariance(Between: 0.2, Within: 2.4, PreMonths: 12, AccountsPerRep: 10, PlaceboCupedReduction: 0, 20, 20);
        var small = new DesignInputs(10, 10, 10, 52, 0.05);
        var large = small with { TreatmentReps = 100, ControlReps = 100 };
        Assert.True(PowerAnalysis.Power(0.1, large, noise) > PowerAnalysis.Power(0.1, small, noise));
        Assert.True(PowerAnalysis.Power(0.1, small with { VarianceReduction = 0.5 }, noise) > PowerAnalysis.Power(0.1, small, noise));
        Assert.True(PowerAnalysis.Power(0.1, small with { Weeks = 104 }, noise) > PowerAnalysis.Power(0.1, small, noise));
        double mde = PowerAnalysis.MinimumDetectableEffect(small, noise);
        Assert.Equal(0.8, PowerAnalysis.Power(mde, small, noise), 3);
        int n = PowerAnalysis.RepsPerArmFor(0.1, small, noise);
        Assert.True(PowerAnalysis.Power(0.1, small with { TreatmentReps = n, ControlReps = n }, noise) >= 0.8);
        Assert.True(PowerAnalysis.Power(0.1, small with { TreatmentReps = n - 1, ControlReps = n - 1 }, noise) < 0.8);
        // At no effect the "power" is the false-positive rate.
        Assert.Equal(0.05, PowerAnalysis.Power(0, small, noise), 9);
    }

    [Fact]
    public void Abtest_writes_the_estimates_contract_and_refuses_an_unknown_metric()
    {
        var dataDir = TestPaths.NewTempDir("abtest-data");
        static int Run(params string[] args) => CliRunner.InvokeAsync(CliApp.BuildRoot(), args).GetAwaiter().GetResult();
        Assert.Equal(0, Run("generate", "--accounts", "120", "--months", "24", "--seed", "3", "--out", dataDir));
        var outDir = TestPaths.NewTempDir("abtest-out");
        Assert.Equal(0, Run("abtest", "--data", dataDir, "--out", outDir, "--bootstrap", "50", "--unit", "account"));
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "estimates.json"))))
        {
            var root = doc.RootElement;
            Assert.Equal("renewal_bookings", root.GetProperty("metric").GetString());
            Assert.Equal("account", root.GetProperty("unit").GetString());
            foreach (var name in new[] { "unadjusted", "cuped", "did" })
                foreach (var key in new[] { "lift", "ci_low", "ci_high", "p_value" })
                    Assert.Equal(JsonValueKind.Number, root.GetProperty(name).GetProperty(key).ValueKind);
            Assert.Equal(JsonValueKind.Number, root.GetProperty("variance_reduction").ValueKind);
            Assert.InRange(root.GetProperty("power").GetDouble(), 0, 1);
            Assert.Equal(0.1, root.GetProperty("planted_uplift").GetDouble(), 9);
        }
        foreach (var f in new[] { "estimates.csv", "balance.csv", "power.json", "report.html" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Contains("Plotly.newPlot('arms'", File.ReadAllText(Path.Combine(outDir, "report.html")));
        // Same seed, same bytes.
        var again = TestPaths.NewTempDir("abtest-again");
        Assert.Equal(0, Run("abtest", "--data", dataDir, "--out", again, "--bootstrap", "50", "--unit", "account"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(outDir, "estimates.json")), File.ReadAllBytes(Path.Combine(again, "estimates.json")));

        var refused = TestPaths.NewTempDir("abtest-bad");
        Assert.Equal(2, Run("abtest", "--data", dataDir, "--out", refused, "--metric", "nps"));
        Assert.False(File.Exists(Path.Combine(refused, "estimates.json")));
    }
}
