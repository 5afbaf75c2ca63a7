using System.Text.Json;
using Workbench.Cli.Commands;

namespace Workbench.Tests.Pipeline;

/// <summary>A 10-month deals history through the CLI: refused with the reason when the held-out months leave too few
/// closed deals, or trained into a usable model whose trees and weak-model flag are recorded; never a silent one-tree model.</summary>
public class ShortDealsHistoryTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliCapture.Run(args);

    [Fact]
    public void A_ten_month_deals_history_is_refused_with_the_reason_or_trains_a_model_that_is_not_weak()
    {
        var dir = TestPaths.NewTempDir("deals-10-months");
        var data = Path.Combine(dir, "data");
        Assert.Equal(0, Run("generate", "--accounts", "100", "--months", "10", "--seed", "5", "--out", data).Code);

        // Default: 12 held-out months leave nothing to train on; the refusal says so and what to change.
        var (code, _, err) = Run("pipeline", "--data", data, "--out", Path.Combine(dir, "p12"));
        Assert.Equal(2, code);
        Assert.Contains("opportunities closed before", err);
        Assert.Contains("too few to train. Lower TestMonths or bring more history", err);
        Assert.False(Directory.Exists(Path.Combine(dir, "p12")));

        // Three held-out months: a usable model; its tree count and weak-model flag are in the metrics.
        var outDir = Path.Combine(dir, "p3");
        var (ok, stdout, okErr) = Run("pipeline", "--data", data, "--out", outDir, "--test-months", "3");
        Assert.True(ok == 0, okErr);
        using var m = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "pipeline-metrics.json")));
        var trees = m.RootElement.GetProperty("win.trees").GetInt32();
        var weak = m.RootElement.GetProperty("win.weak_model").GetInt32();
        Assert.True(trees > 1, $"{trees} trees");
        Assert.Equal(0, weak);
        Assert.True(m.RootElement.GetProperty("win_auc").GetDouble() > 0.7);
        Assert.DoesNotContain("warning: weak win model", stdout);
    }
}
