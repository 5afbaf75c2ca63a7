using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;

namespace Workbench.Analytics.Actions;

/// <summary>Which reward a reward model predicts: the logged long-term value change, or the immediate value.</summary>
internal enum RewardTarget { LongTerm, Immediate }

/// <summary>How a reward model fits the scaled reward given a response, per action.</summary>
internal enum ValuePart
{
    /// <summary>ML.NET FastTree regression on the context (<see cref="ActionOptions.ValueModel"/>).</summary>
    Tree,
    /// <summary>ML.NET SDCA linear regression (L2) on the context, the segment one-hot and the log of the annual value.</summary>
    Linear,
    /// <summary>The action's mean immediate value per unit of annual value times an SDCA linear model of long-term /
    /// immediate value: the two logged values of a response carry the same draw, so their ratio is a function of the state
    /// without it. Long-term target only.</summary>
    Ratio,
}

/// <summary>
/// One reward-model learner: a logistic response model (L2, L1 on normalized features) times a value part, optionally
/// with the annual-value column replaced by a risk index (the logit of the reps choosing <see cref="RiskIndexAction"/>,
/// fitted on every training decision: the reps see churn risk that the registry features only approximate, and the
/// choice is logged for every decision, unlike responses).
/// </summary>
internal sealed record RewardLearner(string Name, float ResponseL2, float ResponseL1, ValuePart Value, float ValueL2, bool RiskIndex, float? PooledDeviation = null)
{
    /// <summary>The action whose logged choice the risk index models (the generator's discount; a log without it gets
    /// no risk-index candidates).</summary>
    public const string RiskIndexAction = "discount_offer";

    /// <summary>Version 2's learner (logistic L2 3 x FastTree): what version-2 model files hold, and the myopic model's.</summary>
    public static readonly RewardLearner LogisticTree = new("logistic-l2-3+tree", 3, 0, ValuePart.Tree, 0, false);

    /// <summary>The learners <see cref="RewardModel.Choose"/> picks from (issue #15, rounds 5-7 of docs/actions.md).
    /// The first is the reference reward model of the choice's doubly robust estimates.</summary>
    public static readonly IReadOnlyList<RewardLearner> Candidates =
    [
        new("logistic-l2-10+linear-l2-30", 10, 0, ValuePart.Linear, 30, false),
        LogisticTree,
        new("logistic-l2-30+linear-l2-30", 30, 0, ValuePart.Linear, 30, false),
        new("logistic-l2-10+ratio-linear-l2-10", 10, 0, ValuePart.Ratio, 10, false),
        new("risk-index+logistic-l2-3-l1-3+linear-l2-30", 3, 3, ValuePart.Linear, 30, true),
        new("risk-index+logistic-l2-30+linear-l2-30", 30, 0, ValuePart.Linear, 30, true),
        // Round 12: one logistic over actions with hierarchical shrinkage (PooledResponse); L2 and the deviation scale are
        // what grouped 5-fold log-loss on the training responses chose in most folds of seeds 7-14 (docs/actions.md).
        new("pooled-logistic-l2-1000-dev-4+linear-l2-30", 1000f, 0, ValuePart.Linear, 30, false, 4f),
    ];

    public JsonObject ToJson()
    {
        var j = new JsonObject
        {
            ["name"] = Name, ["response_l2"] = ResponseL2, ["response_l1"] = ResponseL1,
            ["value"] = Value.ToString().ToLowerInvariant(), ["value_l2"] = ValueL2, ["risk_index"] = RiskIndex,
        };
        if (PooledDeviation is float dev) j["pooled_deviation"] = dev;
        return j;
    }

    public static RewardLearner FromJson(JsonNode j) => new(j["name"]!.GetValue<string>(), j["response_l2"]!.GetValue<float>(),
        j["response_l1"]!.GetValue<float>(), Enum.Parse<ValuePart>(j["value"]!.GetValue<string>(), ignoreCase: true),
        j["value_l2"]!.GetValue<float>(), j["risk_index"]!.GetValue<bool>(), j["pooled_deviation"]?.GetValue<float>());
}

