namespace Workbench.Notebooks;

/// <summary>What the kernel and the headless runner need from a place that runs cells: an in-process
/// <see cref="NotebookSession"/>, or a <see cref="ChildProcessSession"/> that runs them in a supervised child process
/// (so a fault no .NET process survives, a stack overflow or an exception on a thread a cell started, ends the child,
/// not the kernel or the runner).</summary>
public interface ICellSession : IDisposable
{
    /// <summary>Runs one cell. Never throws for errors in the cell: they come back as an <see cref="ErrorOutput"/>.</summary>
    Task<CellResult> ExecuteAsync(string code, CellRunOptions run, CancellationToken cancellationToken = default);

    /// <summary>Runs one cell and blocks the calling thread until it ends, for a caller with a thread of its own (the
    /// kernel's executor, the executor child's worker): the cell's end wakes that thread directly instead of resuming
    /// an <c>await</c> on a thread-pool thread that then wakes it. Same results as <see cref="ExecuteAsync"/>.</summary>
    CellResult Execute(string code, CellRunOptions run);

    /// <summary>Interrupts the running cell, if any (from any thread).</summary>
    void Interrupt();

    /// <summary>Completion candidates at <paramref name="cursor"/> (a UTF-16 offset).</summary>
    CompletionResult Complete(string code, int cursor);

    /// <summary>What the symbol at <paramref name="cursor"/> is.</summary>
    InspectionResult Inspect(string code, int cursor);
}
