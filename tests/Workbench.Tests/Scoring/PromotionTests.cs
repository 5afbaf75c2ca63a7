using Workbench.Experiments.Promotion;
using Workbench.Experiments.Runs;

namespace Workbench.Tests.Scoring;

/// <summary>Only a succeeded, complete run that reaches its floors becomes a named model; every refusal says why.</summary>
[Collection(ScoringCollection.Name)]
public class PromotionTests(ScoringFixture fx)
{
    static string NewId(string purpose) => purpose + "-" + Guid.NewGuid().ToString("N")[..8];

    WorkbenchException Refusal(string runId, string name, IReadOnlyDictionary<string, double>? extra = null)
    {
        var ex = Assert.Throws<WorkbenchException>(() => Promoter.Promote(fx.Store, runId, name, extra));
        Assert.False(Directory.Exists(fx.Store.PromotedDirectory(name)), "a refused promotion must not create the name");
        return ex;
    }

    [Fact]
    public void A_failed_run_is_refused_with_its_error()
    {
        var id = NewId("failed");
        fx.WriteRun(id, RunStatus.Failed, error: "training diverged");
        var ex = Refusal(id, NewId("m"));
        Assert.Contains($"Cannot promote run '{id}'", ex.Message);
        Assert.Contains("the run failed (training diverged)", ex.Message);
    }

    [Fact]
    public void A_running_or_unfinished_run_is_refused()
    {
        var id = NewId("running");
        fx.WriteRun(id, RunStatus.Running);
        Assert.Contains("still running or did not finish (status running)", Refusal(id, NewId("m")).Message);
    }

    [Fact]
    public void A_metric_below_the_runs_floor_is_refused_naming_metric_value_and_floor()
    {
        var id = NewId("low");
        fx.WriteRun(id, RunStatus.Succeeded, floors: new Dictionary<string, double> { ["churn.auc"] = 0.9 });
        Assert.Contains("churn.auc = 0.75 is below the floor 0.9 (spec)", Refusal(id, NewId("m")).Message);
    }

    [Fact]
    public void A_metric_below_a_floor_given_at_promotion_is_refused()
    {
        var id = NewId("low2");
        fx.WriteRun(id, RunStatus.Succeeded, floors: new Dictionary<string, double> { ["churn.auc"] = 0.7 });
        var ex = Refusal(id, NewId("m"), new Dictionary<string, double> { ["upsell.auc"] = 0.8 });
        Assert.Contains("upsell.auc = 0.77 is below the floor 0.8 (promotion)", ex.Message);
        Assert.DoesNotContain("churn.auc = 0.75 is below", ex.Message); // the run's own floor (0.7) is met
    }

    [Fact]
    public void A_floor_on_a_metric_the_run_lacks_is_refused()
    {
        var id = NewId("unknown");
        fx.WriteRun(id, RunStatus.Succeeded);
        var ex = Refusal(id, NewId("m"), new Dictionary<string, double> { ["segment.silhouette"] = 0.2 });
        Assert.Contains("floor segment.silhouette >= 0.2 (promotion) names a metric the run does not have (its metrics: churn.auc, upsell.auc)", ex.Message);
    }

    [Fact]
    public void A_run_without_a_model_folder_is_refused()
    {
        var id = NewId("nomodel");
        fx.WriteRun(id, RunStatus.Succeeded, withModel: false);
        Assert.Contains("the run has no model folder", Refusal(id, NewId("m")).Message);
    }

    [Fact]
    public void A_run_whose_model_folder_is_incomplete_is_refused()
    {
        var id = NewId("partial");
        fx.WriteRun(id, RunStatus.Succeeded);
        File.Delete(Path.Combine(fx.Store.RunModelDirectory(id), Workbench.Experiments.Artifacts.RankingArtifacts.ModelFile));
        Assert.Contains("lacks " + Workbench.Experiments.Artifacts.RankingArtifacts.ModelFile, Refusal(id, NewId("m")).Message);
    }

