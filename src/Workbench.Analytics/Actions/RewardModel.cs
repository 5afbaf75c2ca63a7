using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Transforms;

namespace Workbench.Analytics.Actions;

/// <summary>
/// The expected reward of each action in a context, in two parts per action (ML.NET): a logistic regression of the
/// response (missing values replaced by the mean, mean-variance normalized, the segment also one-hot encoded, L2
/// regularized: close to how responses are planted, a segment x action base rate times a state multiplier, and far
/// less variable than trees on the 50-100 responses per action of a small log) and a FastTree regression of the
/// reward given a response, per unit of annual value; the reward without a
/// response is its mean. Expected reward = annual value x (P(response) x E[reward | response] + (1 - P) x E[reward |
/// no response]). Splitting off the response removes most of the noise (most decisions get no response), and
/// dividing by the account's size makes the planted effects (shares of the run-rate) the same across sizes.
/// </summary>
internal sealed class RewardModel
{
    readonly MLContext _ml;
    readonly ITransformer?[] _response, _value;
    readonly double[] _fallback; // per action: [rate, mean scaled reward if responded, mean scaled reward if not]
    readonly int[] _segments; // the segments seen in training: one one-hot column each in the response models' features
    public int ActionCount => _response.Length;

    RewardModel(MLContext ml, ITransformer?[] response, ITransformer?[] value, double[] fallback, int[] segments) =>
        (_ml, _response, _value, _fallback, _segments) = (ml, response, value, fallback, segments);

    /// <summary>L2 weight of the response logistic regressions (on normalized features).</summary>
    const float ResponseL2 = 3f;

    /// <summary>The response models' features: the context, then one 0/1 column per training segment.</summary>
    static float[] WithSegments(float[] contexts, int[] segments)
    {
        int w = DecisionFrame.Width, n = contexts.Length / w, ww = w + segments.Length;
        var x = new float[n * ww];
        for (int i = 0; i < n; i++)
        {
            contexts.AsSpan(i * w, w).CopyTo(x.AsSpan(i * ww, w));
            int s = Array.IndexOf(segments, (int)contexts[i * w + DecisionFrame.SegmentColumn]);
            if (s >= 0) x[i * ww + w + s] = 1;
        }
        return x;
    }

