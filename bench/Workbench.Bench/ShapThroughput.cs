using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using Workbench.Analytics.Explanation;

namespace Workbench.Bench;

/// <summary>
/// TreeSHAP throughput on a model of realistic size: LightGBM (through ML.NET) with 300 trees x 31 leaves over
/// 50 features, trained on 100,000 seeded synthetic rows; SHAP for 100,000 other rows on 2 threads. Also writes the
/// same trees and rows for xgboost (bench/xgboost_contribs.py) so both run on identical input.
/// usage: dotnet run -c Release --project bench/Workbench.Bench -- shap [--rows N] [--trees T] [--out DIR] [--threads K]
/// </summary>
internal static class ShapThroughput
{
    const int FeatureCount = 50;

    public sealed class Example
    {
        [VectorType(FeatureCount)] public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    static List<Example> Synthetic(int count, int seed, double missingRate = 0.02)
    {
        var rng = new Random(seed);
        var list = new List<Example>(count);
        for (int i = 0; i < count; i++)
        {
            var x = new float[FeatureCount];
            for (int f = 0; f < FeatureCount; f++) x[f] = rng.NextDouble() < missingRate ? float.NaN : (float)(rng.NextDouble() * 10);
            double V(int f) => float.IsNaN(x[f]) ? 5 : x[f];
            double logit = 0;
            for (int f = 0; f < 20; f++) logit += (f % 2 == 0 ? 1 : -1) * (V(f) - 5) / (3 + f);
            logit += Math.Sin(V(20)) + (V(21) > 7 && V(22) < 3 ? 1.5 : 0) + 0.3 * (V(23) - 5) * (V(24) - 5) / 10;
            list.Add(new Example { Features = x, Label = rng.NextDouble() < 1 / (1 + Math.Exp(-logit)) });
        }
        return list;
    }

    public static int Run(string[] args)
    {
        int rowCount = IntOption(args, "--rows", 100_000);
        int trees = IntOption(args, "--trees", 300);
        int threads = IntOption(args, "--threads", 2);
        int repeats = IntOption(args, "--repeat", 3);
        string outDir = StringOption(args, "--out", Path.Combine("bench", "out"));
        Directory.CreateDirectory(outDir);

        var clock = Stopwatch.StartNew();
        string? modelPath = StringOption(args, "--model", "");
        TreeEnsemble ensemble;
        if (!string.IsNullOrEmpty(modelPath))
        {
            ensemble = XgboostJsonReader.Read(modelPath);
            Console.WriteLine($"loaded {modelPath} (written by an earlier run)");
        }
        else
        {
            var ml = new MLContext(seed: 2026);
            var train = ml.Data.LoadFromEnumerable(Synthetic(100_000, seed: 1));
            var model = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                NumberOfIterations = trees, NumberOfLeaves = 31, MinimumExampleCountPerLeaf = 20, LearningRate = 0.1,
                NumberOfThreads = threads, Seed = 7,
            }).Fit(train);
            Console.WriteLine($"trained LightGBM in {clock.Elapsed.TotalSeconds:F1} s");
            ensemble = MlNetTreeEnsembles.FromModel(model.Model.SubModel, train);
        }
        var leaves = ensemble.Trees.Select(t => Enumerable.Range(0, t.NodeCount).Count(t.IsLeaf)).ToArray();
        Console.WriteLine($"ensemble: {ensemble.Trees.Count} trees, leaves mean {leaves.Average():F1} max {leaves.Max()}, max depth {ensemble.MaxDepth()}, {ensemble.FeatureCount} features");

        clock.Restart();
        var tables = ensemble.Compiled.Tables;
        int maxBits = Enumerable.Range(0, tables.LeafFeatureStart.Length - 1).Select(l => tables.LeafFeatureStart[l + 1] - tables.LeafFeatureStart[l]).DefaultIfEmpty().Max();
        Console.WriteLine(Invariant($"leaf weight tables: {tables.Entries} entries ({tables.Entries * 8 / 1e6:F1} MB), most unique features on a path {maxBits}, {tables.UntabledTrees} trees left to the recursion, built in {clock.Elapsed.TotalSeconds:F2} s"));
        var rows = Synthetic(rowCount, seed: 2, missingRate: 0).Select(e => e.Features).ToArray();
        var options = new TreeShapOptions(MaxDegreeOfParallelism: threads);
        TreeShap.Explain(ensemble, rows.Take(2000).ToArray(), options); // warm-up (JIT)
        // The machine is shared: report wall time and this process's CPU time (less sensitive to other load).
        double best = double.MaxValue, bestCpu = double.MaxValue;
        ShapBatch? batch = null;
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < repeats; i++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            clock.Restart();
            batch = TreeShap.Explain(ensemble, rows, options);
            double wall = clock.Elapsed.TotalSeconds;
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            best = Math.Min(best, wall);
            bestCpu = Math.Min(bestCpu, cpu);
            Console.WriteLine(Invariant($"  run {i + 1}: wall {wall:F3} s, cpu {cpu:F3} s"));
        }
        double worstGap = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            double sum = batch!.ExpectedValue;
            foreach (var v in batch.Row(r)) sum += v;
            worstGap = Math.Max(worstGap, Math.Abs(sum - batch.Margin(r)));
        }
        Console.WriteLine(Invariant($"C# TreeSHAP: {rowCount} rows in {best:F3} s (best of {repeats}) = {rowCount / best:F0} rows/s on {threads} threads; cpu {bestCpu:F3} s = {rowCount / bestCpu:F0} rows per cpu-second; max |E+sum(phi)-margin| = {worstGap:E2}"));

        File.WriteAllText(Path.Combine(outDir, "shap_model.json"), XgboostModelJson.Write(ensemble));
        File.WriteAllText(Path.Combine(outDir, "shap_rows.csv"), XgboostModelJson.RowsCsv(rows));
        File.WriteAllText(Path.Combine(outDir, "shap_csharp_seconds.txt"),
            best.ToString("R", CultureInfo.InvariantCulture) + " " + bestCpu.ToString("R", CultureInfo.InvariantCulture));
        Console.WriteLine($"wrote the same trees and rows to {outDir}/shap_model.json and shap_rows.csv for bench/shap_xgboost.py");
        return 0;
    }

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    static int IntOption(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    static string StringOption(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
