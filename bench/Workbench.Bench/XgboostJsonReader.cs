using System.Text.Json;
using Workbench.Analytics.Explanation;

namespace Workbench.Bench;

/// <summary>Reads back the xgboost JSON that <see cref="XgboostModelJson"/> wrote, so repeated benchmark runs can skip
/// training (xgboost's "x &lt; cond" is turned back into "x &lt;= previous float").</summary>
internal static class XgboostJsonReader
{
    public static TreeEnsemble Read(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var learner = doc.RootElement.GetProperty("learner");
        int features = int.Parse(learner.GetProperty("learner_model_param").GetProperty("num_feature").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        float bias = float.Parse(learner.GetProperty("learner_model_param").GetProperty("base_score").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var trees = new List<DecisionTree>();
        foreach (var t in learner.GetProperty("gradient_booster").GetProperty("model").GetProperty("trees").EnumerateArray())
        {
            int[] Ints(string name) => t.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();
            double[] Doubles(string name) => t.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var left = Ints("left_children"); var right = Ints("right_children");
            var cond = Doubles("split_conditions");
            var isLeaf = left.Select(l => l < 0).ToArray();
            trees.Add(new DecisionTree(
                Ints("split_indices"),
                cond.Select((c, i) => isLeaf[i] ? 0f : MathF.BitDecrement((float)c)).ToArray(),
                left, right,
                Ints("default_left").Select(d => d != 0).ToArray(),
                cond.Select((c, i) => isLeaf[i] ? (double)(float)c : 0.0).ToArray(),
                Doubles("sum_hessian")));
        }
        return new TreeEnsemble(trees, bias, features);
    }
}
