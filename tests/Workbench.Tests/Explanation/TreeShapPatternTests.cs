using CsCheck;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Workbench.Analytics.Explanation;
using Workbench.Analytics.Ranking;
using Workbench.Tests.Ranking;
using Xunit.Abstractions;

namespace Workbench.Tests.Explanation;

/// <summary>TreeSHAP by per-tree pattern tables (a small tree's contributions looked up by the row's directions at its splits)
/// against the recursive algorithm (the reference) and the per-leaf tables: the same values to 1e-9, the same margins bit for
/// bit, contributions that add up to the margin; on random trees and on fitted ML.NET FastTree and LightGBM models with
/// missing values.</summary>
public class TreeShapPatternTests
{
    internal static void AssertClose(IReadOnlyList<double> reference, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(reference.Count, actual.Length);
        for (int f = 0; f < reference.Count; f++)
            Assert.True(Math.Abs(reference[f] - actual[f]) <= 1e-9 * Math.Max(1, Math.Abs(reference[f])),
                $"{what}, feature {f}: reference {reference[f]:R} vs patterns {actual[f]:R}");
    }

    internal static void AssertAdditive(double expected, ReadOnlySpan<double> phi, double margin, string what)
    {
        double sum = expected;
        foreach (var v in phi) sum += v;
        Assert.True(Math.Abs(sum - margin) <= 1e-9 * Math.Max(1, Math.Abs(margin)), $"{what}: expected value + SHAP = {sum:R}, margin {margin:R}");
    }

