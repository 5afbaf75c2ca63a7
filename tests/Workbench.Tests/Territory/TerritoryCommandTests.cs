using System.Text.Json;
using Microsoft.Playwright;
using Workbench.Cli.Commands;
using Workbench.Reporting.Book;
using Workbench.Tests.Scoring;

namespace Workbench.Tests.Territory;

/// <summary>Runs <c>workbench territory</c> once on the committed sample; the tests read what it wrote.</summary>
public sealed class TerritoryCommandFixture
{
    public static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");
    public string Out { get; } = TestPaths.NewTempDir("territory");
    public int ExitCode { get; }

    public TerritoryCommandFixture() => ExitCode = TerritoryCommandTests.Run("territory", "--data", Sample, "--out", Out, "--max-moves", "60", "--seed", "7");
}

public class TerritoryCommandTests(TerritoryCommandFixture fx) : IClassFixture<TerritoryCommandFixture>
{
    internal static int Run(params string[] args) => CliRunner.InvokeAsync(CliApp.BuildRoot(), args).GetAwaiter().GetResult();

    [Fact]
    public void Territory_writes_the_summary_contract_and_keeps_its_limits()
    {
        Assert.Equal(0, fx.ExitCode);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(fx.Out, "summary.json")));
        var root = doc.RootElement;
        Assert.Equal(["expected_wins", "true_expected_wins", "moves", "capacity_violations", "continuity_violations"], root.EnumerateObject().Select(p => p.Name));
        foreach (var block in new[] { "expected_wins", "true_expected_wins" })
            Assert.Equal(["plan", "current", "region_baseline", "oracle"], root.GetProperty(block).EnumerateObject().Select(p => p.Name));
        var t = root.GetProperty("true_expected_wins");
        Assert.True(t.GetProperty("plan").GetDouble() > t.GetProperty("region_baseline").GetDouble());
        Assert.Equal(0, root.GetProperty("capacity_violations").GetInt32());
        Assert.Equal(0, root.GetProperty("continuity_violations").GetInt32());

        // moves.csv and assignment.csv agree with the summary and the limit.
        var moves = File.ReadAllLines(Path.Combine(fx.Out, "moves.csv")).Skip(1).ToArray();
        Assert.Equal(root.GetProperty("moves").GetInt32(), moves.Length);
        Assert.InRange(moves.Length, 1, 60);
        var assignment = File.ReadAllLines(Path.Combine(fx.Out, "assignment.csv"));
        Assert.Equal("account_id,account_name,region,group,current_owner,planned_owner,moved,current_expected,planned_expected", assignment[0]);
        Assert.Equal(moves.Length, assignment.Count(l => l.Contains(",true,", StringComparison.Ordinal)));
        Assert.All(moves, m => Assert.Contains(" wins an estimated ", m));
    }

    [Fact]
    public void The_same_seed_writes_the_same_bytes()
    {
        var again = TestPaths.NewTempDir("territory-again");
        Assert.Equal(0, Run("territory", "--data", TerritoryCommandFixture.Sample, "--out", again, "--max-moves", "60", "--seed", "7"));
        foreach (var f in Directory.GetFiles(fx.Out, "*", SearchOption.AllDirectories))
            Assert.Equal(File.ReadAllBytes(f), File.ReadAllBytes(Path.Combine(again, Path.GetRelativePath(fx.Out, f))));
    }

    [Fact]
    public void Infeasible_limits_exit_2_with_a_clear_message_and_write_nothing()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir("territory-bad"), "out");
        using (var capture = ConsoleCapture.Start())
        {
            Assert.Equal(2, Run("territory", "--data", TerritoryCommandFixture.Sample, "--out", outDir, "--regions", "same", "--capacity-tolerance", "-0.5"));
            Assert.Contains("CapacityTolerance must be in [0, 10]", capture.Err);
            Assert.Equal(2, Run("territory", "--data", TerritoryCommandFixture.Sample, "--out", outDir, "--objective", "revenue"));
            Assert.Contains("--objective: unknown value 'revenue'", capture.Err);
        }
        Assert.False(Directory.Exists(outDir));
        var parent = Path.GetDirectoryName(outDir)!;
        Assert.Empty(Directory.GetFileSystemEntries(parent));
    }

    [ChromiumFact]
    public async Task A_rep_page_lists_the_accounts_gained_and_lost_and_draws_its_chart()
    {
        Assert.True(File.Exists(BrowserEnvironment.Chromium), $"CI=true but {BrowserEnvironment.Chromium} is missing: apt-get install -y chromium (.ci/install-deps.sh does).");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var moves = File.ReadAllLines(Path.Combine(fx.Out, "moves.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        // The rep gaining the most accounts (columns: account_id, name, group..., from_rep, to_rep): read from the end-anchored fields via the assignment file.
        var assignment = File.ReadAllLines(Path.Combine(fx.Out, "assignment.csv")).Skip(1).Select(l => l.Split(',')).Where(c => c[^3] == "true").ToArray();
        var rep = assignment.GroupBy(c => c[^4]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
        int lost = assignment.Count(c => c[^5] == rep.Key);
        Assert.Equal(moves.Length, assignment.Length);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserEnvironment.Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        var tab = await browser.NewPageAsync();
        var errors = new List<string>();
        tab.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        tab.PageError += (_, e) => errors.Add(e);
        await tab.GotoAsync(new Uri(Path.Combine(fx.Out, "report", BookReport.RepFileName(rep.Key))).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        Assert.Equal(rep.Count(), await tab.Locator("#gained tbody tr").CountAsync());
        Assert.Equal(lost, await tab.Locator("#lost tbody tr").CountAsync());
        await tab.WaitForSelectorAsync("#rep-affinity.js-plotly-plot svg.main-svg", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });

        // Sorting the gained table by expected gain works.
        var header = tab.Locator("#gained thead th", new PageLocatorOptions { HasText = "expected gain" }).First;
        await header.ClickAsync();
        // Read through locators (generic evaluation results would need reflection-based JSON, which is off).
        var values = new List<double>();
        foreach (var cell in await tab.Locator("#gained tbody tr td:nth-child(5)").AllAsync())
            values.Add(double.Parse((await cell.GetAttributeAsync("data-value"))!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(values.Order().ToList(), values);

        // The index draws the heat map.
        await tab.GotoAsync(new Uri(Path.Combine(fx.Out, "report", "index.html")).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        await tab.WaitForSelectorAsync("#affinity-heatmap.js-plotly-plot svg.main-svg", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        Assert.Empty(errors);
    }
}
