using Workbench.Domain;
using System.Globalization;
using System.Text.Json;
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

/// <summary>Opens the book's pages in a real headless Chromium (Playwright driving Debian's browser; nothing is downloaded):
/// every row's product probabilities match book.json, filters, search and sort work, an account's detail view opens with
/// its history and reasons, the charts render, the console stays clean, hostile names stay text, and the manager's index
/// shows the movers after a second scoring.</summary>
[Collection(ScoringCollection.Name)]
public class BrowserReportTests(ScoringFixture fx)
{
    static async Task<(IPlaywright, IBrowser)> Launch()
    {
        Assert.True(File.Exists(BrowserEnvironment.Chromium), $"CI=true but {BrowserEnvironment.Chromium} is missing: apt-get install -y chromium (.ci/install-deps.sh does).");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserEnvironment.Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        return (playwright, browser);
    }

    static async Task<(IPage Tab, List<string> Errors, List<string> Dialogs)> Open(IBrowser browser, string file, int width = 1280)
    {
        var tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        var errors = new List<string>();
        var dialogs = new List<string>();
        tab.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        tab.PageError += (_, e) => errors.Add(e);
        tab.RequestFailed += (_, r) => errors.Add("failed request " + r.Url);
        tab.Dialog += async (_, d) => { dialogs.Add(d.Message); await d.DismissAsync(); };
        await tab.GotoAsync(new Uri(file).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        return (tab, errors, dialogs);
    }

    [ChromiumFact]
    public async Task A_rep_page_matches_book_json_filters_searches_sorts_opens_details_and_keeps_hostile_names_as_text()
    {
        var book = fx.HostileOutput.Result.Books.First(b => b.Accounts.Any(a => a.AccountName == ScoringFixture.ScriptName));
        var (playwright, browser) = await Launch();
        using var _ = playwright;
        await using var __ = browser;
        var (tab, errors, dialogs) = await Open(browser, Path.Combine(fx.HostileOut, "report", BookReport.RepFileName(book.RepId)));

        // One row group per account, ranked; every product's probabilities equal book.json's.
        var groups = tab.Locator("#book tbody.acct");
        Assert.Equal(book.Accounts.Count, await groups.CountAsync());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(fx.HostileOut, "book.json")));
        var expected = json.RootElement.GetProperty("books").EnumerateArray().Single(b => b.GetProperty("rep_id").GetString() == book.RepId)
            .GetProperty("accounts").EnumerateArray()
            .SelectMany(a => a.GetProperty("products").EnumerateArray().Select(p => (Account: a.GetProperty("account_id").GetString()!, Product: p.GetProperty("product_id").GetString()!,
                Churn: p.GetProperty("p_churn").GetDouble(), Upsell: p.GetProperty("p_upsell").GetDouble())))
            .ToList();
        var shown = await tab.EvalOnSelectorAllAsync<string[][]>("#book tbody.acct tr.products-row tr[data-product]",
            "rows => rows.map(r => [r.closest('tbody.acct').dataset.account, r.dataset.product, r.querySelector('td.p-churn').dataset.value, r.querySelector('td.p-upsell').dataset.value])");
        Assert.Equal(expected.Count, shown.Length);
        foreach (var (row, want) in shown.Zip(expected))
        {
            Assert.Equal((want.Account, want.Product), (row[0], row[1]));
            // book.json rounds to 10 decimals; the page keeps the full double.
            Assert.True(Math.Abs(want.Churn - double.Parse(row[2], CultureInfo.InvariantCulture)) < 1e-9, $"{row[0]}/{row[1]} P(churn) {row[2]} vs {want.Churn}");
            Assert.True(Math.Abs(want.Upsell - double.Parse(row[3], CultureInfo.InvariantCulture)) < 1e-9, $"{row[0]}/{row[1]} P(upsell) {row[3]} vs {want.Upsell}");
        }

        // Expanding a row shows its products.
        var first = groups.Nth(0);
        Assert.False(await first.Locator("tr.products-row").IsVisibleAsync());
        await first.Locator("button.expand").ClickAsync();
        Assert.True(await first.Locator("tr.products-row").IsVisibleAsync());

        // Filter by grade: only A rows stay, and the count says so.
        int gradeA = book.Accounts.Count(a => a.Priority.Grade == Workbench.Analytics.Ranking.Grade.A);
        await tab.SelectOptionAsync("#f-grade", "A");
        Assert.Equal(gradeA, await tab.Locator("#book tbody.acct:visible").CountAsync());
        Assert.Equal(gradeA.ToString(CultureInfo.InvariantCulture), (await tab.InnerTextAsync("#shown")).Trim());
        await tab.SelectOptionAsync("#f-grade", "");
        var focus = book.Accounts[0].Priority.Focus;
        await tab.SelectOptionAsync("#f-focus", focus.Name());
        Assert.Equal(book.Accounts.Count(a => a.Priority.Focus == focus), await tab.Locator("#book tbody.acct:visible").CountAsync());
        await tab.SelectOptionAsync("#f-focus", "");