    static string[] ResponseNames(int[] segments) => [.. DecisionFrame.ContextNames, .. segments.Select(s => "segment_is_" + s.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Scaled rewards are clipped to +/- this many years of the account's annual value.</summary>
    const double MaxScaledReward = 2.0;

    static double Scale(ReadOnlySpan<float> ctx) => Math.Max(1.0, ctx[DecisionFrame.AnnualValueColumn]);

    /// <summary>Fits on the given rows of the frame; <paramref name="target"/> picks the reward (long-term or immediate).</summary>
    public static RewardModel Fit(DecisionFrame frame, IReadOnlyList<int> rows, Func<Decision, double> target, ActionOptions o, int seed)
    {
        var ml = new MLContext(seed);
        int k = frame.Actions.Count, w = DecisionFrame.Width, minLeaf = o.ValueModel.MinExamplesPerLeaf;
        var response = new ITransformer?[k];
        var value = new ITransformer?[k];
        var fallback = new double[3 * k];
        var segments = rows.Select(i => (int)frame.Context(i)[DecisionFrame.SegmentColumn]).Distinct().Order().ToArray();
        for (int a = 0; a < k; a++)
        {
            var mine = rows.Where(i => frame.Decisions[i].Action == a).ToArray();
            var x = new float[mine.Length * w];
            var responded = new bool[mine.Length];
            for (int j = 0; j < mine.Length; j++) { frame.Context(mine[j]).CopyTo(x.AsSpan(j * w, w)); responded[j] = frame.Decisions[mine[j]].Responded; }
            // Clipped: an account whose last month was billed pro rata looks small, and one large reward would dominate.
            double Scaled(int row) => Math.Clamp(target(frame.Decisions[row]) / Scale(frame.Context(row)), -MaxScaledReward, MaxScaledReward);
            var yes = mine.Where(i => frame.Decisions[i].Responded).ToArray();
            var no = mine.Where(i => !frame.Decisions[i].Responded).ToArray();
            fallback[3 * a] = mine.Length > 0 ? yes.Length / (double)mine.Length : 0;
            fallback[3 * a + 1] = yes.Length > 0 ? yes.Average(Scaled) : 0;
            fallback[3 * a + 2] = no.Length > 0 ? no.Average(Scaled) : 0;
            if (yes.Length >= 2 * minLeaf && no.Length >= 2 * minLeaf)
                response[a] = ml.Transforms.ReplaceMissingValues("Features", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
                    .Append(ml.Transforms.NormalizeMeanVariance("Features"))
                    .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
                    {
                        L2Regularization = ResponseL2, L1Regularization = 0, NumberOfThreads = 1,
                    }))
                    .Fit(new DenseDataView(WithSegments(x, segments), ResponseNames(segments), responded));
            if (yes.Length >= 2 * minLeaf)
            {
                var xv = new float[yes.Length * w];
                var yv = new float[yes.Length];
                for (int j = 0; j < yes.Length; j++) { frame.Context(yes[j]).CopyTo(xv.AsSpan(j * w, w)); yv[j] = (float)Scaled(yes[j]); }
                value[a] = ml.Regression.Trainers.FastTree(o.ValueModel.FastTreeRegression(Math.Max(5, minLeaf / 2))).Fit(new DenseDataView(xv, DecisionFrame.ContextNames, yv));
            }
        }
        return new RewardModel(ml, response, value, fallback, segments);
    }

    /// <summary>Predicted reward of every action for each context: [row][action].</summary>
    public double[][] Predict(float[] contexts)
    {
        var (rate, yes, no) = PredictParts(contexts);
        int k = _response.Length;
        var result = new double[rate.Length][];
        for (int i = 0; i < rate.Length; i++)
        {
            result[i] = new double[k];
            for (int a = 0; a < k; a++) result[i][a] = rate[i][a] * yes[i][a] + (1 - rate[i][a]) * no[i][a];
        }
        return result;
    }

    /// <summary>The parts of <see cref="Predict"/>: P(response), the reward given a response and without one, in money
    /// (scaled back by the annual value): [row][action] each.</summary>
    public (double[][] Rate, double[][] IfResponded, double[][] IfNot) PredictParts(float[] contexts)
    {
        int w = DecisionFrame.Width, n = contexts.Length / w, k = _response.Length;
        var rate = new double[n][]; var yes = new double[n][]; var no = new double[n][];
        for (int i = 0; i < n; i++) { rate[i] = new double[k]; yes[i] = new double[k]; no[i] = new double[k]; }
        var view = new DenseDataView(contexts, DecisionFrame.ContextNames, new float[n]);
        var boolView = new DenseDataView(WithSegments(contexts, _segments), ResponseNames(_segments), new bool[n]);
        for (int a = 0; a < k; a++)
        {
            float[]? p = _response[a] is { } rm ? rm.Transform(boolView).GetColumn<float>("Probability").ToArray() : null;
            float[]? v = _value[a] is { } vm ? vm.Transform(view).GetColumn<float>("Score").ToArray() : null;
            for (int i = 0; i < n; i++)
            {
                double s = Math.Max(1.0, contexts[i * w + DecisionFrame.AnnualValueColumn]);
                rate[i][a] = p?[i] ?? _fallback[3 * a];
                yes[i][a] = (v?[i] ?? _fallback[3 * a + 1]) * s;
                no[i][a] = _fallback[3 * a + 2] * s;
            }
        }
        return (rate, yes, no);
    }

    public void Save(ModelFileWriter writer, string prefix)
    {
        for (int a = 0; a < _response.Length; a++)
        {
            if (_response[a] is { } r) { using var s = writer.OpenEntry($"{prefix}-response-{a}.zip"); _ml.Model.Save(r, Schema(true, DecisionFrame.Width + _segments.Length), s); }
            if (_value[a] is { } v) { using var s = writer.OpenEntry($"{prefix}-value-{a}.zip"); _ml.Model.Save(v, Schema(false, DecisionFrame.Width), s); }
        }
    }

    public static RewardModel Load(ModelFileReader reader, string prefix, double[] fallback, int[] segments, int seed)
    {
        var ml = new MLContext(seed);
        int k = fallback.Length / 3;
        var response = new ITransformer?[k];
        var value = new ITransformer?[k];
        ITransformer? Read(string name)
        {
            if (!reader.Has(name)) return null;
            using var ms = new MemoryStream(reader.ReadBytes(name));
            return ml.Model.Load(ms, out _);
        }
        for (int a = 0; a < k; a++) { response[a] = Read($"{prefix}-response-{a}.zip"); value[a] = Read($"{prefix}-value-{a}.zip"); }
        return new RewardModel(ml, response, value, fallback, segments);
    }

    public double[] Fallback => _fallback;
    public IReadOnlyList<int> Segments => _segments;

    static DataViewSchema Schema(bool binary, int width)
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, width));
        b.AddColumn("Label", binary ? BooleanDataViewType.Instance : NumberDataViewType.Single);
        return b.ToSchema();
    }
}