/// <summary>The learner a reward model was fitted with, and how it was chosen: each candidate's doubly robust value per
/// decision of its greedy policy on held-out accounts of the training rows (empty when the learner was fixed).</summary>
public sealed record LearnerChoice(string Learner, IReadOnlyList<(string Learner, double HeldOutValue)> Candidates);

/// <summary>
/// The expected reward of each action in a context, in two parts per action (ML.NET): a logistic regression of the
/// response (missing values replaced by the mean, mean-variance normalized, the segment also one-hot encoded,
/// regularized: close to how responses are planted, a segment x action base rate times a state multiplier, and far
/// less variable than trees on the 50-100 responses per action of a small log) and a model of the reward given a
/// response per unit of annual value (<see cref="ValuePart"/>); the reward without a response is its mean. Expected
/// reward = annual value x (P(response) x E[reward | response] + (1 - P) x E[reward | no response]). Splitting off the
/// response removes most of the noise (most decisions get no response), and dividing by the account's size makes the
/// planted effects (shares of the run-rate) the same across sizes. <see cref="Choose"/> picks the learner among
/// <see cref="RewardLearner.Candidates"/> by the cross-validated value of its greedy policy.
/// </summary>
internal sealed class RewardModel
{
    readonly MLContext _ml;
    readonly ITransformer?[] _response, _value;
    readonly double[] _fallback; // per action: [rate, mean scaled reward if responded, mean scaled reward if not]
    readonly double[] _ratioScale; // per action: mean immediate value per unit of annual value of the responses (Ratio)
    readonly int[] _segments; // the segments seen in training: one one-hot column each in the models' features
    readonly ITransformer? _riskIndex;
    readonly PooledResponse? _pooled; // the response of every action in one model (learners with a pooled deviation)
    public RewardLearner Learner { get; }
    public int ActionCount => _response.Length;

    RewardModel(MLContext ml, RewardLearner learner, ITransformer?[] response, ITransformer?[] value, double[] fallback, double[] ratioScale, int[] segments, ITransformer? riskIndex, PooledResponse? pooled = null) =>
        (_ml, Learner, _response, _value, _fallback, _ratioScale, _segments, _riskIndex, _pooled) = (ml, learner, response, value, fallback, ratioScale, segments, riskIndex, pooled);

    /// <summary>Scaled rewards are clipped to +/- this many years of the account's annual value.</summary>
    const double MaxScaledReward = 2.0;
    /// <summary>Folds (by account) of the learner choice inside the training rows.</summary>
    const int ChoiceFolds = 5;

    static double Scale(ReadOnlySpan<float> ctx) => Math.Max(1.0, ctx[DecisionFrame.AnnualValueColumn]);

    static string Num(int i) => i.ToString(CultureInfo.InvariantCulture);
    static string[] SegmentNames(int[] segments) => [.. segments.Select(s => "segment_is_" + Num(s))];
    static string[] ResponseNames(int[] segments, bool risk) =>
        [.. DecisionFrame.ContextNames.Select((c, i) => risk && i == DecisionFrame.AnnualValueColumn ? "risk_index" : c), .. SegmentNames(segments)];
    static string[] LinearNames(int[] segments, bool risk) => [.. ResponseNames(segments, risk), risk ? "log_risk_index" : "log_annual_value"];
    static string[] RiskNames(int[] segments) => [.. DecisionFrame.ContextNames, .. SegmentNames(segments)];

