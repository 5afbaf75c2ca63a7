namespace Workbench.Analytics.Explanation;

/// <summary>What the ensemble's summed output means. TreeSHAP explains this raw value, never a probability.</summary>
public enum ScoreLink
{
    /// <summary>The output is a raw margin (for a binary classifier: the uncalibrated score, log-odds-like).
    /// A calibrator, if any, is applied after and is not part of the explanation.</summary>
    RawMargin,
}

/// <summary>
/// One regression tree in flat arrays. Nodes are numbered 0..NodeCount-1 with the root at 0; a node is a
/// leaf when <see cref="LeftChild"/> is -1. A row goes left when <c>x &lt;= Threshold</c>, right otherwise,
/// and to the <see cref="MissingGoesLeft"/> side when x is NaN.
/// <see cref="Cover"/> is how much of the background data (rows or weight) reached each node; TreeSHAP's
/// path-dependent expectation weighs the two children of a split by their covers.
/// </summary>
public sealed class DecisionTree
{
    /// <summary>Feature index tested at each internal node (unused at leaves).</summary>
    public int[] SplitFeature { get; }
    /// <summary>Threshold of each internal node: left when x &lt;= threshold.</summary>
    public float[] Threshold { get; }
    /// <summary>Left child node index, or -1 for a leaf.</summary>
    public int[] LeftChild { get; }
    /// <summary>Right child node index, or -1 for a leaf.</summary>
    public int[] RightChild { get; }
    /// <summary>Where a NaN value goes at each internal node.</summary>
    public bool[] MissingGoesLeft { get; }
    /// <summary>Output of each leaf (unused at internal nodes).</summary>
    public double[] Value { get; }
    /// <summary>Background mass that reached each node; Cover[parent] == Cover[left] + Cover[right].</summary>
    public double[] Cover { get; }

    /// <summary>Number of nodes (internal plus leaves).</summary>
    public int NodeCount => LeftChild.Length;

    /// <summary>Builds a tree from flat arrays of equal length (validated: children in range, no cycles, every node reachable).</summary>
    public DecisionTree(int[] splitFeature, float[] threshold, int[] leftChild, int[] rightChild,
        bool[] missingGoesLeft, double[] value, double[] cover)
    {
        ArgumentNullException.ThrowIfNull(leftChild);
        int n = leftChild.Length;
        if (n == 0) throw new ArgumentException("A tree needs at least one node.", nameof(leftChild));
        foreach (var (name, length) in new[] {
            (nameof(splitFeature), splitFeature?.Length), (nameof(threshold), threshold?.Length),
            (nameof(rightChild), rightChild?.Length), (nameof(missingGoesLeft), missingGoesLeft?.Length),
            (nameof(value), value?.Length), (nameof(cover), cover?.Length) })
            if (length != n) throw new ArgumentException($"{name} has length {length?.ToString() ?? "null"}, expected {n} (one entry per node).", name);
        SplitFeature = splitFeature!; Threshold = threshold!; LeftChild = leftChild; RightChild = rightChild!;
        MissingGoesLeft = missingGoesLeft!; Value = value!; Cover = cover!;
        Validate();
    }

    /// <summary>True when node is a leaf.</summary>
    public bool IsLeaf(int node) => LeftChild[node] < 0;

    /// <summary>The leaf a row falls into.</summary>
    public int LeafOf(ReadOnlySpan<float> row)
    {
        int node = 0;
        while (LeftChild[node] >= 0) node = GoesLeft(node, row[SplitFeature[node]]) ? LeftChild[node] : RightChild[node];
        return node;
    }

    /// <summary>The tree's output for a row.</summary>
    public double Predict(ReadOnlySpan<float> row) => Value[LeafOf(row)];

    internal bool GoesLeft(int node, float x) => float.IsNaN(x) ? MissingGoesLeft[node] : x <= Threshold[node];

    /// <summary>Depth of the deepest leaf (root alone has depth 0).</summary>
    public int MaxDepth()
    {
        int best = 0;
        var stack = new Stack<(int Node, int Depth)>();
        stack.Push((0, 0));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (IsLeaf(node)) { best = Math.Max(best, depth); continue; }
            stack.Push((LeftChild[node], depth + 1));
            stack.Push((RightChild[node], depth + 1));
        }
        return best;
    }

    /// <summary>A copy of this tree with other covers (same structure).</summary>
    public DecisionTree WithCover(double[] cover) =>
        new(SplitFeature, Threshold, LeftChild, RightChild, MissingGoesLeft, Value, cover);

    void Validate()
    {
        int n = NodeCount;
        var seen = new bool[n];
        var stack = new Stack<int>();
        stack.Push(0);
        while (stack.Count > 0)
        {
            int node = stack.Pop();
            if (seen[node]) throw new ArgumentException($"Node {node} is reached twice: the arrays do not form a tree.");
            seen[node] = true;
            if (double.IsNaN(Cover[node]) || Cover[node] < 0) throw new ArgumentException($"Node {node} has cover {Cover[node]}, expected a finite value >= 0.");
            int l = LeftChild[node], r = RightChild[node];
            if (l < 0)
            {
                if (r >= 0) throw new ArgumentException($"Node {node} has no left child but right child {r}: both must be -1 at a leaf.");
                if (!double.IsFinite(Value[node])) throw new ArgumentException($"Leaf {node} has value {Value[node]}, expected a finite number.");
                continue;
            }
            if (l >= n || r < 0 || r >= n) throw new ArgumentException($"Node {node} has children ({l}, {r}), expected indices in [0, {n}).");
            if (SplitFeature[node] < 0) throw new ArgumentException($"Node {node} splits on feature {SplitFeature[node]}, expected an index >= 0.");
            stack.Push(l); stack.Push(r);
        }
        for (int i = 0; i < n; i++)
            if (!seen[i]) throw new ArgumentException($"Node {i} cannot be reached from the root.");
    }
}

