using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Workbench.Notebooks;
using Workbench.Tests.Scoring;

namespace Workbench.Tests.Notebooks;

/// <summary>Runs where Debian's chromium, jupyter-nbconvert and jupyter-notebook (classic Notebook 6) are installed;
/// on CI (CI=true) their absence is a failure, not a skip.</summary>
public sealed class NotebookBrowserFactAttribute : FactAttribute
{
    public NotebookBrowserFactAttribute()
    {
        if (!NotebookBrowser.Available && !BrowserEnvironment.IsCi)
            Skip = "needs /usr/bin/chromium, /usr/bin/jupyter-nbconvert and /usr/bin/jupyter-notebook (apt-get install -y chromium jupyter-nbconvert jupyter-notebook; .ci/install-deps.sh does)";
    }
}

internal static class NotebookBrowser
{
    public const string Nbconvert = "/usr/bin/jupyter-nbconvert", ClassicNotebook = "/usr/bin/jupyter-notebook";
    public static bool Available => File.Exists(BrowserEnvironment.Chromium) && File.Exists(Nbconvert) && File.Exists(ClassicNotebook);
}

/// <summary>The committed walkthroughs' charts are visible where readers open them, in a real headless Chromium
/// (Playwright over Debian's browser; nothing downloaded, every request to the internet blocked or answered locally):
/// an nbconvert HTML export (offline: the static images; with plotly.js reachable: every chart drawn by plotly.js from
/// one load) and classic Notebook 6 with the notebook untrusted (the static images).</summary>
public sealed class NotebookChartsBrowserTests
{
    static readonly string[] Walkthroughs = ["04-segmentation.ipynb", "10-territory-planning.ipynb"];
    const string PlotlyCdn = "https://cdn.plot.ly/plotly-2.28.0.min.js";

    /// <summary>How each chart element shows: "plotly" (drawn svg), "image" (a loaded image), or "blank".</summary>
    const string ChartStates = """
        els => els.map(e => {
          const box = e.getBoundingClientRect();
          if (e.querySelector('svg.main-svg') && box.width > 0 && box.height > 0) return 'plotly';
          const img = e.querySelector('img');
          if (img && img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0) return 'image';
          return 'blank';
        })
        """;

    static int ChartCount(string notebook) =>
        NotebookDocument.Load(notebook).Cells.SelectMany(c => c.ReadOutputs()).OfType<DisplayOutput>()
            .Count(d => d.Data.ContainsKey("application/vnd.plotly.v1+json"));

    static async Task<(IPlaywright, IBrowser)> Launch()
    {
        Assert.True(NotebookBrowser.Available, "CI=true but chromium, jupyter-nbconvert or jupyter-notebook is missing: .ci/install-deps.sh installs them.");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserEnvironment.Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        return (playwright, browser);
    }

