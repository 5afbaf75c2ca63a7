using System.Text;
using System.Text.RegularExpressions;
using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

/// <summary>
/// The committed walkthrough notebooks (notebooks/*.ipynb) are documentation that executes: each one must re-run
/// headless to the same outputs, pass the linter, and run through the real Jupyter kernel with nbconvert to the same
/// text outputs. A failure names the notebook, the cell and the differing lines.
/// The headless run needs the notebook's folder as current directory (as `workbench notebooks run` sets it), which is
/// process-wide: this collection therefore runs alone, never in parallel with other tests.
/// </summary>
[Collection(WalkthroughCollection.Name)]
public sealed class WalkthroughNotebookTests
{
    static readonly string NotebookDir = Path.Combine(TestPaths.RepoRoot, "notebooks");

    static string[] NotebookNames() =>
        Directory.GetFiles(NotebookDir, "*.ipynb").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();

    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var name in NotebookNames()) data.Add(name);
        return data;
    }

    [Fact]
    public void The_walkthroughs_are_committed()
    {
        var names = NotebookNames();
        foreach (var expected in new[] { "00-tour-of-the-data.ipynb", "01-labeling.ipynb", "02-features.ipynb", "03-ranking.ipynb", "04-segmentation.ipynb", "05-explanation.ipynb", "06-experiments.ipynb", "07-lifetime-value.ipynb", "08-next-best-action.ipynb", "09-opportunity-pipeline.ipynb", "10-territory-planning.ipynb", "11-measuring-impact.ipynb", "12-promote-and-score.ipynb" })
            Assert.Contains(expected, names);
    }

    [Fact]
    public void Chart_render_function_ids_are_sanitized()
    {
        var html = "var renderPlotly_5ce5e062fb7240f7b2498f05d415f811 = function() {";
        var clean = NotebookVerifier.DefaultSanitizers.Aggregate(html, (t, s) => Regex.Replace(t, s.Pattern, s.Replacement));
        Assert.Equal("var renderPlotly_<ID> = function() {", clean);
    }

    [Fact]
    public void Chart_element_ids_old_random_and_new_deterministic_sanitize_alike()
    {
        string Clean(string t) => NotebookVerifier.DefaultSanitizers.Aggregate(t, (x, s) => Regex.Replace(x, s.Pattern, s.Replacement));
        var old = Clean("var id = 'wb-chart-5ce5e062fb7240f7b2498f05d415f811', h = 600;");
        var now = Clean("var id = 'wb-chart-214c49c2fc14-12', h = 600;");
        Assert.Equal("var id = 'wb-chart-<ID>', h = 600;", old);
        Assert.Equal(old, now);
        Assert.NotEqual(old, Clean("var id = 'wb-chart-214c49c2fc14-12', h = 450;")); // only the id is blanked
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_passes_the_linter(string name)
    {
        var problems = NotebookLinter.Lint(NotebookDocument.Load(Path.Combine(NotebookDir, name)));
        Assert.True(problems.Count == 0, $"{name} breaks lint rules:\n" + string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_reproduces_its_committed_outputs_headless(string name)
    {
        var committed = NotebookDocument.Load(Path.Combine(NotebookDir, name));
        var previous = Environment.CurrentDirectory;
        NotebookVerifyResult result;
        Environment.CurrentDirectory = NotebookDir; // relative data paths in cells resolve from the notebook's folder
        try { result = await NotebookVerifier.VerifyAsync(committed, new NotebookVerifyOptions(CellTimeout: TimeSpan.FromMinutes(10))); }
        finally { Environment.CurrentDirectory = previous; }
        Assert.True(result.Run.Succeeded, $"{name}: cell {result.Run.FailedCellIndex + 1} failed: {result.Run.Error?.Name}: {result.Run.Error?.Message}");
        Assert.True(result.Reproduces, $"{name} does not reproduce its committed outputs:\n" + Describe(committed, result.Differences));
    }

    [JupyterFact]
    public void Every_notebook_runs_through_the_jupyter_kernel_with_nbconvert_to_the_committed_text_outputs()
    {
        JupyterEnvironment.RequireAvailable();
        var dotnet = JupyterEnvironment.DotnetHost;
        var workbenchDll = JupyterEnvironment.WorkbenchDll;
        var prefix = TestPaths.NewTempDir("walkthrough-kernel");
        var outDir = Path.Combine(prefix, "out");
        Directory.CreateDirectory(outDir);
        try
        {
            var (installCode, installOutput) = JupyterEnvironment.Run(dotnet, [workbenchDll, "kernel", "install", "--prefix", prefix], TimeSpan.FromMinutes(2));
            Assert.True(installCode == 0, "kernel install failed:\n" + installOutput);
            var failures = new StringBuilder();
            foreach (var name in NotebookNames())
            {
                var source = Path.Combine(NotebookDir, name);
                // nbconvert runs the kernel in the notebook's folder, so relative data paths resolve as in the headless runner.
                var (code, output) = RunNbconvert(source, outDir, Path.Combine(prefix, "share", "jupyter"));
                if (code != 0) { failures.Append($"{name}: nbconvert --execute failed (exit {code}):\n{Tail(output, 4000)}\n"); continue; }
                var executed = NotebookDocument.Load(Path.Combine(outDir, name));
                var differences = CompareText(NotebookDocument.Load(source), executed);
                if (differences.Length > 0) failures.Append($"{name} through the kernel differs from the committed outputs:\n{differences}\n");
            }
            Assert.True(failures.Length == 0, failures.ToString());
        }
        finally
        {
            try { Directory.Delete(prefix, recursive: true); } catch (IOException) { } // best effort: a temp folder
        }
    }

    static (int, string) RunNbconvert(string notebook, string outDir, string jupyterPath)
    {
        var nbconvert = File.Exists("/usr/bin/jupyter-nbconvert") ? "/usr/bin/jupyter-nbconvert" : "jupyter-nbconvert";
        // env sets JUPYTER_PATH for the child only (tests run in parallel; the test process environment stays as it is).
        return JupyterEnvironment.Run("/usr/bin/env", ["JUPYTER_PATH=" + jupyterPath, nbconvert, "--to", "notebook", "--execute", notebook,
            "--output-dir", outDir, "--ExecutePreprocessor.kernel_name=workbench-csharp", "--ExecutePreprocessor.timeout=600"], TimeSpan.FromMinutes(15));
    }

    /// <summary>Per code cell: no error, and the same streams and text/plain results after the verifier's sanitizers.
    /// (HTML is compared by the headless test; through the kernel the text is what must not drift.)</summary>
    static string CompareText(NotebookDocument committed, NotebookDocument executed)
    {
        var sanitizers = NotebookVerifier.DefaultSanitizers.Select(s => (Regex: new Regex(s.Pattern), s.Replacement)).ToList();
        string Clean(string t) => sanitizers.Aggregate(t.Replace("\r\n", "\n"), (x, s) => s.Regex.Replace(x, s.Replacement));
        List<string> Texts(IReadOnlyList<CellOutput> outputs) => outputs.Select(o => o switch
        {
            StreamOutput s => "stream:" + s.Name + ": " + Clean(s.Text),
            ErrorOutput e => "error: " + e.Name + ": " + e.Message,
            DisplayOutput d => "text/plain: " + Clean(d.Data.GetValueOrDefault("text/plain") ?? ""),
            _ => o.GetType().Name,
        }).ToList();
        var report = new StringBuilder();
        var want = committed.Cells; var got = executed.Cells;
        if (want.Count != got.Count) report.Append($"  {want.Count} cells committed, {got.Count} executed\n");
        for (int i = 0; i < Math.Min(want.Count, got.Count); i++)
        {
            if (want[i].CellType != "code" || want[i].HasTag("nbval-ignore-output") || want[i].HasTag("verify-ignore-output")) continue;
            var a = Texts(want[i].ReadOutputs()); var b = Texts(got[i].ReadOutputs());
            if (a.SequenceEqual(b)) continue;
            report.Append($"  cell {i + 1} ({want[i].Id}):\n");
            foreach (var line in a.Except(b)) report.Append("  - ").Append(Shorten(line)).Append('\n');
            foreach (var line in b.Except(a)) report.Append("  + ").Append(Shorten(line)).Append('\n');
        }
        return report.ToString();
    }

    static string Describe(NotebookDocument notebook, IReadOnlyList<OutputDifference> differences)
    {
        var text = new StringBuilder();
        foreach (var d in differences.Take(10))
        {
            var source = notebook.Cells[d.CellIndex].Source.Split('\n')[0];
            text.Append($"cell {d.CellIndex + 1} ({d.CellId}) [{d.Kind}] `{Shorten(source)}`:\n{Tail(d.Diff, 3000)}\n");
        }
        if (differences.Count > 10) text.Append($"... and {differences.Count - 10} more differences\n");
        return text.ToString();
    }

    static string Shorten(string s) => s.Length <= 400 ? s : s[..400] + $"... ({s.Length} chars)";
    static string Tail(string s, int n) => s.Length <= n ? s : "..." + s[^n..];
}

/// <summary>Runs the walkthrough tests alone: they change the process's current directory.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WalkthroughCollection
{
    public const string Name = "walkthrough notebooks";
}
