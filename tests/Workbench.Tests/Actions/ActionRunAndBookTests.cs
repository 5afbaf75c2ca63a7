using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.Analytics.Actions;
using Workbench.Data;
using Workbench.Data.Generation;
using Workbench.Experiments.Pipeline;
using Workbench.Experiments.Promotion;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Scoring;
using Workbench.Experiments.Specs;
using Xunit.Abstractions;

namespace Workbench.Tests.Actions;

/// <summary>The <c>actions</c> spec section: parsed with defaults and the spec's seed, checked at its keys, recorded in the
/// run's metrics; its policy is promoted with the run and fills the next action of every scored account.</summary>
public sealed class ActionRunAndBookTests(ITestOutputHelper output)
{
    static string Minimal(string dataDir, string extra) =>
        "{\n  \"name\": \"nba\",\n  \"data\": { \"path\": " + JsonValue.Create(dataDir).ToJsonString() + " },\n" + extra + "\n}\n";

    static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");

    [Fact]
    public void The_actions_spec_section_takes_the_option_defaults_and_the_spec_seed_and_round_trips()
    {
        var spec = ExperimentSpec.Parse(Minimal(Sample, "  \"seed\": 9,\n  \"actions\": { \"trees\": 30, \"exploration\": 0.2 }"), TestPaths.RepoRoot);
        Assert.Equal(new ActionOptions { ValueModel = new ActionOptions().ValueModel with { Trees = 30 }, Exploration = 0.2, Seed = 9 }, spec.Actions);
        using var doc = JsonDocument.Parse(spec.ToJson());
        Assert.Equal(30, doc.RootElement.GetProperty("actions").GetProperty("trees").GetInt32());
        Assert.Equal(spec.Hash(), ExperimentSpec.Parse(spec.ToJson(), TestPaths.RepoRoot).Hash());
        Assert.Null(ExperimentSpec.Parse(Minimal(Sample, "  \"seed\": 9"), TestPaths.RepoRoot).Actions);
    }

    [Fact]
    public void Actions_spec_values_are_checked_at_their_key()
    {
        var dir = TestPaths.NewTempDir("spec-actions");
        var path = Path.Combine(dir, "bad.json");
        File.WriteAllText(path, Minimal(Sample, "  \"actions\": { \"exploration\": 2, \"tress\": 10 },\n  \"promotion_floors\": { \"action.learned_value_vs_oracle\": 0.5 }"));
        var message = Assert.Throws<OptionsValidationException>(() => ExperimentSpec.Load(path)).Message;
        output.WriteLine(message);
        Assert.Contains("bad.json:4: $.actions.tress: unknown key; did you mean 'trees'?", message);
        Assert.Contains("$.actions.exploration: Exploration must be in [0, 1], got 2.", message);
        Assert.Contains("did you mean 'actions.learned_value_vs_oracle'?", message);
    }

