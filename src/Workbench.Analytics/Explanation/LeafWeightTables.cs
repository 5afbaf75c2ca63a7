namespace Workbench.Analytics.Explanation;

/// <summary>
/// Per-leaf weight tables for exact path-dependent TreeSHAP (Fast TreeSHAP v2, Yang 2021, arXiv 2109.09847): built once per
/// ensemble and shared by every explained row, so a row costs O(trees x leaves x depth) instead of depth squared.
/// </summary>
/// <remarks>
/// For one leaf with value v whose path splits on the unique features F (d = |F|), z_j the share of background mass that follows
/// the path at feature j's splits (product of cover fractions) and o_j in {0, 1} whether the row follows all of them, the
/// leaf's value function is v(S) = v * prod_{j in S} o_j * prod_{j in F\S} z_j. Its Shapley value for i in F is
/// v * (o_i - z_i) * sum_{S subset H\{i}} w(|S|, d) * prod_{j in F\S\{i}} z_j with H = {j : o_j = 1} (terms with a cold j in S vanish).
/// With Q(T) = v * sum_{S subset T} w(|S|, d) * prod_{j in F\S} z_j (one entry per subset T of F, by a subset-sum transform) that is
/// Q(H\{i}) * (1 - z_i) / z_i for a hot i and -Q(H) for a cold one. The row only decides H, a bit mask.
/// A tree with a zero cover fraction (z_i = 0 cannot be divided out) or whose tables would pass the memory budget is left to the
/// recursive algorithm; both give the same values up to rounding.
/// </remarks>
internal sealed class LeafWeightTables
{
    /// <summary>Largest number of unique features on one leaf's path that gets a table (2^16 doubles = 512 KB for that leaf).</summary>
    internal const int MaxLeafBits = 16;
    /// <summary>Table entries (doubles) one ensemble may hold: 16 M = 128 MB. Trees past it use the recursive algorithm.</summary>
    internal const long DefaultBudget = 1L << 24;

    /// <summary>Per tree: whether it is tabled, and its leaves' range in the leaf arrays.</summary>
    public readonly bool[] Tabled;
    public readonly int[] TreeLeafStart;   // length trees + 1
    // Per leaf (tabled trees only): its unique features, their hot factors (1 - z)/z, its path splits and its table.
    public readonly int[] LeafFeatureStart; // length leaves + 1
    public readonly int[] LeafFeature;
    /// <summary>Two factors per leaf feature: [2k] = -1 (the row does not follow it), [2k+1] = (1 - z)/z (it does).</summary>
    public readonly double[] Factor;
    /// <summary>Each leaf's tree-local node index.</summary>
    public readonly int[] LeafNode;
    /// <summary>Per tabled tree, its internal nodes parents first (tree-local), each with the bit its feature has in the masks of
    /// the leaves below it (features are numbered in order of first appearance on the path, so the bit is shared by those leaves).</summary>
    public readonly int[] TreeSplitStart;   // length trees + 1
    public readonly int[] SplitNode;
    public readonly int[] SplitBit;
    public readonly long[] LeafTableStart;
    public readonly double[] Table;
    /// <summary>Largest node count of any tree (the size of the per-row mask scratch).</summary>
    public readonly int MaxTreeNodes;
    /// <summary>Table entries held, and how many trees fell back to the recursive algorithm.</summary>
    public long Entries => Table.LongLength;
    public int UntabledTrees => Tabled.Count(t => !t);

    public LeafWeightTables(CompiledEnsemble m, long budget = DefaultBudget)
    {
        int trees = m.Roots.Length;
        Tabled = new bool[trees];
        TreeLeafStart = new int[trees + 1];
        var featureStart = new List<int> { 0 }; var features = new List<int>(); var factor = new List<double>();
        var leafNode = new List<int>(); var splitNode = new List<int>(); var splitBit = new List<int>();
        TreeSplitStart = new int[trees + 1];
        var tableStart = new List<long>(); var tabledLeaves = new List<Leaf>();
        long used = 0, at = 0;
        int maxNodes = 0;
        for (int t = 0; t < trees; t++)
        {
            int root = m.Roots[t];
            int end = t + 1 < trees ? m.Roots[t + 1] : m.Left.Length;
            maxNodes = Math.Max(maxNodes, end - root);
            TreeLeafStart[t] = TreeLeafStart[t + 1] = tableStart.Count;
            TreeSplitStart[t] = TreeSplitStart[t + 1] = splitNode.Count;
            if (m.Left[root] < 0) continue; // a lone leaf explains nothing
            var (leaves, splits) = Leaves(m, root);
            if (leaves is null) continue;
            long size = leaves.Sum(l => 1L << l.Features.Count);
            if (used + size > budget) continue;
            used += size;
            Tabled[t] = true;
            foreach (var (node, bit) in splits!) { splitNode.Add(node - root); splitBit.Add(bit); }
            TreeSplitStart[t + 1] = splitNode.Count;
            foreach (var leaf in leaves)
            {
                int d = leaf.Features.Count;
                for (int i = 0; i < d; i++) { features.Add(leaf.Features[i]); factor.Add(-1.0); factor.Add((1 - leaf.Zero[i]) / leaf.Zero[i]); }
                featureStart.Add(features.Count);
                leafNode.Add(leaf.Node - root);
                tableStart.Add(at);
                tabledLeaves.Add(leaf);
                at += 1L << d;
            }
            TreeLeafStart[t + 1] = tableStart.Count;
        }
        LeafFeatureStart = featureStart.ToArray(); LeafFeature = features.ToArray(); Factor = factor.ToArray();
        LeafNode = leafNode.ToArray(); SplitNode = splitNode.ToArray(); SplitBit = splitBit.ToArray();
        LeafTableStart = tableStart.ToArray();
        // One allocation, filled in place: per-leaf arrays would be large-object allocations that trigger full collections.
        Table = new double[used];
        var outside = new double[1 << MaxLeafBits];
        for (int l = 0; l < tabledLeaves.Count; l++)
        {
            var leaf = tabledLeaves[l];
            Weights(leaf.Zero, m.Value[leaf.Node], Table.AsSpan((int)LeafTableStart[l], 1 << leaf.Features.Count), outside);
        }
        MaxTreeNodes = maxNodes;
    }

