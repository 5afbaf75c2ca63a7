using System.Globalization;
using System.Text;
using System.Text.Json;
using Workbench.Cli.Commands;
using Workbench.Data;
using Workbench.Data.Generation;
using Workbench.Domain;

namespace Workbench.Tests.Data;

/// <summary><c>workbench import</c> and mappings as a new user meets them: the sample mappings through the CLI,
/// the import report, totals in strict errors, misspelled keys with the mapping's line, an order-line export.</summary>
public class ImportCommandTests
{
    static string Mapping(string name) => Path.Combine(TestPaths.RepoRoot, "data-samples", "mappings", name);

    static (int Code, string Out, string Err) Run(params string[] args) => CliCapture.Run(args);

    static JsonElement Table(JsonDocument report, string table) => report.RootElement.GetProperty("tables").GetProperty(table);

    [Theory]
    [InlineData("telco.json", "ibm-telco-customer-churn", "accounts", 7_043L, 7_043L)]
    [InlineData("cdnow_sample.json", "cdnow-lifetimes", "transactions", 6_919L, 2_357L)]
    [InlineData("wholesale.json", "uci-wholesale-customers", "accounts", 440L, 440L)]
    public void The_sample_mappings_import_through_the_cli_with_an_import_report(string mapping, string dataset, string sourceTable, long read, long accounts)
    {
        var outDir = TestPaths.NewTempDir("import-" + mapping);
        var (code, stdout, err) = Run("import", "--mapping", Mapping(mapping), "--source", TestPaths.Dataset(dataset), "--out", outDir);
        Assert.True(code == 0, err);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "import-report.json")));
        var t = Table(report, sourceTable);
        Assert.Equal(read, t.GetProperty("read").GetInt64());
        Assert.Equal(read, t.GetProperty("accepted").GetInt64());
        Assert.Equal(0, t.GetProperty("rejected").GetInt64());
        Assert.Equal(JsonValueKind.Array, report.RootElement.GetProperty("derived").ValueKind);
        Assert.Equal(accounts, Table(report, "accounts").GetProperty("rows").GetInt64());
        var (loaded, _) = new CrmCatalog(outDir).Load();
        Assert.Equal(accounts, loaded.Accounts.Count);
        Assert.DoesNotContain(loaded.Accounts, a => a.CreatedDate.Year == 1900);
        Assert.Contains("report: ", stdout);
    }

    [Fact]
    public void Telco_and_wholesale_attributes_are_written_beside_the_tables_and_wholesale_gets_row_ids_and_region_names()
    {
        var outDir = TestPaths.NewTempDir("import-wholesale-attrs");
        Assert.Equal(0, Run("import", "--mapping", Mapping("wholesale.json"), "--source", TestPaths.Dataset("uci-wholesale-customers"), "--out", outDir).Code);
        var lines = File.ReadAllLines(Path.Combine(outDir, AttributeTableCsv.FileName));
        Assert.Equal("account_id,channel,fresh,milk,grocery,frozen,detergents_paper,delicassen", lines[0]);
        Assert.Equal("1,Retail,12669,9656,7561,214,2674,1338", lines[1]);
        Assert.Equal(441, lines.Length);
        var (loaded, _) = new CrmCatalog(outDir).Load();
        Assert.Equal(Enumerable.Range(1, 440).Select(i => i.ToString(CultureInfo.InvariantCulture)), loaded.Accounts.Select(a => a.AccountId));
        Assert.Equal(["Lisbon", "Oporto", "Other"], loaded.Accounts.Select(a => a.Region).Distinct().Order());
    }

    [Fact]
    public void A_strict_import_of_many_bad_rows_states_the_totals_and_writes_nothing()
    {
        var dir = TestPaths.NewTempDir("import-many-bad");
        var sb = new StringBuilder("customer,day,amount\n");
        for (int i = 0; i < 30; i++) sb.Append(CultureInfo.InvariantCulture, $"c{i},2024-13-01,5\n");
        sb.Append("c99,2024-01-01,5\n");
        File.WriteAllText(Path.Combine(dir, "orders.csv"), sb.ToString());
        File.WriteAllText(Path.Combine(dir, "m.json"),
            """{ "transactions": { "file": "orders.csv", "columns": { "account_id": "customer", "date": "day", "amount": "amount" } } }""");
        var outDir = Path.Combine(dir, "out");
        var (code, _, err) = Run("import", "--mapping", Path.Combine(dir, "m.json"), "--out", outDir);
        Assert.Equal(2, code);
        Assert.Contains("30 rows rejected (30 problems); the first 20 shown:", err);
        Assert.Contains("orders.csv:2, column 'day': value '2024-13-01': a date in yyyy-MM-dd", err);
        Assert.False(Directory.Exists(outDir));

        var (lenientCode, stdout, _) = Run("import", "--mapping", Path.Combine(dir, "m.json"), "--out", outDir, "--lenient", "--rejects", Path.Combine(dir, "rej"));
        Assert.Equal(0, lenientCode);
        Assert.Contains("30 rows rejected", stdout);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "import-report.json")));
        var t = Table(report, "transactions");
        Assert.Equal((31L, 1L, 30L), (t.GetProperty("read").GetInt64(), t.GetProperty("accepted").GetInt64(), t.GetProperty("rejected").GetInt64()));
        Assert.Equal(30, t.GetProperty("rejected_by_reason").GetProperty("day: a date in yyyy-MM-dd (invariant culture)").GetInt64());
        Assert.Equal(31, File.ReadAllLines(Path.Combine(dir, "rej", "transactions.rejects.csv")).Length);
    }

    [Fact]
    public void A_misspelled_mapping_key_gets_a_did_you_mean_with_the_mapping_line_and_validate_reports_it()
    {
        var dir = TestPaths.NewTempDir("import-typo");
        File.WriteAllText(Path.Combine(dir, "orders.csv"), "customer,day,amount\nc1,2024-01-01,5\n");
        var path = Path.Combine(dir, "typo.json");
        File.WriteAllText(path, "{\n  \"transactions\": {\n    \"file\": \"orders.csv\",\n    \"dateFormat\": [\"yyyy-MM-dd\"],\n" +
            "    \"columns\": { \"account_id\": \"customer\", \"date\": \"day\", \"amount\": \"amount\",\n      \"acount_name\": \"x\" }\n  }\n}\n");
        var ex = Assert.Throws<OptionsValidationException>(() => DataMapping.Load(path));
        Assert.Contains("typo.json:4: unknown key 'dateFormat' in the transactions source (did you mean 'dateFormats'?)", ex.Message);
        Assert.Contains("typo.json:6: unknown canonical column 'acount_name' in transactions.columns", ex.Message);

        var (code, _, err) = Run("validate", path);
        Assert.Equal(2, code);
        Assert.Contains("did you mean 'dateFormats'?", err);

        File.WriteAllText(path, """{ "transactions": { "file": "orders.csv", "columns": { "account_id": "custmer", "date": "day", "amount": "amount" } } }""");
        var (code2, _, err2) = Run("validate", path);
        Assert.Equal(2, code2);
        Assert.Contains("orders.csv:1, column 'custmer'", err2);
        Assert.Contains("did you mean 'customer'?", err2);

        File.WriteAllText(path, """{ "transactions": { "file": "orders.csv", "columns": { "account_id": "customer", "date": "day", "amount": "amount" } } }""");
        var (ok, stdout, _) = Run("validate", path);
        Assert.Equal(0, ok);
        Assert.Contains("mapping ok", stdout);
    }

    [Fact]
    public void An_accounts_source_without_a_created_date_is_refused_instead_of_getting_1900()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => DataMapping.Parse(
            """{ "accounts": { "file": "a.csv", "columns": { "account_id": "id" } } }"""));
        Assert.Contains("'created_date' must be mapped or derived explicitly", ex.Message);
        Assert.StartsWith("mapping:1: accounts:", ex.Message);  // the mapping's line of the source
        Assert.Contains("first_transaction", ex.Message);
    }

    /// <summary>A generated dataset exported as a denormalized order-line file (one line per account, product and
    /// month, with the account's and product's attributes repeated, a few void lines and one conflicting line)
    /// imports back through one mapping into accounts, products and spend equal to the originals on every exported column.</summary>
    [Fact]
    public void A_generated_dataset_exported_as_order_lines_imports_back_to_equal_tables()
    {
        var data = CrmGenerator.Generate(new GeneratorOptions { Accounts = 40, Months = 12, Seed = 7 });
        var dir = TestPaths.NewTempDir("order-lines");
        var accounts = data.Accounts.ToDictionary(a => a.AccountId);
        var products = data.Products.ToDictionary(p => p.ProductId);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("Line;Customer ID;Customer;Industry;Region;Customer Since;Product ID;Product;Family;List Price;Billing;Order Date;Sales;Quantity;Discount;Profit;Status\n");
        // Order-line measures (quantity, discount, profit): seeded per line; some lines leave them empty.
        var rng = new Random(11);
        var lines = new List<(string Id, decimal? Quantity, double? Discount, decimal? Profit)>();
        string Line(SpendRecord s, string industry, string status)
        {
            var a = accounts[s.AccountId]; var p = products[s.ProductId];
            var billing = p.BillingUnit switch { BillingUnit.Seat => "per seat", BillingUnit.Usage => "metered", _ => "flat fee" };
            var id = "OL-" + (lines.Count + 1).ToString(inv);
            bool blank = lines.Count % 13 == 5;
            decimal? qty = blank ? null : rng.Next(1, 20); double? disc = blank ? null : rng.Next(0, 5) / 10.0; decimal? profit = blank ? null : Math.Round(s.Amount * (decimal)(rng.NextDouble() - 0.3), 2);
            if (status != "void") lines.Add((id, qty, disc, profit));
            return string.Create(inv, $"{id};{a.AccountId};\"{a.Name}\";{industry};{a.Region};{a.CreatedDate:dd/MM/yyyy};{p.ProductId};{(p.Name == "Analytics Pro" ? "AnalyticsPro" : p.Name)};{p.Family};{p.ListPrice};{billing};{s.Month:dd/MM/yyyy};{s.Amount};{qty};{disc};{profit};{status}\n");
        }
        foreach (var s in data.Spend) sb.Append(Line(s, accounts[s.AccountId].Industry, "booked"));
        var firstSpend = data.Spend[0];
        sb.Append(Line(firstSpend with { Amount = 999m }, "Other industry", "void"));          // filtered out
        sb.Append(Line(data.Spend.Last(s => s.AccountId == firstSpend.AccountId) with { Amount = 0m }, "Conflicting", "booked")); // a conflict; "first" keeps the original
        File.WriteAllText(Path.Combine(dir, "orders.csv"), sb.ToString());
        File.WriteAllText(Path.Combine(dir, "orders.json"), """
            {
              "version": 2,
              "accounts": { "file": "orders.csv", "delimiter": ";", "dateFormats": ["dd/MM/yyyy"], "duplicates": "first",
                "filter": { "column": "Status", "notEquals": "void" },
                "columns": { "account_id": "Customer ID", "name": "Customer", "industry": "Industry", "region": "Region", "created_date": "Customer Since" } },
              "products": { "file": "orders.csv", "delimiter": ";", "duplicates": "first",
                "filter": { "column": "Status", "notEquals": "void" },
                "columns": { "product_id": "Product ID", "name": { "source": "Product", "values": { "AnalyticsPro": "Analytics Pro" } }, "family": "Family",
                  "list_price": "List Price", "billing_unit": { "source": "Billing", "values": { "per seat": "seat", "metered": "usage", "flat fee": "flat" } } } },
              "transactions": { "file": "orders.csv", "delimiter": ";", "dateFormats": ["dd/MM/yyyy"],
                "filter": [{ "column": "Status", "in": ["booked"] }],
                "columns": { "transaction_id": "Line", "account_id": "Customer ID", "product_id": "Product ID", "date": "Order Date", "amount": "Sales",
                  "quantity": "Quantity", "discount": "Discount", "profit": "Profit" } }
            }
            """);
        var outDir = Path.Combine(dir, "out");
        var (code, _, err) = Run("import", "--mapping", Path.Combine(dir, "orders.json"), "--out", outDir);
        Assert.True(code == 0, err);

        var (back, _) = new CrmCatalog(outDir).Load();
        var usedAccounts = data.Spend.Select(s => s.AccountId).ToHashSet();
        Assert.Equal(data.Accounts.Where(a => usedAccounts.Contains(a.AccountId)).Select(a => (a.AccountId, a.Name, a.Industry, a.Region, a.CreatedDate)).OrderBy(x => x.AccountId, StringComparer.Ordinal),
            back.Accounts.Select(a => (a.AccountId, a.Name, a.Industry, a.Region, a.CreatedDate)).OrderBy(x => x.AccountId, StringComparer.Ordinal));
        var usedProducts = data.Spend.Select(s => s.ProductId).ToHashSet();
        Assert.Equal(data.Products.Where(p => usedProducts.Contains(p.ProductId)).OrderBy(p => p.ProductId, StringComparer.Ordinal),
            back.Products.OrderBy(p => p.ProductId, StringComparer.Ordinal));
        // The conflicting line adds a zero-amount transaction: monthly sums are unchanged.
        Assert.Equal(data.Spend.OrderBy(s => (s.AccountId, s.ProductId, s.Month)), back.Spend.OrderBy(s => (s.AccountId, s.ProductId, s.Month)));
        // Every order line comes back with its quantity, discount and profit (empty cells as nulls).
        Assert.Equal(lines.OrderBy(l => l.Id, StringComparer.Ordinal), back.Transactions.Select(t => (t.TransactionId, t.Quantity, t.Discount, t.Profit)).OrderBy(l => l.TransactionId, StringComparer.Ordinal));
        Assert.Contains(back.Transactions, t => t.Quantity is null);

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "import-report.json")));
        var acc = Table(report, "accounts");
        Assert.Equal(1, acc.GetProperty("filtered").GetInt64());
        Assert.Equal(1, acc.GetProperty("conflicts").GetInt64());
        Assert.Equal(usedAccounts.Count, acc.GetProperty("rows").GetInt64());
        Assert.Equal(data.Spend.Count + 1, Table(report, "transactions").GetProperty("accepted").GetInt64());
    }

    /// <summary>A generated CRM exported the way a CRM exports deals (accounts and users lists, an ownership file, a
    /// denormalized deals file with display-text stages, empty close dates for open deals and deleted rows, a stage
    /// history file) imports back to opportunities, stage history, reps and ownership equal to the originals.</summary>
    [Fact]
    public void A_generated_deals_export_imports_back_to_equal_opportunities_stage_history_reps_and_ownership()
    {
        var data = CrmGenerator.Generate(new GeneratorOptions { Accounts = 60, Months = 12, Seed = 3 });
        Assert.NotEmpty(data.Opportunities);
        var dir = TestPaths.NewTempDir("deals");
        var inv = CultureInfo.InvariantCulture;
        string Date(DateOnly? d) => d?.ToString("MM/dd/yyyy", inv) ?? "";
        string Stage(OpportunityStage s) => s switch
        {
            OpportunityStage.ClosedWon => "Closed Won", OpportunityStage.ClosedLost => "Closed Lost", OpportunityStage.Qualification => "Qualify", _ => s.ToString(),
        };
        string Q(string? s) => s is null ? "" : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        File.WriteAllLines(Path.Combine(dir, "accounts.csv"), new[] { "Id,Account Name,Industry,Billing Region,Employees,Revenue,Founded,Parent,Created" }
            .Concat(data.Accounts.Select(a => string.Create(inv, $"{a.AccountId},{Q(a.Name)},{a.Industry},{a.Region},{a.Employees},{a.RevenueBand},{a.FoundedYear},{a.ParentAccountId},{Date(a.CreatedDate)}"))));
        File.WriteAllLines(Path.Combine(dir, "users.csv"), new[] { "User Id,Full Name,Territory,Start Date,Pilot" }
            .Concat(data.Reps.Select(r => $"{r.RepId},{Q(r.Name)},{r.Region},{Date(r.HireDate)},{(r.RolloutArm == RolloutArm.Treatment ? "Y" : "N")}")));
        File.WriteAllLines(Path.Combine(dir, "ownership.csv"), new[] { "Owner,Account,From,To" }
            .Concat(data.Book.Select(b => $"{b.RepId},{b.AccountId},{Date(b.FromDate)},{Date(b.ToDate)}")));
        var accounts = data.Accounts.ToDictionary(a => a.AccountId);
        File.WriteAllLines(Path.Combine(dir, "deals.csv"), new[] { "Deal Id,Account Id,Account Name,Owner Id,Product,Amount,Created,Closed,Stage,Result,Activities,Contacts,Titles,Deleted" }
            .Concat(data.Opportunities.Select(o => string.Create(inv,
                $"{o.OpportunityId},{o.AccountId},{Q(accounts[o.AccountId].Name)},{o.RepId},{o.ProductId},{o.Amount},{Date(o.CreatedDate)},{Date(o.CloseDate)},{Stage(o.DeclaredStage)},{o.Outcome},{o.ActivityCount},{o.ContactsInvolved},{Q(o.ContactTitles)},false")))
            .Append($"X-1,{data.Opportunities[0].AccountId},x,{data.Opportunities[0].RepId},NOPE,1,01/01/2020,,Prospecting,Open,0,0,,true"));
        File.WriteAllLines(Path.Combine(dir, "stages.csv"), new[] { "Deal,Stage,Entered" }
            .Concat(data.StageHistory.Select(h => $"{h.OpportunityId},{Stage(h.Stage)},{Date(h.EnteredDate)}")));
        File.WriteAllText(Path.Combine(dir, "crm.json"), """
            {
              "version": 2,
              "accounts": { "file": "accounts.csv", "dateFormats": ["MM/dd/yyyy"],
                "columns": { "account_id": "Id", "name": "Account Name", "industry": "Industry", "region": "Billing Region", "employees": "Employees",
                  "revenue_band": "Revenue", "founded_year": "Founded", "parent_account_id": "Parent", "created_date": "Created" } },
              "products": { "file": "deals.csv", "duplicates": "first", "filter": { "column": "Deleted", "equals": "false" },
                "columns": { "product_id": "Product" } },
              "reps": { "file": "users.csv", "dateFormats": ["MM/dd/yyyy"],
                "columns": { "rep_id": "User Id", "name": "Full Name", "region": "Territory", "hire_date": "Start Date",
                  "rollout_arm": { "source": "Pilot", "values": { "Y": "treatment", "N": "control" } } } },
              "ownership": { "file": "ownership.csv", "dateFormats": ["MM/dd/yyyy"],
                "columns": { "rep_id": "Owner", "account_id": "Account", "from_date": "From", "to_date": "To" } },
              "opportunities": { "file": "deals.csv", "dateFormats": ["MM/dd/yyyy"], "filter": { "column": "Deleted", "equals": "false" },
                "columns": { "opportunity_id": "Deal Id", "account_id": "Account Id", "rep_id": "Owner Id", "product_id": "Product", "amount": "Amount",
                  "created_date": "Created", "close_date": "Closed", "declared_stage": { "source": "Stage", "values": { "Qualify": "qualification" } },
                  "outcome": "Result", "activity_count": "Activities", "contacts_involved": "Contacts", "contact_titles": "Titles" } },
              "stage_history": { "file": "stages.csv", "dateFormats": ["MM/dd/yyyy"],
                "columns": { "opportunity_id": "Deal", "stage": { "source": "Stage", "values": { "Qualify": "qualification" } }, "entered_date": "Entered" } }
            }
            """);
        var outDir = Path.Combine(dir, "out");
        var (code, _, err) = Run("import", "--mapping", Path.Combine(dir, "crm.json"), "--out", outDir);
        Assert.True(code == 0, err);
        var (back, _) = new CrmCatalog(outDir).Load();
        Assert.Equal(data.Accounts, back.Accounts);
        Assert.Equal(data.Reps, back.Reps);
        Assert.Equal(data.Book, back.Book);
        Assert.Equal(data.Opportunities, back.Opportunities);
        Assert.Equal(data.StageHistory, back.StageHistory);
        Assert.Contains(back.Opportunities, o => o.CloseDate is null);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "import-report.json")));
        Assert.Equal(1, Table(report, "opportunities").GetProperty("filtered").GetInt64());
        Assert.Equal(data.Opportunities.Count, Table(report, "opportunities").GetProperty("rows").GetInt64());

        // A stage the canonical vocabulary lacks names the source file, line, column and value.
        File.AppendAllText(Path.Combine(dir, "stages.csv"), $"{data.Opportunities[0].OpportunityId},Demo,01/01/2021\n");
        var (bad, _, badErr) = Run("import", "--mapping", Path.Combine(dir, "crm.json"), "--out", Path.Combine(dir, "out2"));
        Assert.Equal(2, bad);
        Assert.Contains($"stages.csv:{data.StageHistory.Count + 2}, column 'Stage': value 'Demo': one of: prospecting, qualification", badErr);
    }

    [Fact]
    public void A_lookup_by_key_from_another_file_fills_a_column_and_a_missing_key_names_file_line_column_and_value()
    {
        var dir = TestPaths.NewTempDir("import-lookup");
        File.WriteAllText(Path.Combine(dir, "customers.csv"), "id,since,region_code\nc1,2023-01-05,N\nc2,2023-02-01,S\n");
        File.WriteAllText(Path.Combine(dir, "regions.csv"), "code,label\nN,North America\nS,South America\n");
        File.WriteAllText(Path.Combine(dir, "m.json"), """
            { "accounts": { "file": "customers.csv",
                "columns": { "account_id": "id", "created_date": "since", "region": { "source": "region_code", "lookup": { "file": "regions.csv", "key": "code", "value": "label" } } } } }
            """);
        var outDir = Path.Combine(dir, "out");
        Assert.Equal(0, Run("import", "--mapping", Path.Combine(dir, "m.json"), "--out", outDir).Code);
        var (back, _) = new CrmCatalog(outDir).Load();
        Assert.Equal(["North America", "South America"], back.Accounts.Select(a => a.Region));

        File.AppendAllText(Path.Combine(dir, "customers.csv"), "c3,2023-03-01,X\n");
        var (code, _, err) = Run("import", "--mapping", Path.Combine(dir, "m.json"), "--out", Path.Combine(dir, "out2"));
        Assert.Equal(2, code);
        Assert.Contains("customers.csv:4, column 'region_code': value 'X': a key present in column 'code' of regions.csv", err);
    }

    [Fact]
    public void Cdnow_imports_as_order_data_and_features_choose_purchase_labels_with_plausible_rates_and_a_full_registry()
    {
        var dir = TestPaths.NewTempDir("cdnow-features");
        var data = Path.Combine(dir, "data");
        Assert.Equal(0, Run("import", "--mapping", Mapping("cdnow.json"), "--source", TestPaths.Dataset("cdnow-lifetimes"), "--out", data).Code);
        var features = Path.Combine(dir, "features");
        var (code, stdout, err) = Run("features", "--data", data, "--out", features);
        Assert.True(code == 0, err);
        Assert.Contains("label source: purchases (churn rate", stdout);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(features, "label-report.json")));
        Assert.Equal("purchases", report.RootElement.GetProperty("label_source").GetString());
        var churn = report.RootElement.GetProperty("churn_rate").GetDouble();
        var upsell = report.RootElement.GetProperty("upsell_rate").GetDouble();
        Assert.InRange(churn, 0.005, 0.5);
        Assert.InRange(upsell, 0.005, 0.5);
        Assert.Equal(0, report.RootElement.GetProperty("flags").GetArrayLength());

        var header = File.ReadLines(Path.Combine(features, "features.csv")).First().Split(',');
        using var registry = JsonDocument.Parse(File.ReadAllText(Path.Combine(features, "feature-registry.json")));
        var described = registry.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(header, described);
        Assert.Contains("upsell_amount", described);
    }

    [Fact]
    public void An_order_line_with_a_bad_quantity_or_a_negative_discount_names_the_file_line_column_and_value()
    {
        var dir = TestPaths.NewTempDir("import-order-measures");
        File.WriteAllText(Path.Combine(dir, "orders.csv"), "customer,day,sales,qty,disc,profit\nc1,2024-01-01,5,2,0.1,-1.5\nc1,2024-02-01,5,two,0,1\nc2,2024-02-01,5,1,-0.2,1\nc2,2024-03-01,5,,,\n");
        File.WriteAllText(Path.Combine(dir, "m.json"), """
            { "transactions": { "file": "orders.csv",
                "columns": { "account_id": "customer", "date": "day", "amount": "sales", "quantity": "qty", "discount": "disc", "profit": "profit" } } }
            """);
        var (code, _, err) = Run("import", "--mapping", Path.Combine(dir, "m.json"), "--out", Path.Combine(dir, "out"));
        Assert.Equal(2, code);
        Assert.Contains("2 rows rejected", err);
        Assert.Contains("orders.csv:3, column 'qty': value 'two': a decimal number for quantity", err);
        Assert.Contains("orders.csv:4, column 'disc': value '-0.2': a discount of at least 0", err);

        var outDir = Path.Combine(dir, "out2");
        Assert.Equal(0, Run("import", "--mapping", Path.Combine(dir, "m.json"), "--out", outDir, "--lenient").Code);
        var (back, _) = new CrmCatalog(outDir).Load();
        Assert.Equal([(2m, (double?)0.1, (decimal?)-1.5m), (null, null, null)], back.Transactions.Select(t => (t.Quantity, t.Discount, t.Profit)));
        Assert.Equal("transaction_id,account_id,product_id,date,amount,quantity,discount,profit", File.ReadLines(Path.Combine(outDir, "transactions.csv")).First());
    }
}
