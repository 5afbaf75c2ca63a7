using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workbench.Notebooks;

/// <summary>Draws a Plotly figure as a PNG with plotly.js itself (<c>Plotly.toImage</c>) inside one headless Chromium per
/// process, driven over the DevTools protocol (a WebSocket and JSON; no browser library). The browser starts with the
/// first chart and serves every later one (one page, plotly.js evaluated once). It is found at
/// <c>$WORKBENCH_CHROMIUM</c>, else <c>chromium</c>, <c>chromium-browser</c> or <c>google-chrome</c> on PATH; without it
/// charts carry no static image and <see cref="Unavailable"/> says why. On Unix the browser runs under a small shell
/// guard, detached in a session of its own, that ends it (and removes its profile folder) when this process exits, even
/// when it is killed with its process group or tree (tests/kernel/test_kernel.py checks both).</summary>
internal sealed class ChartImageRenderer : IDisposable
{
    static readonly Lazy<ChartImageRenderer> Shared = new(() => new ChartImageRenderer());

    /// <summary>The process-wide renderer (started on first use).</summary>
    public static ChartImageRenderer Instance => Shared.Value;

    readonly object gate = new();
    Process? browser;
    ClientWebSocket? socket;
    string? sessionId;
    int nextId;
    bool started;

    /// <summary>Why no image can be drawn (no browser, it failed to start), or null when rendering works or was not tried.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>The chart as an image at the given size (CSS pixels, scale 1) in the given format ("png" or "jpeg"), or
    /// null when no browser is available or drawing failed (<see cref="Unavailable"/> says why).</summary>
    public byte[]? Render(string figureJson, Func<string> plotlyScript, int width, int height, string format = "png")
    {
        lock (gate)
        {
            try
            {
                if (!started)
                {
                    started = true;
                    Start(plotlyScript());
                }
                if (socket is null) return null;
                var expression = "Plotly.toImage(" + figureJson + ", {format: '" + format + "', width: " + width.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    + ", height: " + height.ToString(System.Globalization.CultureInfo.InvariantCulture) + ", scale: 1})";
                var value = Evaluate(expression, TimeSpan.FromSeconds(60));
                var prefix = "data:image/" + format + ";base64,";
                if (value is null || !value.StartsWith(prefix, StringComparison.Ordinal))
                {
                    Unavailable = "plotly.js returned no image: " + (value is null ? "nothing" : value[..Math.Min(80, value.Length)]);
                    return null;
                }
                return Convert.FromBase64String(value[prefix.Length..]);
            }
            catch (Exception e) when (e is WebSocketException or IOException or TimeoutException or InvalidOperationException or JsonException or System.ComponentModel.Win32Exception or OperationCanceledException)
            {
                Unavailable = "the headless browser failed: " + e.Message;
                Stop();
                return null;
            }
        }
    }

    /// <summary>The browser to use: $WORKBENCH_CHROMIUM, else the first of chromium, chromium-browser, google-chrome on PATH.</summary>
    internal static string? FindBrowser()
    {
        var configured = Environment.GetEnvironmentVariable("WORKBENCH_CHROMIUM");
        if (!string.IsNullOrWhiteSpace(configured)) return File.Exists(configured) ? configured : null;
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            if (FindOnPath(name) is { } found) return found;
        return null;
    }

