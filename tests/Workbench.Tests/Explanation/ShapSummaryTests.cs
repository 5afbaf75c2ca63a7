using Workbench.Analytics.Explanation;

namespace Workbench.Tests.Explanation;

public class ShapSummaryTests
{
    [Fact]
    public void Importance_ranks_features_by_mean_absolute_shap_and_dependence_pairs_values_with_shap()
    {
        var ensemble = RandomTrees.Ensemble(new RandomTrees.Shape(FeatureCount: 5, TreeCount: 10, MaxDepth: 5, Seed: 21));
        var rng = new Random(2);
        var rows = Enumerable.Range(0, 200).Select(_ => RandomTrees.Row(rng, 5)).ToArray();
        var batch = TreeShap.Explain(ensemble, rows);
        var importance = ShapSummary.Importance(batch);

        Assert.Equal(5, importance.Count);
        for (int i = 1; i < importance.Count; i++) Assert.True(importance[i - 1].MeanAbsoluteShap >= importance[i].MeanAbsoluteShap);
        var top = importance[0];
        double manual = Enumerable.Range(0, rows.Length).Average(r => Math.Abs(batch[r, top.FeatureIndex]));
        Assert.Equal(manual, top.MeanAbsoluteShap, 12);
        Assert.Equal("f" + top.FeatureIndex, top.FeatureName);

        var dependence = ShapSummary.Dependence(batch, rows, top.FeatureName);
        Assert.Equal(rows.Length, dependence.FeatureValues.Count);
        Assert.Equal(rows[17][top.FeatureIndex], dependence.FeatureValues[17]);
        Assert.Equal(batch[17, top.FeatureIndex], dependence.ShapValues[17]);
        Assert.Throws<ArgumentException>(() => ShapSummary.Dependence(batch, rows.Take(3).ToArray(), 0));
    }
}
