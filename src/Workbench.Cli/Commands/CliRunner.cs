namespace Workbench.Cli.Commands;

/// <summary>Runs the parsed command and turns the workbench's own exceptions into a clear message and exit code 2
/// (bad input), and the file system's refusals (disk full, a path that is a file, no permission) into one with exit
/// code 3, instead of a stack trace. Unexpected exceptions still surface with their trace.</summary>
public static class CliRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        try
        {
            // System.CommandLine's default handler would print the trace and return 1; let ours through.
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (WorkbenchException ex)
        {
            // Messages quote data (cell values, names): escaped so they cannot carry terminal control sequences.
            Console.Error.WriteLine("error: " + TerminalText.Escape(ex.Message, keepNewlines: true));
            return 2;
        }
        catch (Exception ex) when (FileSystemFailure(ex) is { } io)
        {
            // The machine refused, not the data or the code: .NET's message names the path and the reason.
            Console.Error.WriteLine("error: " + TerminalText.Escape(io.Message, keepNewlines: true));
            return 3;
        }
    }

    /// <summary>The I/O failure behind ex (also when parallel writers wrapped it), or null for anything else.</summary>
    static Exception? FileSystemFailure(Exception ex) => ex switch
    {
        IOException or UnauthorizedAccessException => ex,
        AggregateException agg when agg.Flatten().InnerExceptions is { Count: > 0 } inner
            && inner.All(e => e is IOException or UnauthorizedAccessException) => inner[0],
        _ => null,
    };
}
