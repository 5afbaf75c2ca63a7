using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.Analytics.Lifetime;
using Workbench.Cli.Commands;
using Workbench.Experiments.Promotion;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Scoring;
using Workbench.Experiments.Specs;
using Xunit.Abstractions;

namespace Workbench.Tests.Lifetime;

/// <summary>CLV intervals, the model named (with its reason) per row, degenerate fits on monthly spend, the churn-hazard
/// value and the <c>lifetime</c> spec section.</summary>
public class LifetimeIntervalTests(ITestOutputHelper output)
{
    static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");
    static int Run(params string[] args) => CliRunner.InvokeAsync(CliApp.BuildRoot(), args).GetAwaiter().GetResult();

    /// <summary>The CDNOW 1/10 cohort as a summary table (weeks, calibration to 1997-09-30).</summary>
    static CustomerSummaryTable Cdnow() => new(
        CdnowData.Rows.Select(r => new CustomerSummary(r.Id.ToString("D5", CultureInfo.InvariantCulture), new DateOnly(1997, 1, 1), (int)r.X, r.Tx, r.T, r.Zbar, 0, 0, 0)).ToList(),
        LifetimeTimeUnit.Weeks, new DateOnly(1997, 9, 30), new DateOnly(1998, 6, 30), 39);

    [Fact]
    public void Clv_intervals_come_from_seeded_parameter_draws_and_contain_the_point_value_for_most_customers()
    {
        var summaries = Cdnow();
        var model = LifetimeEstimator.Fit(summaries, new LifetimeOptions { IntervalDraws = 100, Seed = 5 });
        var a = model.Score(summaries);
        var again = model.Score(summaries);
        Assert.Equal(a, again); // same seed, same draws
        Assert.All(a, v => Assert.True(v.ClvLow is { } lo && v.ClvHigh is { } hi && lo <= hi && lo >= 0, $"{v.AccountId}: [{v.ClvLow}, {v.ClvHigh}]"));
        double inside = a.Count(v => v.ClvLow <= v.Clv + 1e-9 && v.Clv <= v.ClvHigh + 1e-9) / (double)a.Count;
        double meanWidth = a.Average(v => (v.ClvHigh!.Value - v.ClvLow!.Value) / Math.Max(v.Clv, 1e-9));
        output.WriteLine($"point value inside its 90% interval for {inside:P1} of customers; mean relative width {meanWidth:F3}");
        Assert.True(inside >= 0.9, $"point value inside the interval for {inside:P1}");
        Assert.All(a, v => Assert.StartsWith(model.ModelName, v.Reason));

        var otherSeed = model.Score(summaries, 100, 6);
        Assert.NotEqual(a.Select(v => v.ClvLow), otherSeed.Select(v => v.ClvLow));
        Assert.Equal(a.Select(v => v.Clv), otherSeed.Select(v => v.Clv)); // the point value does not depend on the seed

        var none = model.Score(summaries, 0, 5);
        Assert.All(none, v => Assert.Null(v.ClvLow));
    }

    [Fact]
    public void A_fit_without_covariance_gives_no_parameter_draws()
    {
        var fit = new MaximumLikelihoodFit(["r", "alpha"], [1.0, 2.0], [double.NaN, double.NaN], -1, 0, "test");
        Assert.Empty(ParameterUncertainty.Draw(fit, 50, new Random(1)));
        Assert.Contains(FitDiagnostics.Problems(fit), p => p.Contains("not positive definite", StringComparison.Ordinal));
        var atBound = fit with { Values = [Math.Exp(18), Math.Exp(18)] };
        Assert.Contains(FitDiagnostics.Problems(atBound), p => p.StartsWith("r and alpha ran to the optimizer's bound", StringComparison.Ordinal));
    }

    [Fact]
    public void Churn_hazard_value_equals_the_closed_form_of_a_constant_monthly_hazard()
    {
        var o = new LifetimeOptions { HorizonMonths = 24, AnnualDiscountRate = 0.12, Margin = 0.5 };
        double d = Math.Pow(1.12, 1.0 / 12) - 1;
        double Closed(double runRate, double p, int h)
        {
            double q = Math.Pow(1 - p, 1.0 / h) / (1 + d);
            return runRate * q * (1 - Math.Pow(q, 24)) / (1 - q);
        }
        Assert.Equal(0.5 * (Closed(1000, 0.3, 12) + Closed(200, 0.05, 12)), ChurnHazardValue.Clv([(1000, 0.3), (200, 0.05)], 12, o), 6);
        Assert.Equal(0, ChurnHazardValue.Clv([(1000, 1.0)], 12, o), 9);
        Assert.True(ChurnHazardValue.Clv([(1000, 0.1)], 12, o) > ChurnHazardValue.Clv([(1000, 0.4)], 12, o));
        Assert.Throws<OptionsValidationException>(() => ChurnHazardValue.Clv([(1000, 0.1)], 0, o));
    }

