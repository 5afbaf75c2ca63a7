using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

/// <summary>Runs where .NET Interactive is installed into the repository (<c>bash tools/install-dotnet-interactive.sh</c>:
/// the Microsoft.dotnet-interactive tool in .tools/ and its .net-csharp kernelspec) and the Workbench packages are in the
/// local feed (<c>bash tools/pack-local-feed.sh</c>); on CI (CI=true) a missing piece is a failure, not a skip.</summary>
public sealed class DotnetInteractiveFactAttribute : FactAttribute
{
    public DotnetInteractiveFactAttribute()
    {
        if (!JupyterEnvironment.IsCi && DotnetInteractive.Missing() is { } missing) Skip = missing;
    }
}

internal static class DotnetInteractive
{
    public static string ToolDir => Environment.GetEnvironmentVariable("WORKBENCH_DOTNET_INTERACTIVE") is { Length: > 0 } dir ? dir
        : Path.Combine(TestPaths.RepoRoot, ".tools", "dotnet-interactive");
    public static string JupyterPath => Path.Combine(TestPaths.RepoRoot, ".tools", "jupyter");
    public static string Feed => Environment.GetEnvironmentVariable("WORKBENCH_FEED") is { Length: > 0 } feed ? feed : Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } data ? data : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"), "workbench", "feed");

    /// <summary>What is missing, with the command that installs it; null when everything is there.</summary>
    public static string? Missing()
    {
        if (!JupyterEnvironment.Available) return "needs /usr/bin/python3 with jupyter_client, nbclient, nbconvert (bash .ci/install-deps.sh)";
        if (!File.Exists(Path.Combine(ToolDir, "dotnet-interactive")) || !File.Exists(Path.Combine(JupyterPath, "kernels", ".net-csharp", "kernel.json")))
            return $"needs the Microsoft.dotnet-interactive tool in {ToolDir} and its kernelspec in {JupyterPath} (bash tools/install-dotnet-interactive.sh)";
        if (!Directory.Exists(Feed) || Directory.GetFiles(Feed, "Workbench.Interactive.*.nupkg").Length == 0)
            return $"needs the Workbench packages in {Feed} (bash tools/pack-local-feed.sh)";
        return null;
    }
}

/// <summary>
/// The walkthroughs run unchanged under .NET Interactive's <c>.net-csharp</c> kernel (the deprecated but installed
/// Microsoft.dotnet-interactive tool, from the registry), with the Workbench packages and the Workbench.Interactive
/// extension from the local feed, and print the same text as the committed outputs, which the other walkthrough tests
/// hold equal to what the <c>workbench-csharp</c> kernel prints. The differences by design (docs/notebooks.md,
/// "Under .NET Interactive") are the only ones forgiven: the setup cell's restore report, and the split of one stream
/// into several messages. It changes no process state (nbconvert runs in child processes), so it runs beside other tests.
/// </summary>
public sealed class DotnetInteractiveWalkthroughTests
{
    static readonly string NotebookDir = Path.Combine(TestPaths.RepoRoot, "notebooks");

    [Fact]
    public void Every_walkthrough_opens_with_the_one_setup_cell_both_kernels_understand()
    {
        foreach (var path in Directory.GetFiles(NotebookDir, "*.ipynb").Order(StringComparer.Ordinal))
        {
            var cells = NotebookDocument.Load(path).Cells.Where(c => c.CellType == "code").ToList();
            Assert.True(cells.Count > 0, $"{Path.GetFileName(path)} has no code cell");
            Assert.True(cells[0].HasTag("setup"), $"{Path.GetFileName(path)}: the first code cell must be the setup cell (tag 'setup')");
            Assert.Contains("#r \"nuget: Workbench.Interactive, 0.1.*\"", cells[0].Source, StringComparison.Ordinal);
            Assert.Single(cells, c => c.HasTag("setup"));
        }
    }

    [DotnetInteractiveFact]
    public void Every_walkthrough_runs_under_dotnet_interactive_to_the_committed_text_outputs()
    {
        Assert.True(DotnetInteractive.Missing() is null, "CI=true but " + DotnetInteractive.Missing());
        var outDir = TestPaths.NewTempDir("walkthrough-dotnet-interactive");
        try
        {
            var failures = new StringBuilder();
            var timings = new StringBuilder();
            foreach (var source in Directory.GetFiles(NotebookDir, "*.ipynb").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(source);
                if (Only is { } only && !only.Any(o => name.StartsWith(o, StringComparison.Ordinal))) continue;
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var (code, output) = RunNbconvert(source, outDir);
                timings.Append($"{name} {watch.Elapsed.TotalSeconds:F0} s; ");
                if (code != 0) { failures.Append($"{name}: nbconvert --execute under .net-csharp failed (exit {code}):\n{Tail(output, 4000)}\n"); continue; }
                var differences = CompareText(Path.Combine(NotebookDir, name), Path.Combine(outDir, name));
                if (differences.Length > 0) failures.Append($"{name} under .net-csharp differs from the committed outputs:\n{differences}\n");
            }
            Assert.True(failures.Length == 0, failures.ToString() + "\ntimes: " + timings);
        }
        finally
        {
            try { Directory.Delete(outDir, recursive: true); } catch (IOException) { } // best effort: a temp folder
        }
    }

