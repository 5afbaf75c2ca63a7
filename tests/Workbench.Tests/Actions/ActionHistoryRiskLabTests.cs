using Workbench.Analytics.Actions;
using Workbench.Data.Generation;
using Xunit.Abstractions;

namespace Workbench.Tests.Actions;

public sealed class ActionHistoryRiskLabTests(ITestOutputHelper output)
{
    [SlowFact]
    public void Lab()
    {
        var seeds = (Environment.GetEnvironmentVariable("LAB_SEEDS") ?? "7,8,9,10,11").Split(',').Select(int.Parse).ToArray();
        var learners = new RewardLearner[]
        {
            RewardLearner.Candidates[0],
            new("h+logistic-l2-10+linear-l2-30", 10, 0, ValuePart.Linear, 30, false, true),
            new("h+logistic-l2-30+linear-l2-30", 30, 0, ValuePart.Linear, 30, false, true),
            new("h+logistic-l2-10+linear-l2-10", 10, 0, ValuePart.Linear, 10, false, true),
            new("h+logistic-l2-10+ratio-l2-10", 10, 0, ValuePart.Ratio, 10, false, true),
        };
        var o = new ActionOptions();
        var sums = new double[learners.Length];
        var results = new string[seeds.Length];
        Parallel.For(0, seeds.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, si =>
        {
            int seed = seeds[si];
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var frame = DecisionFrame.Build(CrmGenerator.Generate(new GeneratorOptions { Accounts = 400, Months = 36, Seed = seed }));
            double build = sw.Elapsed.TotalSeconds;
            double oracle = Enumerable.Range(0, frame.Count).Average(i => frame.TrueValue![i].Max());
            var accounts = frame.Decisions.Select(d => d.AccountId).Distinct().Order(StringComparer.Ordinal).ToArray();
            var rng = new Random(RunContext.DeriveSeed(o.Seed, "actions/folds"));
            var order = accounts.OrderBy(_ => rng.Next()).ToArray();
            var foldOf = new Dictionary<string, int>();
            for (int i = 0; i < order.Length; i++) foldOf[order[i]] = i % 3;
            var line = $"seed {seed} ({frame.Count} decisions, build {build:F1}s, risk {(frame.Risk is null ? "none" : "yes")}):";
            for (int l = 0; l < learners.Length; l++)
            {
                var picks = new int[frame.Count];
                for (int f = 0; f < 3; f++)
                {
                    var train = Enumerable.Range(0, frame.Count).Where(i => foldOf[frame.Decisions[i].AccountId] != f).ToArray();
                    var test = Enumerable.Range(0, frame.Count).Where(i => foldOf[frame.Decisions[i].AccountId] == f).ToArray();
                    var q = RewardModel.Fit(frame, train, RewardTarget.LongTerm, learners[l], o, 1).Predict(frame.Subset(test).Contexts, frame.RiskOf(test));
                    for (int j = 0; j < test.Length; j++) picks[test[j]] = ActionPolicyModel.ArgMax(q[j]);
                }
                double share = ActionEvaluation.TrueValue(frame, picks) / oracle;
                lock (sums) sums[l] += share;
                line += $" {learners[l].Name} {share:P1};";
            }
            results[si] = line;
        });
        foreach (var r in results) output.WriteLine(r);
        for (int l = 0; l < learners.Length; l++) output.WriteLine($"mean {learners[l].Name} {sums[l] / seeds.Length:P1}");
    }
}
