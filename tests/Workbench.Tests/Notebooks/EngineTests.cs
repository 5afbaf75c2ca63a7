using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

public sealed class EngineTests
{
    [Fact]
    public async Task Variables_declared_in_one_cell_are_visible_in_the_next()
    {
        using var session = NotebookSession.Create();
        var first = await session.ExecuteAsync("var x = 40;");
        var second = await session.ExecuteAsync("x + 2");

        Assert.Equal(CellStatus.Ok, first.Status);
        Assert.Equal(42, second.ReturnValue);
        var result = Assert.IsType<DisplayOutput>(Assert.Single(second.Outputs));
        Assert.True(result.IsResult);
        Assert.Equal("42", result.Data["text/plain"]);
    }

    /// <summary>A tiny library compiled for the test, outside every default reference of a session.</summary>
    static string CompileLibrary(string dir, string name, int value) =>
        TestLibraries.Compile(dir, name, $"public static class {name} {{ public static int Value() => {value}; }}");

    [Fact]
    public async Task A_reference_added_by_one_cell_stays_visible_to_later_cells_also_after_a_cell_that_did_not_compile()
    {
        // Later submissions are compiled with only the references added since the last submission (they inherit the
        // rest): a #r must reach every later cell, and one in a cell that failed to compile must reach the next.
        var dir = TestPaths.NewTempDir("engine-refs");
        var first = CompileLibrary(dir, "FirstLib", 40);
        var second = CompileLibrary(dir, "SecondLib", 2);
        using var session = NotebookSession.Create();
        Assert.Equal(CellStatus.Ok, (await session.ExecuteAsync($"#r \"{first}\"\nvar a = FirstLib.Value();")).Status);
        Assert.Equal(CellStatus.Ok, (await session.ExecuteAsync("var unrelated = 1;")).Status);
        var broken = await session.ExecuteAsync($"#r \"{second}\"\nint wrong = \"text\";");
        Assert.Equal("CompilationError", broken.Error!.Name);
        var later = await session.ExecuteAsync("a + SecondLib.Value() + FirstLib.Value() - 40");
        Assert.True(later.Status == CellStatus.Ok, later.Error?.Message);
        Assert.Equal(42, later.ReturnValue);
    }

    [Fact]
    public async Task Cells_compiled_from_a_prepared_submission_keep_state_errors_and_cell_lines()
    {
        // After each cell the session binds the next continuation's references ahead of its code (PreparedSubmission);
        // the cells that use it must behave as cells compiled from scratch: state, usings, compile errors, runtime
        // errors with the cell's line, and a #r (which the prepared compilation does not hold: compiled from scratch).
        var dir = TestPaths.NewTempDir("engine-prepared");
        var lib = CompileLibrary(dir, "PreparedLib", 5);
        using var session = NotebookSession.Create();
        Assert.Equal(CellStatus.Ok, (await session.ExecuteAsync("var x = 40;")).Status);
        var sum = await session.ExecuteAsync("x + 2");
        Assert.Equal(42, sum.ReturnValue);
        Assert.Equal(CellStatus.Ok, (await session.ExecuteAsync("using System.Text;\nvar builder = new StringBuilder(\"a\");")).Status);
        var broken = await session.ExecuteAsync("int wrong = \"text\";");
        Assert.Equal("CompilationError", broken.Error!.Name);
        Assert.Contains("cell 4, line 1", broken.Error.Message, StringComparison.Ordinal);
        var thrown = await session.ExecuteAsync("var y = 1;\nthrow new InvalidOperationException(\"boom\");");
        Assert.Equal(typeof(InvalidOperationException).FullName, thrown.Error!.Name);
        Assert.Contains(thrown.Error.Traceback, line => line.Contains("cell 5, line 2", StringComparison.Ordinal));
        var withReference = await session.ExecuteAsync($"#r \"{lib}\"\nPreparedLib.Value() + y");
        Assert.Equal(6, withReference.ReturnValue);
        var last = await session.ExecuteAsync("builder.Append(x).ToString()");
        Assert.Equal("a40", last.ReturnValue);
        // cells 2 to 5 and 7 are continuations with nothing pending; the #r cell is compiled from scratch
        Assert.Equal(5, session.PreparedSubmissionsUsed);
        // each of them took its predecessor's well-known types (WellKnownTypes), the cell after the #r one included
        Assert.True(WellKnownTypes.Available);
        Assert.Equal(5, session.WellKnownTypesCarried);
    }

