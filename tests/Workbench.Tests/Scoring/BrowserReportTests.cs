using Microsoft.Playwright;
using Workbench.Reporting.Book;

namespace Workbench.Tests.Scoring;

/// <summary>Runs only where Debian's chromium is installed; on CI (CI=true) a missing browser is a failure, not a skip,
/// so the report is never silently unchecked there.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!File.Exists(BrowserEnvironment.Chromium) && !BrowserEnvironment.IsCi)
            Skip = $"needs {BrowserEnvironment.Chromium} (apt-get install -y chromium; .ci/install-deps.sh does)";
    }
}

internal static class BrowserEnvironment
{
    public const string Chromium = "/usr/bin/chromium";
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Opens a rep's page in a real headless Chromium (Playwright driving Debian's browser; nothing is downloaded):
/// the table is there and sorts on a click, a Plotly chart rendered, the console stays clean, and an account named
/// &lt;script&gt;alert(1)&lt;/script&gt; shows as text without a dialog.</summary>
[Collection(ScoringCollection.Name)]
public class BrowserReportTests(ScoringFixture fx)
{
    [ChromiumFact]
    public async Task A_rep_page_renders_sorts_and_shows_a_hostile_name_as_text()
    {
        Assert.True(File.Exists(BrowserEnvironment.Chromium), $"CI=true but {BrowserEnvironment.Chromium} is missing: apt-get install -y chromium (.ci/install-deps.sh does).");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var book = fx.HostileOutput.Result.Books.First(b => b.Accounts.Any(a => a.AccountName == ScoringFixture.ScriptName));
        var page = Path.Combine(fx.HostileOut, "report", BookReport.RepFileName(book.RepId));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserEnvironment.Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        var tab = await browser.NewPageAsync();
        var errors = new List<string>();
        var dialogs = new List<string>();
        tab.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        tab.PageError += (_, e) => errors.Add(e);
        tab.Dialog += async (_, d) => { dialogs.Add(d.Message); await d.DismissAsync(); };
        await tab.GotoAsync(new Uri(page).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });

        // The table holds one row per account of the book, ranked.
        var rows = tab.Locator("#book tbody tr");
        Assert.Equal(book.Accounts.Count, await rows.CountAsync());
        Assert.Equal("1", (await rows.Nth(0).Locator("td").Nth(0).InnerTextAsync()).Trim());

        // Plotly drew the charts (an svg inside each .js-plotly-plot).
        await tab.WaitForSelectorAsync("#priority-distribution.js-plotly-plot svg.main-svg", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        Assert.True(await tab.Locator("#grade-counts.js-plotly-plot svg").CountAsync() > 0);

        // Clicking "priority" sorts ascending, clicking again descending.
        var priorityHeader = tab.Locator("#book thead th", new PageLocatorOptions { HasText = "priority" }).First;
        await priorityHeader.ClickAsync();
        var ascending = await PriorityColumn(tab);
        Assert.Equal(ascending.Order().ToList(), ascending);
        Assert.Equal("ascending", await priorityHeader.GetAttributeAsync("aria-sort"));
        await priorityHeader.ClickAsync();
        var descending = await PriorityColumn(tab);
        Assert.Equal(descending.OrderDescending().ToList(), descending);
        Assert.NotEqual(ascending, descending);

        // The hostile name is text, not markup: no script element carries it and no dialog fired.
        var cell = tab.Locator("#book tbody td a", new PageLocatorOptions { HasText = "alert(1)" }).First;
        Assert.Equal(ScoringFixture.ScriptName, (await cell.InnerTextAsync()).Trim());
        Assert.Equal(0, await tab.Locator("script:text('alert(1)')").CountAsync());
        Assert.Empty(dialogs);
        Assert.Empty(errors);
    }

    static async Task<List<double>> PriorityColumn(IPage tab)
    {
        var values = await tab.EvalOnSelectorAllAsync<string[]>("#book tbody tr", "rows => rows.map(r => r.cells[4].getAttribute('data-value'))");
        return values.Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }
}
