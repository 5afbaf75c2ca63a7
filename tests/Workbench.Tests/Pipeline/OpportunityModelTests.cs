using Workbench.Analytics.Pipeline;
using Workbench.Domain;
using Xunit.Abstractions;

namespace Workbench.Tests.Pipeline;

[Collection(PipelineCollection.Name)]
public sealed class OpportunityModelTests(PipelineFixture fx, ITestOutputHelper output)
{
    [Fact]
    public void Win_auc_is_within_three_points_of_the_oracle_from_planted_win_probabilities()
    {
        var e = fx.Evaluation;
        output.WriteLine(e.ToText());
        foreach (var b in e.Reliability) output.WriteLine($"reliability: predicted {b.MeanPredicted:0.000} observed {b.ObservedRate:0.000} n={b.Count}");
        Assert.NotNull(e.OracleWinAuc);
        Assert.True(e.WinAuc >= e.OracleWinAuc!.Value - 0.03, $"win AUC {e.WinAuc:0.000} vs oracle {e.OracleWinAuc:0.000}");
    }
}

[Collection(PipelineCollection.Name)]
public sealed class StageDebugTests(PipelineFixture fx, ITestOutputHelper output)
{
    [Fact]
    public void Debug_confusion()
    {
        var t = fx.Frame.Table;
        var scores = fx.Model.Score(t, fx.Frame.Index);
        var m = new int[4, 4];
        for (int r = 0; r < t.RowCount; r++)
        {
            var s = t.Snapshots[r];
            if (s.AsOf < fx.Model.SplitDate || s.Kind != SnapshotKind.Weekly || !fx.Frame.Truth!.TryGetValue((s.OpportunityId, s.AsOf), out var tr)) continue;
            m[(int)tr.Stage, scores[r].SupportedStage]++;
        }
        for (int i = 0; i < 4; i++) output.WriteLine($"{m[i, 0]} {m[i, 1]} {m[i, 2]} {m[i, 3]}");
        output.WriteLine(string.Join(" ", scores[100].StageProbabilities));
    }
}