    /// <summary>Every row of the batch against the recursion (values to 1e-9, margin bit for bit) and the leaf tables; returns
    /// how many of the batch's values differ at all from the leaf tables' (rounding only).</summary>
    internal static int AssertBatchMatchesReferences(TreeEnsemble ensemble, IReadOnlyList<float[]> rows, string what)
    {
        var patterns = TreeShap.Explain(ensemble, rows, new TreeShapOptions(MaxDegreeOfParallelism: 2), TreeShapTables.Patterns);
        var leaves = TreeShap.Explain(ensemble, rows, new TreeShapOptions(MaxDegreeOfParallelism: 2), TreeShapTables.Leaves);
        int differing = 0;
        for (int r = 0; r < rows.Count; r++)
        {
            var reference = TreeShap.ExplainRecursive(ensemble, rows[r]);
            AssertClose(reference.Contributions, patterns.Row(r), $"{what}, row {r}");
            AssertClose(leaves.Row(r).ToArray(), patterns.Row(r), $"{what}, row {r} against the leaf tables");
            Assert.Equal(BitConverter.DoubleToInt64Bits(ensemble.PredictMargin(rows[r])), BitConverter.DoubleToInt64Bits(patterns.Margin(r)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(leaves.Margin(r)), BitConverter.DoubleToInt64Bits(patterns.Margin(r)));
            AssertAdditive(patterns.ExpectedValue, patterns.Row(r), patterns.Margin(r), $"{what}, row {r}");
            for (int f = 0; f < ensemble.FeatureCount; f++) if (patterns[r, f] != leaves[r, f]) differing++;
            // The single-row entry point reads the same tables.
            if (r % 17 == 0)
            {
                var one = TreeShap.Explain(ensemble, rows[r]);
                Assert.True(one.Contributions.SequenceEqual(patterns.Row(r).ToArray()), $"{what}, row {r}: single row differs from the batch");
                Assert.Equal(patterns.Margin(r), one.Margin);
            }
        }
        return differing;
    }

    [Fact]
    public void Pattern_tables_give_the_recursive_values_on_random_trees_and_rows()
    {
        int patterned = 0, unpatterned = 0;
        Gen.Select(Gen.Int[1, 30], Gen.Int[1, 15], Gen.Int[1, 5], Gen.Int, Gen.Int).Sample((features, trees, depth, seed, rowSeed) =>
        {
            var ensemble = RandomTrees.Ensemble(new RandomTrees.Shape(features, trees, depth, seed, InternalNodesFirst: seed % 2 == 0));
            var p = ensemble.Compiled.Patterns;
            Interlocked.Add(ref patterned, p.Patterned.Count(x => x));
            Interlocked.Add(ref unpatterned, p.UnpatternedTrees);
            var rng = new Random(rowSeed);
            var rows = Enumerable.Range(0, 6).Select(_ => RandomTrees.Row(rng, features)).ToList();
            AssertBatchMatchesReferences(ensemble, rows, $"features {features}, trees {trees}, depth {depth}, seed {seed}");
        }, iter: 300, threads: 1);
        // Depths up to 5 give trees of up to 31 splits: both kinds occur, and are mixed within ensembles.
        Assert.True(patterned > 100 && unpatterned > 10, $"{patterned} patterned trees, {unpatterned} left to the leaf tables");
    }

    [Fact]
    public void Trees_past_the_budget_keep_the_leaf_tables_and_agree()
    {
        var ensemble = RandomTrees.Ensemble(new RandomTrees.Shape(FeatureCount: 12, TreeCount: 40, MaxDepth: 3, Seed: 8));
        var compiled = ensemble.Compiled;
        var all = compiled.Patterns;
        Assert.Equal(0, all.UnpatternedTrees); // depth 3: at most 7 splits per tree
        var half = new TreePatternTables(compiled, budget: all.Table.LongLength / 2);
        Assert.InRange(half.Patterned.Count(x => x), 1, ensemble.Trees.Count - 1);
        var rng = new Random(4);
        var rows = Enumerable.Range(0, 40).Select(_ => RandomTrees.Row(rng, 12)).ToList();
        var phi = new double[rows.Count * 12];
        var margins = new double[rows.Count];
        TreeShap.ExplainRows(compiled, compiled.Tables, half, rows, 0, rows.Count, phi, margins, ensemble.Bias, new TreeShap.Scratch(compiled));
        for (int r = 0; r < rows.Count; r++)
        {
            AssertClose(TreeShap.ExplainRecursive(ensemble, rows[r]).Contributions, phi.AsSpan(r * 12, 12), $"half budget, row {r}");
            Assert.Equal(ensemble.PredictMargin(rows[r]), margins[r]);
        }
    }

    [Fact]
    public void Trees_with_zero_covers_get_pattern_tables_that_match_brute_force()
    {
        // The leaf tables cannot take a zero cover fraction (z = 0 is not divided out); the pattern tables are built by the
        // recursion, which can, so such trees get pattern tables too.
        int zeroCoverEnsembles = 0;
        Gen.Select(Gen.Int[1, 8], Gen.Int[1, 6], Gen.Int[1, 3], Gen.Int, Gen.Int).Sample((features, trees, depth, seed, rowSeed) =>
        {
            var ensemble = RandomTrees.Ensemble(new RandomTrees.Shape(features, trees, depth, seed, AllowZeroCover: true));
            Assert.Equal(0, ensemble.Compiled.Patterns.UnpatternedTrees); // depth 3: at most 7 splits
            if (ensemble.Compiled.Tables.UntabledTrees > 0) Interlocked.Increment(ref zeroCoverEnsembles);
            var rng = new Random(rowSeed);
            for (int i = 0; i < 3; i++)
            {
                var row = RandomTrees.Row(rng, features);
                var (_, brute) = BruteForceShapley.Explain(ensemble, row);
                var patterns = TreeShap.Explain(ensemble, row);
                AssertClose(brute, patterns.Contributions.ToArray(), "zero covers vs brute force");
                AssertClose(TreeShap.ExplainRecursive(ensemble, row).Contributions, patterns.Contributions.ToArray(), "zero covers vs the recursion");
                Assert.Equal(ensemble.PredictMargin(row), patterns.Margin);
            }
        }, iter: 300, threads: 1);
        Assert.True(zeroCoverEnsembles > 20, $"only {zeroCoverEnsembles} ensembles had a tree the leaf tables could not take");
    }

    /// <summary>The project's tree shape (7 leaves: 6 splits) fitted by ML.NET on rows with missing values, then explained on
    /// other rows with missing values and rows whose values sit exactly on the thresholds.</summary>
    static void AssertFittedModel(TreeEnsembleModelParametersBasedOnRegressionTree model, IDataView train, string what)
    {
        var ensemble = MlNetTreeEnsembles.FromModel(model, train);
        var p = ensemble.Compiled.Patterns;
        int split = ensemble.Trees.Count(t => !t.IsLeaf(0));
        Assert.True(split >= 30, $"{what}: only {split} trees with splits");
        Assert.Equal(split, p.Patterned.Count(x => x)); // every tree of 7 leaves gets a table
        // At most 64 patterns x 6 features + 64 leaf values per tree.
        Assert.True(p.Entries <= split * (64 * 6 + 64), $"{what}: {p.Entries} entries for {split} trees");
        var rows = MlNetTreeShapTests.Synthetic(300, seed: 21, missingRate: 0.15).Select(e => e.Features).ToList();
        Assert.True(rows.Count(r => r.Any(float.IsNaN)) > 100);
        foreach (var tree in model.TrainedTreeEnsemble.Trees.Take(40))
            for (int i = 0; i < tree.NumberOfNodes; i++)
            {
                var x = (float[])rows[i].Clone();
                x[tree.NumericalSplitFeatureIndexes[i]] = tree.NumericalSplitThresholds[i];
                rows.Add(x);
            }
        rows.Add(Enumerable.Repeat(float.NaN, rows[0].Length).ToArray());
        AssertBatchMatchesReferences(ensemble, rows, what);
    }

    [Fact]
    public void Pattern_tables_give_the_recursive_values_on_a_fitted_LightGBM_model_with_missing_values()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(MlNetTreeShapTests.Synthetic(4000, seed: 11, missingRate: 0.1));
        var model = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            NumberOfIterations = 80, NumberOfLeaves = 7, MinimumExampleCountPerLeaf = 20, NumberOfThreads = 1, Seed = 3,
        }).Fit(train);
        AssertFittedModel(model.Model.SubModel, train, "LightGBM");
    }

    [Fact]
    public void Pattern_tables_give_the_recursive_values_on_a_fitted_FastTree_model_with_missing_values()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(MlNetTreeShapTests.Synthetic(4000, seed: 11, missingRate: 0.1));
        var model = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = 80, NumberOfLeaves = 7, MinimumExampleCountPerLeaf = 20, NumberOfThreads = 1,
        }).Fit(train);
        AssertFittedModel(model.Model.SubModel, train, "FastTree");
    }
}