    [Fact]
    public void Clv_on_monthly_spend_names_the_degenerate_bg_nbd_fit_and_values_every_row_with_run_rate_survival()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir("clv-monthly"), "out");
        Assert.Equal(0, Run("clv", "--data", Sample, "--out", outDir));
        var p = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "parameters.json")))!;
        Assert.Equal("sbg_run_rate", p["clv_model"]!.GetValue<string>());
        var notes = p["model_notes"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Contains(notes, n => n.StartsWith("bg_nbd fit is degenerate: r and alpha ran to the optimizer's bound", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("monthly spend: ", StringComparison.Ordinal) && n.Contains("subscription pattern", StringComparison.Ordinal));
        Assert.NotNull(p["fit_problems"]!["bg_nbd"]);
        var lines = File.ReadAllLines(Path.Combine(outDir, "clv.csv"));
        Assert.StartsWith("account_id,clv,clv_low,clv_high,model,model_reason,", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Contains(",sbg_run_rate,\"monthly spend (subscription pattern): ", l));
        // Active accounts carry an interval around their value (sBG parameter draws).
        var active = lines.Skip(1).Select(l => l.Split(',')).Where(f => f[5].Contains("run-rate x sBG", StringComparison.Ordinal) || f[6].Contains("run-rate x sBG", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(active);
        Assert.All(active, f =>
        {
            double clv = double.Parse(f[1], CultureInfo.InvariantCulture), lo = double.Parse(f[2], CultureInfo.InvariantCulture), hi = double.Parse(f[3], CultureInfo.InvariantCulture);
            Assert.True(lo <= hi && lo > 0, $"{f[0]}: [{lo}, {hi}] around {clv}");
        });
        var charts = File.ReadAllText(Path.Combine(outDir, "charts.html"));
        Assert.Contains("Plotly.newPlot('clv-by-segment'", charts);
        Assert.Contains("CLV distribution by planted segment", charts);
    }

    static string Minimal(string extra) =>
        "{\n  \"name\": \"t\",\n  \"data\": { \"path\": " + JsonValue.Create(Sample).ToJsonString() + " },\n" + extra + "\n}\n";

    [Fact]
    public void The_lifetime_spec_section_takes_the_option_defaults_and_the_spec_seed_and_round_trips()
    {
        var spec = ExperimentSpec.Parse(Minimal("  \"seed\": 9,\n  \"lifetime\": { \"model\": \"bg_nbd\", \"time_unit\": \"months\" }"), TestPaths.RepoRoot);
        Assert.Equal(new LifetimeOptions { Model = RepeatPurchaseModel.BgNbd, Seed = 9 }, spec.Lifetime!.Options);
        Assert.Equal(LifetimeTimeUnit.Months, spec.Lifetime.TimeUnit);
        Assert.Null(spec.Lifetime.CalibrationEnd);
        using var doc = JsonDocument.Parse(spec.ToJson());
        Assert.Equal("bg_nbd", doc.RootElement.GetProperty("lifetime").GetProperty("model").GetString());
        Assert.Equal(spec.Hash(), ExperimentSpec.Parse(spec.ToJson(), TestPaths.RepoRoot).Hash());
        Assert.Null(ExperimentSpec.Parse(Minimal("  \"seed\": 9"), TestPaths.RepoRoot).Lifetime);
    }

    [Fact]
    public void Lifetime_spec_values_are_checked_at_their_key()
    {
        var dir = TestPaths.NewTempDir("spec-lifetime");
        var path = Path.Combine(dir, "bad.json");
        File.WriteAllText(path, Minimal("  \"lifetime\": { \"margin\": 2, \"modle\": \"bg_nbd\", \"calibration_end\": \"2024-02-30\" }"));
        var message = Assert.Throws<OptionsValidationException>(() => ExperimentSpec.Load(path)).Message;
        output.WriteLine(message);
        Assert.Contains("bad.json:4: $.lifetime.modle: unknown key; did you mean 'model'?", message);
        Assert.Contains("$.lifetime.margin: Margin must be in (0, 1], got 2.", message);
        Assert.Contains("$.lifetime.calibration_end: \"2024-02-30\" is not a date", message);
    }
}

/// <summary>A run whose spec has a <c>lifetime</c> section records the lifetime metrics, gives its model a lifetime part,
/// and a book scored with that model (once promoted) carries CLV per account in book.csv, book.json and the HTML.</summary>
public class LifetimeRunAndBookTests(ITestOutputHelper output)
{
    static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");

    [Fact]
    public void A_run_with_a_lifetime_section_records_its_metrics_and_the_promoted_model_puts_clv_in_the_book()
    {
        var spec = ExperimentSpec.Parse("{\n  \"name\": \"clv\",\n  \"data\": { \"path\": " + JsonValue.Create(Sample).ToJsonString() + " },\n" +
            "  \"ranking\": { \"trees\": 20, \"early_stopping_rounds\": 5 },\n  \"segmentation\": { \"k\": 3 },\n" +
            "  \"lifetime\": { \"interval_draws\": 50 },\n  \"promotion_floors\": { \"lifetime.spearman_12m\": 0 }\n}\n", TestPaths.RepoRoot);
        var root = TestPaths.NewTempDir("lifetime-run");
        var store = new RunStore(Path.Combine(root, "store"));
        var record = ExperimentRunner.Run(spec, store);
        Assert.Equal(RunStatus.Succeeded, record.Status);
        var m = record.Metrics!;
        output.WriteLine($"lifetime.spearman_12m {m["lifetime.spearman_12m"]:F4}, baseline {m["lifetime.baseline_spearman_12m"]:F4}, bg_nbd LL {m["lifetime.bg_nbd_log_likelihood"]:F1}");
        // On the generated data the account-level value ranks realized 12-month revenue better than last year's revenue.
        Assert.True(m["lifetime.spearman_12m"] > m["lifetime.baseline_spearman_12m"]);
        Assert.Equal(1, m["lifetime.bg_nbd_degenerate"]); // monthly spend: see the model notes
        var dir = store.Layout.RunDirectory(record.Id);
        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "lifetime", "clv-metrics.json"))))
            Assert.Equal(metrics.RootElement.GetProperty("spearman_12m").GetDouble(), m["lifetime.spearman_12m"], 9);
        Assert.Contains("lifetime/clv.csv", record.Artifacts!);
        Assert.True(File.Exists(Path.Combine(store.Layout.RunModelDirectory(record.Id), "lifetime-model.zip")));

        Promoter.Promote(store.Layout, record.Id, "with-clv");
        var scored = BatchScoring.Run(store.Layout, "with-clv", Sample, Path.Combine(root, "book"));
        var result = scored.Result;
        Assert.Equal(ChurnHazardValue.ModelName, result.ClvModel);
        var clv = result.Books.SelectMany(b => b.Accounts).ToDictionary(a => a.AccountId, a => a.Clv!.Value);
        var lifetime = Workbench.Experiments.Pipeline.LifetimeStage.ReadBookModel(store.Layout.PromotedModelDirectory("with-clv"))!;
        foreach (var a in result.Books.SelectMany(b => b.Accounts).Take(20))
            Assert.Equal(ChurnHazardValue.Clv(a.Products.Select(p => (p.RunRate, p.PChurn)), Workbench.Analytics.PipelineOptions.Default.Snapshots.HorizonMonths, lifetime.Options), clv[a.AccountId], 9);

        var csv = File.ReadAllLines(Path.Combine(root, "book", "book.csv"));
        var header = csv[0].Split(',');
        int col = Array.IndexOf(header, "clv");
        Assert.True(col > 0, csv[0]);
        var first = result.Books[0].Accounts[0];
        var row = csv.Skip(1).First(l => l.Contains("," + first.AccountId + ",", StringComparison.Ordinal));
        Assert.Equal(Math.Round(clv[first.AccountId], 2), double.Parse(row.Split(',')[col], CultureInfo.InvariantCulture), 6);
        using var book = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "book", "book.json")));
        Assert.Equal("churn_hazard", book.RootElement.GetProperty("clv_model").GetString());
        var account = book.RootElement.GetProperty("books")[0].GetProperty("accounts")[0];
        Assert.Equal(clv[account.GetProperty("account_id").GetString()!], account.GetProperty("clv").GetDouble(), 6);
        var page = Directory.GetFiles(Path.Combine(root, "book", "report"), "*.html").First(f => !f.EndsWith("index.html", StringComparison.Ordinal));
        Assert.Contains("data-sort=\"clv\"", File.ReadAllText(page));
    }
}
