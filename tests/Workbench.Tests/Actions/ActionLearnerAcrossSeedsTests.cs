using Workbench.Analytics.Actions;
using Workbench.Data.Generation;
using Xunit.Abstractions;

namespace Workbench.Tests.Actions;

/// <summary>The shipped learner (version 3: chosen by held-out policy value) fitted on one 400-account book and judged on
/// the planted values of another seed's book (issue #15, rounds 8 and 11 of docs/actions.md). Asserts what holds: the
/// learned policy beats the rules, the myopic policy and the logging policy on the other book; prints its share of the
/// oracle (at least 90% in round 8 only because the planted segment was read as context; 81.5% from seed 7 to 8 without
/// it, round 11). Slow: WORKBENCH_SLOW_TESTS=1.</summary>
public sealed class ActionLearnerAcrossSeedsTests(ITestOutputHelper output)
{
    [SlowFact]
    public void Fitted_on_one_seed_the_learned_policy_beats_rules_myopic_and_logging_on_the_other()
    {
        var frames = new[] { 7, 8 }.ToDictionary(s => s, s => DecisionFrame.Build(CrmGenerator.Generate(new GeneratorOptions { Accounts = 400, Months = 36, Seed = s })));
        var failures = new List<string>();
        foreach (var (train, test) in new[] { (7, 8), (8, 7) })
        {
            var model = ActionPolicyEstimator.Fit(frames[train]);
            var f = frames[test];
            int[] Picks(double[][] policy) => policy.Select(p => Array.IndexOf(p, 1.0)).ToArray();
            double learned = ActionEvaluation.TrueValue(f, Picks(model.LearnedPolicy(f.Contexts)));
            double myopic = ActionEvaluation.TrueValue(f, Picks(model.MyopicPolicy(f.Contexts)));
            double rules = ActionEvaluation.TrueValue(f, RuleSet.Parse(RuleSet.DefaultJson, f.Actions).Apply(f.Contexts, f.Actions).Select(m => m.ActionIndex).ToArray());
            double logging = ActionEvaluation.TrueValue(f, f.Decisions.Select(d => d.Action).ToArray());
            double oracle = Enumerable.Range(0, f.Count).Average(i => f.TrueValue![i].Max());
            output.WriteLine($"seed {train} -> {test}: learned {learned:F1} = {learned / oracle:P1} of the oracle {oracle:F1}; rules {rules:F1}, myopic {myopic:F1}, " +
                $"logging {logging:F1}; learner {model.LearnerChoice.Learner}; held-out DR value per decision: " +
                string.Join(", ", model.LearnerChoice.Candidates.Select(c => $"{c.Learner} {c.HeldOutValue:F0}")));
            foreach (var (name, value) in new[] { ("rules", rules), ("myopic", myopic), ("logging", logging) })
                if (!(learned > value)) failures.Add($"seed {train} -> {test}: learned {learned:F1} <= {name} {value:F1}");
        }
        Assert.True(failures.Count == 0, string.Join("; ", failures));
    }
}

/// <summary>The cross-fitted evaluation (what the 90% test asserts on seed 7) on five 400-account books, seeds 7-11, with
/// the same options for all (issue #15, round 9 of docs/actions.md: seed 7 is the most favourable of the five). Asserts
/// the part of the Done-when item that holds on every seed: the learned policy's true value beats the rules', the myopic
/// policy's and the logging policy's; prints the share of the oracle. Slow: WORKBENCH_SLOW_TESTS=1.</summary>
public sealed class ActionLearnerFiveSeedsTests(ITestOutputHelper output)
{
    [SlowFact]
    public void Cross_fitted_on_five_seeds_the_learned_policy_beats_rules_myopic_and_logging()
    {
        var seeds = (Environment.GetEnvironmentVariable("LAB_SEEDS") ?? "7,8,9,10,11").Split(',').Select(int.Parse).ToArray();
        var shares = new List<double>();
        // LAB_FOLDS: cross-fit folds of the evaluation (default: the options' default).
        var options = int.TryParse(Environment.GetEnvironmentVariable("LAB_FOLDS"), out int folds) ? new ActionOptions { CrossFitFolds = folds } : new ActionOptions();
        // LAB_ACCOUNTS: the book size (default the fixture's 400; round 15's learning curve: 1,000, 2,000, 4,000).
        int accounts = int.TryParse(Environment.GetEnvironmentVariable("LAB_ACCOUNTS"), out int n) ? n : 400;
        foreach (int seed in seeds)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            // LAB_SEGMENTS=none: segment 0 (rounds 11-13); default: the run's segmentation as the observed segment (round 14).
            var frame = Environment.GetEnvironmentVariable("LAB_SEGMENTS") == "none"
                ? DecisionFrame.Build(CrmGenerator.Generate(new GeneratorOptions { Accounts = accounts, Months = 36, Seed = seed }))
                : ActionFixture.RunLikeFrame(accounts, seed);
            var e = ActionEvaluation.Evaluate(frame, RuleSet.Parse(RuleSet.DefaultJson, frame.Actions), options);
            double learned = e["learned"].TrueValue!.Value, oracle = e["oracle"].TrueValue!.Value;
            shares.Add(learned / oracle);
            output.WriteLine($"seed {seed} ({accounts} accounts): {frame.Count} decisions; learned / oracle {learned / oracle:P1}; true value " +
                string.Join(", ", e.Policies.Select(p => $"{p.Policy} {p.TrueValue:F1}")) + "; fold learners " + string.Join(", ", e.FoldLearners) +
                $"; {clock.Elapsed.TotalSeconds:F0} s");
            foreach (var other in new[] { "rules", "myopic", "logging" })
                Assert.True(learned > e[other].TrueValue!.Value, $"seed {seed}: learned {learned:F1} <= {other} {e[other].TrueValue:F1}");
        }
        output.WriteLine($"mean learned / oracle {shares.Average():P1}, min {shares.Min():P1}, max {shares.Max():P1}");
    }
}
