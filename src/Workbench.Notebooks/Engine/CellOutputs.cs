namespace Workbench.Notebooks;

/// <summary>One output of a cell, in the order the cell produced it.</summary>
public abstract record CellOutput;

/// <summary>Text the cell wrote to Console.Out ("stdout") or Console.Error ("stderr").</summary>
public sealed record StreamOutput(string Name, string Text) : CellOutput;

/// <summary>A rich value: <c>display(x)</c> (<see cref="IsResult"/> false) or the cell's last expression
/// (<see cref="IsResult"/> true, an execute_result). <see cref="Data"/> maps MIME type to content and always
/// holds text/plain. A display made through a handle (<see cref="DisplayHandle"/>) carries its <see cref="DisplayId"/>;
/// <see cref="IsUpdate"/> marks a new content for an earlier display with that id (Jupyter's update_display_data).</summary>
public sealed record DisplayOutput(IReadOnlyDictionary<string, string> Data, bool IsResult, string? DisplayId = null, bool IsUpdate = false) : CellOutput;

/// <summary>A compile error or an exception, with a traceback whose lines name the cell and its own line numbers.</summary>
public sealed record ErrorOutput(string Name, string Message, IReadOnlyList<string> Traceback) : CellOutput;

/// <summary>How a cell ended.</summary>
public enum CellStatus
{
    /// <summary>Ran to the end.</summary>
    Ok,
    /// <summary>Did not compile or threw.</summary>
    Error,
    /// <summary>Stopped by an interrupt request.</summary>
    Interrupted,
    /// <summary>Stopped because it ran past the per-cell timeout.</summary>
    TimedOut,
}

/// <summary>What running one cell produced.</summary>
public sealed record CellResult(CellStatus Status, IReadOnlyList<CellOutput> Outputs, TimeSpan Duration, object? ReturnValue)
{
    /// <summary>The error output when <see cref="Status"/> is not <see cref="CellStatus.Ok"/>.</summary>
    public ErrorOutput? Error => Outputs.OfType<ErrorOutput>().LastOrDefault();

    /// <summary>All text written to the given stream, concatenated.</summary>
    public string StreamText(string name = "stdout") =>
        string.Concat(Outputs.OfType<StreamOutput>().Where(s => s.Name == name).Select(s => s.Text));
}

/// <summary>A cell asked for a line of input (Console.ReadLine): the prompt (text written just before, if any) and
/// whether the answer is a password.</summary>
public sealed record InputRequest(string Prompt, bool Password);
