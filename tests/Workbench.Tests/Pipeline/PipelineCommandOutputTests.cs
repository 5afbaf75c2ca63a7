using System.Text.Json;
using Microsoft.Playwright;
using Workbench.Cli.Commands;
using Workbench.Reporting.Book;
using Workbench.Tests.Scoring;

namespace Workbench.Tests.Pipeline;

/// <summary><c>workbench pipeline</c> on the committed sample: the metrics the checks read, the scored open deals, and a rep's
/// page opened in headless Chromium.</summary>
public sealed class PipelineCommandOutputTests(PipelineCliFixture fx) : IClassFixture<PipelineCliFixture>
{
    [Fact]
    public void The_metrics_file_holds_the_names_the_checks_read()
    {
        Assert.Equal(0, fx.ExitCode);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(fx.Out, "pipeline-metrics.json")));
        foreach (var key in new[] { "win_auc", "oracle_win_auc", "rep_gap_correlation", "forecast_wape", "declared_forecast_wape" })
            Assert.Equal(JsonValueKind.Number, doc.RootElement.GetProperty(key).ValueKind);
        var m = doc.RootElement;
        Assert.InRange(m.GetProperty("win_auc").GetDouble(), m.GetProperty("oracle_win_auc").GetDouble() - 0.05, 1.0);
        Assert.True(m.GetProperty("forecast_wape").GetDouble() < m.GetProperty("declared_forecast_wape").GetDouble());
    }

    [Fact]
    public void Opportunities_csv_lists_every_open_deal_with_its_win_probability_and_both_stages()
    {
        var lines = File.ReadAllLines(Path.Combine(fx.Out, "opportunities.csv"));
        Assert.Equal(["opportunity_id", "win_probability", "declared_stage", "supported_stage"], lines[0].Split(',').Take(4));
        var openInSample = File.ReadLines(Path.Combine(PipelineCliFixture.Sample, "opportunities.csv")).Count(l => l.EndsWith(",open", StringComparison.Ordinal));
        Assert.Equal(openInSample, lines.Length - 1);
        var stages = new[] { "prospecting", "qualification", "proposal", "negotiation" };
        foreach (var line in lines.Skip(1).Take(50))
        {
            var cells = line.Split(',');
            Assert.InRange(double.Parse(cells[1], System.Globalization.CultureInfo.InvariantCulture), 0, 1);
            Assert.Contains(cells[2], stages);
            Assert.Contains(cells[3], stages);
        }
    }

    [Fact]
    public async Task Bad_options_exit_2_without_writing_anything()
    {
        var dir = TestPaths.NewTempDir("pipeline-bad");
        var target = Path.Combine(dir, "out");
        int code = await CliRunner.InvokeAsync(CliApp.BuildRoot(), ["pipeline", "--data", PipelineCliFixture.Sample, "--out", target, "--test-months", "0"]);
        Assert.Equal(2, code);
        Assert.False(Directory.Exists(target));
    }

    [ChromiumFact]
    public async Task A_rep_page_renders_its_deals_sorts_by_win_probability_and_logs_no_error()
    {
        Assert.True(File.Exists(BrowserEnvironment.Chromium), $"CI=true but {BrowserEnvironment.Chromium} is missing.");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var lines = File.ReadAllLines(Path.Combine(fx.Out, "opportunities.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var rep = lines.GroupBy(c => c[8]).OrderByDescending(g => g.Count()).First();
        var page = Path.Combine(fx.Out, "report", BookReport.RepFileName(rep.Key));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserEnvironment.Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        var tab = await browser.NewPageAsync();
        var errors = new List<string>();
        tab.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        tab.PageError += (_, e) => errors.Add(e);
        await tab.GotoAsync(new Uri(page).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });

        Assert.Equal(rep.Count(), await tab.Locator("#deals tbody tr").CountAsync());
        Assert.Contains("stages from what the data supports", await tab.Locator("p.meta").InnerTextAsync());
        var header = tab.Locator("#deals thead th", new PageLocatorOptions { HasText = "win probability" }).First;
        await header.ClickAsync();
        var ascending = await Column(tab, 3);
        Assert.Equal(ascending.Order().ToList(), ascending);
        await header.ClickAsync();
        var descending = await Column(tab, 3);
        Assert.Equal(descending.OrderDescending().ToList(), descending);
        Assert.True(await tab.Locator(".deal ul.for li").CountAsync() > 0);
        // The two charts drew (plotly.js beside the page, loaded once): declared against supported stage, forecast against closed.
        await tab.WaitForSelectorAsync("#stage-gap .main-svg");
        await tab.WaitForSelectorAsync("#forecast-chart .main-svg");
        Assert.Equal(2, await tab.EvalOnSelectorAsync<int>("#stage-gap", "d => d.data.length"));
        Assert.Equal(3, await tab.EvalOnSelectorAsync<int>("#forecast-chart", "d => d.data.length"));
        var declared = await tab.EvalOnSelectorAsync<int[]>("#stage-gap", "d => d.data[0].y");
        Assert.Equal(rep.Count(), declared.Sum());
        Assert.Equal(1, await tab.Locator("script[src='plotly.min.js']").CountAsync());
        Assert.Empty(errors);
    }

    static async Task<List<double>> Column(IPage tab, int col)
    {
        var values = await tab.EvalOnSelectorAllAsync<string[]>("#deals tbody tr", $"rows => rows.map(r => r.cells[{col}].getAttribute('data-value'))");
        return values.Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }
}