    /// <summary>The context, then one 0/1 column per training segment; <paramref name="annual"/> replaces the annual-value
    /// column when given; <paramref name="logAnnual"/> appends log(max(1, that column)).</summary>
    static float[] Expand(float[] contexts, int[] segments, float[]? annual, bool logAnnual)
    {
        int w = DecisionFrame.Width, n = contexts.Length / w, ww = w + segments.Length + (logAnnual ? 1 : 0);
        var x = new float[n * ww];
        for (int i = 0; i < n; i++)
        {
            var row = x.AsSpan(i * ww, ww);
            contexts.AsSpan(i * w, w).CopyTo(row);
            if (annual is not null) row[DecisionFrame.AnnualValueColumn] = annual[i];
            int s = Array.IndexOf(segments, (int)contexts[i * w + DecisionFrame.SegmentColumn]);
            if (s >= 0) row[w + s] = 1;
            if (logAnnual) row[ww - 1] = (float)Math.Log(Math.Max(1, row[DecisionFrame.AnnualValueColumn]));
        }
        return x;
    }

    static float[] Gather(DecisionFrame frame, IReadOnlyList<int> rows)
    {
        int w = DecisionFrame.Width;
        var x = new float[rows.Count * w];
        for (int j = 0; j < rows.Count; j++) frame.Context(rows[j]).CopyTo(x.AsSpan(j * w, w));
        return x;
    }

    float[]? RiskIndexOf(float[] contexts) => _riskIndex is null ? null : RiskScores(_ml, _riskIndex, contexts, _segments);

    static float[] RiskScores(MLContext ml, ITransformer model, float[] contexts, int[] segments)
    {
        int n = contexts.Length / DecisionFrame.Width;
        var x = Expand(contexts, segments, new float[n], false); // the annual value is left out: the index replaces it
        return model.Transform(new DenseDataView(x, RiskNames(segments), new bool[n])).GetColumn<float>("Score").ToArray();
    }

