namespace Workbench.Cli.Commands;

/// <summary>Runs the parsed command and turns the workbench's own exceptions into a clear message and exit code 2
/// (bad input), instead of a stack trace. Unexpected exceptions still surface with their trace.</summary>
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
    }
}
