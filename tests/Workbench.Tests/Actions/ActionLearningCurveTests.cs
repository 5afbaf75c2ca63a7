using System.Globalization;
using Workbench.Analytics.Actions;
using Workbench.Data.Generation;
using Xunit.Abstractions;

namespace Workbench.Tests.Actions;

/// <summary>The learned policy's share of the oracle as the logged book grows: fitted on a seed-7 book, judged on the
/// true values of a fresh seed-8 book of the same size (new accounts). With the logistic response model (model file
/// version 2) it is 87.1% at 400 accounts, 84.3% at 1,000, 89.2% at 2,000 and 87.5% at 4,000: flat, and above the
/// version-1 tree response model at every size (75.4%, 77.4%, 80.0%, 84.3%), which grew with the log but stayed below
/// 80% up to 1,000 accounts. It does not reach the 90% of issue #15 at any size, so that Done-when item stays a skipped
/// test (<see cref="ActionPolicyTests"/>). Slow (books up to 4,000 accounts x 36 months, about 1.5 minutes):
/// run with WORKBENCH_SLOW_TESTS=1; WB_CURVE_ACCOUNTS, WB_CURVE_TREES and WB_CURVE_LEAVES change the sizes and the
/// trees. The numbers it measured are in docs/actions.md.</summary>
public sealed class ActionLearningCurveTests(ITestOutputHelper output)
{
    [SlowFact]
    public void The_learned_policy_reaches_80_percent_of_the_oracle_on_new_accounts_at_every_book_size()
    {
        var sizes = (Environment.GetEnvironmentVariable("WB_CURVE_ACCOUNTS") ?? "400,1000,2000,4000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var options = new ActionOptions
        {
            ValueModel = new ActionOptions().ValueModel with
            {
                Trees = int.TryParse(Environment.GetEnvironmentVariable("WB_CURVE_TREES"), out int t) ? t : new ActionOptions().ValueModel.Trees,
                Leaves = int.TryParse(Environment.GetEnvironmentVariable("WB_CURVE_LEAVES"), out int l) ? l : new ActionOptions().ValueModel.Leaves,
            },
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
        // Already on the smallest book (the version-1 learner reached 80% only from 2,000 accounts).
        for (int i = 0; i < sizes.Length; i++)
            Assert.True(shares[i] >= 0.8, string.Create(CultureInfo.InvariantCulture, $"share of the oracle {shares[i]:P1} at {sizes[i]} accounts"));
    }
}
