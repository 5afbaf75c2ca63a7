using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Workbench.Analytics.Explanation;

/// <summary>Options for batch TreeSHAP.</summary>
/// <param name="MaxDegreeOfParallelism">Threads used over rows; -1 means all cores. Output is identical for any value.</param>
public sealed record TreeShapOptions(int MaxDegreeOfParallelism = -1)
{
    /// <summary>Throws <see cref="OptionsValidationException"/> when a value is out of range.</summary>
    public TreeShapOptions Validate()
    {
        if (MaxDegreeOfParallelism == 0 || MaxDegreeOfParallelism < -1)
            throw new OptionsValidationException($"TreeShapOptions.MaxDegreeOfParallelism is {MaxDegreeOfParallelism}; expected -1 (all cores) or a positive count.");
        return this;
    }
}

/// <summary>Which precomputed tables batch TreeSHAP reads: per-tree pattern tables where a tree has them, else per-leaf weight
/// tables (<see cref="TreePatternTables"/>, <see cref="LeafWeightTables"/>); trees without either use the recursion.</summary>
internal enum TreeShapTables { Patterns, Leaves }

/// <summary>SHAP values of one row: <c>ExpectedValue + sum(Contributions) == Margin</c> (local accuracy).</summary>
public sealed class ShapExplanation
{
    /// <summary>The model's mean raw margin over the background data (bias included).</summary>
    public double ExpectedValue { get; }
    /// <summary>One value per feature, in the model's feature order; raw-margin units.</summary>
    public IReadOnlyList<double> Contributions { get; }
    /// <summary>The raw margin the contributions explain.</summary>
    public double Margin { get; }

    internal ShapExplanation(double expectedValue, double[] contributions, double margin)
    {
        ExpectedValue = expectedValue; Contributions = contributions; Margin = margin;
    }
}

/// <summary>SHAP values of many rows, stored row-major in one array.</summary>
public sealed class ShapBatch
{
    readonly double[] _values;
    readonly double[] _margins;

    /// <summary>Number of explained rows.</summary>
    public int RowCount { get; }
    /// <summary>Number of features per row.</summary>
    public int FeatureCount { get; }
    /// <summary>Feature names from the ensemble.</summary>
    public IReadOnlyList<string> FeatureNames { get; }
    /// <summary>The model's mean raw margin over the background data (same for every row).</summary>
    public double ExpectedValue { get; }

    internal ShapBatch(double[] values, double[] margins, int rowCount, int featureCount, IReadOnlyList<string> names, double expectedValue)
    {
        _values = values; _margins = margins; RowCount = rowCount; FeatureCount = featureCount; FeatureNames = names; ExpectedValue = expectedValue;
    }

    /// <summary>The contributions of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<double> Row(int row)
    {
        if ((uint)row >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(row), row, $"Expected 0..{RowCount - 1}.");
        return _values.AsSpan(row * FeatureCount, FeatureCount);
    }

    /// <summary>The contribution of one feature in one row.</summary>
    public double this[int row, int feature] => Row(row)[feature];

    /// <summary>The raw margin of row <paramref name="row"/> (what its contributions add up to, with the expected value).</summary>
    public double Margin(int row) => _margins[row];
}

