namespace Workbench.Notebooks;

/// <summary>Options of a headless run.</summary>
/// <param name="Parameters">Overrides of variables declared in the parameters cell (name, value as text).</param>
/// <param name="CellTimeout">Per-cell time limit (null: none).</param>
/// <param name="WorkingDirectory">Base folder for relative #r paths (default: the notebook's folder when known).</param>
/// <param name="ExecutorCommand">Run the cells in a supervised child process started with this command
/// (<c>workbench kernel executor</c>; the CLI sets it) so a stack overflow or an exception on a thread a cell started
/// fails that cell with a SessionLost error instead of ending the runner; null runs them in this process.</param>
public sealed record NotebookRunOptions(
    IReadOnlyList<KeyValuePair<string, string>>? Parameters = null,
    TimeSpan? CellTimeout = null,
    string? WorkingDirectory = null,
    IReadOnlyList<string>? ExecutorCommand = null)
{
    internal IReadOnlyList<KeyValuePair<string, string>> Overrides => Parameters ?? [];

    internal void Validate()
    {
        if (CellTimeout is { } t && t <= TimeSpan.Zero) throw new OptionsValidationException($"CellTimeout must be positive, got {t}.");
        var duplicate = Overrides.GroupBy(p => p.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new OptionsValidationException($"parameter '{duplicate.Key}' is given more than once.");
    }
}

/// <summary>Progress of a run: the cell about to run (index among all cells) and how many code cells there are.</summary>
public sealed record CellProgress(int CellIndex, int CodeCellNumber, int CodeCellCount);

/// <summary>The executed notebook and how the run ended. On failure <see cref="FailedCellIndex"/> names the cell
/// and the notebook holds the outputs up to and including the error.</summary>
public sealed record NotebookRunResult(NotebookDocument Notebook, bool Succeeded, int? FailedCellIndex, ErrorOutput? Error, TimeSpan Duration);

/// <summary>Runs a notebook top to bottom in a fresh session, like papermill: parameters injected after the
/// <c>parameters</c> cell, outputs and execution counts written back, timing in each cell's metadata.execution,
/// stop at the first error.</summary>
public static class NotebookRunner
{
    /// <summary>Runs with default options.</summary>
    public static Task<NotebookRunResult> RunAsync(NotebookDocument notebook, CancellationToken cancellationToken = default) =>
        RunAsync(notebook, new NotebookRunOptions(), null, cancellationToken);

    /// <summary>Runs a copy of <paramref name="notebook"/> (the argument is not changed).</summary>
    public static async Task<NotebookRunResult> RunAsync(NotebookDocument notebook, NotebookRunOptions options,
        IProgress<CellProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var run = notebook.Clone();
        run.UpgradeToMinor5();
        run.EnsureKernelMetadata();
        ParameterInjection.Apply(run, options.Overrides);

        var workingDirectory = options.WorkingDirectory
            ?? (File.Exists(notebook.Source) ? Path.GetDirectoryName(Path.GetFullPath(notebook.Source)) : null);
        var sessionOptions = new NotebookSessionOptions(CellTimeout: options.CellTimeout, WorkingDirectory: workingDirectory);
        using ICellSession session = options.ExecutorCommand is { Count: > 0 } command
            ? ChildProcessSession.Start(new ChildProcessOptions(command, sessionOptions, ContinueAfterLoss: false))
            : NotebookSession.Create(sessionOptions);
        var started = DateTimeOffset.UtcNow;
        var cells = run.Cells;
        var codeCells = cells.Count(c => c.CellType == "code");
        foreach (var cell in cells.Where(c => c.CellType == "code")) cell.SetOutputs([], null);

        var executionCount = 0;
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            if (cell.CellType != "code") continue;
            cancellationToken.ThrowIfCancellationRequested();
            executionCount++;
            progress?.Report(new CellProgress(i, executionCount, codeCells));
            var cellStart = DateTimeOffset.UtcNow;
            var result = await session.ExecuteAsync(cell.Source, new CellRunOptions(CellName: $"cell {i + 1}"), cancellationToken).ConfigureAwait(false);
            var cellEnd = DateTimeOffset.UtcNow;
            cell.SetOutputs(result.Outputs, executionCount);
            cell.Metadata["execution"] = new JsonObject
            {
                ["iopub.execute_input"] = Timestamp(cellStart),
                ["shell.execute_reply"] = Timestamp(cellEnd),
            };
            if (result.Status != CellStatus.Ok)
                return new NotebookRunResult(run, false, i, result.Error, DateTimeOffset.UtcNow - started);
        }
        return new NotebookRunResult(run, true, null, null, DateTimeOffset.UtcNow - started);
    }

    static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
