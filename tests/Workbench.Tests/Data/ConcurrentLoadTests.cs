using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Tests.Data;

/// <summary>The truth tables are read on the load's threads beside the canonical tables (not after them); the load must
/// report exactly as when they were read after: canonical problems first, a strict load that stops at canonical problems
/// never reports the truth's, and the same rows either way.</summary>
public class ConcurrentLoadTests
{
    /// <summary>The small fixture with one duplicated spend row and one duplicated truth/risks row (a problem in each).</summary>
    static string DatasetWithProblems(DataFormat format, bool badSpend)
    {
        var dir = TestPaths.NewTempDir("concurrent-load");
        var ds = CrmFixture.Small();
        new CrmCatalog(dir).Write(ds with
        {
            Spend = badSpend ? [.. ds.Spend, ds.Spend[0]] : ds.Spend,
            Truth = ds.Truth! with { Risks = [.. ds.Truth!.Risks, ds.Truth.Risks[0]] },
        }, new WriteOptions { Format = format });
        return dir;
    }

    [Theory]
    [InlineData(DataFormat.Csv)]
    [InlineData(DataFormat.Parquet)]
    public void A_strict_load_with_canonical_problems_reports_only_those(DataFormat format)
    {
        var dir = DatasetWithProblems(format, badSpend: true);
        var ex = Assert.Throws<DataValidationException>(() => new CrmCatalog(dir).Load(new LoadOptions { Format = format }));
        var problem = Assert.Single(ex.Problems);
        Assert.Equal(Path.Combine(dir, "spend" + CrmCatalog.Extension(format)), problem.File);
        Assert.Contains("a unique key", problem.Expected);
    }

    [Theory]
    [InlineData(DataFormat.Csv)]
    [InlineData(DataFormat.Parquet)]
    public void A_strict_load_reports_a_truth_problem_once_the_canonical_tables_are_clean(DataFormat format)
    {
        var dir = DatasetWithProblems(format, badSpend: false);
        var ex = Assert.Throws<DataValidationException>(() => new CrmCatalog(dir).Load(new LoadOptions { Format = format }));
        var problem = Assert.Single(ex.Problems);
        Assert.Equal(Path.Combine(dir, "truth", "risks" + CrmCatalog.Extension(format)), problem.File);
        Assert.Contains("a unique key", problem.Expected);
        // Without the truth, the same folder loads.
        var (loaded, report) = new CrmCatalog(dir).Load(new LoadOptions { Format = format, IncludeTruth = false });
        Assert.False(report.HasProblems);
        Assert.Null(loaded.Truth);
    }

    [Fact]
    public void A_lenient_load_lists_canonical_problems_then_the_truths_and_keeps_the_same_rows()
    {
        var dir = DatasetWithProblems(DataFormat.Parquet, badSpend: true);
        var expected = CrmFixture.Small();
        var (ds, report) = new CrmCatalog(dir).Load(new LoadOptions { Format = DataFormat.Parquet, Mode = ValidationMode.Lenient });

        Assert.Equal(2, report.Problems.Count);
        Assert.EndsWith("spend.parquet", report.Problems[0].File);
        Assert.EndsWith(Path.Combine("truth", "risks.parquet"), report.Problems[1].File);
        // Canonical tables in schema order, then the truth tables, then the manifest.
        Assert.Equal(CrmSchema.Tables.Select(t => t.Name)
                .Concat(TruthSchema.Tables.Select(t => "truth/" + t.Name)).Append("truth/manifest"),
            report.Tables.Select(t => t.Table));
        Assert.Equal(expected.Spend, ds.Spend);
        Assert.Equal(expected.Truth!.Risks, ds.Truth!.Risks);
        Assert.Equal(expected.Truth.Segments, ds.Truth.Segments);
        Assert.True(File.Exists(Path.Combine(dir, "rejects", "truth", "risks.rejects.csv")));
        Assert.True(File.Exists(Path.Combine(dir, "rejects", "spend.rejects.csv")));
    }
}