    [Fact]
    public void An_unknown_run_is_refused()
    {
        Assert.Contains("Run 'no-such-run' not found", Assert.Throws<WorkbenchException>(() => Promoter.Promote(fx.Store, "no-such-run", "x")).Message);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("")]
    [InlineData("name with space")]
    public void Unsafe_names_are_refused(string name)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Promoter.Promote(fx.Store, "trained", name));
        Assert.Contains($"Invalid model name '{name}'", ex.Message);
    }

    [Fact]
    public void Promoting_copies_the_model_resolves_by_name_and_a_re_promotion_replaces_it_keeping_history()
    {
        var first = NewId("first"); var second = NewId("second"); var name = NewId("champion");
        fx.WriteRun(first, RunStatus.Succeeded, floors: new Dictionary<string, double> { ["churn.auc"] = 0.7 });
        fx.WriteRun(second, RunStatus.Succeeded, metrics: new Dictionary<string, double> { ["churn.auc"] = 0.8, ["upsell.auc"] = 0.78 });

        var r1 = Promoter.Promote(fx.Store, first, name);
        var dir = ModelRegistry.Resolve(fx.Store, name);
        Assert.Equal(Path.GetFullPath(fx.Store.PromotedModelDirectory(name)), Path.GetFullPath(dir));
        var modelFile = Workbench.Experiments.Artifacts.RankingArtifacts.ModelFile;
        Assert.Equal([modelFile], Directory.GetFiles(dir).Select(Path.GetFileName));
        Assert.Equal(File.ReadAllBytes(Path.Combine(fx.TrainedModelDir, modelFile)), File.ReadAllBytes(Path.Combine(dir, modelFile)));
        Assert.Equal(first, r1.Current.RunId);
        Assert.Equal(new FloorCheck("churn.auc", 0.7, 0.75, "spec"), Assert.Single(r1.Current.FloorsChecked));
        Assert.Empty(r1.History);

        var r2 = Promoter.Promote(fx.Store, second, name, new Dictionary<string, double> { ["upsell.auc"] = 0.7 });
        var onDisk = ModelRegistry.Promotion(fx.Store, name);
        Assert.Equal(second, onDisk.Current.RunId);
        Assert.Equal(0.8, onDisk.Current.Metrics["churn.auc"]);
        Assert.Equal(first, Assert.Single(onDisk.History).RunId);
        Assert.Equal(r2.Current.PromotedUtc, onDisk.Current.PromotedUtc);
        Assert.Contains(name, ModelRegistry.Names(fx.Store));
        // Nothing half-done is left beside the promoted models.
        Assert.DoesNotContain(Directory.GetDirectories(fx.Store.ModelsDirectory), d => Path.GetFileName(d).StartsWith('.'));
    }

    [Fact]
    public void Resolving_an_unknown_name_lists_the_promoted_ones()
    {
        var ex = Assert.Throws<WorkbenchException>(() => ModelRegistry.Resolve(fx.Store, "nope"));
        Assert.Contains("No promoted model named 'nope'", ex.Message);
        Assert.Contains("Promoted: ", ex.Message);
        Assert.Contains("prod", ex.Message);
    }

    [Fact]
    public void A_run_flagged_with_a_weak_model_is_refused_by_default_naming_the_target_trees_and_auc()
    {
        var id = NewId("weak");
        fx.WriteRun(id, RunStatus.Succeeded, metrics: new Dictionary<string, double>
        {
            ["churn.auc"] = 0.5, ["churn.trees"] = 1, ["churn.weak_model"] = 1, ["upsell.auc"] = 0.77, ["upsell.trees"] = 40, ["upsell.weak_model"] = 0,
        });
        var ex = Refusal(id, NewId("m"));
        Assert.Contains("the churn model is weak (churn.weak_model = 1: 1 tree(s), test ROC AUC 0.500", ex.Message);
        Assert.Contains("--allow-weak", ex.Message);
        Assert.DoesNotContain("upsell model is weak", ex.Message);
    }

    [Fact]
    public void A_weak_model_is_promoted_only_with_the_override_which_the_promotion_record_keeps()
    {
        var id = NewId("weak-ok");
        var name = NewId("m");
        fx.WriteRun(id, RunStatus.Succeeded, metrics: new Dictionary<string, double> { ["churn.auc"] = 0.51, ["churn.weak_model"] = 1, ["upsell.auc"] = 0.77 });
        var record = Promoter.Promote(fx.Store, id, name, null, allowWeak: true);
        var check = Assert.Single(record.Current.FloorsChecked, c => c.Source == "override");
        Assert.Equal("churn.weak_model", check.Metric);
        Assert.Equal("override", PromotionRecord.Read(Path.Combine(fx.Store.PromotedDirectory(name), StoreLayout.PromotionFile)).Current.FloorsChecked.Single().Source);
    }

    [Fact]
    public void The_promote_command_refuses_a_weak_run_with_exit_2_and_promotes_it_with_allow_weak()
    {
        var id = NewId("weak-cli");
        var name = NewId("m");
        fx.WriteRun(id, RunStatus.Succeeded, metrics: new Dictionary<string, double> { ["churn.auc"] = 0.75, ["upsell.auc"] = 0.5, ["upsell.trees"] = 0, ["upsell.weak_model"] = 1 });
        var store = fx.Store.Root;
        var (code, _, err) = Cli("promote", id, "--as", name, "--store", store);
        Assert.Equal(2, code);
        Assert.Contains("the upsell model is weak", err);
        Assert.False(Directory.Exists(fx.Store.PromotedDirectory(name)));
        var (ok, stdout, _) = Cli("promote", id, "--as", name, "--store", store, "--allow-weak");
        Assert.Equal(0, ok);
        Assert.Contains("warning: upsell.weak_model = 1: promoted a weak model because --allow-weak was given", stdout);
    }

    [Theory]
    [InlineData(Workbench.Analytics.Ranking.PropensityAlgorithm.LightGbm, 1, 0.80, true)]
    [InlineData(Workbench.Analytics.Ranking.PropensityAlgorithm.LightGbm, 0, 0.80, true)]
    [InlineData(Workbench.Analytics.Ranking.PropensityAlgorithm.LightGbm, 2, 0.80, false)]
    [InlineData(Workbench.Analytics.Ranking.PropensityAlgorithm.FastTree, 50, 0.52, true)]
    [InlineData(Workbench.Analytics.Ranking.PropensityAlgorithm.FastTree, 50, 0.521, false)]
    [InlineData(Workbench.Analytics.Ranking.PropensityAlgorithm.LogisticRegression, 0, 0.70, false)]
    [InlineData(Workbench.Analytics.Ranking.PropensityAlgorithm.LogisticRegression, 0, 0.50, true)]
    public void The_weak_model_rule_is_at_most_one_tree_for_tree_models_or_auc_at_most_0_52(Workbench.Analytics.Ranking.PropensityAlgorithm algorithm, int trees, double auc, bool weak) =>
        Assert.Equal(weak, Workbench.Analytics.Ranking.WeakModel.Reason(algorithm, trees, auc) is not null);

    static (int Code, string Out, string Err) Cli(params string[] args) => CliCapture.Run(args);
}
