using System.Text.Json;
using Workbench.Cli.Commands;

namespace Workbench.Tests.Cli;

/// <summary>The batch commands run in-process on the committed sample, as a newcomer would run them.</summary>
public class PipelineCommandTests
{
    static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");

    static int Run(params string[] args) => CliRunner.InvokeAsync(CliApp.BuildRoot(), args).GetAwaiter().GetResult();

    [Fact]
    public void Generate_writes_the_same_bytes_for_the_same_seed()
    {
        var a = TestPaths.NewTempDir("gen-a"); var b = TestPaths.NewTempDir("gen-b");
        Assert.Equal(0, Run("generate", "--accounts", "120", "--months", "18", "--seed", "5", "--out", a));
        Assert.Equal(0, Run("generate", "--accounts", "120", "--months", "18", "--seed", "5", "--out", b));
        var files = Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order().ToList();
        Assert.Contains(Path.Combine("truth", "risks.csv"), files);
        Assert.Equal(files, Directory.GetFiles(b, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).Order());
        foreach (var f in files) Assert.Equal(File.ReadAllBytes(Path.Combine(a, f)), File.ReadAllBytes(Path.Combine(b, f)));
    }

    [Fact]
    public void The_committed_sample_is_what_its_seed_generates()
    {
        var dir = TestPaths.NewTempDir("sample");
        Assert.Equal(0, Run("generate", "--accounts", "500", "--months", "36", "--seed", "42", "--out", dir));
        foreach (var f in Directory.GetFiles(Sample, "*", SearchOption.AllDirectories))
            Assert.Equal(File.ReadAllBytes(f), File.ReadAllBytes(Path.Combine(dir, Path.GetRelativePath(Sample, f))));
    }

    [Fact]
    public void Features_train_and_explain_write_their_artifacts_on_the_sample()
    {
        var features = TestPaths.NewTempDir("features");
        Assert.Equal(0, Run("features", "--data", Sample, "--out", features));
        using (var registry = JsonDocument.Parse(File.ReadAllText(Path.Combine(features, "feature-registry.json"))))
        {
            var header = File.ReadLines(Path.Combine(features, "features.csv")).First().Split(',');
            var names = registry.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
            Assert.Equal(names, header.Skip(7)); // every column after the keys and label fields is registered, in order
        }
        Assert.True(File.Exists(Path.Combine(features, "label-report.json")));

        var model = TestPaths.NewTempDir("train");
        Assert.Equal(0, Run("train", "--data", Sample, "--out", model));
        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "metrics.json"))))
            foreach (var target in new[] { "churn", "upsell" })
            {
                var m = metrics.RootElement.GetProperty(target);
                foreach (var key in new[] { "auc", "pr_auc", "oracle_auc", "ndcg_at_10", "baseline_ndcg_at_10" })
                    Assert.Equal(JsonValueKind.Number, m.GetProperty(key).ValueKind);
                Assert.InRange(m.GetProperty("auc").GetDouble(), 0.6, 1.0);
            }

        var explain = TestPaths.NewTempDir("explain");
        Assert.Equal(0, Run("explain", "--model", model, "--data", Sample, "--out", explain));
        using var em = JsonDocument.Parse(File.ReadAllText(Path.Combine(explain, "explain-metrics.json")));
        Assert.InRange(em.RootElement.GetProperty("driver_match_top_decile").GetDouble(), 0.5, 1.0);
        using var narratives = JsonDocument.Parse(File.ReadAllText(Path.Combine(explain, "narratives.json")));
        var first = narratives.RootElement[0];
        Assert.False(string.IsNullOrEmpty(first.GetProperty("reasons_for")[0].GetProperty("sentence").GetString()));
    }

    [Fact]
    public void Explain_refuses_a_model_folder_without_its_model_file()
    {
        var empty = TestPaths.NewTempDir("no-model");
        using var capture = ConsoleCapture.Start();
        Assert.Equal(2, Run("explain", "--model", empty, "--data", Sample, "--out", TestPaths.NewTempDir("x")));
        Assert.Contains("prioritizer.model.zip: missing", capture.Err);
    }
}