    [Fact]
    public async Task Cells_given_the_previous_cells_well_known_types_still_compile_async_code_iterators_records_and_errors()
    {
        // The carried types are what every submission's emit needs (Task, the async builder, attributes); cells that need
        // more (iterators, records, tuples, await, nullable, dynamic-free lambdas) look the rest up as before.
        using var session = NotebookSession.Create();
        Assert.Equal(CellStatus.Ok, (await session.ExecuteAsync("var x = 1;")).Status);
        Assert.Equal(3, (await session.ExecuteAsync("x + 2")).ReturnValue);
        Assert.Equal(7, (await session.ExecuteAsync("await Task.Delay(1);\nx + 6")).ReturnValue);
        Assert.Equal(CellStatus.Ok, (await session.ExecuteAsync("IEnumerable<int> Count(int n) { for (var i = 0; i < n; i++) yield return i; }\nrecord Point(int X, int Y);")).Status);
        Assert.Equal(6, (await session.ExecuteAsync("Count(4).Sum()")).ReturnValue);
        Assert.Equal("Point { X = 1, Y = 2 }", (await session.ExecuteAsync("new Point(1, 2).ToString()")).ReturnValue);
        Assert.Equal(5, (await session.ExecuteAsync("(int a, int b) t = (2, 3);\nt.a + t.b")).ReturnValue);
        var broken = await session.ExecuteAsync("Task<int> wrong = 5;");
        Assert.Equal("CompilationError", broken.Error!.Name);
        Assert.Contains("CS0029", broken.Error.Message, StringComparison.Ordinal);
        Assert.Equal(4, (await session.ExecuteAsync("x + 3")).ReturnValue);
        Assert.True(session.WellKnownTypesCarried >= 7, $"carried {session.WellKnownTypesCarried}");
    }

    [Fact]
    public void A_cell_run_synchronously_gives_the_same_results_as_one_awaited()
    {
        using var session = NotebookSession.Create();
        var outputs = new List<CellOutput>();
        Assert.Equal(CellStatus.Ok, session.Execute("var x = 40;", new CellRunOptions()).Status);
        var sum = session.Execute("Console.WriteLine(\"hi\");\nx + 2", new CellRunOptions(OnOutput: outputs.Add));
        Assert.Equal(42, sum.ReturnValue);
        Assert.Equal(new StreamOutput("stdout", "hi\n"), outputs[0]);
        Assert.Equal("42", Assert.IsType<DisplayOutput>(outputs[1]).Data["text/plain"]);
        var timedOut = session.Execute("while (true) { }", new CellRunOptions(Timeout: TimeSpan.FromMilliseconds(200)));
        Assert.Equal(CellStatus.TimedOut, timedOut.Status);
        Assert.Equal(43, session.Execute("x + 3", new CellRunOptions()).ReturnValue);
    }

    [Fact]
    public async Task A_statement_cell_has_no_result_output()
    {
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync("var y = 1 + 1;");
        Assert.Empty(result.Outputs);
    }

    [Fact]
    public async Task Console_writes_become_stream_outputs_in_order_with_displays()
    {
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync("Console.WriteLine(\"before\"); display(7); Console.Write(\"after\");");

        Assert.Equal(CellStatus.Ok, result.Status);
        Assert.Collection(result.Outputs,
            o => Assert.Equal(new StreamOutput("stdout", "before\n"), o),
            o => Assert.Equal("7", Assert.IsType<DisplayOutput>(o).Data["text/plain"]),
            o => Assert.Equal(new StreamOutput("stdout", "after"), o));
    }

