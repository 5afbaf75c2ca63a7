using Workbench.Analytics.Ranking;
using Workbench.Cli.Commands;
using Workbench.Data;
using Workbench.Data.Generation;

namespace Workbench.Tests.Ranking;

/// <summary>Short histories are refused with a reason instead of training a silent one-tree model.</summary>
public class SmallDataTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliCapture.Run(args);

    [Fact]
    public void A_short_small_history_is_refused_with_the_counts_and_the_minimum_it_needs()
    {
        var dir = TestPaths.NewTempDir("small-history");
        new CrmCatalog(dir).Write(CrmGenerator.Generate(new GeneratorOptions { Accounts = 25, Months = 18, Seed = 4 }));
        var (code, _, err) = Run("train", "--data", dir, "--out", TestPaths.NewTempDir("small-train"), "--test-months", "2");
        Assert.Equal(2, code);
        Assert.Contains("training needs at least 40 positives and 40 negatives", err);
        Assert.Matches(@"(churn|upsell): the training rows hold \d+ positive and [\d,]+ negative examples", err);

        // Lowering the minimum knowingly trains (with leaves scaled to the small data).
        var (lowered, stdout, _) = Run("train", "--data", dir, "--out", TestPaths.NewTempDir("small-train-2"), "--test-months", "2", "--min-positives", "5");
        Assert.Equal(0, lowered);
        Assert.Contains("churn   AUC", stdout);
    }

    [Fact]
    public void A_weak_model_trained_on_tiny_data_is_flagged_in_the_output_and_metrics_json()
    {
        var dir = TestPaths.NewTempDir("tiny-history");
        new CrmCatalog(dir).Write(CrmGenerator.Generate(new GeneratorOptions { Accounts = 6, Months = 16, Seed = 4 }));
        var outDir = TestPaths.NewTempDir("tiny-train");
        var (code, stdout, err) = Run("train", "--data", dir, "--out", outDir, "--test-months", "2", "--min-positives", "1", "--min-negatives", "1");
        Assert.True(code == 0, err);
        using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        int flagged = 0;
        foreach (var target in new[] { "churn", "upsell" })
        {
            var m = metrics.RootElement.GetProperty(target);
            var aucJson = m.GetProperty("auc");
            double auc = aucJson.ValueKind == System.Text.Json.JsonValueKind.Number ? aucJson.GetDouble() : double.NaN; // null: undefined (one class in the test months)
            bool weak = m.GetProperty("trees").GetInt32() <= 1 || !(auc > WeakModel.MaxAuc);
            Assert.Equal(weak ? 1 : 0, m.GetProperty("weak_model").GetInt32());
            Assert.Equal(weak, stdout.Contains($"warning: weak {target} model", StringComparison.Ordinal));
            flagged += weak ? 1 : 0;
        }
        Assert.True(flagged > 0, "6 accounts over 16 months should give at least one weak model: " + stdout);
    }

    [Theory]
    [InlineData(200, 100_000, 200)]
    [InlineData(200, 2_000, 100)]
    [InlineData(200, 40, 5)]
    public void Leaf_sizes_scale_down_with_the_training_rows(int configured, int rows, int expected) =>
        Assert.Equal(expected, LeafSizes.Effective(configured, rows));

    [Fact]
    public void The_minimums_are_options_validated_up_front()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new PropensityOptions { MinPositives = 0 }.Validate());
        Assert.Contains("MinPositives", ex.Message);
    }
}
