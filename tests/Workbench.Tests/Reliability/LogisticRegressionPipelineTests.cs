using Workbench.Analytics.Explanation;
using Workbench.Analytics.Ranking;
using Workbench.Experiments.Promotion;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Scoring;
using Workbench.Experiments.Specs;

namespace Workbench.Tests.Reliability;

/// <summary><c>algorithm: logistic_regression</c> (documented) passes the whole pipeline: a run trains, evaluates and
/// explains it (exact linear SHAP), the run can be promoted and scored with narratives.</summary>
public class LogisticRegressionPipelineTests
{
    static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");

    [Fact]
    public void A_logistic_regression_spec_runs_end_to_end_and_its_promoted_model_scores_with_reasons()
    {
        var json = "{\n  \"name\": \"linear\",\n  \"data\": { \"path\": " + System.Text.Json.Nodes.JsonValue.Create(Sample).ToJsonString() + " },\n" +
                   "  \"ranking\": { \"algorithm\": \"logistic_regression\" },\n  \"segmentation\": { \"k\": 3 }\n}\n";
        var spec = ExperimentSpec.Parse(json, TestPaths.RepoRoot);
        Assert.Equal(PropensityAlgorithm.LogisticRegression, spec.Ranking.Churn.Algorithm);
        var store = new RunStore(TestPaths.NewTempDir("lr-run"));
        var record = ExperimentRunner.Run(spec, store);
        Assert.True(record.Status == RunStatus.Succeeded, $"run {record.Id}: {record.Status} {record.Error}");
        Assert.InRange(record.Metrics!["churn.auc"], 0.55, 1.0);

        Promoter.Promote(store.Layout, record.Id, "linear");
        var output = BatchScoring.Run(store.Layout, "linear", Sample, Path.Combine(TestPaths.NewTempDir("lr-score"), "out"));
        Assert.True(output.Result.AccountCount > 50);
        var told = output.Result.Accounts.Select(a => a.FocusNarrative).ToList();
        Assert.Contains(told, n => n.ReasonsFor.Count > 0);
        Assert.All(told, n => Assert.InRange(n.Probability, 0, 1));
        Assert.True(File.Exists(Path.Combine(output.OutDir, BatchScoring.BookCsvFile)));
    }

    [Fact]
    public void Linear_shap_values_are_weight_times_distance_from_the_background_mean_and_add_up_to_the_margin()
    {
        // x0 drives the label, x1 weakly against it, x2 is noise; seeded.
        var rng = new Random(7);
        int n = 600, p = 3;
        var values = new float[n * p];
        var labels = new bool[n];
        for (int i = 0; i < n; i++)
        {
            double x0 = rng.NextDouble() * 4 - 2, x1 = rng.NextDouble() * 10, x2 = rng.NextDouble();
            values[i * p] = (float)x0; values[i * p + 1] = (float)x1; values[i * p + 2] = (float)x2;
            labels[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-(2 * x0 - 0.2 * (x1 - 5))));
        }
        values[5 * p + 2] = float.NaN; // a missing value is explained too
        string[] names = ["x0", "x1", "x2"];
        var train = new TrainingSet(values[..(400 * p)], names, labels[..400]);
        var valid = new TrainingSet(values[(400 * p)..], names, labels[400..]);
        var model = PropensityTrainer.Train("churn", train, valid, new PropensityOptions { Algorithm = PropensityAlgorithm.LogisticRegression });
        Assert.Null(model.TreeModel);

        var shap = new LinearShap(model, train);
        Assert.True(shap.Weights[0] > 0 && shap.Weights[1] < 0, $"weights {string.Join(", ", shap.Weights)}");
        var rows = Enumerable.Range(0, 50).Select(i => train.Row(i).ToArray()).ToList();
        var batch = shap.Explain(rows);
        var mean0 = Enumerable.Range(0, 400).Average(i => (double)train.Row(i)[0]);
        for (int i = 0; i < rows.Count; i++)
        {
            var phi = batch.Row(i).ToArray();
            Assert.Equal(batch.Margin(i), batch.ExpectedValue + phi.Sum(), 3);
            Assert.Equal(shap.Weights[0] * (rows[i][0] - mean0), phi[0], 4);
            Assert.Equal(Math.Sign(rows[i][0] - mean0), Math.Sign(phi[0]));
        }
        Assert.Equal(model.Score(new TrainingSet(rows.SelectMany(r => r).ToArray(), names, new bool[rows.Count])).Raw[3], batch.Margin(3), 6);
    }
}
