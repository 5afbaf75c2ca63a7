namespace Workbench.Notebooks;

/// <summary>Cooperative interruption for cell code. The engine injects a call to <see cref="Check"/> at the top
/// of every loop body of a cell, so <c>while (true) { }</c> stops on interrupt or timeout. Public only because
/// compiled cells call it; notebook code has no reason to.</summary>
public static class CellInterrupt
{
    static readonly AsyncLocal<CancellationToken> CurrentToken = new();

    internal static CancellationToken Token
    {
        get => CurrentToken.Value;
        set => CurrentToken.Value = value;
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> when the running cell was interrupted.</summary>
    public static void Check() => CurrentToken.Value.ThrowIfCancellationRequested();

    /// <summary>Injected at the top of every method and local function a cell declares: throws
    /// <see cref="InsufficientExecutionStackException"/> (an ordinary, catchable error of the cell) when the stack is
    /// nearly exhausted, so runaway recursion fails the cell instead of overflowing the stack, which no .NET process
    /// survives.</summary>
    public static void Enter()
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new InsufficientExecutionStackException(
                "recursion too deep: the cell's call stack is nearly exhausted (infinite recursion?); the cell was stopped before a stack overflow");
        CurrentToken.Value.ThrowIfCancellationRequested();
    }
}
