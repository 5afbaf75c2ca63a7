using System.Globalization;
using System.Text;

namespace Workbench.Analytics.Explanation;

/// <summary>
/// Writes a <see cref="TreeEnsemble"/> as an xgboost 1.7 JSON model (reg:squarederror, identity link) so xgboost's own
/// <c>pred_contribs</c> can be compared with ours on identical trees. Thresholds become the next float up, because
/// xgboost sends <c>x &lt; cond</c> left while ML.NET sends <c>x &lt;= t</c> left (equivalent for float inputs).
/// Covers are written as xgboost's sum_hessian, which its TreeSHAP uses the same way. Returns text; no file I/O.
/// </summary>
internal static class XgboostModelJson
{
    public static string Write(TreeEnsemble ensemble)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        // xgboost's JSON reader tells integers from reals: every float must carry a '.' or an exponent.
        string F(float v)
        {
            var text = v.ToString("R", inv);
            return text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0";
        }
        string D(double v) => F((float)v);
        string Join<T>(IEnumerable<T> items, Func<T, string> format) => string.Join(",", items.Select(format));
        int features = ensemble.FeatureCount;
        sb.Append("{\"learner\":{\"attributes\":{},\"feature_names\":[],\"feature_types\":[],");
        sb.Append("\"gradient_booster\":{\"model\":{\"gbtree_model_param\":{\"num_parallel_tree\":\"1\",\"num_trees\":\"")
          .Append(ensemble.Trees.Count.ToString(inv)).Append("\",\"size_leaf_vector\":\"0\"},");
        sb.Append("\"tree_info\":[").Append(Join(ensemble.Trees, _ => "0")).Append("],\"trees\":[");
        for (int t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = Renumbered(ensemble.Trees[t]);
            int n = tree.NodeCount;
            var nodes = Enumerable.Range(0, n).ToArray();
            var parents = new int[n];
            parents[0] = int.MaxValue;
            for (int i = 0; i < n; i++)
                if (!tree.IsLeaf(i)) { parents[tree.LeftChild[i]] = i; parents[tree.RightChild[i]] = i; }
            if (t > 0) sb.Append(',');
            sb.Append("{\"base_weights\":[").Append(Join(nodes, i => tree.IsLeaf(i) ? D(tree.Value[i]) : "0.0")).Append("],");
            sb.Append("\"categories\":[],\"categories_nodes\":[],\"categories_segments\":[],\"categories_sizes\":[],");
            sb.Append("\"default_left\":[").Append(Join(nodes, i => !tree.IsLeaf(i) && tree.MissingGoesLeft[i] ? "1" : "0")).Append("],");
            sb.Append("\"id\":").Append(t.ToString(inv)).Append(',');
            sb.Append("\"left_children\":[").Append(Join(nodes, i => tree.LeftChild[i].ToString(inv))).Append("],");
            sb.Append("\"loss_changes\":[").Append(Join(nodes, _ => "0.0")).Append("],");
            sb.Append("\"parents\":[").Append(Join(parents, p => p.ToString(inv))).Append("],");
            sb.Append("\"right_children\":[").Append(Join(nodes, i => tree.RightChild[i].ToString(inv))).Append("],");
            sb.Append("\"split_conditions\":[").Append(Join(nodes, i => tree.IsLeaf(i) ? D(tree.Value[i]) : F(MathF.BitIncrement(tree.Threshold[i])))).Append("],");
            sb.Append("\"split_indices\":[").Append(Join(nodes, i => tree.IsLeaf(i) ? "0" : tree.SplitFeature[i].ToString(inv))).Append("],");
            sb.Append("\"split_type\":[").Append(Join(nodes, _ => "0")).Append("],");
            sb.Append("\"sum_hessian\":[").Append(Join(nodes, i => D(tree.Cover[i]))).Append("],");
            sb.Append("\"tree_param\":{\"num_deleted\":\"0\",\"num_feature\":\"").Append(features.ToString(inv))
              .Append("\",\"num_nodes\":\"").Append(n.ToString(inv)).Append("\",\"size_leaf_vector\":\"0\"}}");
        }
        sb.Append("]},\"name\":\"gbtree\"},");
        sb.Append("\"learner_model_param\":{\"base_score\":\"").Append(D(ensemble.Bias))
          .Append("\",\"boost_from_average\":\"0\",\"num_class\":\"0\",\"num_feature\":\"").Append(features.ToString(inv))
          .Append("\",\"num_target\":\"1\"},");
        sb.Append("\"objective\":{\"name\":\"reg:squarederror\",\"reg_loss_param\":{\"scale_pos_weight\":\"1\"}}},\"version\":[1,7,4]}");
        return sb.ToString();
    }

    /// <summary>The same tree with nodes numbered breadth-first so that every right child is its left sibling + 1:
    /// xgboost's traversal computes the next node as <c>left + (x &gt;= cond)</c> and relies on that layout.</summary>
    internal static DecisionTree Renumbered(DecisionTree tree)
    {
        int n = tree.NodeCount;
        var newId = new int[n];
        var order = new List<int>(n) { 0 };
        for (int k = 0; k < order.Count; k++)
        {
            int node = order[k];
            if (tree.IsLeaf(node)) continue;
            newId[tree.LeftChild[node]] = order.Count; order.Add(tree.LeftChild[node]);
            newId[tree.RightChild[node]] = order.Count; order.Add(tree.RightChild[node]);
        }
        var feature = new int[n]; var threshold = new float[n]; var left = new int[n]; var right = new int[n];
        var missingLeft = new bool[n]; var value = new double[n]; var cover = new double[n];
        for (int k = 0; k < n; k++)
        {
            int old = order[k];
            feature[k] = tree.SplitFeature[old]; threshold[k] = tree.Threshold[old];
            left[k] = tree.IsLeaf(old) ? -1 : newId[tree.LeftChild[old]];
            right[k] = tree.IsLeaf(old) ? -1 : newId[tree.RightChild[old]];
            missingLeft[k] = tree.MissingGoesLeft[old]; value[k] = tree.Value[old]; cover[k] = tree.Cover[old];
        }
        return new DecisionTree(feature, threshold, left, right, missingLeft, value, cover);
    }

    /// <summary>Rows as CSV text (no header, "nan" for missing), the input the comparison scripts read.</summary>
    public static string RowsCsv(IEnumerable<float[]> rows)
    {
        var sb = new StringBuilder();
        foreach (var row in rows)
            sb.AppendJoin(',', row.Select(v => float.IsNaN(v) ? "nan" : v.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        return sb.ToString();
    }
}
