using Workbench.Data;
using Workbench.Data.Io;
using Workbench.Domain;

namespace Workbench.Tests.Data;

/// <summary>The direct Parquet column decoder gives the same records as Parquet.Net, decimals with the same scale
/// (compared by text), for every table of the fixture, including nulls and a table spread over several row groups.</summary>
public class ParquetDecoderTests
{
    static CrmDataset Load(string dir, bool parquetNetOnly)
    {
        ParquetTableIo.ParquetNetOnly.Value = parquetNetOnly;
        try { return new CrmCatalog(dir).Load(new LoadOptions { Format = DataFormat.Parquet }).Dataset; }
        finally { ParquetTableIo.ParquetNetOnly.Value = false; }
    }

    static void Same<T>(IReadOnlyList<T> expected, IReadOnlyList<T> actual)
    {
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i]);
            Assert.Equal(expected[i]!.ToString(), actual[i]!.ToString());
        }
    }

    [Fact]
    public void Direct_decoder_matches_ParquetNet_on_every_table()
    {
        var dir = TestPaths.NewTempDir("pqdecode");
        new CrmCatalog(dir).Write(CrmFixture.Small(), new WriteOptions { Format = DataFormat.Parquet });
        var reference = Load(dir, parquetNetOnly: true);
        long before = Interlocked.Read(ref ParquetTableIo.DirectChunks);
        var direct = Load(dir, parquetNetOnly: false);
        Assert.True(Interlocked.Read(ref ParquetTableIo.DirectChunks) - before >= 12, "the direct decoder was not used");
        Same(reference.Accounts, direct.Accounts); Same(reference.Products, direct.Products); Same(reference.Contracts, direct.Contracts);
        Same(reference.Spend, direct.Spend); Same(reference.Usage, direct.Usage); Same(reference.Engagement, direct.Engagement);
        Same(reference.Bookings, direct.Bookings); Same(reference.Reps, direct.Reps); Same(reference.Book, direct.Book);
        Same(reference.Opportunities, direct.Opportunities); Same(reference.StageHistory, direct.StageHistory); Same(reference.Actions, direct.Actions);
        Same(reference.Truth!.Risks, direct.Truth!.Risks);
    }

    [Fact]
    public void Direct_decoder_matches_ParquetNet_across_row_groups_with_nulls()
    {
        // More rows than one row group so the reused column arrays and the group offsets are exercised; every other
        // row has null usage figures.
        int n = ParquetTableIo_RowGroupSize() + 1234;
        var usage = new UsageRecord[n];
        var month = new DateOnly(2024, 1, 1);
        for (int i = 0; i < n; i++)
            usage[i] = new UsageRecord($"A{i / 12:D7}", "P01", month.AddMonths(i % 12), i % 50,
                i % 2 == 0 ? null : i % 40, i % 2 == 0 ? null : i % 30, i % 2 == 0 ? null : (i % 40) / 50.0, i % 3 == 0 ? null : i);
        var accounts = Enumerable.Range(0, n / 12 + 1).Select(a => new Account($"A{a:D7}", "n", "i", "r", null, "b", null, null, month)).ToArray();
        var ds = new CrmDataset { Accounts = accounts, Products = [new Product("P01", "p", "f", 1.5m, BillingUnit.Seat)], Usage = usage };
        var dir = TestPaths.NewTempDir("pqgroups");
        new CrmCatalog(dir).Write(ds, new WriteOptions { Format = DataFormat.Parquet, SkipEmptyTables = true });
        var reference = Load(dir, parquetNetOnly: true);
        var direct = Load(dir, parquetNetOnly: false);
        Same(reference.Usage, direct.Usage);
        Same(reference.Accounts, direct.Accounts);
        Assert.Equal(usage, direct.Usage);
    }

    static int ParquetTableIo_RowGroupSize() => ParquetTableIo.RowGroupSize;
}