    [Fact]
    public async Task Workbench_namespaces_are_imported()
    {
        Assert.Contains("Workbench", NotebookSession.DefaultImports);
        Assert.Contains("Workbench.Domain", NotebookSession.DefaultImports);
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync("new RunContext(7).Seed");
        Assert.Equal(7, result.ReturnValue);
    }

    [Fact]
    public async Task An_IHtmlDisplay_value_gets_an_html_output_next_to_its_text()
    {
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync("display(new Workbench.Tests.Notebooks.HtmlThing(\"<b>\"));");
        var output = Assert.IsType<DisplayOutput>(Assert.Single(result.Outputs));
        Assert.Equal("<p>&lt;b&gt;</p>", output.Data["text/html"]);
        Assert.Equal("HtmlThing(<b>)", output.Data["text/plain"]);
    }

    [Fact]
    public async Task A_compile_error_names_the_cell_line_and_column()
    {
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync("var a = 1;\nvar b = 2;\nvar c = missingName;", new CellRunOptions("cell 4"));
        Assert.Equal(CellStatus.Error, result.Status);
        Assert.Equal("CompilationError", result.Error!.Name);
        Assert.StartsWith("cell 4, line 3, column 9: error CS0103", result.Error.Message);
    }

    [Fact]
    public async Task An_exception_points_at_the_cells_own_line_and_the_session_stays_usable()
    {
        using var session = NotebookSession.Create();
        await session.ExecuteAsync("var kept = 5;");
        var failed = await session.ExecuteAsync("var q = 1;\n\nthrow new InvalidOperationException(\"boom\");", new CellRunOptions("cell 2"));
        var after = await session.ExecuteAsync("kept * 2");

        Assert.Equal(CellStatus.Error, failed.Status);
        Assert.Equal("System.InvalidOperationException", failed.Error!.Name);
        Assert.Equal("boom", failed.Error.Message);
        Assert.Contains("   at cell 2, line 3", failed.Error.Traceback);
        Assert.Equal(10, after.ReturnValue);
    }

