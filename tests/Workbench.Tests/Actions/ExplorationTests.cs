using System.Globalization;
using Workbench.Analytics.Actions;
using Xunit.Abstractions;

namespace Workbench.Tests.Actions;

[Collection(ActionCollection.Name)]
public sealed class ExplorationTests(ActionFixture f, ITestOutputHelper output)
{
    [Theory]
    [InlineData(ExplorationStrategy.ThompsonSampling)]
    [InlineData(ExplorationStrategy.EpsilonGreedy)]
    public void Regret_against_the_oracle_grows_sublinearly(ExplorationStrategy strategy)
    {
        var r = ExplorationSimulation.Run(f.Frame, strategy, new ExplorationOptions { Rounds = 4000, Seed = 5 });
        int t = r.Regret.Count;
        double first = r.MeanRegret(0, t / 4), last = r.MeanRegret(3 * t / 4, t);
        double half = r.CumulativeRegret[t / 2 - 1], full = r.CumulativeRegret[t - 1];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{strategy}: regret per round first quarter {first:F1}, last quarter {last:F1}; cumulative at T/2 {half:F0}, at T {full:F0} (ratio {full / half:F2}; linear = 2)"));
        Assert.True(last < 0.7 * first, $"per-round regret fell only from {first:F1} to {last:F1}");
        Assert.True(full / half < 1.85, $"cumulative regret ratio T / (T/2) = {full / half:F2}");
    }
}
