using System.Diagnostics;
using System.Security.Cryptography;
using Workbench.Analytics;
using Workbench.Analytics.Features;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Ranking;
using Workbench.Experiments.Pipeline;
using Workbench.Experiments.Specs;
using static Workbench.Bench.BenchCommon;

namespace Workbench.Bench;

/// <summary>
/// The training-schedule experiment of docs/scale.md (#22): loads a dataset folder once, builds the labeled features with
/// a spec's options once, then fits and evaluates the prioritizer (AccountPrioritizer.Fit + PrioritizerEvaluation.Evaluate,
/// exactly what `workbench run` reports) for each variant, printing test and oracle AUC, trees, fit wall/CPU seconds and a
/// hash of the saved model and of the test probabilities (to check bit-identity across thread counts).
///   Workbench.Bench train-sweep DATA_DIR SPEC.json VARIANT...
/// VARIANT = step,maxRows,threads,metric[,trees,learningRate]  e.g. 1,0,1,logloss  3,400000,2,auc
/// </summary>
static class TrainSweep
{
    public static int Run(string[] args)
    {
        var (dataDir, specPath) = (args[0], args[1]);
        var spec = ExperimentSpec.Load(specPath);
        var sw = Stopwatch.StartNew();
        var data = PipelineStages.LoadDataset(dataDir).Dataset;
        Console.WriteLine(string.Create(Inv, $"load {sw.Elapsed.TotalSeconds:F1} s, peak WS {Mb(PeakWorkingSet()):F0} MB; {Load()}"));
        sw.Restart();
        var lf = LabeledFeatures.Build(data, spec.Options);
        Console.WriteLine(string.Create(Inv, $"features {sw.Elapsed.TotalSeconds:F1} s: {lf.Features.RowCount:N0} snapshots; peak WS {Mb(PeakWorkingSet()):F0} MB; {Load()}"));
        foreach (var v in args[2..])
        {
            var f = v.Split(',');
            var ranking = spec.Options.Ranking;
            var model = ranking.Churn with
            {
                Threads = int.Parse(f[2], Inv),
                StoppingMetric = f[3] == "auc" ? StoppingMetric.Auc : StoppingMetric.LogLoss,
                NumberOfTrees = f.Length > 4 ? int.Parse(f[4], Inv) : ranking.Churn.NumberOfTrees,
                LearningRate = f.Length > 5 ? double.Parse(f[5], Inv) : ranking.Churn.LearningRate,
            };
            var options = spec.Options with
            {
                Ranking = ranking with { TrainStepMonths = int.Parse(f[0], Inv), MaxTrainingRows = int.Parse(f[1], Inv), Churn = model, Upsell = model },
            };
            GC.Collect();
            var split = AccountPrioritizer.SplitOf(lf, options.Ranking);
            PrioritizerModel? fitted = null;
            var (fw, fc) = Time(() => fitted = AccountPrioritizer.Fit(lf, options));
            var result = PrioritizerEvaluation.Evaluate(fitted!, lf, data);
            using var ms = new MemoryStream();
            fitted!.Save(ms);
            var hash = Convert.ToHexString(SHA256.HashData(ms.ToArray()))[..12];
            // The saved model records its options (threads included); the test probabilities show whether the trees differ.
            var probabilities = result.Products.SelectMany(p => new[] { p.PChurn, p.PUpsell }).ToArray();
            var scores = Convert.ToHexString(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(probabilities.AsSpan())))[..12];
            Console.WriteLine(string.Create(Inv,
                $"variant {v}: train months {split.TrainMonths.Count}; fit wall {fw:F1} s cpu {fc:F1} s; churn AUC {result.Churn.Auc:F4} (oracle {result.Churn.OracleAuc:F4}, {fitted.Churn.TreeCount} trees); upsell AUC {result.Upsell.Auc:F4} (oracle {result.Upsell.OracleAuc:F4}, {fitted.Upsell.TreeCount} trees); model {hash}, test probabilities {scores}; peak WS {Mb(PeakWorkingSet()):F0} MB; {Load()}"));
        }
        return 0;
    }
}
