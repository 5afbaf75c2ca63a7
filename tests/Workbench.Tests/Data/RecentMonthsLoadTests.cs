using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Scoring;
using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Tests.Data;

/// <summary>A load that keeps only the recent months of usage and engagement as rows (scoring's load,
/// <see cref="LoadOptions.KeepRecentMonths"/>) gives scoring exactly what the whole load gives, and still validates every
/// row of the months it only summarizes.</summary>
public class RecentMonthsLoadTests
{
    static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");
    static readonly int Lookback = ScoringFeatures.LookbackMonths(new SnapshotOptions(), new LabelOptions());

    static LoadResult Load(string dir, int? keep, ValidationMode mode = ValidationMode.Strict) =>
        new CrmCatalog(dir).Load(new LoadOptions { KeepRecentMonths = keep, IncludeTruth = false, Mode = mode });

    [Fact]
    public void Scoring_features_from_the_recent_months_are_the_whole_loads_to_the_bit()
    {
        var whole = Load(Sample, null);
        var recent = Load(Sample, Lookback);
        Assert.Null(whole.Dataset.EarlyFacts);
        var early = recent.Dataset.EarlyFacts!;
        // The sample spans 36 months: most usage and engagement rows are summarized, not kept.
        Assert.True(early.SummarizedRows > 0);
        Assert.True(recent.Dataset.Usage.Count < whole.Dataset.Usage.Count / 2);
        Assert.True(recent.Dataset.Engagement.Count < whole.Dataset.Engagement.Count / 2);
        Assert.Equal(whole.Dataset.Usage.Count + whole.Dataset.Engagement.Count,
            recent.Dataset.Usage.Count + recent.Dataset.Engagement.Count + early.SummarizedRows);
        Assert.All(recent.Dataset.Usage, u => Assert.True(u.Month >= early.Cutoff));
        Assert.All(recent.Dataset.Engagement, e => Assert.True(e.Date >= early.Cutoff));
        // Every row is still counted as read and accepted in the report.
        Assert.Equal(whole.Report.Tables.Select(t => (t.Table, t.Read, t.Accepted, t.Rejected)), recent.Report.Tables.Select(t => (t.Table, t.Read, t.Accepted, t.Rejected)));

        var a = ScoringFeatures.Build(whole.Dataset);
        var b = ScoringFeatures.Build(recent.Dataset);
        Assert.Equal(a.AsOf, b.AsOf);
        Assert.Equal(a.Panel.FirstMonth, b.Panel.FirstMonth);
        Assert.Equal(a.Panel.HistoryOffset, b.Panel.HistoryOffset);
        Assert.Equal(a.Panel.Pairs, b.Panel.Pairs);
        Assert.Equal(a.Panel.RowsPerMonth, b.Panel.RowsPerMonth);
        Assert.Equal(a.RunRates, b.RunRates);
        Assert.Equal(a.Features.RowCount, b.Features.RowCount);
        // Bit for bit (NaN and signed zeros included).
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.Features.Values.AsSpan())
            .SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.Features.Values.AsSpan())));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(16)]
    public void The_accounts_context_is_the_whole_loads_when_its_history_months_are_kept(int keep)
    {
        var whole = Load(Sample, null).Dataset;
        var recent = Load(Sample, keep).Dataset;
        Assert.NotEmpty(recent.EarlyFacts!.LatestTouches);
        var asOf = whole.Spend.Max(s => s.Month).AddMonths(1);
        var ids = whole.Accounts.Select(x => x.AccountId).ToList();
        var x = AccountContext.Build(whole, asOf, ids, p => p);
        var y = AccountContext.Build(recent, asOf, ids, p => p);
        int summarizedOnly = 0;
        foreach (var id in ids)
        {
            Assert.Equal(x[id].History, y[id].History);
            Assert.Equal((x[id].LastActivity, x[id].LastActivityType, x[id].RenewalDate), (y[id].LastActivity, y[id].LastActivityType, y[id].RenewalDate));
            if (x[id].LastActivity < recent.EarlyFacts.Cutoff) summarizedOnly++;
        }
        // Some accounts' last touch is one the load only summarized.
        Assert.True(summarizedOnly > 0);
    }

    [Fact]
    public void The_accounts_context_is_refused_when_its_history_months_were_summarized()
    {
        var recent = Load(Sample, 11).Dataset;
        var asOf = recent.Spend.Max(s => s.Month).AddMonths(1);
        var ex = Assert.Throws<InvalidOperationException>(() => AccountContext.Build(recent, asOf, ["A000001"], p => p));
        Assert.Contains("KeepRecentMonths", ex.Message);
    }

    [Fact]
    public void The_latest_touch_breaks_a_date_tie_by_the_greater_event_id_among_summarized_rows()
    {
        var dir = Copy();
        // Two more touches on the last day before the kept months (12 back from 2025-12, the sample's last) for the first
        // account, appended after every other account's rows, the greater id first: it stays the latest summarized touch.
        File.AppendAllText(Path.Combine(dir, "engagement.csv"), "A000001-E9999,A000001,2024-12-31,email,\nA000001-E9998,A000001,2024-12-31,meeting,\n");
        var whole = Load(dir, null).Dataset;
        var recent = Load(dir, 12).Dataset;
        var touch = Assert.Single(recent.EarlyFacts!.LatestTouches, e => e.AccountId == "A000001");
        var asOf = whole.Spend.Max(s => s.Month).AddMonths(1);
        var x = AccountContext.Build(whole, asOf, ["A000001"], p => p)["A000001"];
        var y = AccountContext.Build(recent, asOf, ["A000001"], p => p)["A000001"];
        Assert.Equal((x.LastActivity, x.LastActivityType), (y.LastActivity, y.LastActivityType));
        Assert.Equal(new DateOnly(2025, 1, 1), recent.EarlyFacts.Cutoff);
        Assert.Equal(("A000001-E9999", new DateOnly(2024, 12, 31), EngagementType.Email), (touch.EventId, touch.Date, touch.Type));
    }

    [Fact]
    public void A_panel_that_needs_the_summarized_months_is_refused()
    {
        var recent = Load(Sample, Lookback).Dataset;
        var ex = Assert.Throws<InvalidOperationException>(() => new MonthlyPanel(recent));
        Assert.Contains("KeepRecentMonths", ex.Message);
        Assert.Contains(recent.EarlyFacts!.Cutoff.ToString("yyyy-MM-dd"), ex.Message);
    }

    public static TheoryData<string, int, string, string> BadEarlyRows => new()
    {
        // usage: an unparsable number, a value out of range, a month not on a first day, a duplicate key, an unknown account
        { "usage", 2, "A000001,P01,2023-01-01,2x8,124,247,0.4627,1339", "seats_purchased" },
        { "usage", 2, "A000001,P01,2023-01-01,-5,124,247,0.4627,1339", "seats_purchased" },
        { "usage", 2, "A000001,P01,2023-01-15,268,124,247,0.4627,1339", "month" },
        { "usage", 3, "A000001,P01,2023-01-01,85,28,76,0.3294,238", "account_id, product_id, month" },
        { "usage", 2, "A999999,P01,2023-01-01,268,124,247,0.4627,1339", "account_id" },
        // engagement: a duplicate event id, an unknown type, a missing date
        { "engagement", 3, "A000001-E0001,A000001,2023-01-21,survey,5", "event_id" },
        { "engagement", 3, "A000001-E0002,A000001,2023-01-21,carrier_pigeon,5", "type" },
        { "engagement", 3, "A000001-E0002,A000001,,survey,5", "date" },
    };

    [Theory]
    [MemberData(nameof(BadEarlyRows))]
    public void A_bad_row_in_the_summarized_months_fails_the_load_with_the_whole_loads_message(string table, int line, string content, string column)
    {
        var dir = Copy();
        var path = Path.Combine(dir, table + ".csv");
        var lines = File.ReadAllText(path).Split('\n');
        lines[line - 1] = content;
        File.WriteAllText(path, string.Join('\n', lines));
        var whole = Assert.Throws<DataValidationException>(() => Load(dir, null));
        var recent = Assert.Throws<DataValidationException>(() => Load(dir, Lookback));
        Assert.True(whole.Message == recent.Message, whole.Message + "\n----\n" + recent.Message);
        var p = Assert.Single(recent.Problems);
        Assert.Equal((table + ".csv", (long)line, column), (Path.GetFileName(p.File), p.Line, p.Column));
        Assert.NotNull(p.Value);
        Assert.NotEmpty(p.Expected);
    }

    [Fact]
    public void A_lenient_load_rejects_a_bad_summarized_row_and_keeps_the_rest()
    {
        var dir = Copy();
        var path = Path.Combine(dir, "usage.csv");
        var lines = File.ReadAllText(path).Split('\n');
        lines[1] = "A000001,P01,2023-01-01,-5,124,247,0.4627,1339";
        File.WriteAllText(path, string.Join('\n', lines));
        var whole = Load(dir, null, ValidationMode.Lenient);
        var recent = Load(dir, Lookback, ValidationMode.Lenient);
        var usage = recent.Report.Tables.Single(t => t.Table == "usage");
        Assert.Equal(1, usage.Rejected);
        Assert.Equal(whole.Report.Tables.Single(t => t.Table == "usage"), usage);
        Assert.Contains("-5", File.ReadAllText(usage.RejectsFile!));
    }

    /// <summary>Parquet: the key index keeps no event id while the ids ascend and reads them back from the file at the first
    /// one out of order (scoreload2). A duplicate far back in the summarized months, and an id out of order that is new,
    /// give what the whole load gives, in strict and lenient mode.</summary>
    [Theory]
    [InlineData(true, ValidationMode.Strict)]
    [InlineData(true, ValidationMode.Lenient)]
    [InlineData(false, ValidationMode.Strict)]
    public void Parquet_event_ids_out_of_order_in_the_summarized_months_are_checked_as_in_the_whole_load(bool duplicate, ValidationMode mode)
    {
        var data = Load(Sample, null).Dataset;
        var events = data.Engagement.ToList();
        var cutoff = Load(Sample, Lookback).Dataset.EarlyFacts!.Cutoff;
        // An early row well after the start takes the id of the file's 3rd row (a duplicate), or an id that sorts before
        // every other one (new, but out of order).
        int at = events.FindIndex(200, e => e.Date < cutoff);
        events[at] = events[at] with { EventId = duplicate ? events[2].EventId : "A000000-E0000" };
        var dir = TestPaths.NewTempDir("recent-parquet");
        new CrmCatalog(dir).Write(data with { Engagement = events, Truth = null }, new WriteOptions { Format = DataFormat.Parquet });
        if (duplicate && mode == ValidationMode.Strict)
        {
            var whole = Assert.Throws<DataValidationException>(() => Load(dir, null, mode));
            var recent = Assert.Throws<DataValidationException>(() => Load(dir, Lookback, mode));
            Assert.True(whole.Message == recent.Message, whole.Message + "\n----\n" + recent.Message);
            var p = Assert.Single(recent.Problems);
            Assert.Equal(("engagement.parquet", (long)at + 1, "event_id"), (Path.GetFileName(p.File), p.Line, p.Column));
            Assert.Contains("the same key is on line 3", p.Expected);
            return;
        }
        var a = Load(dir, null, mode);
        var b = Load(dir, Lookback, mode);
        Assert.Equal(a.Report.Tables.Select(t => (t.Table, t.Read, t.Accepted, t.Rejected)), b.Report.Tables.Select(t => (t.Table, t.Read, t.Accepted, t.Rejected)));
        Assert.Equal(duplicate ? 1 : 0, b.Report.Tables.Single(t => t.Table == "engagement").Rejected);
        Assert.Equal(a.Dataset.Engagement.Where(e => e.Date >= cutoff), b.Dataset.Engagement);
        Assert.Equal(a.Report.Problems.Select(p => p.ToString()), b.Report.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Keeping_fewer_than_one_month_is_refused() =>
        Assert.Throws<OptionsValidationException>(() => Load(Sample, 0));

    static string Copy()
    {
        var dir = TestPaths.NewTempDir("recent");
        foreach (var f in Directory.GetFiles(Sample, "*.csv")) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }
}
