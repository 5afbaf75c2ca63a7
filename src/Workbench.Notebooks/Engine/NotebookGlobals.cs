namespace Workbench.Notebooks;

/// <summary>The members every cell sees as globals. <c>display(x)</c> shows a value as a rich output
/// (HTML table, chart, text) without ending the cell.</summary>
public sealed class NotebookGlobals
{
    internal NotebookGlobals() { }

    /// <summary>Shows <paramref name="value"/> as a display_data output of the running cell.</summary>
#pragma warning disable IDE1006 // lower-case on purpose: the notebook convention (display) is what users type
    public void display(object? value) => CellContext.Current?.Display(value);
#pragma warning restore IDE1006

    /// <summary>Cancellation token of the running cell (interrupt or timeout); pass it to long library calls.</summary>
    public CancellationToken CellCancellation => CellInterrupt.Token;
}
