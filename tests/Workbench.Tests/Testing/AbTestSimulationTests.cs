using System.Collections.Concurrent;
using System.Globalization;
using Workbench.Analytics.Testing;
using Workbench.Data.Generation;
using Xunit.Abstractions;

namespace Workbench.Tests.Testing;

/// <summary>The A/B readout measured against the generator's planted rollout effect over 50 generator seeds (240
/// accounts, 24 reps, 24 months each: rollout at month 12). Three sets of seeds are generated once and shared: the
/// planted 10% uplift (coverage), a planted 0% (false positives), and a planted +100% (power: at this size a 10% lift
/// is detected ~6% of the time, so the power check needs an effect the small data can see; see docs/impact.md).</summary>
public sealed class AbTestSimulationTests(ITestOutputHelper output)
{
    const int Seeds = 50, Accounts = 240, Reps = 24, Months = 24, FirstSeed = 1000;

    static readonly ConcurrentDictionary<double, Lazy<ImpactResult[]>> Sets = new();

    /// <summary>One readout per seed with the given planted uplift; the design is judged at that uplift (0: at 10%).</summary>
    internal static ImpactResult[] Results(double uplift) => Sets.GetOrAdd(uplift, u => new Lazy<ImpactResult[]>(() =>
    {
        var results = new ImpactResult[Seeds];
        Parallel.For(0, Seeds, s =>
        {
            var data = CrmGenerator.Generate(new GeneratorOptions
            {
                Accounts = Accounts, Reps = Reps, Months = Months, Seed = FirstSeed + s, RolloutUplift = u, MaxDegreeOfParallelism = 1,
            });
            results[s] = ImpactAnalysis.Analyze(data, new ImpactOptions { BootstrapResamples = 0, TargetLift = u == 0 ? 0.10 : u });
        });
        return results;
    })).Value;

    void Report(string what, IEnumerable<LiftEstimate> estimates, double planted)
    {
        var es = estimates.ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: mean lift {es.Average(e => e.Lift):F4}, covers {planted:P0} in {es.Count(e => e.Covers(planted))}/{es.Length}, rejects in {es.Count(e => e.PValue < 0.05)}/{es.Length}, mean interval width {es.Average(e => e.Width):F3}"));
    }

    [Fact]
    public void Cuped_95_percent_intervals_cover_the_planted_10_percent_uplift_in_at_least_90_percent_of_50_seeds()
    {
        var results = Results(0.10);
        foreach (var r in results) Assert.Equal(0.10, r.PlantedUplift);
        Report("unadjusted", results.Select(r => r.Unadjusted), 0.10);
        Report("cuped", results.Select(r => r.Cuped), 0.10);
        Report("regression", results.Select(r => r.Regression), 0.10);
        Report("did", results.Select(r => r.DifferenceInDifferences), 0.10);
        int covered = results.Count(r => r.Cuped.Covers(0.10));
        Assert.True(covered >= 45, $"CUPED intervals covered the planted 10% in {covered}/50 seeds (need >= 45)");
    }

    /// <summary>With no planted effect a 5% test rejects Binomial(50, 0.05) times: mean 2.5; P(X >= 7) = 1.2%, so more
    /// than 6 rejections would say the test is anti-conservative (a common failure of cluster-robust errors with few
    /// clusters).</summary>
    [Fact]
    public void With_a_planted_0_percent_effect_cuped_rejects_at_5_percent_in_at_most_6_of_50_seeds()
    {
        var results = Results(0.0);
        Report("unadjusted", results.Select(r => r.Unadjusted), 0);
        Report("cuped", results.Select(r => r.Cuped), 0);
        Report("did", results.Select(r => r.DifferenceInDifferences), 0);
        int rejections = results.Count(r => r.Cuped.PValue < 0.05);
        Assert.True(rejections <= 6, $"CUPED rejected no effect in {rejections}/50 seeds at alpha 0.05 (allowed <= 6)");
        // The interval and the p-value agree: rejecting is the interval excluding zero.
        foreach (var r in results) Assert.Equal(r.Cuped.PValue < 0.05, !r.Cuped.Covers(0));
    }

    /// <summary>Intervals are built on log(1 + lift), so their width on the lift scale also grows with the point estimate;
    /// the precision comparison is the width on the log scale (2 t se_log, same t for both), i.e. a positive variance
    /// reduction. The lift-scale widths are reported beside it.</summary>
    [Fact]
    public void Cuped_intervals_are_narrower_than_the_unadjusted_ones_on_the_same_data()
    {
        var results = Results(0.10);
        static double LogWidth(LiftEstimate e) => Math.Log((1 + e.CiHigh) / (1 + e.CiLow));
        int narrower = results.Count(r => LogWidth(r.Cuped) < LogWidth(r.Unadjusted));
        int narrowerOnLiftScale = results.Count(r => r.Cuped.Width < r.Unadjusted.Width);
        double medianReduction = results.Select(r => r.VarianceReductionCuped).Order().ElementAt(Seeds / 2);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CUPED narrower in {narrower}/50 seeds (on the lift scale {narrowerOnLiftScale}/50); median variance reduction {medianReduction:P1}; median interval width unadjusted {results.Select(r => r.Unadjusted.Width).Order().ElementAt(25):F3}, cuped {results.Select(r => r.Cuped.Width).Order().ElementAt(25):F3}"));
        Assert.True(narrower >= 48, $"CUPED's interval was narrower than the unadjusted one in only {narrower}/50 seeds");
        Assert.True(medianReduction > 0.2, $"median CUPED variance reduction {medianReduction:P1}");
        foreach (var r in results) Assert.Equal(r.VarianceReductionCuped > 0, LogWidth(r.Cuped) < LogWidth(r.Unadjusted));
    }

    [Fact]
    public void Predicted_power_matches_the_simulated_rejection_rate_within_10_points()
    {
        var results = Results(1.0);
        double predictedUnadjusted = results.Average(r => r.Power.PowerUnadjusted), predictedCuped = results.Average(r => r.Power.PowerCuped);
        double rejectedUnadjusted = results.Count(r => r.Unadjusted.PValue < 0.05) / (double)Seeds;
        double rejectedCuped = results.Count(r => r.Cuped.PValue < 0.05) / (double)Seeds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"planted +100%: unadjusted predicted {predictedUnadjusted:P1} vs rejected {rejectedUnadjusted:P1}; cuped predicted {predictedCuped:P1} vs rejected {rejectedCuped:P1} (design variance reduction {results.Average(r => r.Power.CupedReduction):P1}, achieved {results.Average(r => r.VarianceReductionCuped):P1})"));
        Assert.InRange(predictedUnadjusted, 0.25, 0.85); // intermediate, so the comparison can fail
        Assert.True(Math.Abs(predictedUnadjusted - rejectedUnadjusted) <= 0.10, $"unadjusted: predicted {predictedUnadjusted:P1}, rejected {rejectedUnadjusted:P1}");
        Assert.True(Math.Abs(predictedCuped - rejectedCuped) <= 0.10, $"cuped: predicted {predictedCuped:P1}, rejected {rejectedCuped:P1}");
    }
}
