namespace Workbench.Analytics.Explanation;

/// <summary>
/// Per-tree TreeSHAP tables for small trees, built once per ensemble: what one tree adds to a row's SHAP values depends only on
/// which way the row turns at each of the tree's splits (path-dependent TreeSHAP reads the row nowhere else, and reads every
/// split, reached or not), so a tree with n splits has at most 2^n contribution vectors, one entry per unique feature of the tree. A row then costs n comparisons (its pattern) and one addition per unique
/// feature per tree, instead of a mask per node and one table read per feature on every leaf's path; the leaf it reaches is
/// read from the same pattern, so the margin needs no second walk.
/// </summary>
/// <remarks>
/// Each entry is the recursive algorithm's value (Lundberg et al., the reference) for that tree and pattern, summed from 0, so a
/// row's value differs from the recursion's (or the leaf tables') only in the order of additions (a tree's sum is added once
/// instead of leaf by leaf): rounding. Zero covers need no special case (the recursion handles them).
/// The project's models (400 trees of 7 leaves: 6 splits, at most 6 features) need at most 64 x 6 doubles (3 KB) per tree.
/// A tree with more than <see cref="MaxSplits"/> splits, or past the budget, keeps the leaf tables (or the recursion).
/// </remarks>
internal sealed class TreePatternTables
{
    /// <summary>Most splits a tree may have to get a table: 2^10 patterns x at most 10 features = 80 KB for that tree.</summary>
    internal const int MaxSplits = 10;
    /// <summary>Table entries (doubles) one ensemble may hold: 4 M = 32 MB. Trees past it keep the leaf tables.</summary>
    internal const long DefaultBudget = 1L << 22;

    /// <summary>Per tree: whether it has a pattern table.</summary>
    public readonly bool[] Patterned;
    /// <summary>Per patterned tree, its splits in node order (bit i of a pattern: the row goes left at split i).</summary>
    public readonly int[] TreeSplitStart;   // length trees + 1
    public readonly int[] SplitFeature;
    public readonly float[] SplitThreshold;
    public readonly bool[] SplitMissingLeft;
    /// <summary>Per patterned tree, its unique features (in order of first appearance among its splits).</summary>
    public readonly int[] TreeFeatureStart; // length trees + 1
    public readonly int[] TreeFeature;
    /// <summary>Per patterned tree, where its 2^n x k contributions start (pattern-major) and where its 2^n leaf values start.</summary>
    public readonly int[] TreeTableStart;
    public readonly int[] TreeLeafValueStart;
    public readonly double[] Table;
    /// <summary>The value of the leaf a row with that pattern reaches (what the margin adds for the tree).</summary>
    public readonly double[] LeafValue;

    /// <summary>Entries held (contributions and leaf values), and how many trees with splits have no pattern table.</summary>
    public long Entries => Table.LongLength + LeafValue.LongLength;
    public int UnpatternedTrees { get; }

    public TreePatternTables(CompiledEnsemble m, long budget = DefaultBudget)
    {
        int trees = m.Roots.Length;
        Patterned = new bool[trees];
        TreeSplitStart = new int[trees + 1]; TreeFeatureStart = new int[trees + 1];
        TreeTableStart = new int[trees]; TreeLeafValueStart = new int[trees];
        var splitNode = new List<int>(); var treeFeature = new List<int>();
        long used = 0, leafValues = 0;
        int unpatterned = 0;
        for (int t = 0; t < trees; t++)
        {
            int root = m.Roots[t], end = t + 1 < trees ? m.Roots[t + 1] : m.Left.Length;
            TreeSplitStart[t + 1] = TreeSplitStart[t]; TreeFeatureStart[t + 1] = TreeFeatureStart[t];
            if (m.Left[root] < 0) continue; // a lone leaf: nothing to explain, its value is added to the margin directly
            int n = 0;
            for (int g = root; g < end; g++) if (m.Left[g] >= 0) n++;
            if (n > MaxSplits) { unpatterned++; continue; }
            int firstFeature = treeFeature.Count;
            for (int g = root; g < end; g++)
                if (m.Left[g] >= 0 && treeFeature.IndexOf(m.Feature[g], firstFeature) < 0) treeFeature.Add(m.Feature[g]);
            int k = treeFeature.Count - firstFeature;
            long size = (1L << n) * k;
            if (used + size > budget) { treeFeature.RemoveRange(firstFeature, k); unpatterned++; continue; }
            Patterned[t] = true;
            TreeTableStart[t] = (int)used;
            TreeLeafValueStart[t] = (int)leafValues;
            used += size;
            leafValues += 1L << n;
            for (int g = root; g < end; g++) if (m.Left[g] >= 0) splitNode.Add(g); // bit i: the tree's i-th split in node order
            TreeSplitStart[t + 1] = splitNode.Count;
            TreeFeatureStart[t + 1] = treeFeature.Count;
        }
        SplitFeature = splitNode.Select(g => m.Feature[g]).ToArray();
        SplitThreshold = splitNode.Select(g => m.Threshold[g]).ToArray();
        SplitMissingLeft = splitNode.Select(g => m.MissingLeft[g]).ToArray();
        TreeFeature = treeFeature.ToArray();
        UnpatternedTrees = unpatterned;
        Table = new double[used];
        LeafValue = new double[leafValues];

        // Each pattern's entries: the recursion (the reference algorithm) for that tree with the pattern's directions, into a
        // zeroed row, then gathered; and the leaf those directions reach.
        var scratch = new TreeShap.Scratch(m);
        var phi = new double[m.FeatureCount];
        var bitOf = new int[m.MaxTreeNodes];
        for (int t = 0; t < trees; t++)
        {
            if (!Patterned[t]) continue;
            int root = m.Roots[t], s0 = TreeSplitStart[t], n = TreeSplitStart[t + 1] - s0;
            for (int i = 0; i < n; i++) bitOf[splitNode[s0 + i] - root] = i;
            int f0 = TreeFeatureStart[t], k = TreeFeatureStart[t + 1] - f0;
            for (int pattern = 0; pattern < 1 << n; pattern++)
            {
                var directions = new PatternDirections(root, pattern, bitOf);
                TreeShap.RecurseTree(m, directions, phi, scratch, root);
                var entries = Table.AsSpan(TreeTableStart[t] + pattern * k, k);
                for (int j = 0; j < k; j++) { entries[j] = phi[TreeFeature[f0 + j]]; phi[TreeFeature[f0 + j]] = 0; }
                int node = root;
                while (m.Left[node] >= 0) node = directions.GoesLeft(node) ? m.Left[node] : m.Right[node];
                LeafValue[TreeLeafValueStart[t] + pattern] = m.Value[node];
            }
        }
    }

    /// <summary>Left at a split when the pattern's bit of that split is set.</summary>
    readonly struct PatternDirections(int root, int pattern, int[] bitOf) : TreeShap.IDirections
    {
        public bool GoesLeft(int node) => ((pattern >> bitOf[node - root]) & 1) != 0;
    }
}
