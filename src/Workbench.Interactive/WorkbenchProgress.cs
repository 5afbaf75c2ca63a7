using Workbench.Notebooks;

namespace Workbench.Interactive;

/// <summary><c>progress("label")</c> under .NET Interactive: the extension (extension.dib) defines that global over a
/// display it publishes itself, with each update under the same display id (Jupyter's update_display_data; .NET
/// Interactive's own <c>display(x).Update(y)</c> uses another id, which front ends ignore), so a cell written for the <c>workbench-csharp</c> kernel runs unchanged and shows the same lines:
/// it is the engine's own <see cref="ProgressDisplay"/> (the file is linked), only the display channel differs.</summary>
public static class WorkbenchProgress
{
    /// <summary>Shows "label: started" through <paramref name="display"/> (which shows a value and returns how to replace
    /// it) and returns the progress line; each report replaces the shown line.</summary>
    public static ProgressDisplay Start(string label, Func<object, Action<object>> display)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(display);
        Action<object>? replace = null;
        var progress = new ProgressDisplay(label, p => replace?.Invoke(p));
        replace = display(progress);
        return progress;
    }
}
