using System.Diagnostics;
using Workbench.Experiments.Runs;

namespace Workbench.Tests.Experiments;

/// <summary>Two runs of experiments/sample.json started at the same time on two threads in one store: shared by the
/// tests that read a recorded run, reproduce it, or compare two runs (each run takes seconds, so it runs once).</summary>
public sealed class RunFixture
{
    public static string SpecPath => Path.Combine(TestPaths.RepoRoot, "experiments", "sample.json");

    public RunFixture()
    {
        Store = new RunStore(TestPaths.NewTempDir("run-store"));
        Progress = [];
        using var start = new Barrier(2);
        RunRecord RunOne(bool report)
        {
            start.SignalAndWait();
            return ExperimentRunner.Run(SpecPath, Store, report ? new SyncProgress(p => Progress.Add(p)) : null);
        }
        var a = Task.Factory.StartNew(() => RunOne(true), TaskCreationOptions.LongRunning);
        var b = Task.Factory.StartNew(() => RunOne(false), TaskCreationOptions.LongRunning);
        A = a.GetAwaiter().GetResult();
        B = b.GetAwaiter().GetResult();
    }

    public RunStore Store { get; }
    public RunRecord A { get; }
    public RunRecord B { get; }
    public List<RunProgress> Progress { get; }

    sealed class SyncProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}

/// <summary>The classes that read the two recorded sample runs share one <see cref="RunFixture"/> (two runs, not two per class).</summary>
[CollectionDefinition(Name)]
public sealed class RunCollection : ICollectionFixture<RunFixture>
{
    public const string Name = "sample runs";
}

/// <summary>Runs the built workbench.dll (beside the tests) as a child process.</summary>
public static class WorkbenchProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "workbench.dll");

    public static Process Start(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) || Environment.ProcessPath.EndsWith("dotnet.exe", StringComparison.Ordinal)
            ? Environment.ProcessPath : "dotnet")
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove(StoreLayout.EnvironmentVariable);
        return Process.Start(psi)!;
    }

    /// <summary>Runs to completion (at most two minutes) and returns the exit code and both outputs.</summary>
    public static (int Exit, string Out, string Err) Run(string workingDirectory, params string[] args)
    {
        using var p = Start(workingDirectory, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("workbench " + string.Join(" ", args) + " did not finish in two minutes."); }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
