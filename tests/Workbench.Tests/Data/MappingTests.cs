using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Tests.Data;

public class MappingTests
{
    static string Mapping(string name) => Path.Combine(TestPaths.RepoRoot, "data-samples", "mappings", name);

    [Fact]
    public void Cdnow_maps_to_69659_transactions_of_23570_customers_then_monthly_spend()
    {
        var data = DataImporter.Import(Mapping("cdnow.json"), new ImportOptions { DataDirectory = TestPaths.Dataset("cdnow-lifetimes") });

        Assert.Equal(69_659, data.Transactions.Count);
        Assert.Equal(23_570, data.Transactions.Select(t => t.AccountId).Distinct().Count());
        Assert.Equal(23_570, data.Dataset.Accounts.Count);
        Assert.Equal(["cds"], data.Dataset.Products.Select(p => p.ProductId));
        var tx = data.Report.Tables.Single(t => t.Table == "transactions");
        Assert.Equal((69_659L, 69_659L, 0L), (tx.Read, tx.Accepted, tx.Rejected));
        // Aggregation keeps every dollar and yields one row per customer-month.
        Assert.Equal(data.Transactions.Sum(t => t.Amount), data.Dataset.Spend.Sum(s => s.Amount));
        Assert.Equal(data.Transactions.Select(t => (t.AccountId, t.Date.Year, t.Date.Month)).Distinct().Count(), data.Dataset.Spend.Count);
        Assert.All(data.Dataset.Spend, s => Assert.Equal(1, s.Month.Day));
        // First line of the file: customer 00001 bought on 1997-01-01 for 11.77.
        Assert.Equal(new Transaction("00001", "cds", new DateOnly(1997, 1, 1), 11.77m), data.Transactions[0]);
        Assert.Equal(new DateOnly(1997, 1, 1), data.Dataset.Accounts[0].CreatedDate);
    }

    [Fact]
    public void Telco_loads_7043_accounts_with_1869_churned_and_blank_total_charges_as_nulls()
    {
        var data = DataImporter.Import(Mapping("telco.json"), new ImportOptions { DataDirectory = TestPaths.Dataset("ibm-telco-customer-churn") });

        Assert.Equal(7_043, data.Dataset.Accounts.Count);
        var attrs = data.AccountAttributes!;
        Assert.Equal(data.Dataset.Accounts.Select(a => a.AccountId), attrs.AccountIds);
        Assert.Equal(1_869, attrs["churned"].Values.Count(v => v is true));
        Assert.Equal(7_043 - 1_869, attrs["churned"].Values.Count(v => v is false));
        var total = attrs["total_charges"].Values;
        Assert.Equal(11, total.Count(v => v is null));
        Assert.All(total.Select((v, i) => (v, i)).Where(x => x.v is null), x => Assert.Equal(0, attrs["tenure_months"].Values[x.i]));
        Assert.False(data.Report.HasProblems);
        Assert.Equal("7590-VHVEG", data.Dataset.Accounts[0].AccountId);
        Assert.Equal(new DateOnly(2017, 12, 1), data.Dataset.Accounts[0].CreatedDate); // tenure 1 month before 2018-01-01
        Assert.Empty(data.Dataset.Spend);
    }

    [Fact]
    public void A_mapped_canonical_result_round_trips_through_the_catalog()
    {
        var data = DataImporter.Import(Mapping("cdnow.json"), new ImportOptions { DataDirectory = TestPaths.Dataset("cdnow-lifetimes") });
        var dir = TestPaths.NewTempDir("cdnow-canonical");
        var catalog = new CrmCatalog(dir);
        catalog.Write(data.Dataset, new WriteOptions { Format = DataFormat.Parquet, SkipEmptyTables = true });
        var (loaded, report) = catalog.Load();
        Assert.Equal(["accounts", "products", "spend", "transactions"], report.FoundTables);
        Assert.Equal(data.Dataset.Spend, loaded.Spend);
        Assert.Equal(data.Dataset.Transactions, loaded.Transactions);
    }

    [Fact]
    public void Bad_transaction_rows_name_file_line_source_column_value_and_format_and_lenient_mode_writes_them()
    {
        var dir = TestPaths.NewTempDir("byo-bad");
        File.WriteAllText(Path.Combine(dir, "tx.txt"), "cust;day;eur\n7;03.02.2024;1.234,50\n8;2024-02-30;5\n9;04.02.2024;-1\n");
        var mapping = new DataMapping
        {
            Transactions = new MappedSource
            {
                File = "tx.txt", Delimiter = ";", DateFormats = ["dd.MM.yyyy"], DecimalSeparator = ",", ThousandsSeparator = ".",
                Columns = new() { ["account_id"] = new("cust"), ["date"] = new("day"), ["amount"] = new("eur") },
            },
        };
        var ex = Assert.Throws<DataValidationException>(() => DataImporter.Import(mapping, new ImportOptions { DataDirectory = dir, RejectsDirectory = Path.Combine(dir, "rej") }));
        Assert.Contains("tx.txt:3, column 'day': value '2024-02-30': a date in dd.MM.yyyy (invariant culture)", ex.Message);
        Assert.Contains("tx.txt:4, column 'eur': value '-1'", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(dir, "rej")));

        var lenient = DataImporter.Import(mapping, new ImportOptions { DataDirectory = dir, Mode = ValidationMode.Lenient, RejectsDirectory = Path.Combine(dir, "rej") });
        Assert.Equal([new Transaction("7", "all", new DateOnly(2024, 2, 3), 1234.50m)], lenient.Transactions);
        var rejects = File.ReadAllLines(Path.Combine(dir, "rej", "transactions.rejects.csv"));
        Assert.Equal(3, rejects.Length);
        Assert.StartsWith("3,", rejects[1]);
        Assert.EndsWith(",8;2024-02-30;5", rejects[1]);
    }
}