    [Fact]
    public void A_run_with_an_actions_section_records_the_policy_values_and_the_promoted_model_puts_the_next_action_in_the_book()
    {
        var root = TestPaths.NewTempDir("actions-run");
        var data = Path.Combine(root, "data");
        new CrmCatalog(data).Write(CrmGenerator.Generate(new GeneratorOptions { Accounts = 150, Months = 24, Seed = 21 }));
        var spec = ExperimentSpec.Parse(Minimal(data, "  \"ranking\": { \"trees\": 20, \"early_stopping_rounds\": 5 },\n  \"segmentation\": { \"k\": 3 },\n" +
            "  \"actions\": { \"trees\": 20, \"bootstrap_samples\": 50 },\n  \"promotion_floors\": { \"actions.product_hit_at_1\": 0 }"), TestPaths.RepoRoot);
        var store = new RunStore(Path.Combine(root, "store"));
        var record = ExperimentRunner.Run(spec, store);
        Assert.Equal(RunStatus.Succeeded, record.Status);
        var m = record.Metrics!;
        output.WriteLine(string.Join("\n", m.Where(kv => kv.Key.StartsWith("actions.", StringComparison.Ordinal)).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F4}"))));
        foreach (var policy in ActionEvaluation.PolicyNames)
            foreach (var key in new[] { "dm", "ips", "snips", "dr", "dr_ci_low", "dr_ci_high", "true_value" })
                Assert.True(m.ContainsKey($"actions.{policy}.{key}"), $"actions.{policy}.{key} missing");
        // Each metric is recorded rounded to 10 decimals, so the ratio of two recorded values and the recorded ratio differ in the 11th.
        Assert.InRange(Math.Abs(m["actions.learned.true_value"] / m["actions.oracle.true_value"] - m["actions.learned_value_vs_oracle"]), 0, 1e-9);
        Assert.InRange(m["actions.product_hit_at_1"], 0, 1);
        Assert.True(m.ContainsKey("actions.popularity_hit_at_1"));
        // The metrics are the numbers of the run's policy-values.json.
        var dir = store.Layout.RunDirectory(record.Id);
        using (var values = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "actions", "policy-values.json"))))
            Assert.Equal(values.RootElement.GetProperty("learned").GetProperty("dr").GetDouble(), m["actions.learned.dr"], 3);
        Assert.Contains("actions/next-actions.csv", record.Artifacts!);
        var modelFile = Path.Combine(store.Layout.RunModelDirectory(record.Id), ActionStage.ModelFileName);
        Assert.True(File.Exists(modelFile));
        Assert.Contains(ActionStage.ModelFileName, Promoter.OptionalModelFiles);
        // The policy carries the run's segmentation (k 3): the run, and scoring after it, read each account's segment from it.
        using (var s = File.OpenRead(modelFile))
            Assert.Equal(3, ActionPolicyModel.Load(s).Segmentation!.Segments.Count);

        Promoter.Promote(store.Layout, record.Id, "with-nba");
        Assert.True(File.Exists(Path.Combine(store.Layout.PromotedModelDirectory("with-nba"), ActionStage.ModelFileName)));
        var scored = BatchScoring.Run(store.Layout, "with-nba", data, Path.Combine(root, "book"));
        var accounts = scored.Result.Books.SelectMany(b => b.Accounts).ToList();
        // Every scored account with spend in the last month gets the run's next-actions.csv recommendation.
        var expected = File.ReadAllLines(Path.Combine(dir, "actions", "next-actions.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[0], c => c);
        int filled = 0;
        foreach (var a in accounts.Where(a => a.NextAction is not null))
        {
            filled++;
            Assert.Equal(expected[a.AccountId][1], a.NextAction!.Action);
            Assert.Equal(expected[a.AccountId][2], a.NextAction.Product);
            Assert.False(string.IsNullOrWhiteSpace(a.NextAction.Reason));
        }
        Assert.True(filled >= accounts.Count * 3 / 4, $"{filled} of {accounts.Count} scored accounts have a next action");

        var csv = File.ReadAllLines(Path.Combine(root, "book", "book.csv"));
        int col = Array.IndexOf(csv[0].Split(','), "next_action");
        Assert.True(col > 0, csv[0]);
        var first = accounts.First(a => a.NextAction is not null);
        Assert.Contains(csv.Skip(1), l => l.Contains("," + first.AccountId + ",", StringComparison.Ordinal) && l.Contains("," + first.NextAction!.Action + ",", StringComparison.Ordinal));
        using var book = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "book", "book.json")));
        var withAction = book.RootElement.GetProperty("books").EnumerateArray().SelectMany(b => b.GetProperty("accounts").EnumerateArray())
            .First(x => x.GetProperty("next_action").ValueKind == JsonValueKind.Object);
        using (var s = File.OpenRead(modelFile))
            Assert.Contains(withAction.GetProperty("next_action").GetProperty("action").GetString(), ActionPolicyModel.Load(s).Actions);
        var page = Directory.GetFiles(Path.Combine(root, "book", "report"), "*.html").First(f => !f.EndsWith("index.html", StringComparison.Ordinal));
        Assert.Contains("next best action", File.ReadAllText(page));
    }
}
