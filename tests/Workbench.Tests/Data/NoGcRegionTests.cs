using System.Runtime;
using Workbench.Data.Io;
using Workbench.Experiments.Scoring;
using Workbench.Tests.Scoring;

namespace Workbench.Tests.Data;

/// <summary>The no-GC region scoring holds from its load to its writing. The region is the process's, so these tests run
/// alone (no other test allocating beside them).</summary>
[Collection(Name)]
public class NoGcRegionTests
{
    public const string Name = "no-GC region";

    [Fact]
    public void A_granted_region_holds_off_collections_until_disposed()
    {
        int gen0 = GC.CollectionCount(0);
        var kept = new List<byte[]>();
        using (var region = NoGcRegion.Begin(64_000_000))
        {
            Assert.True(region.Granted);
            Assert.True(region.Holding);
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            gen0 = GC.CollectionCount(0);
            for (int i = 0; i < 200; i++) kept.Add(new byte[8_000]); // 1.6 MB of small objects
            Assert.Equal(gen0, GC.CollectionCount(0));
            Assert.True(region.Holding);
        }
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        GC.KeepAlive(kept);
    }

    /// <summary>A region of 16 MB that 64 MB of kept large arrays ended; the arrays are returned to be kept alive.</summary>
    static (NoGcRegion Region, List<byte[]> Kept) EndedByTheRuntime()
    {
        var region = NoGcRegion.Begin(16_000_000);
        Assert.True(region.Granted);
        var kept = new List<byte[]>();
        for (int i = 0; i < 64; i++) kept.Add(new byte[1_000_000]);
        Assert.False(region.Holding);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        return (region, kept);
    }

    [Fact]
    public void Allocating_past_the_budget_ends_the_region_and_disposing_it_then_is_quiet()
    {
        var (region, kept) = EndedByTheRuntime();
        region.Dispose();
        region.Dispose();
        Assert.False(region.Holding);
        GC.KeepAlive(kept);
    }

    [Fact]
    public void A_region_begun_inside_another_is_not_granted_and_leaves_the_outer_one_holding()
    {
        using var outer = NoGcRegion.Begin(32_000_000);
        Assert.True(outer.Granted);
        var inner = NoGcRegion.Begin(8_000_000);
        Assert.False(inner.Granted);
        Assert.False(inner.Holding);
        inner.Dispose();
        Assert.True(outer.Holding);
        outer.Dispose();
        Assert.False(outer.Holding);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void A_region_the_runtime_ended_does_not_end_a_later_one_when_disposed()
    {
        var (first, kept) = EndedByTheRuntime();
        using var second = NoGcRegion.Begin(32_000_000);
        Assert.True(second.Granted);
        Assert.False(first.Holding);
        first.Dispose();
        Assert.True(second.Holding);
        Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        second.Dispose();
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        GC.KeepAlive(kept);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue / 4)] // more than a third of any machine's memory
    public void A_budget_that_is_not_positive_or_too_large_for_the_machine_holds_nothing(long budget)
    {
        using var region = NoGcRegion.Begin(budget);
        Assert.False(region.Granted);
        Assert.False(region.Holding);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void The_scoring_budget_is_24_bytes_per_byte_of_the_parquet_tables_it_reads_and_256_MB_and_none_for_csv()
    {
        var csv = TestPaths.NewTempDir("nogc-csv");
        var parquet = TestPaths.NewTempDir("nogc-parquet");
        var data = CrmFixture.Small();
        new Workbench.Data.CrmCatalog(csv).Write(data);
        new Workbench.Data.CrmCatalog(parquet).Write(data, new Workbench.Data.WriteOptions { Format = Workbench.Data.DataFormat.Parquet });
        Assert.Equal(0, BatchScoring.NoGcBudget(csv, withActions: false));
        long Bytes(params string[] tables) => tables.Sum(t => new FileInfo(Path.Combine(parquet, t + ".parquet")) is { Exists: true } f ? f.Length : 0);
        string[] read = ["accounts", "products", "reps", "book", "contracts", "spend", "usage", "engagement", "bookings", "opportunities", "transactions"];
        Assert.Equal(24 * Bytes(read) + BatchScoring.NoGcFixedBytes, BatchScoring.NoGcBudget(parquet, withActions: false));
        Assert.Equal(24 * Bytes([.. read, "stage_history", "actions", "opportunity_activities"]) + BatchScoring.NoGcFixedBytes, BatchScoring.NoGcBudget(parquet, withActions: true));
    }

    sealed class Parts : IProgress<string>, IStagePartTimings
    {
        public List<string> Lines { get; } = [];
        public void Report(string value) { }
        public void Part(string part, double seconds) => Lines.Add(part);
    }

    [Fact]
    public void Scoring_parquet_data_holds_the_region_to_the_writing_and_writes_what_scoring_the_same_csv_writes()
    {
        using var fx = new ScoringFixture();
        var parquet = TestPaths.NewTempDir("nogc-score-data");
        new Workbench.Data.CrmCatalog(parquet).Write(new Workbench.Data.CrmCatalog(ScoringFixture.Sample).Load().Dataset,
            new Workbench.Data.WriteOptions { Format = Workbench.Data.DataFormat.Parquet });
        var root = TestPaths.NewTempDir("nogc-score");
        string fromCsv = Path.Combine(root, "csv"), fromParquet = Path.Combine(root, "parquet");
        BatchScoring.Run(fx.Store, "prod", ScoringFixture.Sample, fromCsv);
        var parts = new Parts();
        BatchScoring.Run(fx.Store, "prod", parquet, fromParquet, new ScoringOptions(), parts);
        long budget = BatchScoring.NoGcBudget(parquet, withActions: false);
        Assert.True(parts.Lines.Contains($"no-GC region of {budget / 1_000_000:N0} MB: held to the writing"), string.Join(" | ", parts.Lines));
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        var files = Directory.GetFiles(fromCsv, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(fromCsv, f)).Order().ToList();
        Assert.Contains("book.json", files);
        Assert.Equal(files, Directory.GetFiles(fromParquet, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(fromParquet, f)).Order());
        foreach (var f in files)
            Assert.True(File.ReadAllBytes(Path.Combine(fromCsv, f)).SequenceEqual(File.ReadAllBytes(Path.Combine(fromParquet, f))), f + " differs");
    }
}

[CollectionDefinition(NoGcRegionTests.Name, DisableParallelization = true)]
public sealed class NoGcRegionCollection;
