using System.Globalization;
using Workbench.Analytics.Actions;
using Workbench.Data.Generation;
using Xunit.Abstractions;

namespace Workbench.Tests.Actions;

/// <summary>The learned policy's share of the oracle as the logged book grows: fitted on a seed-7 book, judged on the
/// true values of a fresh seed-8 book of the same size (new accounts). It grows (75.4% at 400 accounts, 84.3% at 4,000)
/// but does not reach the 90% of issue #15 even at 4,000 accounts, so that Done-when item stays a skipped test
/// (<see cref="ActionPolicyTests"/>). Slow (books up to 4,000 accounts x 36 months, about 1.5 minutes):
/// run with WORKBENCH_SLOW_TESTS=1; WB_CURVE_ACCOUNTS, WB_CURVE_TREES and WB_CURVE_LEAVES change the sizes and the
/// trees. The numbers it measured are in docs/actions.md.</summary>
public sealed class ActionLearningCurveTests(ITestOutputHelper output)
{
    [SlowFact]
    public void The_learned_policy_gets_closer_to_the_oracle_on_new_accounts_as_the_logged_book_grows()
    {
        var sizes = (Environment.GetEnvironmentVariable("WB_CURVE_ACCOUNTS") ?? "400,1000,2000,4000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var options = new ActionOptions
        {
            Trees = int.TryParse(Environment.GetEnvironmentVariable("WB_CURVE_TREES"), out int t) ? t : new ActionOptions().Trees,
            Leaves = int.TryParse(Environment.GetEnvironmentVariable("WB_CURVE_LEAVES"), out int l) ? l : new ActionOptions().Leaves,
        };
        var shares = new List<double>();
        foreach (int n in sizes)
        {
            var train = DecisionFrame.Build(CrmGenerator.Generate(new GeneratorOptions { Accounts = n, Months = 36, Seed = 7 }));
            var judge = DecisionFrame.Build(CrmGenerator.Generate(new GeneratorOptions { Accounts = n, Months = 36, Seed = 8 }));
            var model = ActionPolicyEstimator.Fit(train, options);
            var learned = model.LearnedPolicy(judge.Contexts).Select(p => Array.IndexOf(p, 1.0)).ToArray();
            var oracle = judge.TrueValue!.Select(v => ActionPolicyModel.ArgMax(v)).ToArray();
            double last = ActionEvaluation.TrueValue(judge, learned), lastOracle = ActionEvaluation.TrueValue(judge, oracle);
            shares.Add(last / lastOracle);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n} accounts ({train.Count} logged decisions): learned {last:F1} / oracle {lastOracle:F1} = {last / lastOracle:P1} on {judge.Count} new decisions"));
        }
        // More logged data helps: the largest book's share beats the smallest's by at least 5 points.
        Assert.True(shares[^1] >= shares[0] + 0.05, string.Create(CultureInfo.InvariantCulture,
            $"share of the oracle {shares[0]:P1} at {sizes[0]} accounts, {shares[^1]:P1} at {sizes[^1]}"));
    }
}
