namespace Workbench.Notebooks;

/// <summary>The members every cell sees as globals. <c>display(x)</c> shows a value as a rich output
/// (HTML table, chart, text) without ending the cell.</summary>
public sealed class NotebookGlobals
{
    internal NotebookGlobals() { }

    /// <summary>Shows <paramref name="value"/> as a display_data output of the running cell and returns a handle whose
    /// <see cref="DisplayHandle.Update"/> replaces it in place (a live progress line, a table that fills).</summary>
#pragma warning disable IDE1006 // lower-case on purpose: the notebook convention (display) is what users type
    public DisplayHandle display(object? value)
    {
        var handle = new DisplayHandle();
        CellContext.Current?.Display(value, handle.DisplayId, update: false);
        return handle;
    }

    /// <summary>A live progress line labelled <paramref name="label"/> (see <see cref="ProgressDisplay"/>): pass it to a
    /// library call that reports progress, and call <see cref="ProgressDisplay.Done"/> when it returns.</summary>
    public ProgressDisplay progress(string label)
    {
        var handle = new DisplayHandle();
        var p = new ProgressDisplay(label, handle.Update);
        CellContext.Current?.Display(p, handle.DisplayId, update: false);
        return p;
    }
#pragma warning restore IDE1006

    /// <summary>Cancellation token of the running cell (interrupt or timeout); pass it to long library calls.</summary>
    public CancellationToken CellCancellation => CellInterrupt.Token;
}

/// <summary>A display made by <c>display(x)</c>: <see cref="Update"/> sends new content for it (Jupyter's
/// update_display_data with this display id; the headless runner keeps the latest content in the notebook). A cell
/// ending with <c>display(x)</c> shows x once: the handle itself is never shown as the cell's result.</summary>
public sealed class DisplayHandle
{
    static long next;

    internal DisplayHandle() =>
        DisplayId = "workbench-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" +
                    Interlocked.Increment(ref next).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The id the client knows this display by.</summary>
    public string DisplayId { get; }

    /// <summary>Replaces the display's content with <paramref name="value"/> (from the running cell or a later one).</summary>
    public void Update(object? value) => CellContext.Current?.Display(value, DisplayId, update: true);

    /// <inheritdoc/>
    public override string ToString() => "display " + DisplayId;
}