    sealed record Leaf(int Node, List<int> Features, List<double> Zero);

    /// <summary>Every leaf of a tree with its unique path features and their background shares, and every split (parents first)
    /// with its feature's bit; null leaves when the tree cannot be tabled (a zero cover fraction on a path, or a leaf with more
    /// than <see cref="MaxLeafBits"/> unique features).</summary>
    static (List<Leaf>? Leaves, List<(int Node, int Bit)>? Splits) Leaves(CompiledEnsemble m, int root)
    {
        var result = new List<Leaf>();
        var splits = new List<(int, int)>();
        var features = new List<int>(); var zero = new List<double>();
        bool ok = true;
        void Walk(int node)
        {
            if (!ok) return;
            if (m.Left[node] < 0)
            {
                if (features.Count > MaxLeafBits) { ok = false; return; }
                result.Add(new Leaf(node, [.. features], [.. zero]));
                return;
            }
            int f = m.Feature[node];
            int bit = features.IndexOf(f);
            bool added = bit < 0;
            if (added) bit = features.Count;
            splits.Add((node, bit)); // pre-order: a node before its children
            foreach (bool left in (ReadOnlySpan<bool>)[true, false])
            {
                int child = left ? m.Left[node] : m.Right[node];
                double share = m.CoverFraction[child];
                if (share == 0) { ok = false; return; }
                double saved = 0;
                if (added) { features.Add(f); zero.Add(share); }
                else { saved = zero[bit]; zero[bit] = saved * share; }
                Walk(child);
                if (added) { features.RemoveAt(bit); zero.RemoveAt(bit); }
                else zero[bit] = saved;
                if (!ok) return;
            }
        }
        Walk(root);
        return ok ? (result, splits) : (null, null);
    }

    /// <summary>Q(T) = value * sum over S subset T of w(|S|, d) * prod_{j not in S} z_j, for every T (bit j = feature j of the leaf).
    /// Built once per leaf of both models when explanation starts: compiled optimized at once rather than tiered up.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void Weights(IReadOnlyList<double> zero, double value, Span<double> q, double[] outside)
    {
        int d = zero.Count;
        int full = (1 << d) - 1;
        q.Clear();
        if (d == 0) return; // cannot happen for a leaf under a split; kept total
        // prod_{j not in S} z_j, from the full set down: S gets the product of S plus its lowest missing bit, times that z.
        outside[full] = 1;
        for (int s = full - 1; s >= 0; s--)
        {
            int b = System.Numerics.BitOperations.TrailingZeroCount(~s);
            outside[s] = outside[s | (1 << b)] * zero[b];
        }
        // Shapley weight |S|! (d - |S| - 1)! / d! = 1 / (d * C(d - 1, |S|)); |S| = d never occurs for i outside S.
        var weight = new double[d];
        double binomial = 1;
        for (int s = 0; s < d; s++)
        {
            weight[s] = 1.0 / (d * binomial);
            binomial = binomial * (d - 1 - s) / (s + 1);
        }
        for (int s = 0; s < full; s++) q[s] = weight[System.Numerics.BitOperations.PopCount((uint)s)] * outside[s];
        // Q(full) is never read (H lacks i or holds a cold feature); its term stays 0.
        for (int b = 0; b < d; b++)
        {
            int bit = 1 << b;
            for (int s = bit; s <= full; s = (s + 1) | bit) q[s] += q[s ^ bit]; // the sets holding bit b, in increasing order
        }
        for (int s = 0; s <= full; s++) q[s] *= value;
    }
}
