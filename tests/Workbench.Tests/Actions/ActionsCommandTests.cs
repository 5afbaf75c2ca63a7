using System.Text.Json;
using Workbench.Analytics.Actions;
using Workbench.Cli.Commands;
using Workbench.Data;
using Workbench.Data.Generation;
using Workbench.Tests.Experiments;

namespace Workbench.Tests.Actions;

public sealed class ActionsCommandTests
{
    static int Run(params string[] args) => CliRunner.InvokeAsync(CliApp.BuildRoot(), args).GetAwaiter().GetResult();

    [Fact]
    public void Actions_writes_policy_values_with_truth_and_one_next_action_per_account_then_reapplies_the_saved_model()
    {
        var data = TestPaths.NewTempDir("actions-data");
        new CrmCatalog(data).Write(CrmGenerator.Generate(new GeneratorOptions { Accounts = 120, Months = 24, Seed = 11 }));
        var outDir = TestPaths.NewTempDir("actions-out");
        Assert.Equal(0, Run("actions", "--model", "first", "--data", data, "--out", outDir, "--seed", "3"));

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "policy-values.json")));
        foreach (var policy in new[] { "logging", "rules", "learned", "myopic", "oracle" })
        {
            var p = doc.RootElement.GetProperty(policy);
            Assert.Equal(["dm", "ips", "snips", "dr", "dr_ci_low", "dr_ci_high", "true_value"], p.EnumerateObject().Select(x => x.Name));
            Assert.True(p.GetProperty("dr_ci_low").GetDouble() <= p.GetProperty("dr").GetDouble());
            Assert.True(p.GetProperty("dr").GetDouble() <= p.GetProperty("dr_ci_high").GetDouble());
        }
        // Which learner the learned policy used: the model file's, and the one chosen in each of the 3 cross-fit folds.
        var names = RewardLearner.Candidates.Select(c => c.Name).ToArray();
        string learner = doc.RootElement.GetProperty("learner").GetString()!;
        Assert.Contains(learner, names);
        var folds = doc.RootElement.GetProperty("learned_fold_learners").EnumerateArray().Select(x => x.GetString()!).ToArray();
        Assert.Equal(3, folds.Length);
        Assert.All(folds, f => Assert.Contains(f, names));
        var lines = File.ReadAllLines(Path.Combine(outDir, "next-actions.csv"));
        Assert.Equal("account_id,action,product,expected_value,reason", lines[0]);
        Assert.True(lines.Length > 30);
        Assert.Equal(lines.Length - 1, lines.Skip(1).Select(l => l.Split(',')[0]).Distinct().Count());
        // The product column comes from next best product: a catalog product id on every row.
        Assert.All(lines.Skip(1), l => Assert.Matches("^P[0-9]{2}$", l.Split(',')[2]));

        // The saved policy is applied as a FILE: the same recommendations.
        var again = TestPaths.NewTempDir("actions-again");
        Assert.Equal(0, Run("actions", "--model", Path.Combine(outDir, "action-policy.zip"), "--data", data, "--out", again, "--seed", "3"));
        Assert.Equal(lines, File.ReadAllLines(Path.Combine(again, "next-actions.csv")));
        using var againDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(again, "policy-values.json")));
        Assert.Equal(learner, againDoc.RootElement.GetProperty("learner").GetString());
        Assert.Empty(againDoc.RootElement.GetProperty("learned_fold_learners").EnumerateArray()); // a trained policy is judged as is
    }

    [Fact]
    public void A_missing_model_file_or_a_bad_rules_file_exits_2_and_writes_nothing()
    {
        var data = TestPaths.NewTempDir("actions-bad");
        new CrmCatalog(data).Write(CrmGenerator.Generate(new GeneratorOptions { Accounts = 60, Months = 18, Seed = 2 }));
        var outDir = Path.Combine(TestPaths.NewTempDir("actions-bad-out"), "out");
        Assert.Equal(2, Run("actions", "--model", "models/nope.zip", "--data", data, "--out", outDir));
        var rules = Path.Combine(data, "rules.json");
        File.WriteAllText(rules, "{ \"rules\": [], \"default\": { \"action\": \"nap\", \"reason\": \"x\" } }");
        Assert.Equal(2, Run("actions", "--model", "m", "--data", data, "--out", outDir, "--rules", rules));
        Assert.False(Directory.Exists(outDir));
        // A rule over the segment is refused: the command has no observed segment (the planted one is never a context).
        File.WriteAllText(rules, "{ \"rules\": [\n { \"name\": \"big\", \"when\": [ { \"feature\": \"segment\", \"op\": \"==\", \"value\": 1 } ], " +
            "\"action\": \"exec_call\", \"reason\": \"r\" } ],\n \"default\": { \"action\": \"health_check\", \"reason\": \"x\" } }");
        var (exit, _, err) = WorkbenchProcess.Run(data, "actions", "--model", "m", "--data", data, "--out", outDir, "--rules", rules);
        Assert.Equal(2, exit);
        Assert.Contains(rules + ":2: rule 'big' has a condition on 'segment'", err);
        Assert.False(Directory.Exists(outDir));
    }
}
