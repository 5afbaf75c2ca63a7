using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Tests.Data;

/// <summary>Each bad input stops a strict load with a message naming the file, the line, the column, the
/// offending value and what was expected, and leaves no output behind.</summary>
public class BadInputTests
{
    static DateOnly D(int y, int m, int d) => new(y, m, d);

    /// <summary>Writes the fixture (changed by <paramref name="change"/>) as CSV, then edits one table's text.</summary>
    static string Write(Func<CrmDataset, CrmDataset>? change = null, string? table = null, Func<string, string>? edit = null,
        DataFormat format = DataFormat.Csv)
    {
        var dir = TestPaths.NewTempDir("bad");
        var ds = CrmFixture.Small();
        new CrmCatalog(dir).Write(change is null ? ds : change(ds), new WriteOptions { Format = format });
        if (table is not null && edit is not null)
        {
            var path = Path.Combine(dir, table + ".csv");
            File.WriteAllText(path, edit(File.ReadAllText(path)));
        }
        return dir;
    }

    static DataValidationException LoadStrict(string dir, DataFormat format = DataFormat.Csv)
    {
        var ex = Assert.Throws<DataValidationException>(() => new CrmCatalog(dir).Load(new LoadOptions { Format = format }));
        // A strict failure writes nothing: no rejects folder, no temporary files.
        Assert.False(Directory.Exists(Path.Combine(dir, "rejects")));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
        return ex;
    }

    static void AssertNamed(DataValidationException ex, string file, long line, string column, string value, string expectedFragment)
    {
        var p = Assert.Single(ex.Problems, p => p.File.EndsWith(Path.DirectorySeparatorChar + file, StringComparison.Ordinal) && p.Line == line && p.Column == column);
        Assert.Equal(value, p.Value);
        Assert.Contains(expectedFragment, p.Expected);
        Assert.Contains($"{file}:{line}, column '{column}': value '{TerminalText.Escape(value)}': ", ex.Message); // shown escaped (a newline as \n)
    }

    static string ReplaceLine(string text, int line, string content)
    {
        var lines = text.Split('\n');
        lines[line - 1] = content;
        return string.Join('\n', lines);
    }

    [Fact]
    public void Unparsable_whole_number()
    {
        var ex = LoadStrict(Write(table: "accounts", edit: t => t.Replace(",1200,", ",12x0,")));
        AssertNamed(ex, "accounts.csv", 2, "employees", "12x0", "a whole number (invariant culture");
    }

    [Fact]
    public void Decimal_with_a_comma_separator_from_another_culture()
    {
        var ex = LoadStrict(Write(table: "spend", edit: t => t.Replace("23812.5", "\"23812,5\"")));
        AssertNamed(ex, "spend.csv", 2, "amount", "23812,5", "'.' as decimal separator");
    }

    [Fact]
    public void Date_in_another_format()
    {
        var ex = LoadStrict(Write(table: "accounts", edit: t => t.Replace("2020-01-15", "15/01/2020")));
        AssertNamed(ex, "accounts.csv", 2, "created_date", "15/01/2020", "a date in yyyy-MM-dd (invariant culture)");
    }

    [Fact]
    public void Impossible_calendar_date()
    {
        var ex = LoadStrict(Write(table: "reps", edit: t => t.Replace("2019-04-01", "2019-02-30")));
        AssertNamed(ex, "reps.csv", 2, "hire_date", "2019-02-30", "yyyy-MM-dd");
    }

    [Fact]
    public void Unknown_enum_value_lists_the_allowed_ones()
    {
        var ex = LoadStrict(Write(table: "products", edit: t => t.Replace(",seat\n", ",Seats\n")));
        AssertNamed(ex, "products.csv", 2, "billing_unit", "Seats", "one of: seat, usage, flat");
    }

    [Fact]
    public void Bad_boolean()
    {
        var ex = LoadStrict(Write(table: "actions", edit: t => t.Replace(",true,", ",yes,")));
        AssertNamed(ex, "actions.csv", 2, "responded", "yes", "true or false");
    }

    [Fact]
    public void Null_in_a_required_column()
    {
        var ex = LoadStrict(Write(table: "contracts", edit: t => t.Replace(",12,250,", ",12,,")));
        AssertNamed(ex, "contracts.csv", 2, "seats", "", "a value (the column is required");
    }

