using System.Text.Json;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Ranking;
using static Workbench.Bench.BenchCommon;

namespace Workbench.Bench;

/// <summary>
/// Trains and scores the churn and upsell propensity models (PropensityTrainer, default PropensityOptions: LightGBM,
/// 400 trees, 7 leaves, learning rate 0.05, 200 rows per leaf, early stopping after 30 rounds, isotonic calibration)
/// on the snapshots of the generated dataset, with the same time split RankingStage uses (last as-of month = test,
/// the two latest trainable months = validation). Writes the matrices once to bench/data/train-.../ (raw float32
/// row-major, labels as bytes, meta.json) for bench/train_xgboost.py.
///   dotnet bench/Workbench.Bench/bin/Release/net10.0/Workbench.Bench.dll train 100000 36 [step=3] [threads=1] [--fixed-trees] [repeats=1]
/// --fixed-trees turns early stopping off, so both libraries grow exactly NumberOfTrees trees.
/// </summary>
static class TrainBench
{
    public static int Run(string[] args)
    {
        var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        int accounts = IntArg(positional, 0, 100_000), months = IntArg(positional, 1, 36), step = IntArg(positional, 2, 3);
        int threads = IntArg(positional, 3, 1), repeats = IntArg(positional, 4, 1);
        bool fixedTrees = args.Contains("--fixed-trees");
        var data = LoadDataset(accounts, months);
        var snapshotOptions = new SnapshotOptions { StepMonths = step };
        var lf = LabeledFeatures.Build(data, snapshotOptions);
        var table = lf.Features;
        var split = TimeSplit.Make(table.Snapshots.Select(s => s.AsOfMonth).Distinct().ToList(), snapshotOptions);
        int[] Rows(IReadOnlyList<int> ms) { var set = ms.ToHashSet(); return Enumerable.Range(0, table.RowCount).Where(i => set.Contains(table.Snapshots[i].AsOfMonth)).ToArray(); }
        var (train, valid, test) = (Rows(split.TrainMonths), Rows(split.ValidationMonths), Rows(split.TestMonths));
        float[] X(int[] rows)
        {
            int d = table.ColumnCount;
            var x = new float[(long)rows.Length * d];
            for (int k = 0; k < rows.Length; k++) table.Row(rows[k]).CopyTo(x.AsSpan(k * d, d));
            return x;
        }
        bool[] Y(int[] rows, Outcome o) => rows.Select(r => lf.Labels[r].Outcome == o).ToArray();
        var (xTrain, xValid, xTest) = (X(train), X(valid), X(test));
        var names = table.Registry.Names.ToArray();
        Console.WriteLine(string.Create(Inv,
            $"train {accounts}x{months} step {step}: {table.RowCount:N0} snapshots x {names.Length} features; train {train.Length:N0} (as-of months {string.Join(",", split.TrainMonths)}), valid {valid.Length:N0} ({string.Join(",", split.ValidationMonths)}), test {test.Length:N0} ({string.Join(",", split.TestMonths)}); peak WS so far {Mb(PeakWorkingSet()):F0} MB; {Load()}"));

        var baseOptions = new PropensityOptions { Threads = threads, EarlyStoppingRounds = fixedTrees ? 0 : new PropensityOptions().EarlyStoppingRounds };
        var dumpDir = Path.Combine(BenchDir(), "data", string.Create(Inv, $"train-{accounts}x{months}-step{step}"));
        var results = new Dictionary<string, object>();
        foreach (var (target, outcome) in new[] { ("churn", Outcome.Churn), ("upsell", Outcome.Upsell) })
        {
            var trainSet = new TrainingSet(xTrain, names, Y(train, outcome));
            var validSet = new TrainingSet(xValid, names, Y(valid, outcome));
            var testSet = new TrainingSet(xTest, names, Y(test, outcome));
            var trainTimes = new List<double>();
            var scoreTimes = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                GC.Collect();
                PropensityModel? model = null;
                var (tw, tc) = Time(() => model = PropensityTrainer.Train(target, trainSet, validSet, baseOptions));
                double[]? p = null;
                var (sw, sc) = Time(() => p = model!.Score(testSet).Probability);
                trainTimes.Add(tw); scoreTimes.Add(sw);
                double auc = ClassificationMetrics.RocAuc(p!, testSet.Labels);
                Console.WriteLine(string.Create(Inv,
                    $"  {target} run {r + 1}: train {tw:F2} s (CPU {tc:F2}, {train.Length / tw:N0} rows/s), {model!.TreeCount} trees; score {test.Length:N0} rows {sw:F2} s (CPU {sc:F2}, {test.Length / sw:N0} rows/s); test AUC {auc:F4}, positives {testSet.Labels.Count(b => b):N0}; peak WS {Mb(PeakWorkingSet()):F0} MB; {Load()}"));
                results[target] = new { trees = model.TreeCount, train_seconds = trainTimes.Min(), score_seconds = scoreTimes.Min(), test_auc = auc };
            }
            Console.WriteLine($"  {target}: train {Summary(trainTimes)}; score {Summary(scoreTimes)}");
        }

        if (!args.Contains("--no-dump") && !File.Exists(Path.Combine(dumpDir, "meta.json")))
        {
            Directory.CreateDirectory(dumpDir);
            void F(string name, float[] x) { using var f = File.Create(Path.Combine(dumpDir, name)); f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan())); }
            void B(string name, bool[] y) => File.WriteAllBytes(Path.Combine(dumpDir, name), y.Select(v => v ? (byte)1 : (byte)0).ToArray());
            F("X_train.f32", xTrain); F("X_valid.f32", xValid); F("X_test.f32", xTest);
            foreach (var (target, outcome) in new[] { ("churn", Outcome.Churn), ("upsell", Outcome.Upsell) })
            {
                B($"y_{target}_train.u8", Y(train, outcome)); B($"y_{target}_valid.u8", Y(valid, outcome)); B($"y_{target}_test.u8", Y(test, outcome));
            }
            var o = new PropensityOptions();
            File.WriteAllText(Path.Combine(dumpDir, "meta.json"), JsonSerializer.Serialize(new
            {
                features = names, train_rows = train.Length, valid_rows = valid.Length, test_rows = test.Length,
                number_of_trees = o.NumberOfTrees, number_of_leaves = o.NumberOfLeaves, learning_rate = o.LearningRate,
                min_examples_per_leaf = o.MinExamplesPerLeaf, early_stopping_rounds = o.EarlyStoppingRounds,
            }, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"  wrote matrices to {dumpDir}");
        }
        Console.WriteLine("  summary " + JsonSerializer.Serialize(results));
        return 0;
    }
}
