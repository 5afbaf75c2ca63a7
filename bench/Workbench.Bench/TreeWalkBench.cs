using System.Diagnostics;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Scoring;
using Workbench.Experiments.Artifacts;
using static Workbench.Bench.BenchCommon;

namespace Workbench.Bench;

/// <summary>Both models' probabilities of a scoring's feature rows (BatchScorer.Probabilities: TreeScorer's tree walks),
/// repeated, timed by wall and process CPU, with a hash of the probabilities (bit-identity across builds).
///   Workbench.Bench tree-walk MODEL_DIR DATA_DIR [REPEATS]</summary>
static class TreeWalkBench
{
    public static int Run(string[] args)
    {
        var model = RankingArtifacts.ReadModel(args[0]);
        var data = Workbench.Experiments.Pipeline.PipelineStages.LoadDataset(args[1]).Dataset;
        int repeats = args.Length > 2 ? int.Parse(args[2], Inv) : 5;
        var features = model.FeaturesFor(data);
        var table = features.Features;
        var rows = new TrainingSet(table.Values, table.Registry.Names.ToArray(), new bool[table.RowCount]);
        for (int i = 0; i < repeats; i++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var churn = BatchScorer.Probabilities(model.Churn, rows, "bench");
            var upsell = BatchScorer.Probabilities(model.Upsell, rows, "bench");
            double wall = sw.Elapsed.TotalSeconds, used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            long hash = 17;
            foreach (double p in churn.Concat(upsell)) hash = hash * 31 + BitConverter.DoubleToInt64Bits(p);
            Console.WriteLine(string.Create(Inv, $"{table.RowCount:N0} rows x 2 models: wall {wall:F3} s, cpu {used:F3} s, hash {hash:X16}"));
        }
        return 0;
    }
}
