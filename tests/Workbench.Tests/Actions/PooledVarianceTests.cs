using System.Globalization;
using MathNet.Numerics.Distributions;
using Workbench.Analytics.Actions;
using Xunit.Abstractions;

namespace Workbench.Tests.Actions;

/// <summary>The pooled (model-based) standard error of a doubly robust mean (round 19 of docs/actions.md), on synthetic
/// logs whose truth is known.</summary>
public sealed class PooledVarianceTests(ITestOutputHelper output)
{
    static readonly double[] Logging = [0.5, 0.3, 0.2];

    /// <summary>A log of <paramref name="accounts"/> accounts with 1-4 decisions each: context x ~ U(0, 1), three actions
    /// logged with propensities 0.5 / 0.3 / 0.2 whatever x, reward (a + 1) x + the account's effect (sd 1) + noise (sd 2).
    /// The policy takes action 0 below x = 0.5 and action 2 above (true value E[(a + 1) x] = 0.125 + 1.125 = 1.25); the
    /// reward model is off by +0.5 on every action (DR stays unbiased with the true propensities).</summary>
    static (int[] Cluster, int[] Action, double[] Direct, double[] Weight, double[] Residual) NormalLog(int accounts, Random rng)
    {
        var cluster = new List<int>(); var action = new List<int>(); var direct = new List<double>(); var weight = new List<double>(); var residual = new List<double>();
        for (int c = 0; c < accounts; c++)
        {
            double effect = Normal.Sample(rng, 0, 1);
            for (int j = 0, m = 1 + rng.Next(4); j < m; j++)
            {
                double x = rng.NextDouble(), u = rng.NextDouble();
                int a = u < Logging[0] ? 0 : u < Logging[0] + Logging[1] ? 1 : 2;
                int chosen = x < 0.5 ? 0 : 2;
                double Q(int b) => (b + 1) * x + 0.5;
                double reward = (a + 1) * x + effect + Normal.Sample(rng, 0, 2);
                cluster.Add(c); action.Add(a); direct.Add(Q(chosen)); weight.Add(a == chosen ? 1 / Logging[a] : 0); residual.Add(reward - Q(a));
            }
        }
        return (cluster.ToArray(), action.ToArray(), direct.ToArray(), weight.ToArray(), residual.ToArray());
    }

    static double Mean(double[] direct, double[] weight, double[] residual) => Enumerable.Range(0, direct.Length).Average(i => direct[i] + weight[i] * residual[i]);

