using Workbench.Analytics.Labeling;
using Workbench.Reporting;

namespace Workbench.Tests.Reporting;

[Collection(ReportingCollection.Name)]
public class HtmlTableTests(ReportingFixture fx)
{
    [Fact]
    public void Cells_headers_and_caption_are_html_escaped()
    {
        var table = new HtmlTable("<b>caption</b>", ["a&b", "n"], [["<script>alert(1)</script>", "1"], ["\"quoted\"", "22"]]);
        var html = table.ToHtml();
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<b>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("a&amp;b", html);
        Assert.Contains("&quot;quoted&quot;", html);
        Assert.Contains("<caption>&lt;b&gt;caption&lt;/b&gt;</caption>", html);
    }

    [Fact]
    public void Plain_text_aligns_numbers_right_and_text_left()
    {
        var table = new HtmlTable("", ["name", "n"], [["ab", "1"], ["c", "1,234"]]);
        Assert.Equal("name      n\n----  -----\nab        1\nc     1,234", table.ToString());
        Assert.Contains("text-align:right", table.ToHtml());
    }

    [Fact]
    public void A_row_of_the_wrong_width_is_refused_with_its_number()
    {
        var e = Assert.Throws<ArgumentException>(() => new HtmlTable("", ["a", "b"], [["1", "2"], ["3"]]));
        Assert.Contains("Row 2 has 1 cells", e.Message);
    }

    [Fact]
    public void Label_balance_table_shows_each_month_with_counts_and_rates()
    {
        var report = fx.Labeled.Report;
        var table = ReportTables.LabelBalance(report);
        Assert.Equal(report.ByMonth.Count, table.Rows.Count);
        var first = report.ByMonth[0];
        Assert.Equal([first.Group, first.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)], table.Rows[0].Take(2));
        Assert.Equal(first.ChurnRate.ToString("P1", System.Globalization.CultureInfo.InvariantCulture), table.Rows[0][6]);
        Assert.Equal(report.ByProduct.Count, ReportTables.LabelBalance(report, LabelGrouping.ByProduct).Rows.Count);
        Assert.Equal("all", ReportTables.LabelBalance(report, LabelGrouping.Overall).Rows.Single()[0]);
    }

    [Fact]
    public void Metrics_table_puts_model_oracle_and_best_baseline_side_by_side()
    {
        var r = fx.Ranking;
        var table = ReportTables.Metrics(r);
        Assert.Equal(["target", "metric", "model", "oracle", "best baseline"], table.Headers);
        var auc = table.Rows.Single(row => row[0] == "churn" && row[1] == "ROC AUC");
        Assert.Equal(r.Churn.Auc.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), auc[2]);
        Assert.Equal(r.Churn.OracleAuc!.Value.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), auc[3]);
        var ndcg = table.Rows.Single(row => row[0] == "upsell" && row[1] == "NDCG@10 in rep books");
        Assert.EndsWith($"({r.Upsell.BestBaseline})", ndcg[4]);
    }

    [Fact]
    public void Book_table_lists_a_reps_top_accounts_in_rank_order_and_names_unknown_reps()
    {
        var books = fx.Ranking.Books;
        var rep = books[0].RepId;
        var table = ReportTables.Book(books, rep, top: 5);
        Assert.True(table.Rows.Count is > 0 and <= 5);
        Assert.Equal(Enumerable.Range(1, table.Rows.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), table.Rows.Select(r => r[0]));
        Assert.Contains($"Ranked book of {rep}", table.Caption);
        var e = Assert.Throws<WorkbenchException>(() => ReportTables.Book(books, "R9999"));
        Assert.Contains("R9999", e.Message);
    }

    [Fact]
    public void Registry_table_has_a_row_per_feature_with_its_description_and_template()
    {
        var registry = fx.Labeled.Features.Registry;
        var table = ReportTables.Registry(registry);
        Assert.Equal(registry.Definitions.Count, table.Rows.Count);
        Assert.Equal(registry.Definitions[0].Description, table.Rows[0][2]);
        Assert.Throws<WorkbenchException>(() => ReportTables.Registry(registry, "NoSuchGroup"));
    }

    [Fact]
    public void Dataset_table_counts_every_table_and_the_truth()
    {
        var table = ReportTables.Dataset(fx.Data);
        Assert.Equal(fx.Data.Accounts.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), table.Rows.Single(r => r[0] == "accounts")[1]);
        Assert.Contains(table.Rows, r => r[0] == "truth/risks");
    }

    [Fact]
    public void Account_history_matches_the_panel_and_its_run_rate_is_the_trailing_mean()
    {
        var lf = fx.Labeled;
        var label = lf.Labels.First(l => l.RunRate > 0);
        var account = lf.Panel.AccountIds[label.Snapshot.Account];
        var product = lf.Panel.ProductIds[label.Snapshot.Product];
        var h = AccountHistory.Of(lf.Panel, account);
        int t = label.Snapshot.AsOfMonth;
        var key = lf.Panel.MonthAt(t).ToDateTime(TimeOnly.MinValue);
        // The product's trailing 3-month mean from the history equals the label's run-rate.
        var s = h.SpendOf(product);
        double trailing = (s.GetAt(t - 1) + s.GetAt(t - 2) + s.GetAt(t - 3)) / 3;
        Assert.Equal(label.RunRate, trailing, 6);
        // The account run-rate series is the trailing mean of the total, missing for the first three months.
        double expected = (h.TotalSpend.GetAt(t - 1) + h.TotalSpend.GetAt(t - 2) + h.TotalSpend.GetAt(t - 3)) / 3;
        Assert.Equal(expected, h.RunRate.Get(key), 6);
        Assert.False(h.RunRate.TryGet(h.TotalSpend.GetKeyAt(2)).HasValue);
        Assert.Throws<KeyNotFoundException>(() => h.SpendOf("NOPE"));
        var window = LabelWindow.Of(label, lf.Panel, lf.SnapshotOptions);
        Assert.Equal(lf.Panel.MonthAt(t), window.From);
        Assert.Equal(lf.Panel.MonthAt(t + lf.SnapshotOptions.HorizonMonths), window.To);
    }
}
