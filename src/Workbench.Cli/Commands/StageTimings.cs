using System.Diagnostics;

namespace Workbench.Cli.Commands;

/// <summary>With WORKBENCH_TIMINGS=1, prints each stage a command reports (wall seconds, process CPU seconds, working set) to
/// standard error when the next stage starts and at exit, and the parts of a stage a job times itself (<see cref="IStagePartTimings"/>)
/// as they are reported; benchmarks read these lines (bench/end_to_end.sh). Off otherwise.</summary>
sealed class StageTimings : IProgress<string>, IStagePartTimings
{
    public const string EnvironmentVariable = "WORKBENCH_TIMINGS";
    readonly Stopwatch wall = Stopwatch.StartNew();
    string? stage;
    double stageWall, stageCpu;

    public static IProgress<string>? FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) != "1") return null;
        var t = new StageTimings();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => t.Report("exit");
        return t;
    }

    static double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    public void Part(string part, double seconds) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"timing:   {part}, {seconds:0.00} s"));

    public void Report(string value)
    {
        double w = wall.Elapsed.TotalSeconds, c = Cpu();
        if (stage is not null)
        {
            using var p = Process.GetCurrentProcess();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"timing: {stage}: wall {w - stageWall:0.00} s, cpu {c - stageCpu:0.00} s, working set {p.WorkingSet64 / 1e6:0} MB, peak {p.PeakWorkingSet64 / 1e6:0} MB, managed heap {GC.GetTotalMemory(false) / 1e6:0} MB"));
        }
        stage = value == "exit" ? null : value;
        stageWall = w; stageCpu = c;
    }
}
