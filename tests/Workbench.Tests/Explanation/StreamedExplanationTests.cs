using Workbench.Analytics.Explanation;
using Workbench.Analytics.Ranking;
using Workbench.Experiments.Artifacts;
using Workbench.Tests.Ranking;

namespace Workbench.Tests.Explanation;

/// <summary>A batch explanation streams its narratives to the files chunk by chunk on several threads; the files must be
/// the bytes the in-memory explanation writes, whatever the chunk size, thread count and window.</summary>
[Collection("generated ranking")]
public class StreamedExplanationTests(GeneratedRankingFixture fx)
{
    static string? _inMemory;

    /// <summary>The in-memory explanation of the latest test month, written by the non-streaming writer (once per run).</summary>
    string InMemory()
    {
        if (_inMemory is not null) return _inMemory;
        var dir = TestPaths.NewTempDir("explain-in-memory");
        ExplanationArtifacts.Write(ExplanationStage.Run(fx.Result, fx.Features, fx.Data), dir);
        return _inMemory = dir;
    }

    (ExplanationSummary Summary, string Dir) Streamed(ExplanationChunking chunking, long writebackEvery = ExplanationArtifacts.WritebackEvery)
    {
        var table = fx.Features.Features;
        var trainMonths = fx.Result.Split.TrainMonths.ToHashSet();
        var trainRows = Enumerable.Range(0, table.RowCount).Where(i => trainMonths.Contains(table.Snapshots[i].AsOfMonth)).ToArray();
        var background = TrainingSet.ChurnAndUpsell(table, trainRows, fx.Features.Labels);
        var dir = TestPaths.NewTempDir("explain-streamed");
        var (summary, _) = ExplanationArtifacts.WriteStreamed(dir, files => ExplanationStage.Stream(fx.Result.ChurnModel, background.Churn,
            fx.Result.UpsellModel, background.Upsell, fx.Features, fx.Result.Split.TestMonths[^1], fx.Data, null, files.Format, files.Append, chunking: chunking), writebackEvery: writebackEvery);
        return (summary, dir);
    }

    [Theory]
    [InlineData(1, 1, 1)]        // a chunk per account, one thread, nothing ahead
    [InlineData(7, 3, 2)]        // small chunks, more threads than cores
    [InlineData(1024, -1, 4)]    // the default
    [InlineData(1_000_000, 2, 4)] // one chunk
    [InlineData(1024, -1, 4, 4096)] // the default, with the files' writeback started every 4 KB (8 MB in a run)
    public void Streamed_files_are_the_in_memory_explanations_bytes(int chunkRows, int workers, int window, long writebackEvery = ExplanationArtifacts.WritebackEvery)
    {
        var expected = InMemory();
        var (summary, actual) = Streamed(new ExplanationChunking(chunkRows, workers, window), writebackEvery);
        foreach (var file in new[] { ExplanationArtifacts.NarrativesFile, ExplanationArtifacts.TextFile, ExplanationArtifacts.ImportanceFile, ExplanationArtifacts.MetricsFile })
        {
            var (a, b) = (File.ReadAllBytes(Path.Combine(expected, file)), File.ReadAllBytes(Path.Combine(actual, file)));
            Assert.True(a.Length > 2, $"{file} is empty");
            Assert.True(a.AsSpan().SequenceEqual(b), $"{file}: {b.Length:N0} bytes streamed, {a.Length:N0} in memory; first difference at byte " +
                $"{Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(i => a[i] != b[i], Math.Min(a.Length, b.Length))}");
        }
        Assert.Empty(Directory.GetFiles(actual, ".*")); // no temporary file left behind
        Assert.NotNull(summary.ChurnFidelity);
        Assert.True(summary.RowsExplained > 1000, $"{summary.RowsExplained} rows");
    }

    [Fact]
    public void A_failing_chunk_leaves_no_narrative_file()
    {
        var table = fx.Features.Features;
        var dir = TestPaths.NewTempDir("explain-fails");
        var background = TrainingSet.ChurnAndUpsell(table, Enumerable.Range(0, 2000).ToArray(), fx.Features.Labels);
        int written = 0;
        var ex = Assert.Throws<InvalidOperationException>(() => ExplanationArtifacts.WriteStreamed(dir, files => ExplanationStage.Stream(fx.Result.ChurnModel,
            background.Churn, fx.Result.UpsellModel, background.Upsell, fx.Features, fx.Result.Split.TestMonths[^1], fx.Data, null,
            chunk => chunk.Index == 5 ? throw new InvalidOperationException("chunk 5 failed") : files.Format(chunk),
            chunk => { written++; files.Append(chunk); }, chunking: new ExplanationChunking(64, 2, 2)), writebackEvery: 1024));
        Assert.Equal("chunk 5 failed", ex.Message);
        Assert.InRange(written, 0, 5); // none from the failed chunk on (their writeback, every 1 KB, was started)
        Assert.Empty(Directory.GetFiles(dir)); // neither the files nor their temporary copies
    }
}