/// <summary>
/// Exact path-dependent TreeSHAP (Lundberg, Erion &amp; Lee 2018, "Consistent individualized feature attribution
/// for tree ensembles", Algorithm 2): Shapley values of the raw margin where a feature outside the coalition is
/// integrated out by following both children of its splits, weighted by the children's covers.
/// A tree of at most <see cref="TreePatternTables.MaxSplits"/> splits carries a table of its contributions per pattern of
/// directions at its splits (<see cref="TreePatternTables"/>), so a row costs one comparison per split and one addition per
/// feature of the tree; a larger tree's leaves carry weight tables (<see cref="LeafWeightTables"/>, Fast TreeSHAP v2),
/// O(leaves * depth) per tree and row; a tree whose tables would be too large uses the recursion, O(leaves * depth^2).
/// </summary>
/// <example>
/// <code>
/// var ensemble = MlNetTreeEnsembles.FromModel(transformer.Model.SubModel, trainingData);
/// var why = TreeShap.Explain(ensemble, row);            // why.ExpectedValue + sum(why.Contributions) == margin
/// var all = TreeShap.Explain(ensemble, rows);           // parallel over rows, deterministic
/// </code>
/// </example>
public static class TreeShap
{
    /// <summary>SHAP values of one row.</summary>
    public static ShapExplanation Explain(TreeEnsemble ensemble, float[] row)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        ArgumentNullException.ThrowIfNull(row);
        return ExplainOne(ensemble, row, (compiled, phi, scratch) =>
            ExplainRows(compiled, tables: null, compiled.Patterns, [row], 0, 1, phi, margins: default, ensemble.Bias, scratch));
    }

    /// <summary>SHAP values of one row by the leaf tables alone (no pattern tables): the previous default, kept as a reference.</summary>
    internal static ShapExplanation ExplainByLeafTables(TreeEnsemble ensemble, float[] row) =>
        ExplainOne(ensemble, row, (compiled, phi, scratch) =>
            ExplainRows(compiled, compiled.Tables, patterns: null, [row], 0, 1, phi, margins: default, ensemble.Bias, scratch));

    /// <summary>One row's explanation, its values filled by <paramref name="fill"/> (the tables, or the recursion alone).</summary>
    static ShapExplanation ExplainOne(TreeEnsemble ensemble, float[] row, Action<CompiledEnsemble, double[], Scratch> fill)
    {
        ensemble.CheckRow(row);
        var compiled = ensemble.Compiled;
        var phi = new double[ensemble.FeatureCount];
        fill(compiled, phi, new Scratch(compiled));
        return new ShapExplanation(compiled.ExpectedValue, phi, compiled.PredictMargin(row, ensemble.Bias));
    }

    /// <summary>SHAP values of many rows, in parallel over rows on all cores.</summary>
    public static ShapBatch Explain(TreeEnsemble ensemble, IReadOnlyList<float[]> rows) => Explain(ensemble, rows, new TreeShapOptions());

    /// <summary>SHAP values of many rows, in parallel over rows.</summary>
    public static ShapBatch Explain(TreeEnsemble ensemble, IReadOnlyList<float[]> rows, TreeShapOptions options) =>
        Explain(ensemble, rows, options, TreeShapTables.Patterns);

    /// <summary>SHAP values of many rows, in parallel over rows, with the given tables (tests and the bench compare them).</summary>
    internal static ShapBatch Explain(TreeEnsemble ensemble, IReadOnlyList<float[]> rows, TreeShapOptions options, TreeShapTables which)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r] is null) throw new ArgumentException($"Row {r} is null.", nameof(rows));
            if (rows[r].Length != ensemble.FeatureCount)
                throw new ArgumentException($"Row {r} has {rows[r].Length} values, the ensemble expects {ensemble.FeatureCount} features.", nameof(rows));
        }
        var compiled = ensemble.Compiled;
        int f = ensemble.FeatureCount;
        var values = new double[(long)rows.Count * f > int.MaxValue ? throw new ArgumentException("Too many rows for one batch.", nameof(rows)) : rows.Count * f];
        var margins = new double[rows.Count];
        var patterns = which == TreeShapTables.Patterns ? compiled.Patterns : null;
        var tables = patterns is { UnpatternedTrees: 0 } ? null : compiled.Tables; // leaf tables only where some tree needs them
        // Rows are independent: each chunk writes only its own slice and a row's values do not depend on its chunk, so the
        // result is the same whatever the thread count. Within a chunk the loop runs tree by tree, so one tree's tables stay
        // in cache for all the chunk's rows.
        const int chunk = 64;
        int chunks = (rows.Count + chunk - 1) / chunk;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism },
            () => new Scratch(compiled),
            (c, _, scratch) =>
            {
                int start = c * chunk, end = Math.Min(rows.Count, (c + 1) * chunk);
                ExplainRows(compiled, tables, patterns, rows, start, end, values.AsSpan(start * f, (end - start) * f),
                    margins.AsSpan(start, end - start), ensemble.Bias, scratch);
                return scratch;
            },
            _ => { });
        return new ShapBatch(values, margins, rows.Count, f, ensemble.FeatureNames, compiled.ExpectedValue);
    }

    /// <summary>Per-thread working memory: the recursion's path segments and one tree's node masks for a row.</summary>
    internal sealed class Scratch(CompiledEnsemble model)
    {
        // A path holds at most depth+1 elements (the root's dummy plus one per split); level k's segment holds k+1.
        public readonly PathElement[] Path = new PathElement[(model.MaxDepth + 2) * (model.MaxDepth + 3) / 2];
        public readonly int[] Masks = new int[model.MaxTreeNodes];
    }

    internal struct PathElement
    {
        public int Feature;
        public double Zero;   // share of background mass that follows this path when the feature is unknown
        public double One;    // 1 if the row itself follows this path at the feature's splits, else 0
        public double Weight; // permutation weight of the subsets of the path's features
    }

    /// <summary>SHAP values of rows <paramref name="start"/>..<paramref name="end"/> into <paramref name="phi"/> (row-major,
    /// starting with row <paramref name="start"/>), and their margins into <paramref name="margins"/> unless it is empty: tree by
    /// tree, a tree with a pattern table by it (when <paramref name="patterns"/> is given), any other tabled tree by its leaf
    /// tables, the rest by the recursion. Each row's values and margin are summed over trees in the ensemble's order whatever
    /// the chunk, so they do not depend on it; the margin is the same sum, in the same order, as
    /// <see cref="CompiledEnsemble.PredictMargin"/>.</summary>
    internal static void ExplainRows(CompiledEnsemble model, LeafWeightTables? tables, TreePatternTables? patterns, IReadOnlyList<float[]> rows,
        int start, int end, Span<double> phi, Span<double> margins, double bias, Scratch scratch)
    {
        int f = model.FeatureCount;
        bool withMargins = !margins.IsEmpty;
        phi.Clear();
        if (withMargins) margins[..(end - start)].Fill(bias);
        for (int t = 0; t < model.Roots.Length; t++)
        {
            int root = model.Roots[t];
            if (model.Left[root] < 0)
            {
                // A single leaf moves nothing away from the expected value; the margin still adds its value.
                if (withMargins) for (int r = start; r < end; r++) margins[r - start] += model.Value[root];
                continue;
            }
            if (patterns is not null && patterns.Patterned[t])
            {
                for (int r = start; r < end; r++)
                {
                    double leafValue = AddTreeByPattern(patterns, t, rows[r], phi.Slice((r - start) * f, f));
                    if (withMargins) margins[r - start] += leafValue;
                }
                continue;
            }
            tables ??= model.Tables; // built only when some tree has no pattern table
            bool tabled = tables.Tabled[t];
            for (int r = start; r < end; r++)
            {
                var rowPhi = phi.Slice((r - start) * f, f);
                if (tabled) AddTree(model, tables, t, rows[r], rowPhi, scratch.Masks);
                else Recurse(model, new RowDirections(model, rows[r]), rowPhi, scratch.Path, root, parentStart: 0, parentLength: 0, zero: 1.0, one: 1.0, feature: -1);
                if (withMargins) margins[r - start] += model.Value[model.LeafOf(root, rows[r])];
            }
        }
    }

    /// <summary>One tree's contributions for one row from its pattern table: the row's direction at each split (bit i set: left at
    /// split i), then one addition per unique feature of the tree. Returns the value of the leaf the row reaches. Branch-free
    /// (the row's directions are unpredictable) and without bounds checks, over arrays <see cref="TreePatternTables"/> built
    /// consistent; a row has the ensemble's feature count (checked by the callers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static double AddTreeByPattern(TreePatternTables p, int tree, float[] row, Span<double> phi)
    {
        int s0 = p.TreeSplitStart[tree], n = p.TreeSplitStart[tree + 1] - s0;
        ref int feature = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(p.SplitFeature), s0);
        ref float threshold = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(p.SplitThreshold), s0);
        ref bool missingLeft = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(p.SplitMissingLeft), s0);
        ref float x0 = ref MemoryMarshal.GetArrayDataReference(row);
        int pattern = 0;
        for (int i = 0; i < n; i++)
        {
            float x = Unsafe.Add(ref x0, Unsafe.Add(ref feature, i));
            // Left when x <= threshold; NaN compares false and goes left only where the node's missing direction is left.
            bool left = (x <= Unsafe.Add(ref threshold, i)) | (float.IsNaN(x) & Unsafe.Add(ref missingLeft, i));
            pattern |= (left ? 1 : 0) << i;
        }
        int f0 = p.TreeFeatureStart[tree], k = p.TreeFeatureStart[tree + 1] - f0;
        ref double entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(p.Table), p.TreeTableStart[tree] + pattern * k);
        ref int treeFeature = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(p.TreeFeature), f0);
        ref double contribution = ref MemoryMarshal.GetReference(phi);
        for (int j = 0; j < k; j++)
            Unsafe.Add(ref contribution, Unsafe.Add(ref treeFeature, j)) += Unsafe.Add(ref entry, j);
        return Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(p.LeafValue), p.TreeLeafValueStart[tree] + pattern);
    }

    /// <summary>One tabled tree's contributions for one row: the row's masks pushed down the splits once (a child's mask is its
    /// parent's with the split feature's bit cleared where the row turns away), then per leaf one table read per path feature
    /// (see <see cref="LeafWeightTables"/>). The loops are the hot path of the leaf tables: branch-free (the row's directions are
    /// unpredictable) and without bounds checks, over arrays whose indices <see cref="LeafWeightTables"/> built consistent.</summary>
    static void AddTree(CompiledEnsemble m, LeafWeightTables tables, int tree, float[] row, Span<double> phi, int[] masks)
    {
        int root = m.Roots[tree];
        ref int mask = ref MemoryMarshal.GetArrayDataReference(masks);
        mask = -1; // the root: every feature followed so far
        for (int k = tables.TreeSplitStart[tree]; k < tables.TreeSplitStart[tree + 1]; k++)
        {
            int n = tables.SplitNode[k], g = root + n;
            float x = row[m.Feature[g]];
            int left = (float.IsNaN(x) ? m.MissingLeft[g] : x <= m.Threshold[g]) ? 1 : 0;
            int parent = Unsafe.Add(ref mask, n), bit = 1 << tables.SplitBit[k];
            Unsafe.Add(ref mask, m.Left[g] - root) = parent & ~((left ^ 1) * bit);
            Unsafe.Add(ref mask, m.Right[g] - root) = parent & ~(left * bit);
        }
        AddLeaves(tables, tree, masks, phi);
    }

    /// <summary>Adds one tabled tree's leaves' contributions given its node masks: per leaf, one table read per path feature.</summary>
    static void AddLeaves(LeafWeightTables tables, int tree, int[] masks, Span<double> phi)
    {
        ref int mask = ref MemoryMarshal.GetArrayDataReference(masks);
        ref int leafNode = ref MemoryMarshal.GetArrayDataReference(tables.LeafNode);
        ref int leafFeatureStart = ref MemoryMarshal.GetArrayDataReference(tables.LeafFeatureStart);
        ref long leafTableStart = ref MemoryMarshal.GetArrayDataReference(tables.LeafTableStart);
        ref int leafFeature = ref MemoryMarshal.GetArrayDataReference(tables.LeafFeature);
        ref double factor = ref MemoryMarshal.GetArrayDataReference(tables.Factor);
        ref double table = ref MemoryMarshal.GetArrayDataReference(tables.Table);
        ref double contribution = ref MemoryMarshal.GetReference(phi);
        for (int leaf = tables.TreeLeafStart[tree], leafEnd = tables.TreeLeafStart[tree + 1]; leaf < leafEnd; leaf++)
        {
            int first = Unsafe.Add(ref leafFeatureStart, leaf), d = Unsafe.Add(ref leafFeatureStart, leaf + 1) - first;
            int hot = Unsafe.Add(ref mask, Unsafe.Add(ref leafNode, leaf)) & ((1 << d) - 1);
            ref double q = ref Unsafe.Add(ref table, (nint)Unsafe.Add(ref leafTableStart, leaf));
            for (int i = 0; i < d; i++)
            {
                int k = first + i;
                // A hot feature reads Q(H without it) times (1 - z)/z; a cold one reads Q(H) (its bit is already clear) times -1.
                Unsafe.Add(ref contribution, Unsafe.Add(ref leafFeature, k)) +=
                    Unsafe.Add(ref factor, 2 * k + ((hot >> i) & 1)) * Unsafe.Add(ref q, hot & ~(1 << i));
            }
        }
    }

    /// <summary>The recursive algorithm alone (Lundberg et al. Algorithm 2, every tree): the reference the tables are tested
    /// against, and what a tree without tables uses.</summary>
    internal static void ExplainRowRecursive(CompiledEnsemble model, ReadOnlySpan<float> row, Span<double> phi, Scratch scratch)
    {
        phi.Clear();
        var path = scratch.Path;
        foreach (int root in model.Roots)
        {
            if (model.Left[root] < 0) continue; // a single leaf moves nothing away from the expected value
            Recurse(model, new RowDirections(model, row), phi, path, root, parentStart: 0, parentLength: 0, zero: 1.0, one: 1.0, feature: -1);
        }
    }

    /// <summary>SHAP values of one row by the recursive algorithm alone (the reference for tests and the bench).</summary>
    internal static ShapExplanation ExplainRecursive(TreeEnsemble ensemble, float[] row) =>
        ExplainOne(ensemble, row, (compiled, phi, scratch) => ExplainRowRecursive(compiled, row, phi, scratch));

    /// <summary>Which way the recursion's "hot" path turns at a split: a row's way (<see cref="RowDirections"/>), or a fixed
    /// direction per split (<see cref="TreePatternTables"/> evaluates the recursion once per pattern of directions).</summary>
    internal interface IDirections
    {
        bool GoesLeft(int node);
    }

    /// <summary>A row's directions: left when x &lt;= threshold, NaN the node's missing-value way.</summary>
    internal readonly ref struct RowDirections(CompiledEnsemble m, ReadOnlySpan<float> row) : IDirections
    {
        readonly ReadOnlySpan<float> _row = row;
        public bool GoesLeft(int node)
        {
            float x = _row[m.Feature[node]];
            return float.IsNaN(x) ? m.MissingLeft[node] : x <= m.Threshold[node];
        }
    }

    /// <summary>The recursion for one tree (from <paramref name="root"/>) with the given directions at its splits, added into
    /// <paramref name="phi"/>.</summary>
    internal static void RecurseTree<TDirections>(CompiledEnsemble m, TDirections directions, Span<double> phi, Scratch scratch, int root)
        where TDirections : IDirections, allows ref struct =>
        Recurse(m, directions, phi, scratch.Path, root, parentStart: 0, parentLength: 0, zero: 1.0, one: 1.0, feature: -1);

    static void Recurse<TDirections>(CompiledEnsemble m, TDirections directions, Span<double> phi, PathElement[] path,
        int node, int parentStart, int parentLength, double zero, double one, int feature)
        where TDirections : IDirections, allows ref struct
    {
        // This level's path: a copy of the parent's, extended by the split that led here.
        int start = parentStart + parentLength;
        Array.Copy(path, parentStart, path, start, parentLength);
        int length = Extend(path, start, parentLength, zero, one, feature);

        if (m.Left[node] < 0)
        {
            double leafValue = m.Value[node];
            int last = length - 1;
            // For an element the row did not follow (one = 0) the unwound sum is sum_j w_j / (last - j), the same for every
            // such element, times (last + 1) / zero: computed once per leaf, with the same operations in the same order as
            // UnwoundSum, so the values are bit-identical.
            double coldSum = 0;
            bool haveColdSum = false;
            for (int i = 1; i < length; i++)
            {
                ref var e = ref path[start + i];
                if (e.One == e.Zero) continue; // contributes nothing (also avoids 0/0 when both are 0)
                double w;
                if (e.One != 0) w = UnwoundSum(path, start, last, i);
                else
                {
                    if (!haveColdSum) { coldSum = ColdSum(path, start, last); haveColdSum = true; }
                    double scale = last + 1;
                    w = coldSum * (scale / e.Zero);
                }
                phi[e.Feature] += w * (e.One - e.Zero) * leafValue;
            }
            return;
        }

        int split = m.Feature[node];
        bool goLeft = directions.GoesLeft(node);
        int hot = goLeft ? m.Left[node] : m.Right[node];
        int cold = goLeft ? m.Right[node] : m.Left[node];

        // A feature already on the path is removed first, and its fractions carried into the new element.
        double incomingZero = 1.0, incomingOne = 1.0;
        for (int k = 1; k < length; k++)
        {
            if (path[start + k].Feature != split) continue;
            incomingZero = path[start + k].Zero;
            incomingOne = path[start + k].One;
            Unwind(path, start, length - 1, k);
            length--;
            break;
        }

        // A child that neither the row (one = 0) nor any background mass (zero = 0) reaches contributes nothing;
        // skipping it also keeps the weight updates free of 0/0.
        double hotZero = incomingZero * m.CoverFraction[hot];
        if (hotZero != 0 || incomingOne != 0) Recurse(m, directions, phi, path, hot, start, length, hotZero, incomingOne, split);
        double coldZero = incomingZero * m.CoverFraction[cold];
        if (coldZero != 0) Recurse(m, directions, phi, path, cold, start, length, coldZero, 0.0, split);
    }

    /// <summary>Appends an element and updates the permutation weights (EXTEND in the paper). Returns the new length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int Extend(PathElement[] path, int start, int length, double zero, double one, int feature)
    {
        ref var added = ref path[start + length];
        added.Feature = feature;
        added.Zero = zero;
        added.One = one;
        added.Weight = length == 0 ? 1.0 : 0.0;
        double inv = 1.0 / (length + 1);
        for (int i = length - 1; i >= 0; i--)
        {
            ref var e = ref path[start + i];
            path[start + i + 1].Weight += one * e.Weight * (i + 1) * inv;
            e.Weight = zero * e.Weight * (length - i) * inv;
        }
        return length + 1;
    }

    /// <summary>Removes element <paramref name="index"/> and undoes its effect on the weights (UNWIND in the paper).
    /// <paramref name="last"/> is the index of the path's last element.</summary>
    static void Unwind(PathElement[] path, int start, int last, int index)
    {
        double one = path[start + index].One, zero = path[start + index].Zero;
        double next = path[start + last].Weight;
        for (int j = last - 1; j >= 0; j--)
        {
            ref var e = ref path[start + j];
            if (one != 0)
            {
                double saved = e.Weight;
                e.Weight = next * (last + 1) / ((j + 1) * one);
                next = saved - e.Weight * zero * (last - j) / (last + 1);
            }
            else
            {
                e.Weight = e.Weight * (last + 1) / (zero * (last - j));
            }
        }
        for (int j = index; j < last; j++)
        {
            path[start + j].Feature = path[start + j + 1].Feature;
            path[start + j].Zero = path[start + j + 1].Zero;
            path[start + j].One = path[start + j + 1].One;
        }
    }

    /// <summary>The sum of the weights the path would have after unwinding element <paramref name="index"/>,
    /// without modifying the path. In path-dependent TreeSHAP "one" is always 0 or 1, so it never divides by it;
    /// divisions by small integers use a reciprocal table (the hot loop of the whole algorithm).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static double UnwoundSum(PathElement[] path, int start, int last, int index)
    {
        double one = path[start + index].One, zero = path[start + index].Zero;
        double total = 0;
        double scale = last + 1;
        var reciprocal = Reciprocal;
        if (one != 0)
        {
            double next = path[start + last].Weight;
            double zeroOverScale = zero / scale;
            for (int j = last - 1; j >= 0; j--)
            {
                double w = next * scale * reciprocal[j + 1];
                total += w;
                next = path[start + j].Weight - w * zeroOverScale * (last - j);
            }
        }
        else
        {
            double scaleOverZero = scale / zero;
            for (int j = last - 1; j >= 0; j--)
                total += path[start + j].Weight * reciprocal[last - j];
            total *= scaleOverZero;
        }
        return total;
    }

    /// <summary>sum_j w_j / (last - j) over j = last-1 .. 0: the part of <see cref="UnwoundSum"/>'s "one = 0" branch that does not
    /// depend on the unwound element (same loop, same order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static double ColdSum(PathElement[] path, int start, int last)
    {
        double total = 0;
        var reciprocal = Reciprocal;
        for (int j = last - 1; j >= 0; j--)
            total += path[start + j].Weight * reciprocal[last - j];
        return total;
    }

    /// <summary>1/k for k = 0..255 (entry 0 unused); paths are never deeper than a tree.</summary>
    static readonly double[] Reciprocal = Enumerable.Range(0, 256).Select(k => k == 0 ? 0.0 : 1.0 / k).ToArray();
}