    /// <summary>Blocks every request to the internet; answers the plotly.js CDN address with Plotly.NET's embedded
    /// bundle (the same file) when <paramref name="servePlotly"/>.</summary>
    static async Task Offline(IPage page, bool servePlotly, string? allowedOrigin = null)
    {
        var plotly = servePlotly ? DisplayFormatter.PlotlyScript(typeof(Plotly.NET.GenericChart).Assembly) : null;
        await page.RouteAsync(new Regex("^https?://"), async route =>
        {
            var url = route.Request.Url;
            if (allowedOrigin is not null && url.StartsWith(allowedOrigin, StringComparison.Ordinal)) await route.ContinueAsync();
            else if (plotly is not null && url == PlotlyCdn) await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "application/javascript", Body = plotly });
            else await route.AbortAsync();
        });
    }

    static async Task<string[]> WaitForCharts(IPage page, string selector, int expected, string want)
    {
        // Patience, not a timing check: on a loaded 2-core machine chromium can take well over 30 s to parse plotly.js and
        // draw a notebook's charts (CI saw 04-segmentation still showing its images after 30 s at load 22).
        string[] states = [];
        for (var attempt = 0; attempt < 480; attempt++)
        {
            states = await page.EvalOnSelectorAllAsync<string[]>(selector, ChartStates);
            if (states.Length == expected && states.All(s => s == want)) break;
            await Task.Delay(250);
        }
        return states;
    }

    [NotebookBrowserFact]
    public async Task Every_chart_is_visible_in_an_nbconvert_html_export_offline_and_drawn_by_plotly_when_it_loads()
    {
        var dir = TestPaths.NewTempDir("nbconvert-charts");
        var (playwright, browser) = await Launch();
        using var _ = playwright;
        await using var __ = browser;
        try
        {
            foreach (var name in Walkthroughs)
            {
                var source = Path.Combine(TestPaths.RepoRoot, "notebooks", name);
                var charts = ChartCount(source);
                Assert.True(charts > 0, $"{name} has no chart outputs");
                var (code, output) = JupyterEnvironment.Run(NotebookBrowser.Nbconvert, ["--to", "html", source, "--output-dir", dir], TimeSpan.FromMinutes(3));
                Assert.True(code == 0, $"nbconvert --to html {name} failed:\n{output}");
                var html = Path.Combine(dir, Path.ChangeExtension(name, ".html"));

                foreach (var servePlotly in new[] { false, true })
                {
                    var page = await browser.NewPageAsync();
                    var errors = new List<string>();
                    page.PageError += (_, e) => errors.Add(e);
                    await Offline(page, servePlotly);
                    await page.GotoAsync(new Uri(html).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
                    var want = servePlotly ? "plotly" : "image";
                    var states = await WaitForCharts(page, "div.workbench-chart", charts, want);
                    Assert.True(states.Length == charts && states.All(s => s == want),
                        $"{name} export ({(servePlotly ? "plotly.js reachable" : "offline")}): expected {charts} charts shown as {want}, got [{string.Join(", ", states)}]");
                    Assert.Empty(errors);
                    await page.CloseAsync();
                }
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    [NotebookBrowserFact]
    public async Task Every_chart_is_visible_as_its_static_image_in_an_untrusted_classic_notebook()
    {
        var dir = TestPaths.NewTempDir("classic-notebook");
        var root = Path.Combine(dir, "nb");
        Directory.CreateDirectory(root);
        foreach (var name in Walkthroughs) File.Copy(Path.Combine(TestPaths.RepoRoot, "notebooks", name), Path.Combine(root, name));
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        var token = Guid.NewGuid().ToString("N");
        var start = new ProcessStartInfo(NotebookBrowser.ClassicNotebook)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root,
        };
        foreach (var arg in new[] { "--no-browser", "--allow-root", "--ip=127.0.0.1", $"--port={port}", "--port-retries=0", $"--NotebookApp.token={token}", $"--notebook-dir={root}" })
            start.ArgumentList.Add(arg);
        // A fresh data folder holds a fresh signature database: the notebooks open untrusted, as a downloaded one does.
        start.Environment["JUPYTER_DATA_DIR"] = Path.Combine(dir, "data");
        start.Environment["JUPYTER_CONFIG_DIR"] = Path.Combine(dir, "config");
        start.Environment["JUPYTER_RUNTIME_DIR"] = Path.Combine(dir, "runtime");
        start.Environment["JUPYTER_PATH"] = Path.Combine(dir, "share");
        var (playwright, browser) = await Launch();
        using var _ = playwright;
        await using var __ = browser;
        using var server = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        server.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var origin = $"http://127.0.0.1:{port}";
            using var http = new HttpClient();
            var ready = false;
            for (var attempt = 0; attempt < 120 && !ready && !server.HasExited; attempt++)
            {
                try { ready = (await http.GetAsync($"{origin}/api/status?token={token}")).IsSuccessStatusCode; }
                catch (HttpRequestException) { }
                if (!ready) await Task.Delay(500);
            }
            Assert.True(ready, "classic Notebook did not start:\n" + log);

            foreach (var name in Walkthroughs)
            {
                var charts = ChartCount(Path.Combine(root, name));
                var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
                page.Dialog += async (_, d) => await d.DismissAsync();
                await Offline(page, servePlotly: true, allowedOrigin: origin); // even a reachable plotly.js must not run untrusted
                await page.GotoAsync($"{origin}/notebooks/{name}?token={token}", new PageGotoOptions { WaitUntil = WaitUntilState.Load });
                await page.WaitForSelectorAsync("#notebook-container .cell .output_area", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = 60_000 });
                Assert.Contains("Not Trusted", await page.InnerTextAsync("#notification_trusted"));
                // The sanitized HTML output of each chart (scripts removed) keeps its static image.
                var states = await WaitForCharts(page, ".output_subarea:has(img[src^='data:image'])", charts, "image");
                Assert.True(states.Length == charts && states.All(s => s == "image"),
                    $"{name} untrusted: expected {charts} charts shown as images, got [{string.Join(", ", states)}]");
                await page.CloseAsync();
            }
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            server.WaitForExit(10_000);
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
