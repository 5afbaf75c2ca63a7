using Workbench.Notebooks;

namespace Workbench.Tests.Reliability;

/// <summary>Hostile cells and documents: output that never ends, runaway recursion, malformed .ipynb files.</summary>
public class NotebookFaultTests
{
    [Fact]
    public async Task A_cell_printing_200000_lines_keeps_a_capped_output_with_a_truncation_notice_and_finishes()
    {
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync("for (int i = 0; i < 200_000; i++) Console.WriteLine(\"line \" + i);",
            new CellRunOptions(Timeout: TimeSpan.FromMinutes(2)));
        Assert.Equal(CellStatus.Ok, result.Status);
        var stdout = result.StreamText("stdout");
        Assert.Equal(CellContext.MaxStreamChars, stdout.Length);
        Assert.StartsWith("line 0\nline 1\n", stdout);
        Assert.Contains("[output truncated: the cell wrote more than 1,000,000 characters", result.StreamText("stderr"));
    }

    [Fact]
    public async Task The_timeout_stops_a_cell_that_prints_without_end()
    {
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync("long n = 0; while (true) Console.WriteLine(n++);", new CellRunOptions(Timeout: TimeSpan.FromSeconds(3)));
        Assert.Equal(CellStatus.TimedOut, result.Status);
        var after = await session.ExecuteAsync("1 + 1");
        Assert.Equal(CellStatus.Ok, after.Status);
    }

    [Fact]
    public async Task Infinite_recursion_fails_the_cell_and_the_session_lives_on()
    {
        using var session = NotebookSession.Create();
        await session.ExecuteAsync("var kept = 7;");
        var result = await session.ExecuteAsync("int Down(int n) => Down(n + 1) + 1;\nDown(0)");
        Assert.Equal(CellStatus.Error, result.Status);
        Assert.Contains("recursion too deep", result.Error!.Message);
        var local = await session.ExecuteAsync("int Walk(int n) { if (n == 0) return 0; return Walk(n - 1) + 1; }\nWalk(1000) + kept");
        Assert.Equal(1007, local.ReturnValue);
    }

    static string Notebook(string cell) =>
        "{\"cells\": [" + cell + "], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}";

    const string Code = "\"cell_type\": \"code\", \"execution_count\": null, \"id\": \"c1\", \"source\": \"1\"";

    [Theory]
    [InlineData("{" + Code + ", \"metadata\": {}, \"outputs\": [], \"outputs\": []}", "outputs")]
    [InlineData("{" + Code + ", \"metadata\": {\"tags\": [\"parameters\", 5]}, \"outputs\": []}", "cells[0].metadata.tags")]
    [InlineData("{" + Code + ", \"metadata\": {}, \"outputs\": [{\"output_type\": \"stream\", \"name\": 1, \"text\": \"x\"}]}", "cells[0].outputs[0].name")]
    [InlineData("{" + Code + ", \"metadata\": {}, \"outputs\": [{\"output_type\": \"error\", \"ename\": {}, \"evalue\": \"e\", \"traceback\": [1]}]}", "cells[0].outputs[0].ename")]
    [InlineData("{" + Code + ", \"metadata\": {}, \"outputs\": [{\"output_type\": \"display_data\", \"data\": {\"text/plain\": 3}, \"metadata\": {}}]}", "cells[0].outputs[0].data['text/plain']")]
    public void A_malformed_notebook_is_refused_with_the_json_path(string cell, string path)
    {
        var ex = Assert.Throws<DataValidationException>(() => NotebookDocument.Parse(Notebook(cell), "bad.ipynb"));
        Assert.Contains(ex.Problems, p => p.File == "bad.ipynb" && ((p.Column ?? "") + p.Expected).Contains(path, StringComparison.Ordinal));
    }
}
