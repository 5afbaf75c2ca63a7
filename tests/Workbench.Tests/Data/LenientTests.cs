using Workbench.Cli.Commands;
using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Tests.Data;

public class LenientTests
{
    static DateOnly D(int y, int m, int d) => new(y, m, d);

    static string BrokenDataset()
    {
        var dir = TestPaths.NewTempDir("lenient");
        var ds = CrmFixture.Small();
        new CrmCatalog(dir).Write(ds with
        {
            // A3 gets a bad date: it is rejected, and so is the action that names it (now an orphan).
            Spend = [.. ds.Spend, new SpendRecord("A9", "P1", D(2022, 3, 1), 5m), ds.Spend[0]],
        });
        var accounts = Path.Combine(dir, "accounts.csv");
        File.WriteAllText(accounts, File.ReadAllText(accounts).Replace("2022-03-31", "31.03.2022"));
        return dir;
    }

    [Fact]
    public void Lenient_load_keeps_good_rows_and_writes_every_rejected_row_with_its_reasons()
    {
        var dir = BrokenDataset();
        var (ds, report) = new CrmCatalog(dir).Load(new LoadOptions { Mode = ValidationMode.Lenient });

        var accounts = report.Tables.Single(t => t.Table == "accounts");
        Assert.Equal((3L, 2L, 1L), (accounts.Read, accounts.Accepted, accounts.Rejected));
        var spend = report.Tables.Single(t => t.Table == "spend");
        Assert.Equal((5L, 3L, 2L), (spend.Read, spend.Accepted, spend.Rejected));
        var actions = report.Tables.Single(t => t.Table == "actions");
        Assert.Equal((2L, 1L, 1L), (actions.Read, actions.Accepted, actions.Rejected));
        Assert.Equal(4, report.TotalRejected);
        Assert.Equal(["A1", "A2"], ds.Accounts.Select(a => a.AccountId));
        Assert.Equal(3, ds.Spend.Count);

        var spendRejects = File.ReadAllLines(Path.Combine(dir, "rejects", "spend.rejects.csv"));
        Assert.Equal("line,problems,record", spendRejects[0]);
        Assert.Equal("5,column 'account_id': value 'A9': expected an existing account_id of table accounts,\"A9,P1,2022-03-01,5\"", spendRejects[1]);
        Assert.StartsWith("6,\"column 'account_id, product_id, month': value 'A1, P1, 2022-01-01': expected a unique key", spendRejects[2]);
        Assert.Equal(3, spendRejects.Length);
        var accountRejects = File.ReadAllLines(Path.Combine(dir, "rejects", "accounts.rejects.csv"));
        Assert.Contains("column 'created_date': value '31.03.2022': expected a date in yyyy-MM-dd", accountRejects[1]);
        Assert.EndsWith(",\"A3,\"\"\"\",retail,apac,15,<10m,2015,,31.03.2022\"", accountRejects[1]);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "rejects"), "*.tmp"));
        Assert.False(File.Exists(Path.Combine(dir, "rejects", "products.rejects.csv")));

        var text = report.ToText();
        Assert.Contains("spend", text);
        Assert.Contains("4 row(s) rejected", text);
    }

    [Fact]
    public void A_clean_reload_removes_stale_rejects()
    {
        var dir = BrokenDataset();
        var rejects = TestPaths.NewTempDir("rejects-out");
        new CrmCatalog(dir).Load(new LoadOptions { Mode = ValidationMode.Lenient, RejectsDirectory = rejects });
        Assert.True(File.Exists(Path.Combine(rejects, "spend.rejects.csv")));
        new CrmCatalog(dir).Write(CrmFixture.Small());
        var (_, report) = new CrmCatalog(dir).Load(new LoadOptions { Mode = ValidationMode.Lenient, RejectsDirectory = rejects });
        Assert.False(report.HasProblems);
        Assert.Empty(Directory.GetFiles(rejects));
    }

    [Fact]
    public async Task Validate_command_exits_2_in_strict_mode_and_0_in_lenient_mode()
    {
        var dir = BrokenDataset();
        var root = new System.CommandLine.RootCommand();
        root.Subcommands.Add(ValidateCommand.Create());
        Assert.Equal(2, await CliRunner.InvokeAsync(root, ["validate", dir, "--strict"]));
        Assert.False(Directory.Exists(Path.Combine(dir, "rejects")));
        Assert.Equal(0, await CliRunner.InvokeAsync(root, ["validate", dir, "--lenient", "--format", "csv"]));
        Assert.True(File.Exists(Path.Combine(dir, "rejects", "spend.rejects.csv")));
        Assert.Equal(2, await CliRunner.InvokeAsync(root, ["validate", dir, "--format", "xml"]));
    }
}
