using System.Globalization;

namespace Workbench.Notebooks;

/// <summary>
/// A live progress line for long library calls, made by <c>progress("label")</c> in a cell: one display that each
/// report replaces in place (Jupyter's update_display_data; the headless runner keeps the latest text). Pass it where a
/// library takes an <see cref="IProgress{T}"/> of stage names (<c>BatchScoring.Run(..., progress: p)</c>) or of fractions
/// (0..1; shown as a bar, updated only when the whole percentage changes, so a fast loop does not flood the client).
/// <see cref="Done"/> ends it with a final line. The text never holds times, so a re-run gives the same notebook.
/// The same class (this file, linked) is what <c>progress("label")</c> returns under .NET Interactive too
/// (Workbench.Interactive's extension, which publishes the display and its updates under one display id), so a cell prints
/// the same lines in both kernels.
/// </summary>
public sealed class ProgressDisplay : IProgress<string>, IProgress<double>
{
    readonly Action<ProgressDisplay> update;
    readonly object gate = new();
    string stage = "";
    int percent = -1;
    int steps;
    bool done;

    /// <summary>A progress line that starts as "label: started"; <paramref name="update"/> is called with this display
    /// after each change (the kernel replaces the shown display with it). Show it once before the first report.</summary>
    internal ProgressDisplay(string label, Action<ProgressDisplay> update)
    {
        Label = label;
        this.update = update;
        Text = $"{Label}: started";
    }

    /// <summary>What is in progress (the start of every line).</summary>
    public string Label { get; }

    /// <summary>The line shown now.</summary>
    public string Text { get; private set; }

    /// <summary>A new stage: the line becomes "label: stage".</summary>
    public void Report(string value)
    {
        lock (gate)
        {
            if (done) return;
            stage = value ?? "";
            steps++;
            Show();
        }
    }

    /// <summary>The fraction done (0..1) of the current stage, drawn as a 20-character bar and a whole percentage.</summary>
    public void Report(double value)
    {
        lock (gate)
        {
            if (done || double.IsNaN(value)) return;
            int p = (int)Math.Floor(Math.Clamp(value, 0, 1) * 100);
            if (p == percent) return;
            percent = p;
            Show();
        }
    }

    /// <summary>Ends the progress: the line becomes "label: done" (or "label: <paramref name="summary"/>"); later reports are ignored.</summary>
    public void Done(string? summary = null)
    {
        lock (gate)
        {
            if (done) return;
            done = true;
            stage = summary ?? (steps > 0 ? string.Create(CultureInfo.InvariantCulture, $"done ({steps} stage{(steps == 1 ? "" : "s")})") : "done");
            percent = -1;
            Show();
        }
    }

    void Show()
    {
        var bar = percent < 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" [{new string('#', percent / 5)}{new string('.', 20 - percent / 5)}] {percent,3}%");
        Text = $"{Label}: {stage}{bar}";
        update(this);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
