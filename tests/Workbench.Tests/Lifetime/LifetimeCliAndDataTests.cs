using System.Globalization;
using System.Text.Json.Nodes;
using Workbench.Analytics.Lifetime;
using Workbench.Cli.Commands;
using Workbench.Data;
using Xunit.Abstractions;

namespace Workbench.Tests.Lifetime;

public class LifetimeCliAndDataTests(ITestOutputHelper output)
{
    static int Run(params string[] args) => CliRunner.InvokeAsync(CliApp.BuildRoot(), args).GetAwaiter().GetResult();
    static string Mapping(string name) => Path.Combine(TestPaths.RepoRoot, "data-samples", "mappings", name);

    [Fact]
    public void Summaries_built_from_the_imported_cdnow_sample_equal_the_published_summary_file()
    {
        var data = DataImporter.Import(Mapping("cdnow_sample.json"), new ImportOptions { DataDirectory = TestPaths.Dataset("cdnow-lifetimes") });
        Assert.Equal(6_919, data.Dataset.Transactions.Count);
        var table = CustomerSummaries.Build(CustomerSummaries.FromTransactions(data.Dataset.Transactions), new DateOnly(1997, 9, 30), LifetimeTimeUnit.Weeks);
        var published = CdnowData.Rows.ToDictionary(r => r.Id);
        Assert.Equal(2_357, table.Customers.Count);
        foreach (var c in table.Customers)
        {
            var p = published[int.Parse(c.AccountId, CultureInfo.InvariantCulture)];
            Assert.Equal(p.X, c.Frequency);
            Assert.Equal(p.Tx, c.Recency, 0.006);
            Assert.Equal(p.T, c.T, 0.006);
            Assert.Equal(p.Zbar, c.MonetaryValue, 0.006);
        }
    }

    [Fact]
    public void Clv_on_the_imported_cdnow_sample_reproduces_the_published_parameters_through_the_cli()
    {
        var dir = TestPaths.NewTempDir("clv-cdnow");
        var data = Path.Combine(dir, "data");
        var outDir = Path.Combine(dir, "out");
        Assert.Equal(0, Run("import", "--mapping", Mapping("cdnow_sample.json"), "--source", TestPaths.Dataset("cdnow-lifetimes"), "--out", data));
        Assert.True(File.Exists(Path.Combine(data, "transactions.csv")));
        Assert.Equal(0, Run("clv", "--data", data, "--out", outDir, "--calibration-end", "1997-09-30", "--time-unit", "weeks"));

        var p = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "parameters.json")))!;
        void Near(string model, string name, double expected)
        {
            var v = p[model]![name]!.GetValue<double>();
            Assert.True(Math.Abs(v - expected) <= 0.01 * Math.Abs(expected), $"{model}.{name}: expected {expected} within 1%, got {v}");
        }
        Near("bg_nbd", "r", 0.243); Near("bg_nbd", "alpha", 4.414); Near("bg_nbd", "a", 0.793); Near("bg_nbd", "b", 2.426);
        Near("pareto_nbd", "r", 0.553); Near("pareto_nbd", "alpha", 10.578); Near("pareto_nbd", "s", 0.606); Near("pareto_nbd", "beta", 11.668);
        Near("gamma_gamma", "p", 6.25); Near("gamma_gamma", "q", 3.74); Near("gamma_gamma", "v", 15.45);
        Assert.Equal(-9582.4, p["bg_nbd"]!["log_likelihood"]!.GetValue<double>(), 0.1);
        Assert.Equal(-9595.0, p["pareto_nbd"]!["log_likelihood"]!.GetValue<double>(), 0.1);
        foreach (var se in new[] { "bg_nbd_se", "pareto_nbd_se", "gamma_gamma_se" })
            Assert.All(p[se]!.AsObject(), kv => Assert.True(kv.Value!.GetValue<double>() > 0));

        var clv = File.ReadAllLines(Path.Combine(outDir, "clv.csv"));
        Assert.StartsWith("account_id,clv,clv_low,clv_high,model,model_reason,p_alive", clv[0]);
        Assert.Equal(2_358, clv.Length);
        Assert.All(clv.Skip(1), l => Assert.True(double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture) >= 0));
        Assert.Contains("Plotly.newPlot('p-alive'", File.ReadAllText(Path.Combine(outDir, "charts.html")));
        Assert.False(File.Exists(Path.Combine(outDir, "clv-metrics.json"))); // real data: no planted truth

        // The saved model loads back and values customers the same way.
        using var s = File.OpenRead(Path.Combine(outDir, "lifetime-model.zip"));
        var model = LifetimeModel.Load(s);
        Assert.Equal(p["bg_nbd"]!["r"]!.GetValue<double>(), model.BgNbd.R);
        Assert.Equal(RepeatPurchaseModel.BgNbd, model.Chosen);
    }

    [Fact]
    public void Clv_rejects_an_unknown_time_unit_and_a_calibration_end_outside_the_data()
    {
        var dir = TestPaths.NewTempDir("clv-bad");
        Assert.Equal(2, Run("clv", "--data", Path.Combine(TestPaths.RepoRoot, "data-samples", "generated"), "--out", dir, "--time-unit", "fortnights"));
        Assert.Equal(2, Run("clv", "--data", Path.Combine(TestPaths.RepoRoot, "data-samples", "generated"), "--out", dir, "--calibration-end", "1990-01-01"));
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Account_level_value_ranks_realized_12_month_revenue_better_than_last_12_months_revenue_on_generated_data()
    {
        var data = new CrmCatalog(Path.Combine(TestPaths.RepoRoot, "data-samples", "generated")).Load().Dataset;
        var purchases = CustomerSummaries.FromMonthlySpend(data.Spend);
        var lastMonth = data.Spend.Max(s => s.Month);
        var calibrationEnd = lastMonth.AddMonths(-11).AddDays(-1);
        var (survival, values) = RunRateSurvivalValue.Estimate(purchases, calibrationEnd, new LifetimeOptions { TimeUnit = LifetimeTimeUnit.Months });
        var comparison = LifetimeEvaluation.CompareRevenue(values.Select(v => v.AccountId).ToList(), values.Select(v => v.Revenue12).ToList(), purchases, calibrationEnd);
        output.WriteLine($"sBG alpha {survival.Alpha:F3} beta {survival.Beta:F3}; Spearman {comparison.Spearman:F4} vs baseline {comparison.BaselineSpearman:F4}; MAE {comparison.MeanAbsoluteError:F0} vs {comparison.BaselineMeanAbsoluteError:F0}");
        Assert.True(comparison.Spearman > comparison.BaselineSpearman, $"account-level {comparison.Spearman} vs baseline {comparison.BaselineSpearman}");
        Assert.True(comparison.MeanAbsoluteError < comparison.BaselineMeanAbsoluteError);
    }
}