/// <summary>The pattern tables on the models the pipeline fits (LightGBM, the default options: 400 trees of 7 leaves) over
/// generated accounts, explained on the latest test month's feature rows (which carry missing values).</summary>
[Collection("generated ranking")]
public class TreeShapPatternPipelineTests(GeneratedRankingFixture fx, ITestOutputHelper output)
{
    [Theory]
    [InlineData("churn")]
    [InlineData("upsell")]
    public void Pattern_tables_give_the_recursive_values_on_the_pipelines_models(string target)
    {
        var table = fx.Features.Features;
        var trainMonths = fx.Result.Split.TrainMonths.ToHashSet();
        var trainRows = Enumerable.Range(0, table.RowCount).Where(i => trainMonths.Contains(table.Snapshots[i].AsOfMonth)).ToArray();
        var background = TrainingSet.ChurnAndUpsell(table, trainRows, fx.Features.Labels);
        var (model, rowsOf) = target == "churn" ? (fx.Result.ChurnModel, background.Churn) : (fx.Result.UpsellModel, background.Upsell);
        var ensemble = new AccountExplainer(model, rowsOf).Ensemble!;
        var p = ensemble.Compiled.Patterns;
        Assert.Equal(0, p.UnpatternedTrees);
        output.WriteLine($"{target}: {ensemble.Trees.Count} trees, pattern tables {p.Entries} entries ({p.Entries * 8:N0} B), " +
            $"leaf tables {ensemble.Compiled.Tables.Entries} entries");
        int month = fx.Result.Split.TestMonths[^1];
        var rng = new Random(5);
        var rows = Enumerable.Range(0, table.RowCount).Where(i => table.Snapshots[i].AsOfMonth == month)
            .Where(_ => rng.NextDouble() < 0.1).Select(i => table.Row(i).ToArray()).ToList();
        Assert.True(rows.Count > 100, $"{rows.Count} rows");
        Assert.True(rows.Count(r => r.Any(float.IsNaN)) > 10, "the rows should carry missing values");
        int differing = TreeShapPatternTests.AssertBatchMatchesReferences(ensemble, rows, target);
        output.WriteLine($"{target}: {rows.Count} rows x {ensemble.FeatureCount} features, {differing} values differ from the leaf tables' (rounding)");
    }
}