    [Fact]
    public async Task A_traceback_names_each_cell_and_line_on_the_stack_across_cells_lambdas_and_library_calls()
    {
        // Cells are compiled without a PDB; the lines come from a PDB emitted for the submissions on the stack only when
        // a cell throws (CellLineMap).
        using var session = NotebookSession.Create();
        await session.ExecuteAsync("int Check(int v)\n{\n    if (v > 2) throw new ArgumentOutOfRangeException(nameof(v), \"too big\");\n    return v;\n}", new CellRunOptions("cell 1"));
        var failed = await session.ExecuteAsync("var xs = new[] { 1, 2, 3 };\n// a comment line\nvar ys = xs.Select(x =>\n    Check(x)).ToList();", new CellRunOptions("cell 2"));

        Assert.Equal(CellStatus.Error, failed.Status);
        Assert.Equal("System.ArgumentOutOfRangeException", failed.Error!.Name);
        var frames = failed.Error.Traceback.Where(l => l.StartsWith("   at cell", StringComparison.Ordinal)).ToList();
        Assert.Equal(["   at cell 1, line 3", "   at cell 2, line 4", "   at cell 2, line 3"], frames);
        Assert.Contains(failed.Error.Traceback, l => l.StartsWith("   at System.Linq.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reference_directive_keeps_line_numbers_of_later_errors()
    {
        using var session = NotebookSession.Create();
        var dll = typeof(EngineTests).Assembly.Location;
        var result = await session.ExecuteAsync($"#r \"{dll}\"\nint n = \"text\";", new CellRunOptions("cell 1"));
        Assert.StartsWith("cell 1, line 2,", result.Error!.Message);
    }

    [Fact]
    public async Task A_nuget_reference_absent_from_the_cache_says_which_package_and_where_it_looked()
    {
        var emptyCache = TestPaths.NewTempDir("nuget-cache");
        using var session = NotebookSession.Create(new NotebookSessionOptions(NuGetPackagesRoot: emptyCache));
        var result = await session.ExecuteAsync("#r \"nuget: No.Such.Package, 1.2.3\"\n1", new CellRunOptions("cell 1"));

        Assert.Equal(CellStatus.Error, result.Status);
        Assert.Contains("cell 1, line 1", result.Error!.Message);
        Assert.Contains("'No.Such.Package' is not in the local NuGet cache", result.Error.Message);
        Assert.Contains(emptyCache, result.Error.Message);
    }

    [Fact]
    public async Task A_nuget_reference_in_the_cache_is_loaded()
    {
        // MathNet.Numerics is restored for the solution, so it is in the machine's package cache.
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync("#r \"nuget: MathNet.Numerics, 5.0.0\"\nMathNet.Numerics.SpecialFunctions.Factorial(5)");
        Assert.Equal(CellStatus.Ok, result.Status);
        Assert.Equal(120.0, result.ReturnValue);
    }

    [Fact]
    public async Task An_endless_loop_is_stopped_by_the_timeout_and_the_session_answers_after()
    {
        using var session = NotebookSession.Create();
        await session.ExecuteAsync("var before = 3;");
        var looping = await session.ExecuteAsync("long spins = 0; while (true) { spins++; }", new CellRunOptions(Timeout: TimeSpan.FromSeconds(1)));
        var after = await session.ExecuteAsync("before + 1");

        Assert.Equal(CellStatus.TimedOut, looping.Status);
        Assert.Equal("TimeoutError", looping.Error!.Name);
        Assert.Equal(4, after.ReturnValue);
    }

    [Fact]
    public async Task Interrupt_stops_a_sleeping_cell()
    {
        using var session = NotebookSession.Create();
        var started = new TaskCompletionSource();
        var running = session.ExecuteAsync("Console.WriteLine(\"sleeping\"); System.Threading.Thread.Sleep(60_000);",
            new CellRunOptions(OnOutput: _ => started.TrySetResult()));
        await started.Task.WaitAsync(TimeSpan.FromMinutes(2)); // the cell is inside Sleep, not still compiling
        session.Interrupt();
        var result = await running;
        Assert.Equal(CellStatus.Interrupted, result.Status);
        Assert.Equal(CellStatus.Ok, (await session.ExecuteAsync("1")).Status);
    }

    [Fact]
    public async Task Cells_share_one_thread_and_what_a_cell_sets_in_its_execution_context_ends_with_it()
    {
        using var session = NotebookSession.Create();
        var first = await session.ExecuteAsync("""
            var comma = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            System.Globalization.CultureInfo.CurrentCulture = comma;
            (Environment.CurrentManagedThreadId, 1.5.ToString())
            """);
        var second = await session.ExecuteAsync("(Environment.CurrentManagedThreadId, 1.5.ToString())");

        Assert.True(first.Status == CellStatus.Ok, first.Error?.Message);
        var (firstThread, firstFormatted) = Assert.IsType<(int, string)>(first.ReturnValue);
        var (secondThread, secondFormatted) = Assert.IsType<(int, string)>(second.ReturnValue);
        Assert.Equal("1,5", firstFormatted);
        Assert.Equal(firstThread, secondThread);
        Assert.Equal("1.5", secondFormatted); // the culture the first cell set ended with it
    }

    [Fact]
    public async Task After_an_interrupted_cell_the_next_cell_runs_on_a_fresh_thread_and_is_not_interrupted()
    {
        // The interrupted cell's thread may still hold a pending Thread.Interrupt: no later cell may run on it.
        using var session = NotebookSession.Create();
        var before = (await session.ExecuteAsync("Environment.CurrentManagedThreadId")).ReturnValue;
        var started = new TaskCompletionSource();
        var running = session.ExecuteAsync("Console.WriteLine(\"sleeping\"); System.Threading.Thread.Sleep(60_000);",
            new CellRunOptions(OnOutput: _ => started.TrySetResult()));
        await started.Task.WaitAsync(TimeSpan.FromMinutes(2));
        session.Interrupt();
        Assert.Equal(CellStatus.Interrupted, (await running).Status);

        var after = await session.ExecuteAsync("System.Threading.Thread.Sleep(50); Environment.CurrentManagedThreadId");
        Assert.Equal(CellStatus.Ok, after.Status);
        Assert.NotEqual(before, after.ReturnValue);
    }

    [Fact]
    public async Task Submissions_compile_without_concurrency_and_still_run()
    {
        // SerialSubmissionBuild reaches into Roslyn scripting's cached compilation; a Roslyn update that renames the
        // field must fail here rather than silently bring back the concurrent build.
        Assert.True(SerialSubmissionBuild.Available);
        var script = Microsoft.CodeAnalysis.CSharp.Scripting.CSharpScript.Create<int>("1 + 1");
        SerialSubmissionBuild.Apply(script);
        Assert.False(script.GetCompilation().Options.ConcurrentBuild);
        Assert.Equal(2, (await script.RunAsync()).ReturnValue);
        var next = script.ContinueWith<int>("3 * 4");
        SerialSubmissionBuild.Apply(next);
        Assert.False(next.GetCompilation().Options.ConcurrentBuild);
        Assert.Equal(12, (await next.RunAsync()).ReturnValue);
    }

    [Fact]
    public async Task Completion_offers_members_after_a_dot_and_session_variables_by_prefix()
    {
        using var session = NotebookSession.Create();
        await session.ExecuteAsync("var accountCount = 12;");

        var members = CodeAssistance.Complete(session, "Console.WriteL", 14);
        var inScope = CodeAssistance.Complete(session, "account", 7);

        Assert.Contains("WriteLine", members.Matches);
        Assert.Equal(8, members.ReplaceStart);
        Assert.Contains("accountCount", inScope.Matches);
    }

    [Fact]
    public async Task Inspect_describes_the_symbol_at_the_cursor()
    {
        using var session = NotebookSession.Create();
        await session.ExecuteAsync("var accountCount = 12;");
        var result = CodeAssistance.Inspect(session, "accountCount", 12);
        Assert.True(result.Found);
        Assert.Contains("int accountCount", result.Text);
    }

    [Theory]
    [InlineData("int x = 1;", true)]
    [InlineData("for (var i = 0; i < 3; i++) {", false)]
    [InlineData("var s = \"open", false)]
    public void Is_complete_follows_roslyn(string code, bool complete) =>
        Assert.Equal(complete, NotebookSession.IsCompleteSubmission(code));
}

public sealed record HtmlThing(string Text) : IHtmlDisplay
{
    public string ToHtml() => "<p>" + System.Net.WebUtility.HtmlEncode(Text) + "</p>";
    public override string ToString() => $"HtmlThing({Text})";
}

public sealed class EngineAbandonTests
{
    [Fact]
    public async Task A_cell_stuck_in_library_code_is_abandoned_after_the_grace_and_the_session_keeps_its_state()
    {
        using var session = NotebookSession.Create(new NotebookSessionOptions(InterruptGrace: TimeSpan.FromSeconds(0.5)));
        await session.ExecuteAsync("var kept = 21;");
        // One long LINQ call: no loop in the cell for the injected check, no wait for Thread.Interrupt.
        var stuck = await session.ExecuteAsync("var total = Enumerable.Range(0, int.MaxValue).Select(i => (long)i % 7).Sum();",
            new CellRunOptions(Timeout: TimeSpan.FromSeconds(1)));
        var after = await session.ExecuteAsync("kept * 2");

        Assert.True(stuck.Status == CellStatus.TimedOut, $"{stuck.Status}: {stuck.Error?.Message} after {stuck.Duration}");
        Assert.Equal(42, after.ReturnValue);
    }
}
