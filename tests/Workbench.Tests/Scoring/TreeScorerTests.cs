using Workbench.Analytics.Features;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Scoring;
using Workbench.Data;

namespace Workbench.Tests.Scoring;

/// <summary>The packed tree walk of batch scoring gives ML.NET's raw scores and calibrated probabilities bit for bit.</summary>
[Collection(ScoringCollection.Name)]
public class TreeScorerTests(ScoringFixture fx)
{
    /// <summary>The sample's scoring rows, then copies of them with missing values (every feature NaN in turn, and whole
    /// rows NaN) and with every split's threshold placed exactly in the feature it tests (x == threshold goes left).</summary>
    static TrainingSet HardRows(PropensityModel model, FeatureTable table)
    {
        int d = table.ColumnCount;
        var rows = new List<float[]>();
        for (int r = 0; r < table.RowCount; r++) rows.Add(table.Row(r).ToArray());
        int baseRows = rows.Count;
        for (int j = 0; j < d; j++)
        {
            var x = (float[])rows[j % baseRows].Clone();
            x[j] = float.NaN;
            rows.Add(x);
        }
        rows.Add(Enumerable.Repeat(float.NaN, d).ToArray());
        var ml = model.TreeModel as Microsoft.ML.Trainers.FastTree.TreeEnsembleModelParametersBasedOnRegressionTree;
        Assert.NotNull(ml);
        int k = 0;
        foreach (var tree in ml.TrainedTreeEnsemble.Trees)
            for (int i = 0; i < tree.NumberOfNodes; i++)
            {
                var x = (float[])rows[k++ % baseRows].Clone();
                x[tree.NumericalSplitFeatureIndexes[i]] = tree.NumericalSplitThresholds[i];
                rows.Add(x);
            }
        var values = new float[rows.Count * d];
        for (int r = 0; r < rows.Count; r++) rows[r].CopyTo(values, r * d);
        return new TrainingSet(values, table.Registry.Names.ToArray(), new bool[rows.Count]);
    }

    static void AssertSameBits(PropensityModel model, TrainingSet rows)
    {
        var scorer = TreeScorer.For(model);
        Assert.NotNull(scorer);
        var (mlRaw, mlProbability) = model.Score(rows);
        var raw = scorer.Score(rows.Values, rows.RowCount);
        var probability = BatchScorer.Probabilities(model, rows, "the test rows");
        Assert.Equal(mlRaw.Length, raw.Length);
        int differing = 0;
        for (int i = 0; i < raw.Length; i++)
            if (BitConverter.DoubleToInt64Bits(raw[i]) != BitConverter.DoubleToInt64Bits(mlRaw[i])
                || BitConverter.DoubleToInt64Bits(probability[i]) != BitConverter.DoubleToInt64Bits(mlProbability[i])) differing++;
        Assert.Equal(0, differing);
        // The rows reach many different scores (not one constant the two sides could agree on trivially).
        Assert.True(raw.Distinct().Count() > raw.Length / 10, $"{raw.Distinct().Count()} distinct scores of {raw.Length}");
    }

    [Fact]
    public void The_packed_tree_walk_gives_mlnets_scores_and_probabilities_bit_for_bit_with_missing_values_and_values_on_thresholds()
    {
        var data = new CrmCatalog(ScoringFixture.Sample).Load().Dataset;
        var table = fx.TrainedModel.FeaturesFor(data).Features;
        foreach (var model in new[] { fx.TrainedModel.Churn, fx.TrainedModel.Upsell })
        {
            Assert.True(model.TreeCount > 10, $"the {model.Target} model has {model.TreeCount} trees");
            AssertSameBits(model, HardRows(model, table));
        }
    }

    /// <summary>A FastTree model fitted on the first half of the churn background (the second half validates) and the
    /// scoring rows it must score bit for bit.</summary>
    (PropensityModel Model, FeatureTable Rows) FastTreeOnHalf(PropensityOptions options)
    {
        var data = new CrmCatalog(ScoringFixture.Sample).Load().Dataset;
        var background = fx.TrainedModel.ChurnBackground;
        int half = background.RowCount / 2;
        var model = PropensityTrainer.Train("churn", background.Subset(Enumerable.Range(0, half).ToArray()),
            background.Subset(Enumerable.Range(half, background.RowCount - half).ToArray()), options);
        return (model, fx.TrainedModel.FeaturesFor(data).Features);
    }

    [Fact]
    public void A_fasttree_model_whose_missing_values_go_right_is_scored_bit_for_bit_too()
    {
        var (model, table) = FastTreeOnHalf(new PropensityOptions { Algorithm = PropensityAlgorithm.FastTree, NumberOfTrees = 50 });
        AssertSameBits(model, HardRows(model, table));
    }

    [Fact]
    public void A_fasttree_model_without_early_stopping_trains_every_tree_and_is_scored_bit_for_bit()
    {
        var (model, table) = FastTreeOnHalf(new PropensityOptions { Algorithm = PropensityAlgorithm.FastTree, NumberOfTrees = 30, EarlyStoppingRounds = 0 });
        Assert.Equal(30, model.TreeCount);
        AssertSameBits(model, HardRows(model, table));
    }

    [Fact]
    public void A_linear_model_has_no_tree_scorer_and_is_scored_through_mlnet()
    {
        var background = fx.TrainedModel.ChurnBackground;
        var model = PropensityTrainer.Train("churn", background, background, new PropensityOptions { Algorithm = PropensityAlgorithm.LogisticRegression });
        Assert.Null(TreeScorer.For(model));
        Assert.Equal(model.Score(background).Probability, BatchScorer.Probabilities(model, background, "the background rows"));
    }
}