    static IEstimator<ITransformer> Prepare(MLContext ml) =>
        ml.Transforms.ReplaceMissingValues("Features", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"));

    static ITransformer FitLogistic(MLContext ml, float[] x, string[] names, bool[] labels, float l2, float l1) =>
        Prepare(ml).Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            L2Regularization = l2, L1Regularization = l1, NumberOfThreads = 1,
        })).Fit(new DenseDataView(x, names, labels));

    static ITransformer FitLinear(MLContext ml, float[] x, string[] names, float[] y, float l2) =>
        Prepare(ml).Append(ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
        {
            L2Regularization = l2, L1Regularization = 0, NumberOfThreads = 1, MaximumNumberOfIterations = 200,
        })).Fit(new DenseDataView(x, names, y));

    /// <summary>Fits <paramref name="learner"/> on the given rows of the frame.</summary>
    public static RewardModel Fit(DecisionFrame frame, IReadOnlyList<int> rows, RewardTarget target, RewardLearner learner, ActionOptions o, int seed)
    {
        if (learner.Value == ValuePart.Ratio && target != RewardTarget.LongTerm)
            throw new ArgumentException("The ratio value part models long-term / immediate value: long-term target only.", nameof(learner));
        var ml = new MLContext(seed);
        int k = frame.Actions.Count, w = DecisionFrame.Width, minLeaf = o.ValueModel.MinExamplesPerLeaf;
        var response = new ITransformer?[k];
        var value = new ITransformer?[k];
        var fallback = new double[3 * k];
        var ratioScale = new double[k];
        var segments = rows.Select(i => (int)frame.Context(i)[DecisionFrame.SegmentColumn]).Distinct().Order().ToArray();
        double Target(Decision d) => target == RewardTarget.LongTerm ? d.Reward : d.Immediate;

        ITransformer? risk = null;
        int riskAction = IndexOf(frame.Actions, RewardLearner.RiskIndexAction);
        if (learner.RiskIndex)
        {
            if (riskAction < 0) throw new ArgumentException($"The log has no '{RewardLearner.RiskIndexAction}' action for the risk index.", nameof(learner));
            var all = Gather(frame, rows);
            risk = FitLogistic(ml, Expand(all, segments, new float[rows.Count], false), RiskNames(segments),
                rows.Select(i => frame.Decisions[i].Action == riskAction).ToArray(), 1f, 0f);
        }
        float[]? RiskOf(float[] x) => risk is null ? null : RiskScores(ml, risk, x, segments);

        for (int a = 0; a < k; a++)
        {
            var mine = rows.Where(i => frame.Decisions[i].Action == a).ToArray();
            // Clipped: an account whose last month was billed pro rata looks small, and one large reward would dominate.
            double Scaled(int row) => Math.Clamp(Target(frame.Decisions[row]) / Scale(frame.Context(row)), -MaxScaledReward, MaxScaledReward);
            var yes = mine.Where(i => frame.Decisions[i].Responded).ToArray();
            var no = mine.Where(i => !frame.Decisions[i].Responded).ToArray();
            fallback[3 * a] = mine.Length > 0 ? yes.Length / (double)mine.Length : 0;
            fallback[3 * a + 1] = yes.Length > 0 ? yes.Average(Scaled) : 0;
            fallback[3 * a + 2] = no.Length > 0 ? no.Average(Scaled) : 0;
            if (learner.PooledDeviation is null && yes.Length >= 2 * minLeaf && no.Length >= 2 * minLeaf)
            {
                var x = Gather(frame, mine);
                response[a] = FitLogistic(ml, Expand(x, segments, RiskOf(x), false), ResponseNames(segments, learner.RiskIndex),
                    mine.Select(i => frame.Decisions[i].Responded).ToArray(), learner.ResponseL2, learner.ResponseL1);
            }
            if (learner.Value == ValuePart.Ratio)
            {
                // The ratio needs a positive immediate value; the scale is the responses' mean immediate share.
                var pos = yes.Where(i => frame.Decisions[i].Immediate > 0).ToArray();
                if (pos.Length >= 2 * minLeaf)
                {
                    ratioScale[a] = pos.Average(i => Math.Min(frame.Decisions[i].Immediate / Scale(frame.Context(i)), MaxScaledReward));
                    var x = Gather(frame, pos);
                    value[a] = FitLinear(ml, Expand(x, segments, RiskOf(x), true), LinearNames(segments, learner.RiskIndex),
                        pos.Select(i => (float)(frame.Decisions[i].Reward / frame.Decisions[i].Immediate)).ToArray(), learner.ValueL2);
                }
            }
            else if (yes.Length >= 2 * minLeaf)
            {
                var x = Gather(frame, yes);
                var y = yes.Select(i => (float)Scaled(i)).ToArray();
                value[a] = learner.Value == ValuePart.Tree
                    ? ml.Regression.Trainers.FastTree(o.ValueModel.FastTreeRegression(Math.Max(5, minLeaf / 2))).Fit(new DenseDataView(WithRisk(x, RiskOf(x)), DecisionFrame.ContextNames, y))
                    : FitLinear(ml, Expand(x, segments, RiskOf(x), true), LinearNames(segments, learner.RiskIndex), y, learner.ValueL2);
            }
        }
        var pooled = learner.PooledDeviation is float dev ? PooledResponse.Fit(ml, frame, rows, learner.ResponseL2, dev, segments) : null;
        return new RewardModel(ml, learner, response, value, fallback, ratioScale, segments, risk, pooled);
    }

    static int IndexOf(IReadOnlyList<string> actions, string name)
    {
        for (int i = 0; i < actions.Count; i++) if (actions[i] == name) return i;
        return -1;
    }

    static float[] WithRisk(float[] contexts, float[]? risk)
    {
        if (risk is null) return contexts;
        var x = (float[])contexts.Clone();
        for (int i = 0; i < risk.Length; i++) x[i * DecisionFrame.Width + DecisionFrame.AnnualValueColumn] = risk[i];
        return x;
    }

    /// <summary>The candidates a log supports (the risk-index learners need the action the index models).</summary>
    public static IReadOnlyList<RewardLearner> CandidatesFor(DecisionFrame frame) =>
        IndexOf(frame.Actions, RewardLearner.RiskIndexAction) >= 0 ? RewardLearner.Candidates : [.. RewardLearner.Candidates.Where(c => !c.RiskIndex)];

    /// <summary>Chooses the learner of the long-term reward model without truth: each candidate is fitted on
    /// <see cref="ChoiceFolds"/> - 1 folds of the training rows' accounts, and its greedy policy is judged on the held-out
    /// accounts by the doubly robust estimate (one reference reward model, the first candidate fitted on the same folds,
    /// for every candidate, so the comparison is paired); the highest summed value wins if it beats the first candidate's
    /// by more than one standard error of the paired difference, else the first candidate is kept.</summary>
    public static LearnerChoice Choose(DecisionFrame frame, IReadOnlyList<int> rows, ActionOptions o, int seed)
    {
        var candidates = CandidatesFor(frame);
        var contributions = HeldOutPolicyValues(frame, rows, candidates, o, RunContext.DeriveSeed(seed, "actions/learner-choice/folds"), seed);
        var value = contributions.Select(c => c.Sum()).ToArray();
        int best = ActionPolicyModel.ArgMax(value);
        // One-standard-error rule: the held-out values are noisy (a few large accounts carry them), so another candidate
        // replaces the reference only when its paired advantage exceeds one standard error (accounts as clusters).
        if (best != 0)
        {
            var byAccount = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int p = 0; p < rows.Count; p++)
            {
                string id = frame.Decisions[rows[p]].AccountId;
                byAccount[id] = byAccount.GetValueOrDefault(id) + contributions[best][p] - contributions[0][p];
            }
            var d = byAccount.Values.ToArray();
            double mean = d.Average(), sd = d.Length > 1 ? Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (d.Length - 1)) : double.PositiveInfinity;
            if (value[best] - value[0] <= sd * Math.Sqrt(d.Length)) best = 0;
        }
        return new LearnerChoice(candidates[best].Name, [.. candidates.Select((c, i) => (c.Name, value[i] / Math.Max(1, rows.Count)))]);
    }

    /// <summary>Each candidate's doubly robust contribution per training row ([candidate][position in rows]) when its
    /// greedy policy, fitted on the other folds' accounts, decides the row.</summary>
    internal static double[][] HeldOutPolicyValues(DecisionFrame frame, IReadOnlyList<int> rows, IReadOnlyList<RewardLearner> candidates, ActionOptions o, int foldSeed, int seed)
    {
        var accounts = rows.Select(i => frame.Decisions[i].AccountId).Distinct().Order(StringComparer.Ordinal).ToArray();
        var rng = new Random(foldSeed);
        var order = accounts.OrderBy(_ => rng.Next()).ToArray();
        var foldOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < order.Length; i++) foldOf[order[i]] = i % ChoiceFolds;
        var value = candidates.Select(_ => new double[rows.Count]).ToArray();
        for (int f = 0; f < ChoiceFolds; f++)
        {
            var trainPos = Enumerable.Range(0, rows.Count).Where(p => foldOf[frame.Decisions[rows[p]].AccountId] != f).ToArray();
            var heldPos = Enumerable.Range(0, rows.Count).Where(p => foldOf[frame.Decisions[rows[p]].AccountId] == f).ToArray();
            if (heldPos.Length == 0 || trainPos.Length == 0) continue;
            var train = trainPos.Select(p => rows[p]).ToArray();
            var ctx = Gather(frame, heldPos.Select(p => rows[p]).ToArray());
            double[][] Predicted(int c) => Fit(frame, train, RewardTarget.LongTerm, candidates[c], o,
                RunContext.DeriveSeed(seed, "actions/learner-choice/" + Num(f) + "/" + candidates[c].Name)).Predict(ctx);
            var reference = Predicted(0);
            for (int c = 0; c < candidates.Count; c++)
            {
                var q = c == 0 ? reference : Predicted(c);
                for (int j = 0; j < heldPos.Length; j++)
                {
                    var d = frame.Decisions[rows[heldPos[j]]];
                    int pick = ActionPolicyModel.ArgMax(q[j]);
                    double weight = pick == d.Action ? Math.Min(o.MaxWeight, 1 / Math.Max(1e-9, d.Propensity)) : 0;
                    value[c][heldPos[j]] = reference[j][pick] + weight * (d.Reward - reference[j][d.Action]);
                }
            }
        }
        return value;
    }

    /// <summary>The long-term reward model with the learner <see cref="Choose"/> picks, fitted on all the given rows.</summary>
    public static (RewardModel Model, LearnerChoice Choice) FitChosen(DecisionFrame frame, IReadOnlyList<int> rows, ActionOptions o, int seed)
    {
        var choice = Choose(frame, rows, o, seed);
        var learner = RewardLearner.Candidates.First(c => c.Name == choice.Learner);
        return (Fit(frame, rows, RewardTarget.LongTerm, learner, o, seed), choice);
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
        var risk = RiskIndexOf(contexts);
        bool r = Learner.RiskIndex;
        var responseView = new DenseDataView(Expand(contexts, _segments, risk, false), ResponseNames(_segments, r), new bool[n]);
        var valueView = Learner.Value == ValuePart.Tree
            ? new DenseDataView(WithRisk(contexts, risk), DecisionFrame.ContextNames, new float[n])
            : new DenseDataView(Expand(contexts, _segments, risk, true), LinearNames(_segments, r), new float[n]);
        var pooled = _pooled?.Predict(contexts, k);
        for (int a = 0; a < k; a++)
        {
            float[]? p = pooled?[a] ?? (_response[a] is { } rm ? rm.Transform(responseView).GetColumn<float>("Probability").ToArray() : null);
            float[]? v = _value[a] is { } vm ? vm.Transform(valueView).GetColumn<float>("Score").ToArray() : null;
            for (int i = 0; i < n; i++)
            {
                double s = Math.Max(1.0, contexts[i * w + DecisionFrame.AnnualValueColumn]);
                double given = v is null ? _fallback[3 * a + 1]
                    : Learner.Value == ValuePart.Ratio ? Math.Clamp(_ratioScale[a] * v[i], -MaxScaledReward, MaxScaledReward) : v[i];
                rate[i][a] = p?[i] ?? _fallback[3 * a];
                yes[i][a] = given * s;
                no[i][a] = _fallback[3 * a + 2] * s;
            }
        }
        return (rate, yes, no);
    }

    public void Save(ModelFileWriter writer, string prefix)
    {
        bool r = Learner.RiskIndex;
        int valueWidth = Learner.Value == ValuePart.Tree ? DecisionFrame.Width : LinearNames(_segments, r).Length;
        for (int a = 0; a < _response.Length; a++)
        {
            if (_response[a] is { } m) { using var s = writer.OpenEntry($"{prefix}-response-{a}.zip"); _ml.Model.Save(m, Schema(true, DecisionFrame.Width + _segments.Length), s); }
            if (_value[a] is { } v) { using var s = writer.OpenEntry($"{prefix}-value-{a}.zip"); _ml.Model.Save(v, Schema(false, valueWidth), s); }
        }
        if (_riskIndex is { } ri) { using var s = writer.OpenEntry($"{prefix}-risk-index.zip"); _ml.Model.Save(ri, Schema(true, DecisionFrame.Width + _segments.Length), s); }
        _pooled?.Save(_ml, writer, prefix, _response.Length);
    }

    /// <summary>Reads the entries <see cref="Save"/> wrote (<paramref name="ratioScale"/> only matters for the ratio value part).</summary>
    public static RewardModel Load(ModelFileReader reader, string prefix, RewardLearner learner, double[] fallback, double[] ratioScale, int[] segments, int seed)
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
        var risk = Read($"{prefix}-risk-index.zip");
        if (learner.RiskIndex && risk is null) throw new WorkbenchException($"the model's '{prefix}' learner uses a risk index but the file has no entry '{prefix}-risk-index.zip'.");
        if (ratioScale.Length != k) throw new WorkbenchException($"the model's '{prefix}' ratio scales hold {ratioScale.Length} values for {k} actions.");
        var pooled = learner.PooledDeviation is null ? null : PooledResponse.Load(ml, reader, prefix, segments);
        return new RewardModel(ml, learner, response, value, fallback, ratioScale, segments, risk, pooled);
    }

    public double[] Fallback => _fallback;
    public double[] RatioScale => _ratioScale;
    public IReadOnlyList<int> Segments => _segments;

    static DataViewSchema Schema(bool binary, int width)
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, width));
        b.AddColumn("Label", binary ? BooleanDataViewType.Instance : NumberDataViewType.Single);
        return b.ToSchema();
    }
}

