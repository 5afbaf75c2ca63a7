using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Workbench.Analytics.Ranking;

/// <summary>Trains a calibrated propensity model: trees are grown on the training rows, early stopping and the
/// calibrator use the validation rows (which, in a time split, are later in time than the training rows).</summary>
public static class PropensityTrainer
{
    public static PropensityModel Train(string target, TrainingSet train, TrainingSet validation) =>
        Train(target, train, validation, new PropensityOptions());

    public static PropensityModel Train(string target, TrainingSet train, TrainingSet validation, PropensityOptions options)
    {
        options.Validate();
        if (!train.FeatureNames.SequenceEqual(validation.FeatureNames))
            throw new ArgumentException("Training and validation rows have different feature names.");
        CheckEnoughExamples(target, train, options);
        CheckBothClasses(train, "training"); CheckBothClasses(validation, "validation");
        int leaf = LeafSizes.Effective(options.MinExamplesPerLeaf, train.RowCount);
        var ml = new MLContext(options.Seed);
        var trainView = train.ToDataView(ml);
        var validView = validation.ToDataView(ml);
        ITransformer model;
        int trees = 0;
        switch (options.Algorithm)
        {
            case PropensityAlgorithm.LightGbm:
            {
                var lightGbmOptions = new LightGbmBinaryTrainer.Options
                {
                    NumberOfIterations = options.NumberOfTrees,
                    NumberOfLeaves = options.NumberOfLeaves,
                    LearningRate = options.LearningRate,
                    MinimumExampleCountPerLeaf = leaf,
                    EarlyStoppingRound = options.EarlyStoppingRounds,
                    NumberOfThreads = options.Threads,
                    Seed = options.Seed,
                    Silent = true,
                    Verbose = false,
                };
                // Log-loss is ML.NET's default metric; AUC is set only when asked for, so default models keep their bytes.
                if (options.StoppingMetric == StoppingMetric.Auc)
                    lightGbmOptions.EvaluationMetric = LightGbmBinaryTrainer.Options.EvaluateMetricType.AreaUnderCurve;
                // Bins and bagging likewise only when they differ from LightGBM's defaults (ML.NET records the parameters in the model).
                if (options.MaxBinCount != new PropensityOptions().MaxBinCount)
                    lightGbmOptions.MaximumBinCountPerFeature = options.MaxBinCount;
                if (options.SubsampleFrequency > 0)
                    lightGbmOptions.Booster = new GradientBooster.Options { SubsampleFraction = options.SubsampleFraction, SubsampleFrequency = options.SubsampleFrequency };
                var trainer = ml.BinaryClassification.Trainers.LightGbm(lightGbmOptions);
                var t = trainer.Fit(trainView, validView);
                trees = t.Model.SubModel.TrainedTreeEnsemble.Trees.Count;
                model = t;
                break;
            }
            case PropensityAlgorithm.FastTree:
            {
                var fastTreeOptions = new FastTreeBinaryTrainer.Options
                {
                    NumberOfTrees = options.NumberOfTrees,
                    NumberOfLeaves = options.NumberOfLeaves,
                    LearningRate = options.LearningRate,
                    MinimumExampleCountPerLeaf = leaf,
                    NumberOfThreads = options.Threads,
                    Seed = options.Seed,
                    FeatureFlocks = false,
                };
                // ML.NET's EarlyStoppingRule setter dereferences its value: "no early stopping" is leaving it unset.
                if (options.EarlyStoppingRounds > 0)
                {
                    fastTreeOptions.EarlyStoppingRule = new TolerantEarlyStoppingRule();
                    fastTreeOptions.EarlyStoppingMetric = EarlyStoppingMetric.L2Norm;
                }
                var trainer = ml.BinaryClassification.Trainers.FastTree(fastTreeOptions);
                var t = trainer.Fit(trainView, validView);
                trees = t.Model.SubModel.TrainedTreeEnsemble.Trees.Count;
                model = t;
                break;
            }
            default:
            {
                // Linear baseline: impute, standardize, then L-BFGS logistic regression.
                var pipeline = ml.Transforms.ReplaceMissingValues("Features", replacementMode: Microsoft.ML.Transforms.MissingValueReplacingEstimator.ReplacementMode.Mean)
                    .Append(ml.Transforms.NormalizeMeanVariance("Features"))
                    .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression());
                model = pipeline.Fit(trainView);
                break;
            }
        }
        // The calibrator's scores: a tree model's trees walked by TreeScorer (ML.NET's bits, without its cursor pipeline).
        var walk = Scoring.TreeScorer.For(PropensityModel.TreeModelOf(model), train.FeatureNames);
        var rawValid = walk is not null ? walk.Score(validation.Values, validation.RowCount)
            : model.Transform(validView).GetColumn<float>("Score").Select(s => (double)s).ToArray();
        var calibrator = Calibrator.Fit(options.Calibration, rawValid, validation.Labels);
        return new PropensityModel(ml, target, model, calibrator, train.FeatureNames, options, trees);
    }

    static void CheckEnoughExamples(string target, TrainingSet train, PropensityOptions options)
    {
        int pos = train.Labels.Count(l => l), neg = train.RowCount - pos;
        if (pos < options.MinPositives || neg < options.MinNegatives)
            throw new WorkbenchException(
                $"{target}: the training rows hold {pos.ToString("N0", RunContext.Culture)} positive and {neg.ToString("N0", RunContext.Culture)} negative examples; " +
                $"training needs at least {options.MinPositives} positives and {options.MinNegatives} negatives " +
                "to give a model worth ranking with (fewer give a one-tree model near AUC 0.5). Use a longer history or a shorter horizon, " +
                "or lower the minimum knowingly (--min-positives/--min-negatives, PropensityOptions.MinPositives/MinNegatives).");
    }

    static void CheckBothClasses(TrainingSet set, string name)
    {
        int pos = set.Labels.Count(l => l);
        if (pos == 0 || pos == set.RowCount)
            throw new WorkbenchException($"The {name} rows hold only one class ({pos} positive of {set.RowCount}): a propensity model needs both. Widen the window or lower the thresholds.");
    }
}
