using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace Workbench.Analytics.Actions;

/// <summary>How a live policy explores.</summary>
public enum ExplorationStrategy
{
    /// <summary>Thompson sampling: per action a Bayesian linear model of the reward; each round acts on one posterior draw.</summary>
    ThompsonSampling,
    /// <summary>Epsilon-greedy with a decaying epsilon (min(1, c K / t)) on the same linear models' posterior means.</summary>
    EpsilonGreedy,
}

/// <summary>Options of <see cref="ExplorationSimulation.Run"/>.</summary>
public sealed record ExplorationOptions
{
    public int Rounds { get; init; } = 4000;
    /// <summary>Epsilon-greedy's epsilon at round t is min(1, EpsilonScale x actions / t). Default 5.</summary>
    public double EpsilonScale { get; init; } = 5;
    /// <summary>Prior precision of the linear models' coefficients (ridge). Default 1.</summary>
    public double PriorPrecision { get; init; } = 1;
    /// <summary>Noise variance assumed for a scaled reward (reward / annual value). Default 0.05.</summary>
    public double NoiseVariance { get; init; } = 0.05;
    public int Seed { get; init; } = 42;

    public void Validate()
    {
        var p = new List<string>();
        if (Rounds < 10) p.Add($"Rounds must be >= 10, got {Rounds}.");
        if (!(EpsilonScale > 0)) p.Add($"EpsilonScale must be > 0, got {EpsilonScale.ToString(CultureInfo.InvariantCulture)}.");
        if (!(PriorPrecision > 0)) p.Add($"PriorPrecision must be > 0, got {PriorPrecision.ToString(CultureInfo.InvariantCulture)}.");
        if (!(NoiseVariance > 0)) p.Add($"NoiseVariance must be > 0, got {NoiseVariance.ToString(CultureInfo.InvariantCulture)}.");
        if (p.Count > 0) throw new OptionsValidationException("Invalid exploration options: " + string.Join(" ", p));
    }
}

/// <summary>Per-round result of an exploration simulation: the expected regret against the oracle (planted best
/// expected value minus the planted expected value of the chosen action) and its running sum.</summary>
public sealed record ExplorationResult(ExplorationStrategy Strategy, IReadOnlyList<double> Regret, IReadOnlyList<double> CumulativeRegret)
{
    /// <summary>Mean regret per round over rounds [from, to).</summary>
    public double MeanRegret(int from, int to) => Regret.Skip(from).Take(to - from).Average();
}

/// <summary>
/// Live exploration, simulated round by round on the generator's planted truth: each round draws one logged
/// decision's context, the strategy picks an action, and the reward is drawn from the planted model (a response
/// with the planted rate; its value around the planted expectation, as the generator logs it). The strategy learns
/// only from the rewards it sees. Regret is measured against the oracle policy (the planted best action).
/// </summary>
public static class ExplorationSimulation
{
    public static ExplorationResult Run(DecisionFrame frame, ExplorationStrategy strategy, ExplorationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        options ??= new ExplorationOptions();
        options.Validate();
        var tv = frame.TrueValue ?? throw new WorkbenchException("The exploration simulation needs planted action values (truth/action_values.csv).");
        var rate = frame.TrueResponseRate!;
        int k = frame.Actions.Count, n = frame.Count;
        var phi = Basis(frame);
        int d = phi[0].Length;
        var rng = new Random(RunContext.DeriveSeed(options.Seed, "actions/exploration/" + strategy));
        var normal = new Normal(0, 1, new Random(RunContext.DeriveSeed(options.Seed, "actions/exploration-normal/" + strategy)));
        var precision = Enumerable.Range(0, k).Select(_ => Matrix<double>.Build.DenseIdentity(d) * options.PriorPrecision).ToArray();
        var b = Enumerable.Range(0, k).Select(_ => Vector<double>.Build.Dense(d)).ToArray();
        var regret = new double[options.Rounds];
        var cumulative = new double[options.Rounds];
        double total = 0;
        for (int t = 0; t < options.Rounds; t++)
        {
            int i = rng.Next(n);
            var x = Vector<double>.Build.DenseOfArray(phi[i]);
            int chosen;
            if (strategy == ExplorationStrategy.EpsilonGreedy && rng.NextDouble() < Math.Min(1, options.EpsilonScale * k / (t + 1.0)))
                chosen = rng.Next(k);
            else
            {
                var score = new double[k];
                for (int a = 0; a < k; a++)
                {
                    var chol = precision[a].Cholesky();
                    var mean = chol.Solve(b[a]);
                    if (strategy == ExplorationStrategy.ThompsonSampling)
                    {
                        // theta = mean + L^-T z with precision = L L^T, so Cov(theta) = precision^-1 (scaled by the noise variance).
                        var z = Vector<double>.Build.Dense(d, _ => normal.Sample() * Math.Sqrt(options.NoiseVariance));
                        mean += chol.Factor.Transpose().Solve(z);
                    }
                    score[a] = x * mean;
                }
                chosen = ActionPolicyModel.ArgMax(score);
            }
            bool responded = rng.NextDouble() < rate[i][chosen];
            double u = 0.5 + rng.NextDouble();
            double reward = responded && rate[i][chosen] > 0 ? tv[i][chosen] / rate[i][chosen] * u : 0;
            double scale = Math.Max(1.0, frame.Context(i)[DecisionFrame.AnnualValueColumn]);
            double y = Math.Clamp(reward / scale, -2, 2);
            precision[chosen] += x.OuterProduct(x); // precision in units of 1 / noise variance
            b[chosen] += x * y;
            double best = tv[i].Max();
            regret[t] = best - tv[i][chosen];
            total += regret[t];
            cumulative[t] = total;
        }
        return new ExplorationResult(strategy, regret, cumulative);
    }

    /// <summary>Standardized context columns (missing = 0), the segment one-hot (only when the frame has more than one
    /// segment: a single one would duplicate the intercept) and an intercept.</summary>
    static double[][] Basis(DecisionFrame frame)
    {
        int n = frame.Count, w = DecisionFrame.Width;
        var numeric = Enumerable.Range(0, w).Where(j => j != DecisionFrame.SegmentColumn).ToArray();
        var segments = Enumerable.Range(0, n).Select(i => (int)frame.Context(i)[DecisionFrame.SegmentColumn]).Distinct().Order().ToArray();
        if (segments.Length < 2) segments = [];
        var mean = new double[w]; var sd = new double[w];
        foreach (int j in numeric)
        {
            var v = Enumerable.Range(0, n).Select(i => (double)frame.Context(i)[j]).Where(x => !double.IsNaN(x)).ToArray();
            mean[j] = v.Length > 0 ? v.Average() : 0;
            sd[j] = v.Length > 1 ? Math.Sqrt(v.Average(x => (x - mean[j]) * (x - mean[j]))) : 1;
            if (!(sd[j] > 0)) sd[j] = 1;
        }
        return Enumerable.Range(0, n).Select(i =>
        {
            var ctx = frame.Context(i);
            var row = new List<double> { 1 };
            foreach (int j in numeric) row.Add(double.IsNaN(ctx[j]) ? 0 : Math.Clamp((ctx[j] - mean[j]) / sd[j], -4, 4));
            foreach (int s in segments) row.Add(ctx[DecisionFrame.SegmentColumn] == s ? 1 : 0);
            return row.ToArray();
        }).ToArray();
    }
}
