using Workbench.Cli.Commands;

namespace Workbench.Tests;

/// <summary>Runs the workbench command line in-process with its standard output and error captured, as a user would see them.
/// The capture is this test's only (<see cref="ConsoleCapture"/>): Console.Out itself is never swapped.</summary>
internal static class CliCapture
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var capture = ConsoleCapture.Start();
        var code = CliRunner.InvokeAsync(CliApp.BuildRoot(), args).GetAwaiter().GetResult();
        return (code, capture.Out, capture.Err);
    }
}
