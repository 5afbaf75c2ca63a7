using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Trainers.LightGbm;
using Workbench.Analytics;
using Workbench.Analytics.Features;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Ranking;
using Workbench.Experiments.Pipeline;
using Workbench.Experiments.Specs;
using static Workbench.Bench.BenchCommon;

namespace Workbench.Bench;

/// <summary>
/// The training experiments of docs/scale.md (#22): loads a dataset folder once, builds the labeled features with a spec's
/// options once, then fits and evaluates the prioritizer (AccountPrioritizer.Fit + PrioritizerEvaluation.Evaluate, exactly
/// what `workbench run` reports) for each variant, printing test and oracle AUC, log-loss and NDCG@k, trees, fit wall/CPU
/// seconds and a hash of the saved model and of the test probabilities (to check bit-identity across thread counts).
///   Workbench.Bench train-sweep DATA_DIR SPEC.json VARIANT...
/// VARIANT = step,maxRows,threads,metric[,trees,learningRate][,key=value...]  e.g. 1,0,1,logloss  3,200000,1,logloss,200,0.1,bins=63
///   keys: bins (LightGBM max_bin), sub (bagging fraction), subfreq (bagging frequency), esr (early-stopping rounds)
/// VARIANT = phases: the spec's churn model fitted step by step (training rows copied; LightGBM with 1 tree on the training
///   rows alone, then with the validation rows; all trees without validation, then with it and early stopping; the
///   calibrator's scoring; the test months' scoring), each timed by process CPU, run one after the other.
/// With TRAIN_SWEEP_SPEC_ROWS=1 the features are built only for the rows `run` reads with the spec's options
/// (AccountPrioritizer.BuildFeatures: the spec's training sample, validation sample and evaluated months), which is what
/// fits in memory at 100,000 accounts beside other jobs; a variant must then keep the spec's step and a cap at most the
/// spec's (a smaller cap samples from the spec's sample: a uniform sample of the training rows, not the one `run` draws).
/// </summary>
static class TrainSweep
{
    public static int Run(string[] args)
    {
        var (dataDir, specPath) = (args[0], args[1]);
        var spec = ExperimentSpec.Load(specPath);
        bool specRows = Environment.GetEnvironmentVariable("TRAIN_SWEEP_SPEC_ROWS") == "1";
        var sw = Stopwatch.StartNew();
        var data = PipelineStages.LoadDataset(dataDir).Dataset;
        Console.WriteLine(string.Create(Inv, $"load {sw.Elapsed.TotalSeconds:F1} s, peak WS {Mb(PeakWorkingSet()):F0} MB; {Load()}"));
        sw.Restart();
        var lf = specRows ? AccountPrioritizer.BuildFeatures(data, spec.Options) : LabeledFeatures.Build(data, spec.Options);
        Console.WriteLine(string.Create(Inv, $"features {sw.Elapsed.TotalSeconds:F1} s: {lf.Features.RowCount:N0} snapshots{(specRows ? " (the spec's rows)" : "")}; peak WS {Mb(PeakWorkingSet()):F0} MB; {Load()}"));
        foreach (var v in args[2..])
        {
            if (v == "phases") { Phases(lf, spec.Options); continue; }
            var f = v.Split(',');
            var positional = f.TakeWhile(x => !x.Contains('=')).ToArray();
            var keyed = f.Skip(positional.Length).Select(x => x.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
            var ranking = spec.Options.Ranking;
            var model = ranking.Churn with
            {
                Threads = int.Parse(positional[2], Inv),
                StoppingMetric = positional[3] == "auc" ? StoppingMetric.Auc : StoppingMetric.LogLoss,
                NumberOfTrees = positional.Length > 4 ? int.Parse(positional[4], Inv) : ranking.Churn.NumberOfTrees,
                LearningRate = positional.Length > 5 ? double.Parse(positional[5], Inv) : ranking.Churn.LearningRate,
                MaxBinCount = keyed.TryGetValue("bins", out var b) ? int.Parse(b, Inv) : ranking.Churn.MaxBinCount,
                SubsampleFraction = keyed.TryGetValue("sub", out var s) ? double.Parse(s, Inv) : ranking.Churn.SubsampleFraction,
                SubsampleFrequency = keyed.TryGetValue("subfreq", out var sf) ? int.Parse(sf, Inv) : ranking.Churn.SubsampleFrequency,
                EarlyStoppingRounds = keyed.TryGetValue("esr", out var e) ? int.Parse(e, Inv) : ranking.Churn.EarlyStoppingRounds,
            };
            var options = spec.Options with
            {
                Ranking = ranking with { TrainStepMonths = int.Parse(positional[0], Inv), MaxTrainingRows = int.Parse(positional[1], Inv), Churn = model, Upsell = model },
            };
            if (specRows && (options.Ranking.TrainStepMonths != ranking.TrainStepMonths || options.Ranking.MaxTrainingRows <= 0
                             || ranking.MaxTrainingRows > 0 && options.Ranking.MaxTrainingRows > ranking.MaxTrainingRows))
                throw new ArgumentException($"variant {v}: with TRAIN_SWEEP_SPEC_ROWS=1 the step must be the spec's ({ranking.TrainStepMonths}) and the cap at most the spec's ({ranking.MaxTrainingRows}).");
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
                $"variant {v}: train months {split.TrainMonths.Count}; fit wall {fw:F1} s cpu {fc:F1} s; churn AUC {result.Churn.Auc:F4} (oracle {result.Churn.OracleAuc:F4}, {fitted.Churn.TreeCount} trees, log-loss {result.Churn.LogLoss:F4}, NDCG@k {result.Churn.NdcgAtK:F4}); upsell AUC {result.Upsell.Auc:F4} (oracle {result.Upsell.OracleAuc:F4}, {fitted.Upsell.TreeCount} trees, log-loss {result.Upsell.LogLoss:F4}, NDCG@k {result.Upsell.NdcgAtK:F4}); model {hash}, test probabilities {scores}; peak WS {Mb(PeakWorkingSet()):F0} MB; {Load()}"));
        }
        return 0;
    }

    /// <summary>Where a churn fit spends its CPU, step by step (one after the other, so process CPU is the step's).</summary>
    static void Phases(LabeledFeatures lf, PipelineOptions options)
    {
        var ranking = options.Ranking;
        var model = ranking.Churn;
        var table = lf.Features;
        var split = AccountPrioritizer.SplitOf(lf, ranking);
        int[] trainRows = [], validRows = [];
        TrainingSet? train = null, valid = null, scoring = null;
        void Step(string name, Action a)
        {
            GC.Collect();
            var (w, c) = Time(a);
            Console.WriteLine(string.Create(Inv, $"  phase {name}: wall {w:F2} s cpu {c:F2} s; {Load()}"));
        }
        Step("rows selected", () =>
        {
            trainRows = AccountPrioritizer.TrainingSample(AccountPrioritizer.RowsIn(table, split.TrainMonths), ranking.MaxTrainingRows, options.Seed);
            validRows = AccountPrioritizer.ValidationSample(AccountPrioritizer.RowsIn(table, split.ValidationMonths), table.Snapshots, ranking.MaxValidationRows, options.Seed);
        });
        Step($"training and validation rows copied ({trainRows.Length:N0} + {validRows.Length:N0})", () =>
        {
            train = TrainingSet.ChurnAndUpsell(table, trainRows, lf.Labels).Churn;
            valid = TrainingSet.ChurnAndUpsell(table, validRows, lf.Labels).Churn;
        });
        Step("test rows copied", () => scoring = AccountPrioritizer.ScoringSet(lf, split));
        int leaf = LeafSizes.Effective(model.MinExamplesPerLeaf, train!.RowCount);
        LightGbmBinaryTrainer.Options Lgbm(int trees, int esr) => new()
        {
            NumberOfIterations = trees, NumberOfLeaves = model.NumberOfLeaves, LearningRate = model.LearningRate,
            MinimumExampleCountPerLeaf = leaf, EarlyStoppingRound = esr, NumberOfThreads = model.Threads, Seed = model.Seed,
            Silent = true, Verbose = false,
            MaximumBinCountPerFeature = model.MaxBinCount,
        };
        var ml = new MLContext(model.Seed);
        Step("LightGBM, 1 tree, training rows only (dataset construction)", () => ml.BinaryClassification.Trainers.LightGbm(Lgbm(1, 0)).Fit(train.ToDataView(ml)));
        Step("LightGBM, 1 tree, with the validation rows", () => ml.BinaryClassification.Trainers.LightGbm(Lgbm(1, 0)).Fit(train.ToDataView(ml), valid!.ToDataView(ml)));
        Step($"LightGBM, {model.NumberOfTrees} trees, training rows only", () => ml.BinaryClassification.Trainers.LightGbm(Lgbm(model.NumberOfTrees, 0)).Fit(train.ToDataView(ml)));
        PropensityModel? fitted = null;
        Step($"PropensityTrainer.Train ({model.NumberOfTrees} trees, validation, early stopping {model.EarlyStoppingRounds}, calibrator)", () => fitted = PropensityTrainer.Train("churn", train, valid!, model));
        Console.WriteLine($"  phase churn trees grown: {fitted!.TreeCount}");
        var walk = Workbench.Analytics.Scoring.TreeScorer.For(fitted.TreeModel!, train.FeatureNames)!;
        double[] raw = [];
        Step($"calibrator's scoring of {valid!.RowCount:N0} validation rows (tree walk)", () => raw = walk.Score(valid.Values, valid.RowCount));
        Step("calibrator fit", () => Calibrator.Fit(model.Calibration, raw, valid.Labels));
        Step($"test months scored ({scoring!.RowCount:N0} rows)", () => Workbench.Analytics.Scoring.BatchScorer.Probabilities(fitted, scoring, "the scored data"));
    }
}
