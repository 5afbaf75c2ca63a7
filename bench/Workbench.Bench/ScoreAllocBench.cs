using Workbench.Experiments.Runs;
using Workbench.Experiments.Scoring;

namespace Workbench.Bench;

/// <summary>Where <c>workbench score</c> allocates: the scoring run once with the runtime's allocation ticks sampled
/// (<see cref="AllocationSampler"/>) and the top types printed for each stage the scoring reports, so fresh memory (on a
/// VM, about a second of page faults per GB) can be traced to the code that asks for it.
///   Workbench.Bench score-alloc STORE MODEL DATA OUT [TOP]</summary>
static class ScoreAllocBench
{
    public static int Run(string[] args)
    {
        var store = new StoreLayout(args[0]);
        int top = args.Length > 4 ? int.Parse(args[4], BenchCommon.Inv) : 15;
        using var sampler = new AllocationSampler();
        var progress = new StageReports(sampler, top);
        BatchScoring.Run(store, args[1], args[2], args[3], new ScoringOptions(), progress);
        progress.Report("(end)");
        return 0;
    }

    sealed class StageReports(AllocationSampler sampler, int top) : IProgress<string>
    {
        string stage = "(start)";
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        public void Report(string value)
        {
            long now = GC.GetTotalAllocatedBytes(precise: true);
            Console.WriteLine($"{stage}: {(now - allocated) / 1e6:F0} MB allocated");
            Console.WriteLine(sampler.TakeReport(top));
            stage = value; allocated = now;
        }
    }
}