        // Search by name finds the hostile account alone, as text.
        await tab.FillAsync("#search", "alert(1)");
        Assert.Equal(1, await tab.Locator("#book tbody.acct:visible").CountAsync());
        var link = tab.Locator("#book tbody.acct:visible a.name");
        Assert.Equal(ScoringFixture.ScriptName, (await link.InnerTextAsync()).Trim());
        await tab.FillAsync("#search", "");
        Assert.Equal(book.Accounts.Count, await tab.Locator("#book tbody.acct:visible").CountAsync());

        // Sort by priority: ascending, then descending.
        var header = tab.Locator("#book thead th[data-sort=priority]");
        await header.ClickAsync();
        var ascending = await Column(tab, "priority");
        Assert.Equal(ascending.Order().ToList(), ascending);
        await header.ClickAsync();
        var descending = await Column(tab, "priority");
        Assert.Equal(descending.OrderDescending().ToList(), descending);
        Assert.Equal("descending", await header.GetAttributeAsync("aria-sort"));

        // The detail view opens from the name with history and reasons.
        await tab.FillAsync("#search", "alert(1)");
        await link.ClickAsync();
        var detail = tab.Locator("section.detail:target");
        Assert.True(await detail.IsVisibleAsync());
        Assert.Equal(AccountContextMonths, await detail.Locator("svg.history rect").CountAsync());
        Assert.True(await detail.Locator("ul.for li, ul.against li").CountAsync() > 0);
        Assert.True(await detail.Locator("table.products tr[data-product]").CountAsync() > 0);
        // book.js builds the detail view from the page's JSON: the hostile name is its heading's text, not markup.
        Assert.Contains(ScoringFixture.ScriptName, await detail.Locator("h2").InnerTextAsync());
        Assert.Equal(0, await detail.Locator("h2 script").CountAsync());

        // Charts rendered by the shared plotly.js.
        await tab.WaitForSelectorAsync("#priority-by-grade.js-plotly-plot svg.main-svg", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        Assert.True(await tab.Locator("#value-by-focus.js-plotly-plot svg").CountAsync() > 0);

        Assert.Equal(0, await tab.Locator("script:text('alert(1)')").CountAsync());
        Assert.Empty(dialogs);
        Assert.Empty(errors);

        // On a phone-sized screen the optional columns step aside and the page still has no errors.
        var (phone, phoneErrors, _) = await Open(browser, Path.Combine(fx.HostileOut, "report", BookReport.RepFileName(book.RepId)), width: 390);
        Assert.False(await phone.Locator("#book thead th.opt").First.IsVisibleAsync());
        Assert.Empty(phoneErrors);
    }

    const int AccountContextMonths = Workbench.Analytics.Scoring.AccountContext.HistoryMonths;

    [ChromiumFact]
    public async Task The_manager_index_shows_movers_after_a_second_scoring_and_links_each_rep()
    {
        var (playwright, browser) = await Launch();
        using var _ = playwright;
        await using var __ = browser;
        var (tab, errors, dialogs) = await Open(browser, Path.Combine(fx.TwiceOut, "report", BookReport.IndexFile));
        Assert.True(await tab.Locator("#movers tbody tr").CountAsync() > 0);
        Assert.Equal(0, await tab.Locator("#no-previous").CountAsync());
        Assert.Equal(Math.Min(15, fx.TwiceOutput.Result.AccountCount), await tab.Locator("#top-accounts tbody tr").CountAsync());
        Assert.Equal(fx.TwiceOutput.Result.Books.Count, await tab.Locator("#reps tbody tr").CountAsync());
        Assert.True(await tab.Locator("#model-card").IsVisibleAsync());
        Assert.Contains("prod", await tab.InnerTextAsync("#model-card"));
        await tab.WaitForSelectorAsync("#priority-by-grade.js-plotly-plot svg.main-svg", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        // A mover's link opens its rep's page at the account's detail view.
        await tab.Locator("#movers tbody tr a").First.ClickAsync();
        await tab.WaitForLoadStateAsync(LoadState.Load);
        Assert.True(await tab.Locator("section.detail:target").IsVisibleAsync());
        Assert.Empty(dialogs);
        Assert.Empty(errors);
    }

    static async Task<List<double>> Column(IPage tab, string key)
    {
        var values = await tab.EvalOnSelectorAllAsync<string[]>("#book tbody.acct", $"rows => rows.map(r => r.getAttribute('data-{key}'))");
        return values.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
    }
}