    [Fact]
    public void Negative_seats_are_out_of_range()
    {
        var ex = LoadStrict(Write(ds => ds with { Contracts = [ds.Contracts[0] with { Seats = -5 }, ds.Contracts[1]] }));
        AssertNamed(ex, "contracts.csv", 2, "seats", "-5", "a value of at least 0");
    }

    [Fact]
    public void Survey_score_above_the_maximum()
    {
        var ex = LoadStrict(Write(ds => ds with { Engagement = [.. ds.Engagement.Take(2), ds.Engagement[2] with { Score = 11 }] }));
        AssertNamed(ex, "engagement.csv", 4, "score", "11", "a value of at most 10");
    }

    [Fact]
    public void Duplicate_key_names_the_first_occurrence()
    {
        var ex = LoadStrict(Write(ds => ds with { Spend = [.. ds.Spend, ds.Spend[0] with { Amount = 1m }] }));
        AssertNamed(ex, "spend.csv", 5, "account_id, product_id, month", "A1, P1, 2022-01-01", "the same key is on line 2");
    }

    [Fact]
    public void Spend_for_an_unknown_account_is_an_orphan()
    {
        var ex = LoadStrict(Write(ds => ds with { Spend = [.. ds.Spend, new SpendRecord("A9", "P1", D(2022, 3, 1), 5m)] }));
        AssertNamed(ex, "spend.csv", 5, "account_id", "A9", "an existing account_id of table accounts");
    }

    [Fact]
    public void Parent_account_that_does_not_exist()
    {
        var ex = LoadStrict(Write(ds => ds with { Accounts = [ds.Accounts[0], ds.Accounts[1] with { ParentAccountId = "A404" }, ds.Accounts[2]] }));
        AssertNamed(ex, "accounts.csv", 3, "parent_account_id", "A404", "an existing account_id of table accounts");
    }

    [Fact]
    public void Opportunity_closed_before_it_was_created()
    {
        var ex = LoadStrict(Write(ds => ds with { Opportunities = [ds.Opportunities[0] with { CloseDate = D(2022, 2, 1) }, ds.Opportunities[1]] }));
        AssertNamed(ex, "opportunities.csv", 2, "close_date", "2022-02-01", "close_date on or after created_date (2022-03-01)");
    }

    [Fact]
    public void Contract_renewal_before_its_start()
    {
        var ex = LoadStrict(Write(ds => ds with { Contracts = [ds.Contracts[0] with { RenewalDate = D(2021, 12, 31) }, ds.Contracts[1]] }));
        AssertNamed(ex, "contracts.csv", 2, "renewal_date", "2021-12-31", "renewal_date on or after start_date (2022-01-01)");
    }

    [Fact]
    public void Book_assignment_ending_before_it_starts()
    {
        var ex = LoadStrict(Write(ds => ds with { Book = [ds.Book[0], ds.Book[1] with { ToDate = D(2021, 1, 1) }] }));
        AssertNamed(ex, "book.csv", 3, "to_date", "2021-01-01", "to_date after from_date (2021-06-01)");
    }

    [Fact]
    public void Monthly_spend_not_on_the_first_of_the_month()
    {
        var ex = LoadStrict(Write(ds => ds with { Spend = [ds.Spend[0] with { Month = D(2022, 1, 15) }, .. ds.Spend.Skip(1)] }));
        AssertNamed(ex, "spend.csv", 2, "month", "2022-01-15", "the first day of a month");
    }

    [Fact]
    public void Row_with_too_few_fields()
    {
        var ex = LoadStrict(Write(table: "spend", edit: t => ReplaceLine(t, 3, "A1,P1,2022-02-01")));
        AssertNamed(ex, "spend.csv", 3, "amount", "A1,P1,2022-02-01", "4 fields as in the header, found 3");
    }

    [Fact]
    public void Row_with_too_many_fields()
    {
        var ex = LoadStrict(Write(table: "spend", edit: t => ReplaceLine(t, 3, "A1,P1,2022-02-01,0,extra")));
        AssertNamed(ex, "spend.csv", 3, "field 5 (beyond the header)", "extra", "4 fields as in the header, found 5");
    }