    static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    void Start(string plotlyScript)
    {
        var executable = FindBrowser();
        if (executable is null)
        {
            Unavailable = "no headless browser: set WORKBENCH_CHROMIUM or install chromium (apt-get install -y chromium)";
            return;
        }
        var profile = Directory.CreateTempSubdirectory("workbench-chart-").FullName;
        string[] browserArgs =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run", "--mute-audio",
            "--hide-scrollbars", "--force-color-profile=srgb", "--font-render-hinting=none",
            "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank",
        ];
        var info = new ProcessStartInfo { RedirectStandardError = true, RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (OperatingSystem.IsWindows())
        {
            info.FileName = executable;
            foreach (var a in browserArgs) info.ArgumentList.Add(a);
        }
        else
        {
            // The guard: the browser runs in the background; when our end of the guard's stdin closes (this process
            // exited, however it ended), the guard stops the browser and removes the profile folder. It runs detached
            // in a session of its own (setsid --fork) so that what ends this process does not end it first: Jupyter
            // clients signal the kernel's whole process group on shutdown, and a stuck executor is killed with its
            // process tree; either left the profile folder (2.5 MB) behind in the temp dir. The second removal: a
            // browser helper process outliving the main one can still write its disk cache index into the folder.
            var setsid = FindOnPath("setsid");
            if (setsid is not null)
            {
                info.FileName = setsid;
                info.ArgumentList.Add("--fork");
                info.ArgumentList.Add("/bin/sh");
            }
            else info.FileName = "/bin/sh";
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("profile=$1; shift; \"$@\" </dev/null & child=$!; cat >/dev/null; kill $child 2>/dev/null; wait $child 2>/dev/null; rm -rf \"$profile\"; sleep 2; rm -rf \"$profile\"");
            info.ArgumentList.Add("workbench-chart-guard");
            info.ArgumentList.Add(profile);
            info.ArgumentList.Add(executable);
            foreach (var a in browserArgs) info.ArgumentList.Add(a);
        }
        browser = Process.Start(info) ?? throw new InvalidOperationException("could not start " + executable);
        var endpoint = ReadDevToolsEndpoint(browser, TimeSpan.FromSeconds(30))
            ?? throw new TimeoutException($"{executable} printed no DevTools endpoint within 30 s");
        socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.ConnectAsync(new Uri(endpoint), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        var target = Call("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, null, TimeSpan.FromSeconds(30));
        var attached = Call("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true }, null, TimeSpan.FromSeconds(30));
        sessionId = attached["sessionId"]!.GetValue<string>();
        Evaluate(plotlyScript + "\n;typeof Plotly", TimeSpan.FromSeconds(60));
    }

    static string? ReadDevToolsEndpoint(Process process, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(() =>
        {
            string? line;
            while ((line = process.StandardError.ReadLine()) is not null)
            {
                const string marker = "DevTools listening on ";
                var at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0) { found.TrySetResult(line[(at + marker.Length)..].Trim()); break; }
            }
            found.TrySetResult(null);
            // Keep draining the browser's log so it never blocks on a full pipe.
            try { while (process.StandardError.ReadLine() is not null) { } } catch (IOException) { } catch (ObjectDisposedException) { }
        });
        _ = Task.Run(() => { try { while (process.StandardOutput.ReadLine() is not null) { } } catch (IOException) { } catch (ObjectDisposedException) { } });
        return found.Task.Wait(timeout) ? found.Task.Result : null;
    }

    string? Evaluate(string expression, TimeSpan timeout)
    {
        var result = Call("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true }, sessionId, timeout);
        if (result["exceptionDetails"] is JsonObject error)
            throw new InvalidOperationException("plotly.js: " + (error["exception"]?["description"]?.GetValue<string>() ?? error["text"]?.GetValue<string>() ?? "error"));
        return result["result"]?["value"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
    }

    JsonObject Call(string method, JsonObject parameters, string? session, TimeSpan timeout)
    {
        var id = ++nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (session is not null) message["sessionId"] = session;
        using var cancel = new CancellationTokenSource(timeout);
        var ws = socket!;
        ws.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancel.Token).GetAwaiter().GetResult();
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var text = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = ws.ReceiveAsync(buffer, cancel.Token).GetAwaiter().GetResult();
                if (received.MessageType == WebSocketMessageType.Close) throw new WebSocketException("the browser closed the DevTools connection");
                text.Write(buffer, 0, received.Count);
            } while (!received.EndOfMessage);
            if (JsonNode.Parse(text.ToArray()) is not JsonObject reply || reply["id"]?.GetValue<int>() != id) continue; // events
            if (reply["error"] is JsonObject failure)
                throw new InvalidOperationException($"{method}: {failure["message"]?.GetValue<string>()}");
            return reply["result"] as JsonObject ?? new JsonObject();
        }
    }

    void Stop()
    {
        try { socket?.Dispose(); } catch (ObjectDisposedException) { }
        socket = null;
        if (browser is not null)
        {
            try { browser.StandardInput.Close(); } catch (IOException) { } catch (InvalidOperationException) { }
            if (OperatingSystem.IsWindows()) { try { browser.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }
            browser.Dispose();
            browser = null;
        }
    }

    public void Dispose()
    {
        lock (gate) Stop();
    }
}