    /// <summary>WORKBENCH_WALKTHROUGHS=12,03-ranking (names or their starts, comma-separated) runs only those walkthroughs,
    /// for working on one notebook; unset (CI), every walkthrough runs.</summary>
    static string[]? Only => Environment.GetEnvironmentVariable("WORKBENCH_WALKTHROUGHS") is { Length: > 0 } list
        ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;

    static (int, string) RunNbconvert(string notebook, string outDir) =>
        // nbconvert starts the kernel in the notebook's folder, so relative data paths resolve as in the other runs.
        JupyterEnvironment.Run("/usr/bin/env", ["JUPYTER_PATH=" + DotnetInteractive.JupyterPath, "DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT=1",
            JupyterEnvironment.Python, "-m", "nbconvert", "--to", "notebook", "--execute", notebook, "--output-dir", outDir,
            "--ExecutePreprocessor.kernel_name=.net-csharp", "--ExecutePreprocessor.timeout=600"], TimeSpan.FromMinutes(15));

    /// <summary>Per code cell except the setup cell: the same streams (consecutive stream messages of one name joined)
    /// and text/plain results, after the verifier's sanitizers; any error output is a difference.</summary>
    internal static string CompareText(string committedPath, string executedPath)
    {
        var sanitizers = NotebookVerifier.DefaultSanitizers.Select(s => (Regex: new Regex(s.Pattern), s.Replacement)).ToList();
        string Clean(string t) => sanitizers.Aggregate(t.Replace("\r\n", "\n"), (x, s) => s.Regex.Replace(x, s.Replacement));
        var want = Cells(committedPath);
        var got = Cells(executedPath);
        var report = new StringBuilder();
        if (want.Count != got.Count) report.Append($"  {want.Count} cells committed, {got.Count} executed\n");
        for (int i = 0; i < Math.Min(want.Count, got.Count); i++)
        {
            var (tags, wantOutputs) = want[i];
            if (tags.Contains("setup") || tags.Contains("nbval-ignore-output") || tags.Contains("verify-ignore-output")) continue;
            var a = Texts(wantOutputs, Clean);
            var b = Texts(got[i].Outputs, Clean);
            if (a.SequenceEqual(b)) continue;
            report.Append($"  cell {i + 1}:\n");
            foreach (var line in a.Except(b)) report.Append("  - ").Append(Shorten(line)).Append('\n');
            foreach (var line in b.Except(a)) report.Append("  + ").Append(Shorten(line)).Append('\n');
        }
        return report.ToString();
    }

    /// <summary>The code cells of an .ipynb, read with JsonNode: tags and outputs.</summary>
    static List<(HashSet<string> Tags, JsonArray Outputs)> Cells(string path) =>
        (JsonNode.Parse(File.ReadAllText(path))!["cells"]!.AsArray())
            .Where(c => (string?)c!["cell_type"] == "code")
            .Select(c => (
                new HashSet<string>(c!["metadata"]?["tags"]?.AsArray().Select(t => (string)t!) ?? [], StringComparer.Ordinal),
                c["outputs"]?.AsArray() ?? []))
            .ToList();

    static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        JsonValue v => (string?)v ?? "",
        _ => "",
    };

    static List<string> Texts(JsonArray outputs, Func<string, string> clean)
    {
        var result = new List<string>();
        string? streamName = null;
        var stream = new StringBuilder();
        void Flush()
        {
            if (streamName is not null) result.Add($"stream:{streamName}: " + clean(stream.ToString()));
            streamName = null;
            stream.Clear();
        }
        foreach (var output in outputs)
        {
            var type = (string?)output!["output_type"];
            if (type == "stream")
            {
                var name = (string?)output["name"];
                if (name != streamName) Flush();
                streamName = name;
                stream.Append(Text(output["text"]));
                continue;
            }
            Flush();
            result.Add(type switch
            {
                "error" => $"error: {(string?)output["ename"]}: {(string?)output["evalue"]}",
                "execute_result" or "display_data" => "text/plain: " + clean(Text(output["data"]?["text/plain"])),
                _ => type ?? "?",
            });
        }
        Flush();
        return result;
    }

    static string Shorten(string s) => s.Length <= 400 ? s : s[..400] + $"... ({s.Length} chars)";
    static string Tail(string s, int n) => s.Length <= n ? s : "..." + s[^n..];
}
