using System.Text.Json.Nodes;
using Workbench.Notebooks;
using Workbench.Tests.Experiments;

namespace Workbench.Tests.Reliability;

/// <summary>Cells run in a supervised child process (<c>workbench kernel executor</c>): faults no .NET process survives
/// end the child, the cell fails with SessionLost saying the state was lost, and the next cell runs in a fresh child.
/// One child session is shared (each start warms up Roslyn).</summary>
public sealed class ChildSessionFixture : IDisposable
{
    public static IReadOnlyList<string> Command =>
    [
        Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath : "dotnet",
        WorkbenchProcess.Dll, "kernel", "executor",
    ];

    public StringWriter Log { get; } = new();
    public ChildProcessSession Session { get; }

    public ChildSessionFixture() => Session = ChildProcessSession.Start(new ChildProcessOptions(Command, Log: TextWriter.Synchronized(Log)));

    public void Dispose() => Session.Dispose();
}

public class ChildProcessSessionTests(ChildSessionFixture fx) : IClassFixture<ChildSessionFixture>
{
    static readonly SemaphoreSlim Serial = new(1, 1); // the tests share one child and reason about its state

    [Fact]
    public async Task Outputs_and_state_round_trip_through_the_child_as_in_process()
    {
        await Serial.WaitAsync();
        try
        {
            var streamed = new List<CellOutput>();
            await fx.Session.ExecuteAsync("var a = 40;", new CellRunOptions("cell 1"));
            var result = await fx.Session.ExecuteAsync("Console.WriteLine(\"hi \\ud83d\\ude00\");\ndisplay(new[] { 1, 2 });\na + 2",
                new CellRunOptions("cell 2", OnOutput: streamed.Add));
            Assert.Equal(CellStatus.Ok, result.Status);
            using var local = NotebookSession.Create();
            await local.ExecuteAsync("var a = 40;");
            var expected = await local.ExecuteAsync("Console.WriteLine(\"hi \\ud83d\\ude00\");\ndisplay(new[] { 1, 2 });\na + 2");
            Assert.Equal(Describe(expected.Outputs), Describe(result.Outputs));
            Assert.Contains(streamed, o => o is DisplayOutput { IsResult: true } d && d.Data["text/plain"] == "42");
            Assert.Equal(result.StreamText(), string.Concat(streamed.OfType<StreamOutput>().Select(s => s.Text)));
            var error = await fx.Session.ExecuteAsync("throw new InvalidOperationException(\"boom\");", new CellRunOptions("cell 3"));
            Assert.Equal(CellStatus.Error, error.Status);
            Assert.Contains("boom", error.Error!.Message);
            Assert.Contains(fx.Session.Complete("Console.WriteL", 14).Matches, m => m == "WriteLine");
            Assert.True(fx.Session.Inspect("a", 1).Found);
        }
        finally { Serial.Release(); }
    }

    [Fact]
    public async Task The_child_runs_cells_on_workstation_gc_and_its_cells_do_not_see_the_variables_that_chose_it()
    {
        // The child starts with DOTNET_gcServer=0 (server GC's threads cost every trivial cell CPU) and removes it, so the
        // processes a cell starts get the user's environment. Run synchronously (the kernel's path).
        await Serial.WaitAsync();
        try
        {
            var result = fx.Session.Execute("Console.Write($\"{System.Runtime.GCSettings.IsServerGC} {Environment.GetEnvironmentVariable(\"DOTNET_gcServer\") ?? \"unset\"} {Environment.GetEnvironmentVariable(\"WORKBENCH_EXECUTOR_GC_SET\") ?? \"unset\"}\");",
                new CellRunOptions("gc"));
            Assert.Equal(CellStatus.Ok, result.Status);
            Assert.Equal("False unset unset", result.StreamText());
        }
        finally { Serial.Release(); }
    }

    [Fact]
    public async Task A_stack_overflow_fails_the_cell_with_session_lost_and_the_next_cell_runs_in_a_fresh_child()
    {
        await Serial.WaitAsync();
        try
        {
            await fx.Session.ExecuteAsync("var before = 1;", new CellRunOptions("cell 1"));
            var restarts = fx.Session.Restarts;
            var result = await fx.Session.ExecuteAsync("Func<int, int> f = null!;\nf = n => f(n + 1) + 1;\nf(0)", new CellRunOptions("cell 2"));
            Assert.Equal(CellStatus.Error, result.Status);
            Assert.Equal(ChildProcessSession.SessionLostName, result.Error!.Name);
            Assert.Contains("cell 2: the process running the cells ended (a stack overflow", result.Error.Message);
            Assert.Contains("state (variables, usings, references) was lost", result.Error.Message);
            Assert.Equal(restarts + 1, fx.Session.Restarts);

            var next = await fx.Session.ExecuteAsync("6 * 7", new CellRunOptions("cell 3"));
            Assert.Equal(CellStatus.Ok, next.Status);
            Assert.Equal("42", next.Outputs.OfType<DisplayOutput>().Single().Data["text/plain"]);
            var gone = await fx.Session.ExecuteAsync("before", new CellRunOptions("cell 4"));
            Assert.Contains("CS0103", gone.Error!.Message);
        }
        finally { Serial.Release(); }
    }

