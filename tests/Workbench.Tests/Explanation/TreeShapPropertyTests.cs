using CsCheck;
using Workbench.Analytics.Explanation;

namespace Workbench.Tests.Explanation;

public class TreeShapPropertyTests
{
    static readonly Gen<RandomTrees.Shape> SmallShapes =
        Gen.Select(Gen.Int[1, 8], Gen.Int[1, 4], Gen.Int[1, 7], Gen.Int, Gen.Bool)
           .Select((features, trees, depth, seed, zeroCover) => new RandomTrees.Shape(features, trees, depth, seed, zeroCover));

    static readonly Gen<RandomTrees.Shape> LargerShapes =
        Gen.Select(Gen.Int[1, 40], Gen.Int[1, 20], Gen.Int[1, 12], Gen.Int)
           .Select((features, trees, depth, seed) => new RandomTrees.Shape(features, trees, depth, seed));

    [Fact]
    public void Contributions_plus_expected_value_equal_the_raw_margin_on_random_trees_and_rows()
    {
        Gen.Select(LargerShapes, Gen.Int).Sample((shape, rowSeed) =>
        {
            var ensemble = RandomTrees.Ensemble(shape);
            var rng = new Random(rowSeed);
            for (int i = 0; i < 5; i++)
            {
                var row = RandomTrees.Row(rng, shape.FeatureCount);
                var why = TreeShap.Explain(ensemble, row);
                double margin = ensemble.PredictMargin(row);
                Assert.Equal(margin, why.Margin, 12);
                double reconstructed = why.ExpectedValue + why.Contributions.Sum();
                Assert.True(Math.Abs(reconstructed - margin) <= 1e-6 * Math.Max(1, Math.Abs(margin)),
                    $"expected {why.ExpectedValue} + sum {why.Contributions.Sum()} = {reconstructed}, margin {margin}");
            }
        }, iter: 300);
    }

    [Fact]
    public void Contributions_equal_brute_force_Shapley_values_of_the_path_dependent_expectation()
    {
        Gen.Select(SmallShapes, Gen.Int).Sample((shape, rowSeed) =>
        {
            var ensemble = RandomTrees.Ensemble(shape);
            var rng = new Random(rowSeed);
            for (int i = 0; i < 3; i++)
            {
                var row = RandomTrees.Row(rng, shape.FeatureCount);
                var fast = TreeShap.Explain(ensemble, row);
                var (expected, phi) = BruteForceShapley.Explain(ensemble, row);
                Assert.True(Math.Abs(fast.ExpectedValue - expected) <= 1e-9, $"expected value {fast.ExpectedValue} vs brute force {expected}");
                for (int f = 0; f < phi.Length; f++)
                    Assert.True(Math.Abs(fast.Contributions[f] - phi[f]) <= 1e-9,
                        $"feature {f}: TreeSHAP {fast.Contributions[f]} vs brute force {phi[f]} (shape {shape})");
            }
        }, iter: 300);
    }

    [Fact]
    public void A_feature_no_tree_splits_on_gets_zero()
    {
        var ensemble = RandomTrees.Ensemble(new RandomTrees.Shape(FeatureCount: 6, TreeCount: 5, MaxDepth: 4, Seed: 7));
        var used = ensemble.Trees.SelectMany(t => Enumerable.Range(0, t.NodeCount).Where(n => !t.IsLeaf(n)).Select(n => t.SplitFeature[n])).ToHashSet();
        var wide = new TreeEnsemble(ensemble.Trees, ensemble.Bias, featureCount: 9);
        var row = RandomTrees.Row(new Random(3), 9, missingRate: 0);
        var why = TreeShap.Explain(wide, row);
        for (int f = 0; f < 9; f++)
            if (!used.Contains(f)) Assert.Equal(0.0, why.Contributions[f]);
        Assert.Contains(used, f => why.Contributions[f] != 0.0);
    }

    [Fact]
    public void Batch_results_equal_single_row_results_and_do_not_depend_on_thread_count()
    {
        var ensemble = RandomTrees.Ensemble(new RandomTrees.Shape(FeatureCount: 12, TreeCount: 30, MaxDepth: 8, Seed: 11));
        var rng = new Random(5);
        var rows = Enumerable.Range(0, 500).Select(_ => RandomTrees.Row(rng, 12)).ToArray();
        var serial = TreeShap.Explain(ensemble, rows, new TreeShapOptions(MaxDegreeOfParallelism: 1));
        var parallel = TreeShap.Explain(ensemble, rows, new TreeShapOptions(MaxDegreeOfParallelism: 4));
        for (int r = 0; r < rows.Length; r++)
        {
            Assert.True(serial.Row(r).SequenceEqual(parallel.Row(r)), $"row {r} differs between 1 and 4 threads");
            var single = TreeShap.Explain(ensemble, rows[r]);
            Assert.True(single.Contributions.SequenceEqual(serial.Row(r).ToArray()), $"row {r}: batch differs from single-row");
            Assert.Equal(single.Margin, serial.Margin(r));
        }
        Assert.Equal(serial.ExpectedValue, parallel.ExpectedValue);
    }

    [Fact]
    public void Bad_options_and_rows_are_rejected_with_a_message()
    {
        var ensemble = RandomTrees.Ensemble(new RandomTrees.Shape(3, 2, 3, 1));
        var ex = Assert.Throws<OptionsValidationException>(() => TreeShap.Explain(ensemble, [new float[3]], new TreeShapOptions(0)));
        Assert.Contains("MaxDegreeOfParallelism", ex.Message);
        var rowEx = Assert.Throws<ArgumentException>(() => TreeShap.Explain(ensemble, [new float[3], new float[2]]));
        Assert.Contains("Row 1 has 2 values", rowEx.Message);
    }

    [Fact]
    public void A_single_stump_splits_its_effect_between_expected_value_and_the_split_feature()
    {
        // Root on feature 0 at 0.5: 30 rows left (value -1), 10 right (value 3). Expected value = (30*-1 + 10*3)/40 = 0.
        var stump = new DecisionTree([0, 0, 0], [0.5f, 0, 0], [1, -1, -1], [2, -1, -1], [true, false, false], [0, -1, 3], [40, 30, 10]);
        var ensemble = new TreeEnsemble([stump], bias: 0.25, featureCount: 2);
        var right = TreeShap.Explain(ensemble, [1f, 7f]);
        Assert.Equal(0.25, right.ExpectedValue, 12);
        Assert.Equal(3.0, right.Contributions[0], 12);
        Assert.Equal(0.0, right.Contributions[1], 12);
        var missing = TreeShap.Explain(ensemble, [float.NaN, 7f]); // NaN goes left here
        Assert.Equal(-1.0, missing.Contributions[0], 12);
    }
}
