namespace Workbench.Analytics.Explanation;

/// <summary>
/// All trees of an ensemble packed into one set of flat arrays (global node indices, children pre-offset), with
/// the cover fraction of every node (cover[node] / cover[parent]) precomputed, so the TreeSHAP recursion touches
/// only arrays and allocates nothing.
/// </summary>
internal sealed class CompiledEnsemble
{
    public readonly int FeatureCount;
    public readonly int[] Roots;
    public readonly int[] Feature;
    public readonly float[] Threshold;
    public readonly int[] Left;          // -1 at leaves
    public readonly int[] Right;
    public readonly bool[] MissingLeft;
    public readonly double[] Value;
    /// <summary>Share of the parent's background mass that reaches this node (1 at roots).</summary>
    public readonly double[] CoverFraction;
    /// <summary>Bias plus each tree's cover-weighted mean output: the SHAP expected value.</summary>
    public readonly double ExpectedValue;
    /// <summary>Longest root-to-leaf path (edges) over all trees.</summary>
    public readonly int MaxDepth;
    public const int MaxSupportedDepth = 250;
    /// <summary>Largest node count of any tree.</summary>
    public readonly int MaxTreeNodes;

    LeafWeightTables? _tables;
    /// <summary>Per-leaf TreeSHAP weight tables, built on first use and shared by every explained row.</summary>
    public LeafWeightTables Tables => LazyInitializer.EnsureInitialized(ref _tables, () => new LeafWeightTables(this));

    TreePatternTables? _patterns;
    /// <summary>Per-tree TreeSHAP pattern tables (small trees), built on first use.</summary>
    public TreePatternTables Patterns => LazyInitializer.EnsureInitialized(ref _patterns, () => new TreePatternTables(this));

    public CompiledEnsemble(TreeEnsemble ensemble)
    {
        FeatureCount = ensemble.FeatureCount;
        int total = ensemble.Trees.Sum(t => t.NodeCount);
        Roots = new int[ensemble.Trees.Count];
        Feature = new int[total]; Threshold = new float[total]; Left = new int[total]; Right = new int[total];
        MissingLeft = new bool[total]; Value = new double[total]; CoverFraction = new double[total];
        int offset = 0;
        double expected = ensemble.Bias;
        for (int t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            Roots[t] = offset;
            MaxTreeNodes = Math.Max(MaxTreeNodes, tree.NodeCount);
            for (int i = 0; i < tree.NodeCount; i++)
            {
                int g = offset + i;
                bool leaf = tree.IsLeaf(i);
                Feature[g] = leaf ? -1 : tree.SplitFeature[i];
                Threshold[g] = tree.Threshold[i];
                Left[g] = leaf ? -1 : offset + tree.LeftChild[i];
                Right[g] = leaf ? -1 : offset + tree.RightChild[i];
                MissingLeft[g] = tree.MissingGoesLeft[i];
                Value[g] = tree.Value[i];
            }
            CoverFraction[offset] = 1.0;
            for (int i = 0; i < tree.NodeCount; i++)
            {
                if (tree.IsLeaf(i)) continue;
                var (leftShare, rightShare) = ChildShares(tree.Cover[tree.LeftChild[i]], tree.Cover[tree.RightChild[i]]);
                CoverFraction[offset + tree.LeftChild[i]] = leftShare;
                CoverFraction[offset + tree.RightChild[i]] = rightShare;
            }
            expected += MeanOutput(offset, 1.0);
            offset += tree.NodeCount;
        }
        ExpectedValue = expected;
        MaxDepth = ensemble.MaxDepth();
        if (MaxDepth > MaxSupportedDepth)
            throw new ArgumentException($"A tree is {MaxDepth} levels deep; TreeSHAP here supports up to {MaxSupportedDepth}.", nameof(ensemble));
    }

    /// <summary>How a split divides its mass between the children. A node no background row reached
    /// gives each child half, so every tree still has a defined expectation.</summary>
    /// Dividing by the children's sum (not the parent's stored cover) makes the shares add to exactly 1 even when
    /// covers are rounded sums of hessians from an external model.
    internal static (double Left, double Right) ChildShares(double leftCover, double rightCover)
    {
        double sum = leftCover + rightCover;
        if (!(sum > 0)) return (0.5, 0.5);
        return (leftCover / sum, rightCover / sum);
    }

    double MeanOutput(int node, double weight)
    {
        if (Left[node] < 0) return weight * Value[node];
        return MeanOutput(Left[node], weight * CoverFraction[Left[node]]) + MeanOutput(Right[node], weight * CoverFraction[Right[node]]);
    }

    public double PredictMargin(ReadOnlySpan<float> row, double bias)
    {
        double sum = bias;
        foreach (int root in Roots) sum += Value[LeafOf(root, row)];
        return sum;
    }

    /// <summary>The leaf a row reaches from <paramref name="node"/>.</summary>
    public int LeafOf(int node, ReadOnlySpan<float> row)
    {
        while (Left[node] >= 0)
        {
            float x = row[Feature[node]];
            bool left = float.IsNaN(x) ? MissingLeft[node] : x <= Threshold[node];
            node = left ? Left[node] : Right[node];
        }
        return node;
    }
}
