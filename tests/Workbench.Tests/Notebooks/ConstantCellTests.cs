using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

/// <summary>Constant cells (literals and operators only) are answered without compiling a submission; these check that
/// the answer is the one the compiled cell would give and that the session's state is untouched.</summary>
public sealed class ConstantCellTests
{
    [Theory]
    [InlineData("1 + 1", 2, "2")]
    [InlineData("5 / 2", 2, "2")]
    [InlineData("  (7 - 1) * 7  // the answer", 42, "42")]
    [InlineData("true ? 3 : 4", 3, "3")]
    public async Task A_constant_cell_returns_the_compilers_value_and_text(string code, int expected, string text)
    {
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync(code);
        Assert.Equal(CellStatus.Ok, result.Status);
        Assert.Equal(expected, result.ReturnValue);
        Assert.Equal(text, Assert.IsType<DisplayOutput>(Assert.Single(result.Outputs)).Data["text/plain"]);
    }

    [Fact]
    public async Task A_constant_keeps_its_C_sharp_type()
    {
        using var session = NotebookSession.Create();
        Assert.IsType<byte>((await session.ExecuteAsync("(byte)3")).ReturnValue);
        Assert.IsType<long>((await session.ExecuteAsync("1L << 40")).ReturnValue);
        Assert.Equal(2.5, (await session.ExecuteAsync("5 / 2.0")).ReturnValue);
        Assert.Equal("ab", (await session.ExecuteAsync("\"a\" + \"b\"")).ReturnValue);
        Assert.Equal('b', (await session.ExecuteAsync("(char)('a' + 1)")).ReturnValue);
        Assert.Equal(double.PositiveInfinity, (await session.ExecuteAsync("1.0 / 0")).ReturnValue);
    }

    [Fact]
    public async Task Repeating_a_constant_cell_gives_the_same_answer_and_keeps_the_state()
    {
        using var session = NotebookSession.Create();
        await session.ExecuteAsync("var x = 40;");
        for (int i = 0; i < 3; i++) Assert.Equal(2, (await session.ExecuteAsync("1 + 1")).ReturnValue);
        var after = await session.ExecuteAsync("x + 2");
        Assert.Equal(42, after.ReturnValue);
        var whos = await session.ExecuteAsync("%whos");
        Assert.Contains("x", whos.StreamText());
    }

    [Fact]
    public async Task A_constant_that_overflows_is_still_the_compilers_error()
    {
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync("2147483647 + 1");
        Assert.Equal(CellStatus.Error, result.Status);
        Assert.Equal("CompilationError", result.Error!.Name);
        Assert.Contains("CS0220", result.Error.Message);
    }

    [Theory]
    [InlineData("\"a\" + 1", "a1")]      // not a constant: compiled
    [InlineData("Math.Max(1, 2)", 2)]       // a call: compiled
    public async Task Expressions_that_are_not_plain_constants_still_compile_and_run(string code, object expected)
    {
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync(code);
        Assert.Equal(CellStatus.Ok, result.Status);
        Assert.Equal(expected, result.ReturnValue);
    }

    [Fact]
    public async Task A_name_in_the_cell_makes_it_compile_against_the_session()
    {
        using var session = NotebookSession.Create();
        await session.ExecuteAsync("const int one = 1;");
        Assert.Equal(2, (await session.ExecuteAsync("one + 1")).ReturnValue);
    }

    [Fact]
    public async Task A_library_error_thrown_by_a_cell_is_named_by_its_type_not_as_a_reference_error()
    {
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync("throw new WorkbenchException(\"Dataset folder not found: /nowhere\");");
        Assert.Equal(CellStatus.Error, result.Status);
        Assert.Equal("Workbench.WorkbenchException", result.Error!.Name);
    }

    [Fact]
    public async Task A_package_missing_from_the_local_cache_is_a_reference_error()
    {
        var empty = Path.Combine(Path.GetTempPath(), "workbench-empty-nuget-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(empty);
        try
        {
            using var session = NotebookSession.Create(new NotebookSessionOptions(NuGetPackagesRoot: empty));
            var result = await session.ExecuteAsync("#r \"nuget: No.Such.Package, 1.0.0\"\n1");
            Assert.Equal(CellStatus.Error, result.Status);
            Assert.Equal("ReferenceError", result.Error!.Name);
            Assert.Contains("No.Such.Package", result.Error.Message);
        }
        finally { Directory.Delete(empty, recursive: true); }
    }
}

/// <summary>progress("label") in a cell: one display replaced in place by each report.</summary>
public sealed class ProgressDisplayTests
{
    [Fact]
    public async Task A_progress_line_updates_one_display_and_the_notebook_keeps_the_last_line()
    {
        using var session = NotebookSession.Create();
        var streamed = new List<CellOutput>();
        var result = await session.ExecuteAsync(
            "var p = progress(\"scoring\");\nIProgress<string> stages = p; stages.Report(\"loading\");\nIProgress<double> done = p; done.Report(0.5); done.Report(0.501);\np.Done();\np.Report(\"ignored after Done\");",
            new CellRunOptions(OnOutput: streamed.Add));
        Assert.Equal(CellStatus.Ok, result.Status);
        var shown = Assert.IsType<DisplayOutput>(Assert.Single(result.Outputs));
        Assert.Equal("scoring: done (1 stage)", shown.Data["text/plain"]);
        var displays = streamed.OfType<DisplayOutput>().ToList();
        Assert.All(displays, d => Assert.Equal(displays[0].DisplayId, d.DisplayId));
        Assert.Equal(["scoring: started", "scoring: loading", "scoring: loading [##########..........]  50%", "scoring: done (1 stage)"],
            displays.Select(d => d.Data["text/plain"]));
        Assert.False(displays[0].IsUpdate);
        Assert.All(displays.Skip(1), d => Assert.True(d.IsUpdate));
    }
}
