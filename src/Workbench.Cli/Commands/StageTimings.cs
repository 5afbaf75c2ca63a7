using System.Diagnostics;

namespace Workbench.Cli.Commands;

/// <summary>With WORKBENCH_TIMINGS=1, prints each stage a command reports (wall seconds, process CPU seconds, working set,
/// collections, the JIT compiler's time on every thread) to
/// standard error when the next stage starts and at exit, and the parts of a stage a job times itself (<see cref="IStagePartTimings"/>)
/// as they are reported; benchmarks read these lines (bench/end_to_end.sh). Off otherwise.</summary>
sealed class StageTimings : IProgress<string>, IStagePartTimings
{
    public const string EnvironmentVariable = "WORKBENCH_TIMINGS";
    readonly Stopwatch wall = Stopwatch.StartNew();
    string? stage;
    double stageWall, stageCpu, stagePause, stageJit;
    int gen0, gen1, gen2;

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
        double w = wall.Elapsed.TotalSeconds, c = Cpu(), pause = GC.GetTotalPauseDuration().TotalSeconds,
            jit = System.Runtime.JitInfo.GetCompilationTime().TotalSeconds;
        int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
        if (stage is not null)
        {
            using var p = Process.GetCurrentProcess();
            // The collections of each generation that ran during the stage (a gen2 counts in all three) and the time the
            // runtime was paused for them.
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"timing: {stage}: wall {w - stageWall:0.00} s, cpu {c - stageCpu:0.00} s, working set {p.WorkingSet64 / 1e6:0} MB, peak {p.PeakWorkingSet64 / 1e6:0} MB, managed heap {GC.GetTotalMemory(false) / 1e6:0} MB, gc {g0 - gen0}/{g1 - gen1}/{g2 - gen2}, gc pause {pause - stagePause:0.00} s, jit {jit - stageJit:0.00} s"));
        }
        stage = value == "exit" ? null : value;
        stageWall = w; stageCpu = c; stagePause = pause; stageJit = jit;
        (gen0, gen1, gen2) = (g0, g1, g2);
    }
}
