using Spectre.Console;

namespace Workbench.Cli.Commands;

/// <summary>Shows a progress bar for long work on an interactive terminal, and nothing on a redirected one
/// (logs and CI stay clean). The library reports progress through IProgress; this is the only console side.</summary>
public static class CliProgress
{
    public static T Run<T>(string title, Func<IProgress<double>, T> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return work(new Progress<double>(_ => { }));
        T result = default!;
        AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: 1.0);
                result = work(new SyncProgress(f => task.Value = Math.Clamp(f, 0, 1)));
                task.Value = 1;
            });
        return result;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to a thread pool and arrive late).</summary>
    sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
