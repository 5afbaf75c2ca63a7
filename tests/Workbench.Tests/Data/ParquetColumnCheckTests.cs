using Workbench.Data;
using Workbench.Data.Io;
using Workbench.Domain;

namespace Workbench.Tests.Data;

/// <summary>The Parquet reader checks each row group's cells column by column before the per-row checks, which then look
/// only at the columns with a problem. Bad values in the second row group (and in the first) must still be reported on
/// their own row and column with the value and the expectation, exactly as the CSV reader (which checks cell by cell)
/// reports the same rows.</summary>
public class ParquetColumnCheckTests
{
    static int GroupSize => ParquetTableIo.RowGroupSize;

    /// <summary>Usage over two row groups; the indexes of the planted bad rows.</summary>
    static (CrmDataset Data, int NegativeSeats0, int NegativeSeats1, int NaNUtilization1, int MidMonth1, int Duplicate1) Planted()
    {
        int n = GroupSize + 1234;
        var usage = new UsageRecord[n];
        var month = new DateOnly(2024, 1, 1);
        for (int i = 0; i < n; i++)
            usage[i] = new UsageRecord($"A{i / 12:D7}", "P01", month.AddMonths(i % 12), i % 50,
                i % 2 == 0 ? null : i % 40, i % 2 == 0 ? null : i % 30, i % 2 == 0 ? null : (i % 40) / 50.0, i % 3 == 0 ? null : i);
        int neg0 = 5, neg1 = GroupSize + 7, nan1 = GroupSize + 101, mid1 = GroupSize + 200, dup1 = GroupSize + 301;
        usage[neg0] = usage[neg0] with { SeatsPurchased = -1 };
        usage[neg1] = usage[neg1] with { SeatsPurchased = -3 };
        usage[nan1] = usage[nan1] with { Utilization = double.NaN };
        usage[mid1] = usage[mid1] with { Month = usage[mid1].Month.AddDays(14) };
        usage[dup1] = usage[dup1 - 1] with { SeatsPurchased = 9 }; // same account, product and month as the row before
        var accounts = Enumerable.Range(0, n / 12 + 1).Select(a => new Account($"A{a:D7}", "n", "i", "r", null, "b", null, null, month)).ToArray();
        var ds = new CrmDataset { Accounts = accounts, Products = [new Product("P01", "p", "f", 1.5m, BillingUnit.Seat)], Usage = usage };
        return (ds, neg0, neg1, nan1, mid1, dup1);
    }

    static LoadResult LoadLenient(string dir, DataFormat format) =>
        new CrmCatalog(dir).Load(new LoadOptions { Format = format, Mode = ValidationMode.Lenient, MaxProblems = 100 });

    [Fact]
    public void Bad_values_in_a_later_row_group_are_reported_on_their_row_and_column()
    {
        var (ds, neg0, neg1, nan1, mid1, dup1) = Planted();
        var dir = TestPaths.NewTempDir("pqcolcheck");
        new CrmCatalog(dir).Write(ds, new WriteOptions { Format = DataFormat.Parquet, SkipEmptyTables = true });
        var result = LoadLenient(dir, DataFormat.Parquet);
        var usageFile = Path.Combine(dir, "usage.parquet");
        var problems = result.Report.Problems.Where(p => p.File == usageFile).ToList();

        // Lines are 1-based row numbers, counted across row groups.
        Assert.Equal(
            [
                new DataProblem(usageFile, neg0 + 1, "seats_purchased", "-1", "a value of at least 0"),
                new DataProblem(usageFile, neg1 + 1, "seats_purchased", "-3", "a value of at least 0"),
                new DataProblem(usageFile, nan1 + 1, "utilization", problems[2].Value, "a finite number"),
                new DataProblem(usageFile, mid1 + 1, "month", "2024-" + ds.Usage[mid1].Month.ToString("MM", System.Globalization.CultureInfo.InvariantCulture) + "-15",
                    "the first day of a month (yyyy-MM-01)"),
                new DataProblem(usageFile, dup1 + 1, "account_id, product_id, month", problems[4].Value,
                    $"a unique key (account_id, product_id, month); the same key is on line {dup1}"),
            ], problems);
        Assert.Contains("NaN", problems[2].Value);
        Assert.Equal(ds.Usage.Count - 5, result.Dataset.Usage.Count); // every other row kept, none silently dropped
        Assert.DoesNotContain(result.Dataset.Usage, u => u.SeatsPurchased < 0 || double.IsNaN(u.Utilization ?? 0) || u.Month.Day != 1);
    }

    [Fact]
    public void Parquet_reports_the_same_problems_as_the_cell_by_cell_CSV_reader()
    {
        var (ds, _, _, _, _, _) = Planted();
        var pq = TestPaths.NewTempDir("pqcolcheck-pq");
        var csv = TestPaths.NewTempDir("pqcolcheck-csv");
        new CrmCatalog(pq).Write(ds, new WriteOptions { Format = DataFormat.Parquet, SkipEmptyTables = true });
        new CrmCatalog(csv).Write(ds, new WriteOptions { Format = DataFormat.Csv, SkipEmptyTables = true });
        var fromParquet = LoadLenient(pq, DataFormat.Parquet);
        var fromCsv = LoadLenient(csv, DataFormat.Csv);
        var p = fromParquet.Report.Problems.Where(x => x.File.EndsWith("usage.parquet", StringComparison.Ordinal)).ToList();
        var c = fromCsv.Report.Problems.Where(x => x.File.EndsWith("usage.csv", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, p.Count);
        // CSV lines count the header line; Parquet lines are row numbers (also in the duplicate key's "on line N").
        // Columns and expectations are otherwise the same.
        static string RowNumbers(string expected) => System.Text.RegularExpressions.Regex.Replace(expected, @"on line (\d+)$",
            m => "on line " + (long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(c.Select(x => (x.Line - 1, x.Column, RowNumbers(x.Expected))), p.Select(x => (x.Line, x.Column, x.Expected)));
        Assert.Equal(fromCsv.Dataset.Usage, fromParquet.Dataset.Usage);
    }

    [Fact]
    public void A_strict_load_names_the_bad_cell_of_the_second_row_group()
    {
        var (ds, _, _, _, _, _) = Planted();
        var clean = ds.Usage.Select(u => u with { SeatsPurchased = Math.Max(0, u.SeatsPurchased), Utilization = u.Utilization is double.NaN ? null : u.Utilization,
            Month = new DateOnly(u.Month.Year, u.Month.Month, 1) }).DistinctBy(u => (u.AccountId, u.ProductId, u.Month)).ToArray();
        int bad = GroupSize + 512;
        Assert.True(bad < clean.Length);
        clean[bad] = clean[bad] with { SeatsUsed = -7 };
        var dir = TestPaths.NewTempDir("pqcolcheck-strict");
        new CrmCatalog(dir).Write(ds with { Usage = clean }, new WriteOptions { Format = DataFormat.Parquet, SkipEmptyTables = true });
        var ex = Assert.Throws<DataValidationException>(() => new CrmCatalog(dir).Load(new LoadOptions { Format = DataFormat.Parquet }));
        var problem = Assert.Single(ex.Problems);
        Assert.Equal(new DataProblem(Path.Combine(dir, "usage.parquet"), bad + 1, "seats_used", "-7", "a value of at least 0"), problem);
    }
}
