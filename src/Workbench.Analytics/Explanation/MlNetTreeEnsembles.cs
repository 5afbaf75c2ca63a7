using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Workbench.Analytics.Explanation;

/// <summary>
/// Turns trained ML.NET tree models (FastTree, LightGBM; binary, regression) into a <see cref="TreeEnsemble"/>
/// that TreeSHAP can explain. ML.NET keeps no node covers, so covers are counted by passing background rows
/// (the training data or a sample of it) down every tree.
/// </summary>
/// <remarks>
/// ML.NET conventions handled here: a negative child index <c>c</c> is leaf <c>~c</c>; a row goes left when
/// <c>x &lt;= threshold</c>; the model's output (the "Score" column before calibration) is the plain sum of leaf
/// values: ML.NET's prediction ignores the per-tree weights and the ensemble bias, and so does the extracted
/// ensemble (a non-zero ML.NET bias is rejected rather than guessed at). NaN handling: ML.NET replaces a NaN by a
/// per-node default value (LightGBM's learned default direction becomes threshold or threshold+1) when the tree has
/// such defaults, and otherwise NaN &lt;= t is false so it goes right; the extracted tree stores the resulting side.
/// Categorical splits (a node testing a set of one-hot slots) are not supported: they read several features at once.
/// </remarks>
public static class MlNetTreeEnsembles
{
    /// <summary>Extracts the ensemble and counts covers over the <paramref name="featureColumn"/> vectors of <paramref name="background"/>.</summary>
    /// <param name="model">For a calibrated binary model, pass its <c>SubModel</c> (e.g. <c>transformer.Model.SubModel</c>).</param>
    /// <param name="background">Training data or a sample of it, with a known-size float vector column.</param>
    /// <param name="featureColumn">Name of the feature vector column (ML.NET's default is "Features").</param>
    public static TreeEnsemble FromModel(TreeEnsembleModelParametersBasedOnRegressionTree model, IDataView background, string featureColumn = "Features")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(background);
        var column = background.Schema.GetColumnOrNull(featureColumn)
            ?? throw new WorkbenchException($"Background data has no column '{featureColumn}'; columns are: {string.Join(", ", background.Schema.Select(c => c.Name))}.");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType } vectorType || vectorType.ItemType.RawType != typeof(float) || !vectorType.IsKnownSize)
            throw new WorkbenchException($"Column '{featureColumn}' has type {column.Type}, expected a known-size vector of Single.");
        int featureCount = vectorType.Size;
        var names = SlotNames(column, featureCount);
        var structure = FromModel(model, featureCount, names);
        return structure.WithCoversFrom(ReadRows(background, column, featureCount));
    }

    /// <summary>Extracts the ensemble and counts covers over the given background rows (each of length <paramref name="featureCount"/>).</summary>
    public static TreeEnsemble FromModel(TreeEnsembleModelParametersBasedOnRegressionTree model, int featureCount,
        IEnumerable<float[]> backgroundRows, IReadOnlyList<string>? featureNames = null)
        => FromModel(model, featureCount, featureNames).WithCoversFrom(backgroundRows);

    /// <summary>Structure only, with all covers zero (call <see cref="TreeEnsemble.WithCoversFrom"/> before explaining).</summary>
    internal static TreeEnsemble FromModel(TreeEnsembleModelParametersBasedOnRegressionTree model, int featureCount, IReadOnlyList<string>? featureNames)
    {
        ArgumentNullException.ThrowIfNull(model);
        var ensemble = model.TrainedTreeEnsemble;
        if (ensemble.Bias != 0)
            throw new WorkbenchException($"The ML.NET ensemble has bias {ensemble.Bias}; its prediction ignores the bias, so the extraction cannot tell what the score is.");
        var trees = new DecisionTree[ensemble.Trees.Count];
        for (int t = 0; t < trees.Length; t++) trees[t] = Convert(ensemble.Trees[t], t);
        return new TreeEnsemble(trees, bias: 0.0, featureCount, featureNames, ScoreLink.RawMargin);
    }

    static DecisionTree Convert(RegressionTree tree, int treeIndex)
    {
        int internalCount = tree.NumberOfNodes;
        // ML.NET's placeholder for an empty tree (one leaf, or a self-loop at the root) predicts 0.
        if (tree.NumberOfLeaves <= 1 || internalCount == 0 || tree.LeftChild[0] == 0)
            return new DecisionTree([0], [0f], [-1], [-1], [false], [0.0], [0.0]);

        var missingDefaults = DefaultValuesForMissing(tree);
        int n = internalCount + tree.NumberOfLeaves;
        var feature = new int[n]; var threshold = new float[n]; var left = new int[n]; var right = new int[n];
        var missingLeft = new bool[n]; var value = new double[n];
        int Map(int child) => child >= 0 ? child : internalCount + ~child;
        for (int i = 0; i < internalCount; i++)
        {
            if (tree.CategoricalSplitFlags[i])
                throw new WorkbenchException($"Tree {treeIndex} node {i} is a categorical split; TreeSHAP here supports numerical splits only (train without categorical splits).");
            feature[i] = tree.NumericalSplitFeatureIndexes[i];
            threshold[i] = tree.NumericalSplitThresholds[i];
            left[i] = Map(tree.LeftChild[i]);
            right[i] = Map(tree.RightChild[i]);
            // NaN is replaced by the node's default (when the tree has defaults), then compared with <=.
            missingLeft[i] = missingDefaults is not null && missingDefaults[i] <= threshold[i];
        }
        for (int j = 0; j < tree.NumberOfLeaves; j++)
        {
            int node = internalCount + j;
            left[node] = right[node] = -1;
            value[node] = tree.LeafValues[j];
        }
        return new DecisionTree(feature, threshold, left, right, missingLeft, value, new double[n]);
    }

    static readonly FieldInfo? InnerTreeField = typeof(RegressionTreeBase).GetField("_tree", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>ML.NET does not expose the per-node default values for NaN; read them from the wrapped internal tree.
    /// Null means "no defaults": NaN then goes right at every node.</summary>
    static float[]? DefaultValuesForMissing(RegressionTree tree)
    {
        var inner = InnerTreeField?.GetValue(tree)
            ?? throw new WorkbenchException("Cannot read ML.NET's internal tree (RegressionTreeBase._tree): the ML.NET version changed; missing-value directions would be unknown.");
        var field = inner.GetType().GetField("DefaultValueForMissing", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new WorkbenchException("Cannot read ML.NET's InternalRegressionTree.DefaultValueForMissing: the ML.NET version changed; missing-value directions would be unknown.");
        return (float[]?)field.GetValue(inner);
    }

    static IReadOnlyList<string>? SlotNames(DataViewSchema.Column column, int featureCount)
    {
        if (column.Annotations.Schema.GetColumnOrNull("SlotNames") is null) return null;
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        column.GetSlotNames(ref slotNames);
        if (slotNames.Length != featureCount) return null;
        var names = new string[featureCount];
        int i = 0;
        foreach (var name in slotNames.DenseValues())
        {
            var text = name.ToString();
            names[i] = text.Length > 0 ? text : "f" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            i++;
        }
        return names;
    }

    /// <summary>Dense copies of a float vector column, one array per row.</summary>
    internal static IEnumerable<float[]> ReadRows(IDataView data, DataViewSchema.Column column, int featureCount)
    {
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            var row = new float[featureCount];
            buffer.CopyTo(row);
            yield return row;
        }
    }

    /// <summary>Dense copies of the named float vector column, one array per row.</summary>
    public static IReadOnlyList<float[]> ReadFeatureRows(IDataView data, string featureColumn = "Features")
    {
        ArgumentNullException.ThrowIfNull(data);
        var column = data.Schema.GetColumnOrNull(featureColumn)
            ?? throw new WorkbenchException($"Data has no column '{featureColumn}'.");
        if (column.Type is not VectorDataViewType vectorType || vectorType.ItemType.RawType != typeof(float) || !vectorType.IsKnownSize)
            throw new WorkbenchException($"Column '{featureColumn}' has type {column.Type}, expected a known-size vector of Single.");
        return ReadRows(data, column, vectorType.Size).ToList();
    }
}
