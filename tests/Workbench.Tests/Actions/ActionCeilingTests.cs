using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Workbench.Analytics.Actions;
using Workbench.Analytics.Modeling;
using Workbench.Data.Generation;
using Xunit.Abstractions;

namespace Workbench.Tests.Actions;

/// <summary>Why the learned policy stops short of the oracle: not the context. The same trees fitted on the planted
/// expected value of every action (what logs never show: each decision reveals one noisy reward of one action) reach
/// 90% of the oracle on new accounts, so the gap is the bandit feedback's noise, not missing features.</summary>
[Collection(ActionCollection.Name)]
public sealed class ActionCeilingTests(ActionFixture f, ITestOutputHelper output)
{
    [Fact]
    public void Trees_fitted_on_the_planted_values_reach_90_percent_of_the_oracle_on_new_accounts_so_the_context_suffices()
    {
        var test = DecisionFrame.Build(CrmGenerator.Generate(new GeneratorOptions { Accounts = 400, Months = 36, Seed = 8 }));
        int k = f.Frame.Actions.Count, w = DecisionFrame.Width;
        static double Scale(ReadOnlySpan<float> c) => Math.Max(1.0, c[DecisionFrame.AnnualValueColumn]);
        var ml = new MLContext(1);
        var q = new double[test.Count][];
        for (int i = 0; i < test.Count; i++) q[i] = new double[k];
        for (int a = 0; a < k; a++)
        {
            var y = Enumerable.Range(0, f.Frame.Count).Select(i => (float)(f.Frame.TrueValue![i][a] / Scale(f.Frame.Context(i)))).ToArray();
            var model = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
            { NumberOfTrees = 200, NumberOfLeaves = 16, MinimumExampleCountPerLeaf = 10, LearningRate = 0.08, NumberOfThreads = 1 })
                .Fit(new DenseDataView(f.Frame.Contexts, DecisionFrame.ContextNames, y));
            var pred = model.Transform(new DenseDataView(test.Contexts, DecisionFrame.ContextNames, new float[test.Count])).GetColumn<float>("Score").ToArray();
            for (int i = 0; i < test.Count; i++) q[i][a] = pred[i] * Scale(test.Context(i));
        }
        double Value(double[][] scores) => Enumerable.Range(0, test.Count).Average(i => test.TrueValue![i][ActionPolicyModel.ArgMax(scores[i])]);
        double oracle = Value(test.TrueValue!), ceiling = Value(q), learned = Value(f.Model.ExpectedValues(test.Contexts));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"new accounts ({test.Count} decisions): oracle {oracle:F1}; trees on the planted values {ceiling:F1} ({ceiling / oracle:P1}); learned from the log {learned:F1} ({learned / oracle:P1})"));
        Assert.True(ceiling >= 0.9 * oracle, $"{ceiling:F1} < 90% of {oracle:F1}");
        Assert.True(learned < ceiling);
    }
}