/// <summary>
/// The response of every action in one ML.NET logistic regression with hierarchical shrinkage (issue #15, round 12):
/// the context (registry features winsorized at the training rows' 1st and 99th percentiles, the log of the annual
/// value, standardized on the training rows, missing as the mean) enters twice, once shared by every action and once in
/// the decision's action's own block scaled by the deviation scale; plus an intercept per action and per segment x
/// action (scaled by 3, so barely penalized). One L2 penalty on every weight makes an action's own effects cost
/// L2 / deviation^2: the actions share what they have in common and deviate where their responses say so, which a
/// per-action model cannot do on 50-100 responses. No ML.NET normalizer: it would undo the deviation scale.
/// </summary>
internal sealed class PooledResponse
{
    const float InterceptScale = 3f;
    readonly float[] _lo, _hi, _mean, _sd; // per context column
    readonly float _deviation;
    readonly int[] _segments;
    readonly int _actions;
    readonly ITransformer _model;

    PooledResponse(float[] lo, float[] hi, float[] mean, float[] sd, float deviation, int[] segments, int actions, ITransformer model) =>
        (_lo, _hi, _mean, _sd, _deviation, _segments, _actions, _model) = (lo, hi, mean, sd, deviation, segments, actions, model);

    static int FeatureWidth(int actions, int segments) => DecisionFrame.Width * (1 + actions) + actions * (1 + segments);
    static string[] Names(int width) => [.. Enumerable.Range(0, width).Select(i => "f" + i.ToString(CultureInfo.InvariantCulture))];

