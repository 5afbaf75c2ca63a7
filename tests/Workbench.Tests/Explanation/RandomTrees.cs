using Workbench.Analytics.Explanation;

namespace Workbench.Tests.Explanation;

/// <summary>Seeded random trees for property tests. Feature values are small integers (or NaN) and thresholds
/// half-integers, so "x &lt;= t" and xgboost's "x &lt; t" agree on every row.</summary>
internal static class RandomTrees
{
    public const int ValueLevels = 10;

    public sealed record Shape(int FeatureCount, int TreeCount, int MaxDepth, int Seed, bool AllowZeroCover = false, double MissingRate = 0.1,
        bool InternalNodesFirst = false);

    public static TreeEnsemble Ensemble(Shape shape)
    {
        var rng = new Random(shape.Seed);
        var trees = new DecisionTree[shape.TreeCount];
        for (int t = 0; t < trees.Length; t++)
        {
            trees[t] = Tree(rng, shape);
            if (shape.InternalNodesFirst) trees[t] = InternalNodesFirst(trees[t]);
        }
        double bias = Math.Round(rng.NextDouble() * 2 - 1, 3);
        return new TreeEnsemble(trees, bias, shape.FeatureCount);
    }

    public static float[] Row(Random rng, int featureCount, double missingRate = 0.1)
    {
        var row = new float[featureCount];
        for (int f = 0; f < featureCount; f++)
            row[f] = rng.NextDouble() < missingRate ? float.NaN : rng.Next(ValueLevels);
        return row;
    }

    /// <summary>ML.NET's layout: internal nodes first, then leaves, so children are not adjacent.</summary>
    static DecisionTree InternalNodesFirst(DecisionTree tree)
    {
        int n = tree.NodeCount;
        var order = Enumerable.Range(0, n).Where(i => !tree.IsLeaf(i)).Concat(Enumerable.Range(0, n).Where(tree.IsLeaf).Reverse()).ToArray();
        var newId = new int[n];
        for (int k = 0; k < n; k++) newId[order[k]] = k;
        int Map(int c) => c < 0 ? -1 : newId[c];
        return new DecisionTree(order.Select(o => tree.SplitFeature[o]).ToArray(), order.Select(o => tree.Threshold[o]).ToArray(),
            order.Select(o => Map(tree.LeftChild[o])).ToArray(), order.Select(o => Map(tree.RightChild[o])).ToArray(),
            order.Select(o => tree.MissingGoesLeft[o]).ToArray(), order.Select(o => tree.Value[o]).ToArray(), order.Select(o => tree.Cover[o]).ToArray());
    }

    static DecisionTree Tree(Random rng, Shape shape)
    {
        var feature = new List<int>(); var threshold = new List<float>(); var left = new List<int>(); var right = new List<int>();
        var missingLeft = new List<bool>(); var value = new List<double>(); var cover = new List<double>();
        int Add()
        {
            feature.Add(0); threshold.Add(0); left.Add(-1); right.Add(-1); missingLeft.Add(false); value.Add(0); cover.Add(0);
            return feature.Count - 1;
        }
        double Grow(int node, int depth)
        {
            bool split = depth < shape.MaxDepth && (depth == 0 || rng.NextDouble() < 0.8);
            if (!split)
            {
                value[node] = Math.Round(rng.NextDouble() * 4 - 2, 4);
                cover[node] = shape.AllowZeroCover && rng.NextDouble() < 0.15 ? 0 : rng.Next(1, 50);
                return cover[node];
            }
            feature[node] = rng.Next(shape.FeatureCount);
            threshold[node] = rng.Next(ValueLevels - 1) + 0.5f;
            missingLeft[node] = rng.Next(2) == 0;
            int l = Add(), r = Add();
            left[node] = l; right[node] = r;
            cover[node] = Grow(l, depth + 1) + Grow(r, depth + 1);
            return cover[node];
        }
        Grow(Add(), 0);
        return new DecisionTree(feature.ToArray(), threshold.ToArray(), left.ToArray(), right.ToArray(),
            missingLeft.ToArray(), value.ToArray(), cover.ToArray());
    }
}

/// <summary>Shapley values by enumerating every coalition (2^M), with the path-dependent value function:
/// v(S) = E[f | x_S], where a split on a feature outside S averages its children by their cover shares.</summary>
internal static class BruteForceShapley
{
    public static (double Expected, double[] Phi) Explain(TreeEnsemble ensemble, float[] row)
    {
        int m = ensemble.FeatureCount;
        if (m > 16) throw new ArgumentException("Brute force is for small feature counts.");
        var values = new double[1 << m];
        for (int s = 0; s < values.Length; s++)
        {
            double v = ensemble.Bias;
            foreach (var tree in ensemble.Trees) v += Conditional(tree, 0, row, s);
            values[s] = v;
        }
        var factorial = new double[m + 1];
        factorial[0] = 1;
        for (int i = 1; i <= m; i++) factorial[i] = factorial[i - 1] * i;
        var phi = new double[m];
        for (int i = 0; i < m; i++)
            for (int s = 0; s < values.Length; s++)
            {
                if ((s & (1 << i)) != 0) continue;
                int size = System.Numerics.BitOperations.PopCount((uint)s);
                double weight = factorial[size] * factorial[m - size - 1] / factorial[m];
                phi[i] += weight * (values[s | (1 << i)] - values[s]);
            }
        return (values[0], phi);
    }

    static double Conditional(DecisionTree tree, int node, float[] row, int coalition)
    {
        if (tree.IsLeaf(node)) return tree.Value[node];
        int f = tree.SplitFeature[node];
        int l = tree.LeftChild[node], r = tree.RightChild[node];
        if ((coalition & (1 << f)) != 0)
        {
            float x = row[f];
            bool goLeft = float.IsNaN(x) ? tree.MissingGoesLeft[node] : x <= tree.Threshold[node];
            return Conditional(tree, goLeft ? l : r, row, coalition);
        }
        double sum = tree.Cover[l] + tree.Cover[r];
        double shareLeft = sum > 0 ? tree.Cover[l] / sum : 0.5;
        return shareLeft * Conditional(tree, l, row, coalition) + (1 - shareLeft) * Conditional(tree, r, row, coalition);
    }
}