    [Fact]
    public void Unterminated_quote()
    {
        var ex = LoadStrict(Write(table: "reps", edit: t => t.TrimEnd('\n') + "\nR3,\"Open quote,emea,2020-01-01,control\n"));
        AssertNamed(ex, "reps.csv", 4, "name", "Open quote,emea,2020-01-01,control\n", "a closing quote before the end of the file");
    }

    [Fact]
    public void Line_numbers_count_line_breaks_inside_quoted_fields()
    {
        // products.csv line 3 holds "Insights\nPlus", so the P3 record starts on line 5.
        var ex = LoadStrict(Write(table: "products", edit: t => t.Replace("0.0025", "-0.0025")));
        AssertNamed(ex, "products.csv", 5, "list_price", "-0.0025", "a value of at least 0");
    }

    [Fact]
    public void Unknown_column_in_the_header()
    {
        var ex = LoadStrict(Write(table: "reps", edit: t => t.Replace("rollout_arm", "rollout_arm,team").Replace(",control\n", ",control,x\n").Replace(",treatment\n", ",treatment,y\n")));
        AssertNamed(ex, "reps.csv", 1, "team", "team", "one of the columns of reps");
    }

    [Fact]
    public void Missing_column_in_the_header()
    {
        var ex = LoadStrict(Write(table: "reps", edit: t => string.Join('\n', t.Split('\n').Select(l => l.Length == 0 ? l : l[..l.LastIndexOf(',')]))));
        AssertNamed(ex, "reps.csv", 1, "rollout_arm", "rep_id,name,region,hire_date", "a column named 'rollout_arm'");
    }

    [Fact]
    public void Empty_file()
    {
        var ex = LoadStrict(Write(table: "usage", edit: _ => ""));
        AssertNamed(ex, "usage.csv", 1, "account_id", "", "a header row (account_id,product_id,month,");
    }

    [Fact]
    public void Missing_required_table()
    {
        var dir = Write();
        File.Delete(Path.Combine(dir, "usage.csv"));
        var ex = Assert.Throws<DataValidationException>(() => new CrmCatalog(dir).Load(new LoadOptions { RequiredTables = ["usage"] }));
        var p = Assert.Single(ex.Problems);
        Assert.EndsWith("usage.csv", p.File);
        Assert.Contains("the required table usage (file missing)", ex.Message);
    }

    [Fact]
    public void Only_the_listed_tables_are_read_and_an_unknown_name_is_refused()
    {
        var dir = Write();
        var full = new CrmCatalog(dir).Load(new LoadOptions()).Dataset;
        var loaded = new CrmCatalog(dir).Load(new LoadOptions { Tables = [CrmSchema.Accounts, CrmSchema.Products, CrmSchema.Spend] });
        Assert.Equal(full.Spend.Count, loaded.Dataset.Spend.Count);
        Assert.Equal(full.Accounts.Count, loaded.Dataset.Accounts.Count);
        Assert.NotEmpty(full.Usage);
        Assert.Empty(loaded.Dataset.Usage);
        Assert.Equal(TableStatus.Absent, loaded.Report.Tables.Single(t => t.Table == CrmSchema.Usage).Status);
        var ex = Assert.Throws<OptionsValidationException>(() => new CrmCatalog(dir).Load(new LoadOptions { Tables = ["spnd"] }));
        Assert.Contains("LoadOptions.Tables: unknown table 'spnd'", ex.Message);
    }

    [Fact]
    public void Parquet_rows_are_validated_too_with_row_numbers()
    {
        var dir = Write(ds => ds with { Spend = [.. ds.Spend, new SpendRecord("A9", "P1", D(2022, 3, 1), 5m)] }, format: DataFormat.Parquet);
        var ex = LoadStrict(dir, DataFormat.Parquet);
        AssertNamed(ex, "spend.parquet", 4, "account_id", "A9", "an existing account_id of table accounts");
    }

    [Fact]
    public void Strict_mode_lists_the_first_problems_and_stops()
    {
        var dir = Write(ds => ds with { Spend = Enumerable.Range(0, 50).Select(i => new SpendRecord("NOPE" + i, "P1", D(2022, 1, 1), 1m)).ToList() });
        var ex = Assert.Throws<DataValidationException>(() => new CrmCatalog(dir).Load(new LoadOptions { MaxProblems = 5 }));
        Assert.Equal(5, ex.Problems.Count);
        Assert.Equal([2L, 3, 4, 5, 6], ex.Problems.Select(p => p.Line));
    }
}