    static float Transformed(float v, int j, float[] lo, float[] hi) =>
        j == DecisionFrame.AnnualValueColumn ? (float)Math.Log(Math.Max(1, v)) : float.IsNaN(v) ? v : Math.Clamp(v, lo[j], hi[j]);

    float[] Features(float[] contexts, Func<int, int> action)
    {
        int w = DecisionFrame.Width, n = contexts.Length / w, width = FeatureWidth(_actions, _segments.Length);
        var x = new float[n * width];
        for (int i = 0; i < n; i++)
        {
            int a = action(i), o = i * width;
            for (int j = 0; j < w; j++)
            {
                if (j == DecisionFrame.SegmentColumn) continue;
                float t = Transformed(contexts[i * w + j], j, _lo, _hi);
                float z = float.IsNaN(t) ? 0f : (t - _mean[j]) / _sd[j];
                x[o + j] = z;
                x[o + w + a * w + j] = _deviation * z;
            }
            x[o + w * (1 + _actions) + a] = InterceptScale;
            int s = Array.IndexOf(_segments, (int)contexts[i * w + DecisionFrame.SegmentColumn]);
            if (s >= 0) x[o + w * (1 + _actions) + _actions + a * _segments.Length + s] = InterceptScale;
        }
        return x;
    }

    /// <summary>Fits on the given rows (every action's decisions); null when they hold no response or only responses.</summary>
    public static PooledResponse? Fit(MLContext ml, DecisionFrame frame, IReadOnlyList<int> rows, float l2, float deviation, int[] segments)
    {
        var labels = rows.Select(i => frame.Decisions[i].Responded).ToArray();
        if (labels.All(l => l) || !labels.Any(l => l)) return null;
        int w = DecisionFrame.Width;
        var lo = new float[w]; var hi = new float[w]; var mean = new float[w]; var sd = new float[w];
        for (int j = 0; j < w; j++)
        {
            var v = rows.Select(i => frame.Context(i)[j]).Where(z => !float.IsNaN(z)).Order().ToArray();
            (lo[j], hi[j]) = v.Length == 0 ? (float.MinValue, float.MaxValue) : (v[(int)(0.01 * (v.Length - 1))], v[(int)(0.99 * (v.Length - 1))]);
            var t = v.Select(z => (double)Transformed(z, j, lo, hi)).ToArray();
            double m = t.Length > 0 ? t.Average() : 0, var = t.Length > 1 ? t.Sum(z => (z - m) * (z - m)) / (t.Length - 1) : 0;
            (mean[j], sd[j]) = ((float)m, var > 1e-12 ? (float)Math.Sqrt(var) : 1f);
        }
        int k = frame.Actions.Count;
        var empty = new PooledResponse(lo, hi, mean, sd, deviation, segments, k, null!);
        var contexts = new float[rows.Count * w];
        for (int p = 0; p < rows.Count; p++) frame.Context(rows[p]).CopyTo(contexts.AsSpan(p * w, w));
        var x = empty.Features(contexts, p => frame.Decisions[rows[p]].Action);
        var model = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            L2Regularization = l2, L1Regularization = 0, NumberOfThreads = 1,
        }).Fit(new DenseDataView(x, Names(FeatureWidth(k, segments.Length)), labels));
        return new PooledResponse(lo, hi, mean, sd, deviation, segments, k, model);
    }

    /// <summary>P(response) of every action for each context: [action][row].</summary>
    public float[][] Predict(float[] contexts, int actions)
    {
        if (actions != _actions) throw new WorkbenchException($"the pooled response model knows {_actions} actions, not {actions}.");
        int n = contexts.Length / DecisionFrame.Width, width = FeatureWidth(_actions, _segments.Length);
        var result = new float[_actions][];
        for (int a = 0; a < _actions; a++)
            result[a] = _model.Transform(new DenseDataView(Features(contexts, _ => a), Names(width), new bool[n])).GetColumn<float>("Probability").ToArray();
        return result;
    }

    static JsonArray Nums(float[] xs) => new([.. xs.Select(x => (JsonNode)JsonValue.Create(x)!)]);
    static float[] Floats(JsonNode n) => [.. n.AsArray().Select(x => x!.GetValue<float>())];

    public void Save(MLContext ml, ModelFileWriter writer, string prefix, int actions)
    {
        writer.AddJson($"{prefix}-response-pooled.json", new JsonObject
        {
            ["actions"] = _actions, ["deviation"] = _deviation, ["segments"] = new JsonArray([.. _segments.Select(s => (JsonNode)JsonValue.Create(s)!)]),
            ["winsor_low"] = Nums(_lo), ["winsor_high"] = Nums(_hi), ["mean"] = Nums(_mean), ["sd"] = Nums(_sd),
        });
        var b = new DataViewSchema.Builder();
        b.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, FeatureWidth(_actions, _segments.Length)));
        b.AddColumn("Label", BooleanDataViewType.Instance);
        using var s = writer.OpenEntry($"{prefix}-response-pooled.zip");
        ml.Model.Save(_model, b.ToSchema(), s);
    }

    /// <summary>Reads what <see cref="Save"/> wrote; null when the model had none (a log without both outcomes).</summary>
    public static PooledResponse? Load(MLContext ml, ModelFileReader reader, string prefix, int[] segments)
    {
        if (!reader.Has($"{prefix}-response-pooled.json")) return null;
        var j = reader.ReadJson($"{prefix}-response-pooled.json");
        var saved = j["segments"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
        if (!saved.SequenceEqual(segments)) throw new WorkbenchException($"{reader.Source}: the '{prefix}' pooled response model's segments differ from its reward model's.");
        using var ms = new MemoryStream(reader.ReadBytes($"{prefix}-response-pooled.zip"));
        return new PooledResponse(Floats(j["winsor_low"]!), Floats(j["winsor_high"]!), Floats(j["mean"]!), Floats(j["sd"]!),
            j["deviation"]!.GetValue<float>(), saved, j["actions"]!.GetValue<int>(), ml.Model.Load(ms, out _));
    }
}
