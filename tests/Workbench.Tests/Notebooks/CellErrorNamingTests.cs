using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

/// <summary>Errors of a cell are named by what failed: a library exception by its type, an unresolvable #r as a reference error.</summary>
public sealed class CellErrorNamingTests
{
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
