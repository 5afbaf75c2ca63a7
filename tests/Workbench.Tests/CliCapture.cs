using Workbench.Cli.Commands;

namespace Workbench.Tests;

/// <summary>Runs the workbench command line in-process with its standard output and error captured, as a user would see them.</summary>
internal static class CliCapture
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var outW = new StringWriter(); var errW = new StringWriter();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(outW); Console.SetError(errW);
        try { return (CliRunner.InvokeAsync(CliApp.BuildRoot(), args).GetAwaiter().GetResult(), outW.ToString(), errW.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }
}
