using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Tests.Data;

public class RoundTripTests
{
    static void AssertSameDataset(CrmDataset expected, CrmDataset actual)
    {
        Assert.Equal(expected.Accounts, actual.Accounts);
        Assert.Equal(expected.Products, actual.Products);
        Assert.Equal(expected.Contracts, actual.Contracts);
        Assert.Equal(expected.Spend, actual.Spend);
        Assert.Equal(expected.Usage, actual.Usage);
        Assert.Equal(expected.Engagement, actual.Engagement);
        Assert.Equal(expected.Bookings, actual.Bookings);
        Assert.Equal(expected.Reps, actual.Reps);
        Assert.Equal(expected.Book, actual.Book);
        Assert.Equal(expected.Opportunities, actual.Opportunities);
        Assert.Equal(expected.StageHistory, actual.StageHistory);
        Assert.Equal(expected.Actions, actual.Actions);
        Assert.Equal(expected.Transactions, actual.Transactions);
        Assert.Equal(expected.OpportunityActivities, actual.OpportunityActivities);
        Assert.NotNull(actual.Truth);
        Assert.Equal(expected.Truth!.Manifest, actual.Truth!.Manifest);
        Assert.Equal(expected.Truth.Rollout, actual.Truth.Rollout);
        Assert.Equal(expected.Truth.Risks, actual.Truth.Risks);
        Assert.Equal(expected.Truth.Segments, actual.Truth.Segments);
        Assert.Equal(expected.Truth.RepSkills, actual.Truth.RepSkills);
        Assert.Equal(expected.Truth.RepBiases, actual.Truth.RepBiases);
        Assert.Equal(expected.Truth.ActionResponses, actual.Truth.ActionResponses);
        Assert.Equal(expected.Truth.OpportunityWeeks, actual.Truth.OpportunityWeeks);
        Assert.Equal(expected.Truth.ActionValues, actual.Truth.ActionValues);
    }

    [Theory]
    [InlineData(DataFormat.Csv)]
    [InlineData(DataFormat.Parquet)]
    public void Every_table_and_the_truth_survive_a_write_and_a_strict_load(DataFormat format)
    {
        var dir = TestPaths.NewTempDir("roundtrip");
        var ds = CrmFixture.Small();
        var catalog = new CrmCatalog(dir);
        catalog.Write(ds, new WriteOptions { Format = format });

        var (loaded, report) = catalog.Load(new LoadOptions { Format = format });

        AssertSameDataset(ds, loaded);
        Assert.False(report.HasProblems);
        Assert.Equal(CrmSchema.Tables.Select(t => t.Name), report.FoundTables.Take(CrmSchema.Tables.Count));
        Assert.Equal(ds.Spend.Count, report.Tables.Single(t => t.Table == "spend").Accepted);
        // Decimals keep their value; nulls stay null; the empty string stays empty.
        Assert.Null(loaded.Usage[1].SeatsUsed);
        Assert.Equal("", loaded.Accounts[2].Name);
        Assert.Null(loaded.Accounts[0].ParentAccountId);
    }

    [Theory]
    [InlineData(DataFormat.Csv)]
    [InlineData(DataFormat.Parquet)]
    public void Writing_the_same_dataset_twice_gives_identical_bytes(DataFormat format)
    {
        var a = TestPaths.NewTempDir("bytes-a");
        var b = TestPaths.NewTempDir("bytes-b");
        new CrmCatalog(a).Write(CrmFixture.Small(), new WriteOptions { Format = format });
        new CrmCatalog(b).Write(CrmFixture.Small(), new WriteOptions { Format = format });
        new CrmCatalog(a).Write(CrmFixture.Small(), new WriteOptions { Format = format }); // rewrite over itself

        var filesA = Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order().ToList();
        var filesB = Directory.GetFiles(b, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).Order().ToList();
        Assert.Equal(filesB, filesA);
        Assert.Equal(CrmSchema.Tables.Count + 7 + 1, filesA.Count); // every table, the truth files and the manifest; no temp files left behind
        foreach (var f in filesA)
            Assert.True(File.ReadAllBytes(Path.Combine(a, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, f))), f);
    }

    [Fact]
    public void Csv_text_is_canonical_invariant_and_quoted_per_rfc_4180()
    {
        var dir = TestPaths.NewTempDir("canonical");
        new CrmCatalog(dir).Write(CrmFixture.Small());
        var accounts = File.ReadAllText(Path.Combine(dir, "accounts.csv"));
        Assert.StartsWith("account_id,name,industry,region,employees,revenue_band,founded_year,parent_account_id,created_date\n", accounts);
        Assert.Contains("A1,\"Acme, Inc.\",manufacturing,emea,1200,100m-1b,1950,,2020-01-15\n", accounts);
        Assert.Contains("A2,\"Beta \"\"Quoted\"\" Ltd\",software,amer,,10m-100m,,A1,2021-06-01\n", accounts);
        Assert.Contains("A3,\"\",retail", accounts);
        var spend = File.ReadAllText(Path.Combine(dir, "spend.csv"));
        Assert.Contains("A1,P1,2022-01-01,23812.5\n", spend);
        Assert.Contains("A2,P2,2022-07-01,1100.1234\n", spend);
        Assert.Contains("support_ticket", File.ReadAllText(Path.Combine(dir, "engagement.csv")));
        Assert.Contains("\"Insights\nPlus\"", File.ReadAllText(Path.Combine(dir, "products.csv")));
    }

    [Fact]
    public void Parquet_converted_to_csv_gives_the_same_bytes_as_csv_written_directly()
    {
        var pq = TestPaths.NewTempDir("pq");
        var csvDirect = TestPaths.NewTempDir("csv-direct");
        var csvViaPq = TestPaths.NewTempDir("csv-via-pq");
        new CrmCatalog(pq).Write(CrmFixture.Small(), new WriteOptions { Format = DataFormat.Parquet });
        new CrmCatalog(csvDirect).Write(CrmFixture.Small());
        new CrmCatalog(csvViaPq).Write(new CrmCatalog(pq).Load().Dataset);
        foreach (var t in CrmSchema.Tables)
            Assert.Equal(File.ReadAllText(Path.Combine(csvDirect, t.Name + ".csv")), File.ReadAllText(Path.Combine(csvViaPq, t.Name + ".csv")));
    }

    [Fact]
    public void The_catalog_says_which_tables_it_found()
    {
        var dir = TestPaths.NewTempDir("subset");
        var ds = CrmFixture.Small();
        new CrmCatalog(dir).Write(new CrmDataset { Accounts = ds.Accounts, Spend = ds.Spend }, new WriteOptions { SkipEmptyTables = true });
        var catalog = new CrmCatalog(dir);
        Assert.Equal(["accounts", "spend"], catalog.FindTables(DataFormat.Csv));
        var (loaded, report) = catalog.Load();
        Assert.Equal(["accounts", "spend"], report.FoundTables);
        Assert.Equal(TableStatus.Absent, report.Tables.Single(t => t.Table == "products").Status);
        Assert.Equal(ds.Spend, loaded.Spend); // product_id not checked: products table is absent
        Assert.Null(loaded.Truth);
        Assert.Contains("absent", report.ToText());
    }
}
