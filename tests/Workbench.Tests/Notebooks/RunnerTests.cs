using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

public sealed class RunnerTests
{
    static NotebookDocument Sample()
    {
        var notebook = NotebookDocument.CreateNew("sample.ipynb");
        notebook.AddCell("markdown", "# Sample");
        notebook.AddCell("code", "int seed = 42;\nvar label = \"base\";\ndouble share = 0.5;", "parameters");
        notebook.AddCell("code", "Console.WriteLine($\"{label} {seed} {share}\");\nseed + 1");
        return notebook;
    }

    [Fact]
    public async Task Running_writes_outputs_execution_counts_and_timing()
    {
        var result = await NotebookRunner.RunAsync(Sample());

        Assert.True(result.Succeeded);
        var cell = result.Notebook.Cells[2];
        Assert.Equal(2, cell.ExecutionCount);
        Assert.Collection(cell.ReadOutputs(),
            o => Assert.Equal(new StreamOutput("stdout", "base 42 0.5\n"), o),
            o => Assert.Equal("43", Assert.IsType<DisplayOutput>(o).Data["text/plain"]));
        Assert.NotNull(cell.Metadata["execution"]!["shell.execute_reply"]);
    }

    [Fact]
    public async Task Parameters_are_injected_after_the_parameters_cell_with_their_declared_types()
    {
        var original = Sample();
        var result = await NotebookRunner.RunAsync(original, new NotebookRunOptions(
            [KeyValuePair.Create("seed", "7"), KeyValuePair.Create("label", "over \"q\""), KeyValuePair.Create("share", "0.25")]));

        Assert.True(result.Succeeded, result.Error?.Message);
        var injected = result.Notebook.Cells[2];
        Assert.Equal(ParameterInjection.InjectedTag, injected.Id);
        Assert.True(injected.HasTag(ParameterInjection.InjectedTag));
        Assert.Contains("int seed = 7;", injected.Source);
        Assert.Contains("string label = \"over \\\"q\\\"\";", injected.Source);
        Assert.Contains("double share = 0.25d;", injected.Source);
        Assert.Equal("over \"q\" 7 0.25\n", Assert.IsType<StreamOutput>(result.Notebook.Cells[3].ReadOutputs()[0]).Text);
        Assert.Equal(3, original.Cells.Count); // the input notebook is not changed
    }

    [Fact]
    public async Task Running_again_with_parameters_replaces_the_previous_injected_cell()
    {
        var first = await NotebookRunner.RunAsync(Sample(), new NotebookRunOptions([KeyValuePair.Create("seed", "7")]));
        var second = await NotebookRunner.RunAsync(first.Notebook, new NotebookRunOptions([KeyValuePair.Create("seed", "8")]));
        Assert.Single(second.Notebook.Cells, c => c.HasTag(ParameterInjection.InjectedTag));
        Assert.Equal("9", ((DisplayOutput)second.Notebook.Cells[3].ReadOutputs()[1]).Data["text/plain"]);
    }

    [Fact]
    public async Task A_parameter_of_the_wrong_type_or_unknown_name_is_refused_before_running()
    {
        var wrongType = await Assert.ThrowsAsync<WorkbenchException>(() =>
            NotebookRunner.RunAsync(Sample(), new NotebookRunOptions([KeyValuePair.Create("seed", "seven")])));
        Assert.Contains("--param seed=seven: expected an integer", wrongType.Message);

        var unknown = await Assert.ThrowsAsync<WorkbenchException>(() =>
            NotebookRunner.RunAsync(Sample(), new NotebookRunOptions([KeyValuePair.Create("sede", "1")])));
        Assert.Contains("'sede' is not declared in the parameters cell (declared: seed, label, share)", unknown.Message);
    }

    [Fact]
    public async Task The_first_error_stops_the_run_and_names_the_cell()
    {
        var notebook = Sample();
        notebook.AddCell("code", "var ok = 1;\nthrow new Exception(\"stop here\");");
        notebook.AddCell("code", "Console.WriteLine(\"never\");");

        var result = await NotebookRunner.RunAsync(notebook);

        Assert.False(result.Succeeded);
        Assert.Equal(3, result.FailedCellIndex);
        Assert.Contains("   at cell 4, line 2", result.Error!.Traceback);
        Assert.Empty(result.Notebook.Cells[4].Outputs);
        Assert.Null(result.Notebook.Cells[4].ExecutionCount);
    }

    [Fact]
    public async Task Verify_passes_on_an_unchanged_run_and_reports_a_changed_output()
    {
        var executed = (await NotebookRunner.RunAsync(Sample())).Notebook;
        Assert.True((await NotebookVerifier.VerifyAsync(executed)).Reproduces);

        var tampered = NotebookDocument.Parse(executed.ToJson().Replace("\"43\"", "\"44\""), "tampered.ipynb");
        var result = await NotebookVerifier.VerifyAsync(tampered);

        var difference = Assert.Single(result.Differences);
        Assert.Equal(2, difference.CellIndex);
        Assert.Equal("text/plain", difference.Kind);
        Assert.Equal("+ 43\n- 44", difference.Diff);
    }

    [Fact]
    public async Task Verify_ignores_guids_and_timestamps()
    {
        var notebook = NotebookDocument.CreateNew("volatile.ipynb");
        notebook.AddCell("code", "Console.WriteLine(Guid.NewGuid()); Console.WriteLine(DateTime.UtcNow.ToString(\"o\"));");
        var executed = (await NotebookRunner.RunAsync(notebook)).Notebook;
        var result = await NotebookVerifier.VerifyAsync(executed);
        Assert.True(result.Reproduces, string.Join("\n", result.Differences.Select(d => d.Diff)));
    }

    [Fact]
    public void Lint_catches_a_class_in_a_cell_a_missing_parameters_cell_and_unexecuted_cells()
    {
        var notebook = NotebookDocument.CreateNew("thick.ipynb");
        notebook.AddCell("code", "var x = 1;\n\nrecord struct Point(int X);\nclass Helper { }");

        var problems = NotebookLinter.Lint(notebook);

        Assert.Contains(problems, p => p.Rule == "parameters-cell");
        Assert.Contains(problems, p => p.Rule == "no-type-definitions" && p.CellNumber == 1 && p.Line == 3 && p.Message.StartsWith("record struct 'Point'"));
        Assert.Contains(problems, p => p.Rule == "no-type-definitions" && p.Line == 4 && p.Message.StartsWith("class 'Helper'"));
        Assert.Contains(problems, p => p.Rule == "outputs-present" && p.CellNumber == 1);
    }

    [Fact]
    public async Task Lint_is_quiet_on_a_thin_executed_notebook()
    {
        var executed = (await NotebookRunner.RunAsync(Sample())).Notebook;
        Assert.Empty(NotebookLinter.Lint(executed));
    }
}