    [Fact]
    public void On_logs_with_known_normal_noise_the_pooled_interval_covers_the_true_value_about_95_percent_of_the_time()
    {
        var rng = new Random(19);
        int covered = 0, replications = 1000;
        double seRatio = 0;
        for (int r = 0; r < replications; r++)
        {
            var (cluster, action, direct, weight, residual) = NormalLog(300, rng);
            double mean = Mean(direct, weight, residual);
            double se = PooledVariance.StandardError(cluster, action, direct, weight, residual);
            if (Math.Abs(mean - 1.25) <= 1.959964 * se) covered++;
            // Against the cluster-robust standard error of the same terms (what the bootstrap estimates).
            var sums = cluster.Select((c, i) => (c, i)).GroupBy(x => x.c).Select(g => (Sum: g.Sum(x => direct[x.i] + weight[x.i] * residual[x.i]), Count: g.Count())).ToArray();
            double n = sums.Sum(x => x.Count), robust = Math.Sqrt(sums.Sum(x => Math.Pow(x.Sum - mean * x.Count, 2)) * sums.Length / (sums.Length - 1.0)) / n;
            seRatio += se / robust / replications;
        }
        double rate = covered / (double)replications;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"coverage {rate:F3} over {replications} logs of 300 accounts; pooled / cluster-robust SE {seRatio:F3}"));
        // 1,000 replications: a rate's standard error is about 0.007.
        Assert.InRange(rate, 0.93, 0.97);
        Assert.InRange(seRatio, 0.9, 1.15);
    }

    [Fact]
    public void When_the_decisions_the_policy_matches_lack_the_rare_large_rewards_the_pooled_interval_is_wider_than_the_bootstrap()
    {
        // Two actions logged 50/50; the policy takes action 0 below x = 0.2, action 1 above. Rewards are 0 except rare
        // large ones (1,000) on action 0, and in this log every large one fell where the policy takes action 1: the
        // policy's own terms show no tail, the log does.
        var rng = new Random(5);
        int n = 2000;
        var cluster = new int[n]; var action = new int[n]; var direct = new double[n]; var weight = new double[n]; var residual = new double[n];
        int large = 0;
        for (int i = 0; i < n; i++)
        {
            double x = (i + 0.5) / n;
            int a = rng.Next(2), chosen = x < 0.2 ? 0 : 1;
            bool big = a == 0 && x >= 0.2 && large < 20 && rng.NextDouble() < 0.05;
            if (big) large++;
            double q = a == 0 ? 10 : 0; // the reward model knows action 0's mean, 1,000 x 1%
            cluster[i] = i; action[i] = a;
            direct[i] = chosen == 0 ? 10 : 0;
            weight[i] = a == chosen ? 2 : 0;
            residual[i] = (big ? 1000 : 0) - q;
        }
        Assert.True(large >= 10, $"only {large} large rewards planted");
        double mean = Mean(direct, weight, residual);
        var clusters = Enumerable.Range(0, n).Select(i => (Sum: direct[i] + weight[i] * residual[i], Count: 1)).ToArray();
        var (pl, ph) = ClusterBootstrap.Interval(clusters, 1000, 0.95, BootstrapInterval.Percentile, new Random(1));
        double se = PooledVariance.StandardError(cluster, action, direct, weight, residual);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean {mean:F2}; percentile [{pl:F2}, {ph:F2}]; pooled [{mean - 1.96 * se:F2}, {mean + 1.96 * se:F2}]"));
        // The policy's true value is 0.2 x 10 = 2; the log's estimate is low (about 0.2 x 10 - 2 x 0.1 x 10 = 0) and the
        // bootstrap, seeing no tail in the matched terms, excludes the truth while the pooled interval reaches it.
        Assert.True(ph < 2, $"percentile [{pl}, {ph}] already covers 2");
        Assert.True(mean + 1.96 * se >= 2, $"pooled interval up to {mean + 1.96 * se} does not reach 2");
        Assert.True(2 * 1.96 * se > 3 * (ph - pl), $"pooled width {2 * 1.96 * se} not 3x the percentile's {ph - pl}");
    }

    [Fact]
    public void Decisions_of_one_account_that_move_together_widen_the_interval()
    {
        var rng = new Random(3);
        // 200 accounts of 5 decisions, one action, weight 1; residuals share the account's effect or are independent.
        int accounts = 200, m = 5, n = accounts * m;
        var cluster = Enumerable.Range(0, n).Select(i => i / m).ToArray();
        var action = new int[n]; var direct = new double[n]; var weight = Enumerable.Repeat(1.0, n).ToArray();
        var effect = Enumerable.Range(0, accounts).Select(_ => Normal.Sample(rng, 0, 1)).ToArray();
        var shared = Enumerable.Range(0, n).Select(i => effect[i / m] + 0.1 * Normal.Sample(rng, 0, 1)).ToArray();
        var independent = Enumerable.Range(0, n).Select(_ => Normal.Sample(rng, 0, 1)).ToArray();
        double seShared = PooledVariance.StandardError(cluster, action, direct, weight, shared);
        double seIndependent = PooledVariance.StandardError(cluster, action, direct, weight, independent);
        // Perfectly shared: sd sqrt(m) / sqrt(n) per account mean = 1 / sqrt(accounts); independent: 1 / sqrt(n).
        Assert.InRange(seShared * Math.Sqrt(accounts), 0.85, 1.15);
        Assert.InRange(seIndependent * Math.Sqrt(n), 0.85, 1.15);
    }
}
