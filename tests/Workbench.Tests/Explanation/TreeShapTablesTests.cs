using CsCheck;
using Microsoft.ML;
using Microsoft.ML.Trainers.LightGbm;
using Workbench.Analytics.Explanation;

namespace Workbench.Tests.Explanation;

/// <summary>TreeSHAP by per-leaf weight tables (Fast TreeSHAP v2) against the recursive algorithm it replaces, which stays as the
/// reference: the same values to 1e-9 on random trees, on trees left to the recursion and on a trained LightGBM model.</summary>
public class TreeShapTablesTests
{
    static void AssertClose(IReadOnlyList<double> reference, ReadOnlySpan<double> tabled, string what)
    {
        Assert.Equal(reference.Count, tabled.Length);
        for (int f = 0; f < reference.Count; f++)
            Assert.True(Math.Abs(reference[f] - tabled[f]) <= 1e-9 * Math.Max(1, Math.Abs(reference[f])),
                $"{what}, feature {f}: recursive {reference[f]:R} vs tables {tabled[f]:R}");
    }

    static void AssertAdditive(double expected, ReadOnlySpan<double> phi, double margin, string what)
    {
        double sum = expected;
        foreach (var v in phi) sum += v;
        Assert.True(Math.Abs(sum - margin) <= 1e-9 * Math.Max(1, Math.Abs(margin)), $"{what}: expected value + SHAP = {sum:R}, margin {margin:R}");
    }

    [Fact]
    public void Tables_give_the_recursive_values_on_random_trees_and_rows()
    {
        Gen.Select(Gen.Int[1, 40], Gen.Int[1, 20], Gen.Int[1, 12], Gen.Int, Gen.Int).Sample((features, trees, depth, seed, rowSeed) =>
        {
            var shape = new RandomTrees.Shape(features, trees, depth, seed);
            var ensemble = RandomTrees.Ensemble(shape);
            // Without zero covers and with at most 12 levels, every tree gets tables: the test exercises them, not the fallback.
            Assert.Equal(0, ensemble.Compiled.Tables.UntabledTrees);
            var rng = new Random(rowSeed);
            for (int i = 0; i < 5; i++)
            {
                var row = RandomTrees.Row(rng, features);
                var reference = TreeShap.ExplainRecursive(ensemble, row);
                var tabled = TreeShap.Explain(ensemble, row);
                AssertClose(reference.Contributions, tabled.Contributions.ToArray(), $"shape {shape}, row {i}");
                AssertAdditive(tabled.ExpectedValue, tabled.Contributions.ToArray(), ensemble.PredictMargin(row), $"shape {shape}, row {i}");
            }
        }, iter: 300);
    }

    [Fact]
    public void Trees_with_zero_covers_or_past_the_budget_use_the_recursion_and_agree()
    {
        // Zero covers: such trees cannot be tabled (z = 0 is not divided out) and fall back.
        int fellBack = 0;
        Gen.Select(Gen.Int[1, 8], Gen.Int[1, 6], Gen.Int[1, 7], Gen.Int, Gen.Int).Sample((features, trees, depth, seed, rowSeed) =>
        {
            var ensemble = RandomTrees.Ensemble(new RandomTrees.Shape(features, trees, depth, seed, AllowZeroCover: true));
            if (ensemble.Compiled.Tables.UntabledTrees > 0) Interlocked.Increment(ref fellBack);
            var rng = new Random(rowSeed);
            for (int i = 0; i < 3; i++)
            {
                var row = RandomTrees.Row(rng, features);
                var (_, brute) = BruteForceShapley.Explain(ensemble, row);
                AssertClose(brute, TreeShap.Explain(ensemble, row).Contributions.ToArray(), "zero covers vs brute force");
            }
        }, iter: 300, threads: 1);
        Assert.True(fellBack > 0, "no random ensemble had a zero cover: the fallback was not exercised");

        // A budget that holds only some trees: tabled and recursive trees mixed in one row's sum.
        var big = RandomTrees.Ensemble(new RandomTrees.Shape(FeatureCount: 15, TreeCount: 40, MaxDepth: 9, Seed: 5));
        var compiled = big.Compiled;
        var half = new LeafWeightTables(compiled, budget: compiled.Tables.Entries / 2);
        Assert.InRange(half.UntabledTrees, 1, big.Trees.Count - 1);
        var rngRows = new Random(17);
        var rows = Enumerable.Range(0, 50).Select(_ => RandomTrees.Row(rngRows, 15)).ToList();
        var phi = new double[rows.Count * 15];
        TreeShap.ExplainRows(compiled, half, patterns: null, rows, 0, rows.Count, phi, margins: default, big.Bias, new TreeShap.Scratch(compiled));
        for (int r = 0; r < rows.Count; r++)
            AssertClose(TreeShap.ExplainRecursive(big, rows[r]).Contributions, phi.AsSpan(r * 15, 15), $"half budget, row {r}");
    }

    [Fact]
    public void Tables_give_the_recursive_values_on_a_trained_LightGBM_model()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(MlNetTreeShapTests.Synthetic(4000, seed: 11));
        var model = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            NumberOfIterations = 60, NumberOfLeaves = 31, MinimumExampleCountPerLeaf = 5, NumberOfThreads = 1, Seed = 3,
        }).Fit(train);
        var ensemble = MlNetTreeEnsembles.FromModel(model.Model.SubModel, train);
        Assert.True(ensemble.Trees.Count - ensemble.Compiled.Tables.UntabledTrees >= ensemble.Trees.Count / 2,
            $"only {ensemble.Trees.Count - ensemble.Compiled.Tables.UntabledTrees} of {ensemble.Trees.Count} trees have tables");
        var rows = MlNetTreeShapTests.Synthetic(400, seed: 12).Select(e => e.Features).ToArray();
        var batch = TreeShap.Explain(ensemble, rows, new TreeShapOptions(MaxDegreeOfParallelism: 2));
        for (int r = 0; r < rows.Length; r++)
        {
            var reference = TreeShap.ExplainRecursive(ensemble, rows[r]);
            AssertClose(reference.Contributions, batch.Row(r), $"row {r}");
            Assert.Equal(reference.Margin, batch.Margin(r));
            AssertAdditive(batch.ExpectedValue, batch.Row(r), batch.Margin(r), $"row {r}");
        }
    }
}
