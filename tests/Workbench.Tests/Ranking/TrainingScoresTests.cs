using Workbench.Analytics;
using Workbench.Analytics.Features;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Ranking;
using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Tests.Ranking;

/// <summary>Training and evaluation score rows by walking the trees (TreeScorer) instead of ML.NET's Transform (#22): the
/// calibrator and the evaluated probabilities must be the ones ML.NET's scores give, bit for bit.</summary>
public class TrainingScoresTests
{
    static readonly CrmDataset Sample = new CrmCatalog(Path.Combine(TestPaths.RepoRoot, "data-samples", "generated")).Load().Dataset;
    static readonly PipelineOptions Options = TrainingRowSelectionTests.FastOptions(r => r with { MaxTrainingRows = 3_000 });
    static readonly LabeledFeatures Features = AccountPrioritizer.BuildFeatures(Sample, Options);

    static (TrainingSet Train, TrainingSet Valid) ChurnRows()
    {
        var ranking = Options.Resolved().Ranking;
        var table = Features.Features;
        var split = AccountPrioritizer.SplitOf(Features, ranking);
        var trainRows = AccountPrioritizer.TrainingSample(AccountPrioritizer.RowsIn(table, split.TrainMonths), ranking.MaxTrainingRows, Options.Seed);
        var validRows = AccountPrioritizer.ValidationSample(AccountPrioritizer.RowsIn(table, split.ValidationMonths), table.Snapshots, ranking.MaxValidationRows, Options.Seed);
        return (TrainingSet.ChurnAndUpsell(table, trainRows, Features.Labels).Churn, TrainingSet.ChurnAndUpsell(table, validRows, Features.Labels).Churn);
    }

    static void AssertSameBits(IReadOnlyList<double> expected, IReadOnlyList<double> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        int differing = 0;
        for (int i = 0; i < expected.Count; i++)
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i])) differing++;
        Assert.True(differing == 0, $"{differing} of {expected.Count} {what} differ");
    }

    [Theory]
    [InlineData(PropensityAlgorithm.LightGbm, CalibrationMethod.Isotonic)]
    [InlineData(PropensityAlgorithm.LightGbm, CalibrationMethod.Platt)]
    [InlineData(PropensityAlgorithm.FastTree, CalibrationMethod.Isotonic)]
    public void The_calibrator_is_the_one_mlnets_scores_of_the_validation_rows_give(PropensityAlgorithm algorithm, CalibrationMethod calibration)
    {
        var (train, valid) = ChurnRows();
        var options = Options.Resolved().Ranking.Churn with { Algorithm = algorithm, Calibration = calibration };
        var model = PropensityTrainer.Train("churn", train, valid, options);
        Assert.True(model.TreeCount > 5, $"{model.TreeCount} trees");

        // ML.NET's own scores of the validation rows (the Transform the trainer used before) and the calibrator they give.
        var (mlRaw, _) = model.Score(valid);
        Assert.True(mlRaw.Distinct().Count() > 50, "the validation rows reach many scores");
        var expected = Calibrator.Fit(calibration, mlRaw, valid.Labels);
        Assert.Equal(expected.Method, model.Calibrator.Method);
        AssertSameBits([expected.A, expected.B], [model.Calibrator.A, model.Calibrator.B], "Platt parameters");
        AssertSameBits(expected.Thresholds, model.Calibrator.Thresholds, "isotonic thresholds");
        AssertSameBits(expected.Values, model.Calibrator.Values, "isotonic values");
        if (calibration == CalibrationMethod.Isotonic) Assert.True(expected.Thresholds.Length > 3);
    }

    [Fact]
    public void The_linear_model_is_still_calibrated_on_mlnets_scores()
    {
        var (train, valid) = ChurnRows();
        var options = Options.Resolved().Ranking.Churn with { Algorithm = PropensityAlgorithm.LogisticRegression };
        var model = PropensityTrainer.Train("churn", train, valid, options);
        var expected = Calibrator.Fit(options.Calibration, model.Score(valid).Raw, valid.Labels);
        AssertSameBits(expected.Thresholds, model.Calibrator.Thresholds, "isotonic thresholds");
        AssertSameBits(expected.Values, model.Calibrator.Values, "isotonic values");
    }

    [Fact]
    public void The_evaluated_probabilities_of_the_test_months_are_mlnets_bit_for_bit()
    {
        var (model, pChurn, pUpsell) = AccountPrioritizer.Fit(Features, Options, scoreTestMonths: true);
        var split = AccountPrioritizer.SplitOf(Features, model.Options.Ranking);
        var scored = AccountPrioritizer.ScoringSet(Features, split);
        Assert.True(scored.RowCount > 1000, $"{scored.RowCount} scored rows");
        AssertSameBits(model.Churn.Score(scored).Probability, pChurn!, "churn probabilities");
        AssertSameBits(model.Upsell.Score(scored).Probability, pUpsell!, "upsell probabilities");

        // Evaluate (the path notebooks call) reads the same probabilities: its AUC is the one of ML.NET's scores.
        var result = PrioritizerEvaluation.Evaluate(model, Features, Sample);
        var testRows = AccountPrioritizer.RowsIn(Features.Features, split.TestMonths);
        var test = TrainingSet.ChurnAndUpsell(Features.Features, testRows, Features.Labels);
        Assert.Equal(ClassificationMetrics.RocAuc(model.Upsell.Score(test.Upsell).Probability, test.Upsell.Labels), result.Upsell.Auc);
    }
}
