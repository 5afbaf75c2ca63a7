using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Workbench.Analytics.Explanation;

namespace Workbench.Tests.Explanation;

/// <summary>Real ML.NET models on a small seeded synthetic dataset: the extracted ensemble reproduces ML.NET's raw score
/// (the "Score" column before calibration), and SHAP values add up to it.</summary>
public class MlNetTreeShapTests
{
    const int FeatureCount = 6;

    public sealed class Example
    {
        [VectorType(FeatureCount)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    /// <summary>Label depends non-linearly on features 0-3 (4 and 5 are noise); ~5% of values are missing (NaN).</summary>
    internal static List<Example> Synthetic(int count, int seed, double missingRate = 0.05)
    {
        var rng = new Random(seed);
        var examples = new List<Example>(count);
        for (int i = 0; i < count; i++)
        {
            var x = new float[FeatureCount];
            for (int f = 0; f < FeatureCount; f++) x[f] = (float)Math.Round(rng.NextDouble() * 10, 2);
            double logit = 1.2 * (x[0] - 5) / 3 - (x[1] > 6 ? 1.5 : 0) + 0.8 * Math.Sin(x[2]) + (x[3] < 2 && x[0] > 5 ? 2 : 0);
            bool label = rng.NextDouble() < 1 / (1 + Math.Exp(-logit));
            for (int f = 0; f < FeatureCount; f++) if (rng.NextDouble() < missingRate) x[f] = float.NaN;
            examples.Add(new Example { Features = x, Label = label });
        }
        return examples;
    }

    static void AssertExtractionMatchesMlNet(IDataView train, ITransformer transformer, TreeEnsemble ensemble, List<Example> test, MLContext ml)
    {
        Assert.Equal(FeatureCount, ensemble.FeatureCount);
        Assert.True(ensemble.Trees.Count > 10, $"only {ensemble.Trees.Count} trees were extracted");
        var scored = transformer.Transform(ml.Data.LoadFromEnumerable(test));
        var scores = scored.GetColumn<float>("Score").ToArray();
        Assert.Equal(test.Count, scores.Length);
        int withMissing = 0;
        var batch = TreeShap.Explain(ensemble, test.Select(e => e.Features).ToArray());
        for (int r = 0; r < test.Count; r++)
        {
            var row = test[r].Features;
            if (row.Any(float.IsNaN)) withMissing++;
            double margin = ensemble.PredictMargin(row);
            Assert.True(Math.Abs(margin - scores[r]) <= 1e-5 * Math.Max(1, Math.Abs(scores[r])),
                $"row {r}: extracted margin {margin} vs ML.NET Score {scores[r]} (row {string.Join(",", row)})");
            double sum = batch.ExpectedValue;
            foreach (var v in batch.Row(r)) sum += v;
            Assert.True(Math.Abs(sum - scores[r]) <= 1e-5 * Math.Max(1, Math.Abs(scores[r])),
                $"row {r}: expected value + SHAP = {sum} vs ML.NET Score {scores[r]}");
        }
        Assert.True(withMissing > 20, "the test rows should exercise missing values");
        // Noise features 4 and 5 matter less than the planted drivers 0 and 1.
        var importance = ShapSummary.Importance(batch).ToDictionary(i => i.FeatureIndex, i => i.MeanAbsoluteShap);
        Assert.True(importance[0] > importance[4] && importance[0] > importance[5], string.Join(", ", importance));
        Assert.True(importance[1] > importance[4] && importance[1] > importance[5], string.Join(", ", importance));
        // Covers were counted from the training rows: the root of every tree saw all of them.
        int trainCount = train.GetColumn<bool>("Label").Count();
        Assert.All(ensemble.Trees, t => Assert.Equal(trainCount, t.Cover[0]));
    }

    [Fact]
    public void FastTree_binary_extraction_reproduces_the_raw_score_and_shap_adds_up_to_it()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Synthetic(3000, seed: 42));
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = 40, NumberOfLeaves = 12, MinimumExampleCountPerLeaf = 10, NumberOfThreads = 1,
        });
        var model = trainer.Fit(train);
        var ensemble = MlNetTreeEnsembles.FromModel(model.Model.SubModel, train);
        AssertExtractionMatchesMlNet(train, model, ensemble, Synthetic(500, seed: 7), ml);
    }

    [Fact]
    public void LightGbm_binary_extraction_reproduces_the_raw_score_and_shap_adds_up_to_it()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Synthetic(3000, seed: 42));
        var trainer = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            NumberOfIterations = 40, NumberOfLeaves = 12, MinimumExampleCountPerLeaf = 10, NumberOfThreads = 1, Seed = 3,
        });
        var model = trainer.Fit(train);
        var ensemble = MlNetTreeEnsembles.FromModel(model.Model.SubModel, train);
        AssertExtractionMatchesMlNet(train, model, ensemble, Synthetic(500, seed: 7), ml);
    }

    [Fact]
    public void A_missing_feature_column_is_named_in_the_error()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Synthetic(300, seed: 1));
        var model = ml.BinaryClassification.Trainers.FastTree(numberOfTrees: 3).Fit(train);
        var ex = Assert.Throws<WorkbenchException>(() => MlNetTreeEnsembles.FromModel(model.Model.SubModel, train, "Featurez"));
        Assert.Contains("'Featurez'", ex.Message);
    }
}