    [Fact]
    public async Task An_exception_on_a_thread_the_cell_started_fails_that_cell_naming_the_exception()
    {
        await Serial.WaitAsync();
        try
        {
            var result = await fx.Session.ExecuteAsync(
                "Console.WriteLine(\"started\");\nvar t = new Thread(() => throw new InvalidOperationException(\"bg boom\"));\nt.Start();\nt.Join();",
                new CellRunOptions("cell 5"));
            Assert.Equal(CellStatus.Error, result.Status);
            Assert.Equal("started\n", result.StreamText("stdout"));
            Assert.Contains("an unhandled System.InvalidOperationException", result.Error!.Message);
            Assert.Contains("bg boom", result.Error.Message);
            Assert.Contains(result.Error.Traceback, l => l.Contains("in cell 5:line 2"));
            Assert.Equal(CellStatus.Ok, (await fx.Session.ExecuteAsync("1 + 1", new CellRunOptions("cell 6"))).Status);
        }
        finally { Serial.Release(); }
    }

    [Fact]
    public async Task A_thread_that_throws_after_its_cell_finished_is_reported_once_and_the_kernel_mode_continues()
    {
        await Serial.WaitAsync();
        try
        {
            var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnLost(string cause) => lost.TrySetResult(cause);
            fx.Session.SessionLost += OnLost;
            try
            {
                var ok = await fx.Session.ExecuteAsync("new Thread(() => { Thread.Sleep(200); throw new InvalidOperationException(\"late boom\"); }).Start();",
                    new CellRunOptions("cell 7"));
                Assert.Equal(CellStatus.Ok, ok.Status);
                var cause = await lost.Task.WaitAsync(TimeSpan.FromSeconds(60));
                Assert.Contains("late boom", cause);
            }
            finally { fx.Session.SessionLost -= OnLost; }
            var next = await fx.Session.ExecuteAsync("2 + 2", new CellRunOptions("cell 8"));
            Assert.Equal(CellStatus.Ok, next.Status);
            Assert.Contains("the previous session was lost", next.StreamText("stderr"));
            Assert.Contains("late boom", next.StreamText("stderr"));
        }
        finally { Serial.Release(); }
    }

    static string Describe(IEnumerable<CellOutput> outputs) => string.Join("|", outputs.Select(o => o switch
    {
        StreamOutput s => $"{s.Name}:{s.Text}",
        DisplayOutput d => $"{(d.IsResult ? "result" : "display")}:{string.Join(",", d.Data.Select(kv => kv.Key + "=" + kv.Value))}",
        ErrorOutput e => $"error:{e.Name}:{e.Message}",
        _ => "?",
    }));
}

/// <summary><c>workbench notebooks run/verify</c> survive the same faults: a located error for the cell, no crash.</summary>
public class NotebookRunnerFaultProcessTests
{
    static string Notebook(string dir, string name, params string[] cells)
    {
        var nb = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select((c, i) => (JsonNode?)new JsonObject
            {
                ["cell_type"] = "code", ["execution_count"] = null, ["id"] = $"c{i}", ["metadata"] = new JsonObject(),
                ["outputs"] = new JsonArray(), ["source"] = c,
            }).ToArray()),
            ["metadata"] = new JsonObject { ["kernelspec"] = new JsonObject { ["display_name"] = "C# (Workbench)", ["language"] = "C#", ["name"] = "workbench-csharp" } },
            ["nbformat"] = 4, ["nbformat_minor"] = 5,
        };
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, nb.ToJsonString());
        return path;
    }

    [Fact]
    public void Notebooks_run_reports_a_stack_overflow_and_a_background_thread_exception_as_located_cell_errors()
    {
        var dir = TestPaths.NewTempDir("nb-faults");
        var overflow = Notebook(dir, "overflow.ipynb", "var x = 1;", "Func<int, int> f = null!;\nf = n => f(n + 1) + 1;\nf(0)", "x");
        var thread = Notebook(dir, "thread.ipynb", "var x = 1;", "var t = new Thread(() => throw new InvalidOperationException(\"bg boom\"));\nt.Start();\nt.Join();", "x");

        var (exit, stdout, stderr) = WorkbenchProcess.Run(dir, "notebooks", "run", overflow, "--out", Path.Combine(dir, "out"));
        Assert.Equal(1, exit);
        Assert.Contains("overflow.ipynb: cell 2 (id c1) failed", stderr + stdout);
        Assert.Contains("SessionLost: cell 2: the process running the cells ended (a stack overflow", stderr + stdout);
        var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "out", "overflow.ipynb")))!;
        Assert.Equal("SessionLost", executed["cells"]![1]!["outputs"]![0]!["ename"]!.GetValue<string>());

        (exit, stdout, stderr) = WorkbenchProcess.Run(dir, "notebooks", "verify", "--no-lint", thread);
        Assert.Equal(1, exit);
        Assert.Contains("thread.ipynb: cell 2 (id c1) failed", stderr + stdout);
        Assert.Contains("bg boom", stderr + stdout);
    }
}