/// <summary>
/// A sum of regression trees plus a bias: <c>margin(x) = Bias + sum_t tree_t(x)</c>.
/// Extracted from ML.NET FastTree/LightGBM models by <see cref="MlNetTreeEnsembles"/>, or built directly.
/// </summary>
public sealed class TreeEnsemble
{
    /// <summary>The trees; their outputs are added unweighted.</summary>
    public IReadOnlyList<DecisionTree> Trees { get; }
    /// <summary>Constant added to the sum of tree outputs.</summary>
    public double Bias { get; }
    /// <summary>Length of the feature vector the trees read.</summary>
    public int FeatureCount { get; }
    /// <summary>One name per feature (slot names from the model's Features column when known, else f0, f1, ...).</summary>
    public IReadOnlyList<string> FeatureNames { get; }
    /// <summary>What the margin is (always the raw margin: calibration is not explained).</summary>
    public ScoreLink Link { get; }

    /// <summary>Builds an ensemble; checks every split feature is below <paramref name="featureCount"/>.</summary>
    public TreeEnsemble(IReadOnlyList<DecisionTree> trees, double bias, int featureCount,
        IReadOnlyList<string>? featureNames = null, ScoreLink link = ScoreLink.RawMargin)
    {
        ArgumentNullException.ThrowIfNull(trees);
        if (featureCount <= 0) throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, "Expected at least one feature.");
        if (!double.IsFinite(bias)) throw new ArgumentOutOfRangeException(nameof(bias), bias, "Expected a finite bias.");
        for (int t = 0; t < trees.Count; t++)
        {
            var tree = trees[t] ?? throw new ArgumentException($"Tree {t} is null.", nameof(trees));
            for (int node = 0; node < tree.NodeCount; node++)
                if (!tree.IsLeaf(node) && tree.SplitFeature[node] >= featureCount)
                    throw new ArgumentException($"Tree {t} node {node} splits on feature {tree.SplitFeature[node]}, but the ensemble has {featureCount} features.", nameof(trees));
        }
        if (featureNames is not null && featureNames.Count != featureCount)
            throw new ArgumentException($"Got {featureNames.Count} feature names for {featureCount} features.", nameof(featureNames));
        Trees = trees;
        Bias = bias;
        FeatureCount = featureCount;
        FeatureNames = featureNames ?? Enumerable.Range(0, featureCount).Select(i => "f" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Link = link;
    }

    /// <summary>The raw margin for one row: bias plus every tree's leaf value.</summary>
    public double PredictMargin(ReadOnlySpan<float> row)
    {
        CheckRow(row);
        double sum = Bias;
        foreach (var tree in Trees) sum += tree.Predict(row);
        return sum;
    }

    /// <summary>A copy whose node covers are recomputed from background rows (each row adds 1 to every node on its path).</summary>
    public TreeEnsemble WithCoversFrom(IEnumerable<float[]> backgroundRows)
    {
        ArgumentNullException.ThrowIfNull(backgroundRows);
        var rows = backgroundRows as IReadOnlyList<float[]> ?? backgroundRows.ToList();
        foreach (var row in rows) CheckRow(row);
        if (rows.Count == 0) throw new ArgumentException("No background rows: covers need at least one row.", nameof(backgroundRows));
        var covers = Trees.Select(t => new double[t.NodeCount]).ToArray();
        // Trees in parallel: each tree's covers are whole-number counts of its own, the same whatever the thread count.
        Parallel.For(0, Trees.Count, t =>
        {
            var tree = Trees[t];
            var cover = covers[t];
            foreach (var row in rows)
            {
                int node = 0;
                cover[0] += 1;
                while (!tree.IsLeaf(node))
                {
                    node = tree.GoesLeft(node, row[tree.SplitFeature[node]]) ? tree.LeftChild[node] : tree.RightChild[node];
                    cover[node] += 1;
                }
            }
        });
        return new TreeEnsemble(Trees.Select((t, i) => t.WithCover(covers[i])).ToArray(), Bias, FeatureCount, FeatureNames, Link);
    }

    CompiledEnsemble? _compiled;

    /// <summary>The flat-array form TreeSHAP runs on, built once per ensemble (trees are not modified after construction).</summary>
    internal CompiledEnsemble Compiled => LazyInitializer.EnsureInitialized(ref _compiled, () => new CompiledEnsemble(this));

    /// <summary>Deepest leaf over all trees.</summary>
    public int MaxDepth() => Trees.Count == 0 ? 0 : Trees.Max(t => t.MaxDepth());

    internal void CheckRow(ReadOnlySpan<float> row)
    {
        if (row.Length != FeatureCount)
            throw new ArgumentException($"Row has {row.Length} values, the ensemble expects {FeatureCount} features.", nameof(row));
    }
}
