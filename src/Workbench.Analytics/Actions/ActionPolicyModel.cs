namespace Workbench.Analytics.Actions;

/// <summary>One recommendation: the action, the expected long-term value change it brings (the reward model's
/// prediction), the best immediate alternative, and the propensity the policy would log when it explores.</summary>
public sealed record ActionRecommendation(string AccountId, string Action, double ExpectedValue, string MyopicAction,
    double ExpectedImmediate, double Propensity, IReadOnlyList<double> ExpectedByAction);

/// <summary>
/// The learned next-best-action policy (a contextual bandit fitted from logged decisions): a reward model per action
/// predicting the long-term value change, its learner chosen by the cross-validated value of its policy
/// (<see cref="LearnerChoice"/>), and one predicting the immediate value (for the myopic comparison; version 2's
/// learner, logistic response x FastTree value). The policy recommends the action with the highest expected long-term
/// gain; used live it explores with probability <see cref="ActionOptions.Exploration"/> and logs the propensity of what
/// it did. Saved as one model file (version 3 records the chosen learner; version 4 adds the pooled response learner,
/// whose entries older readers would ignore, hence the new version; version 5 adds the observed segmentation
/// (<see cref="Segmentation"/>, entry observed-segments.json) that gives the segment column of its contexts; version-3
/// and version-4 files, fitted on segment 0, load without one; version-2 files load as the fixed logistic x FastTree learner).
/// </summary>
public sealed class ActionPolicyModel : IWorkbenchModel
{
    public const string ModelKind = "action-policy";
    public const int FormatVersion = 5;
    public string Kind => ModelKind;

    public IReadOnlyList<string> Actions { get; }
    public ActionOptions Options { get; }
    /// <summary>Decisions the model was fitted on, and whether their propensities were estimated.</summary>
    public int TrainingDecisions { get; }
    public bool PropensitiesEstimated { get; }
    /// <summary>The long-term reward model's learner and how it was chosen (no candidates: a version-2 file's fixed learner).</summary>
    public LearnerChoice LearnerChoice { get; }
    internal RewardModel LongTerm { get; }
    internal RewardModel Immediate { get; }
    /// <summary>The segmentation that gives the segment column of the contexts the model was fitted on (null: segment 0);
    /// build contexts to recommend for with <see cref="DecisionFrame.Current(CrmDataset, ObservedSegments?)"/> and it.</summary>
    public ObservedSegments? Segmentation { get; }

    internal ActionPolicyModel(IReadOnlyList<string> actions, ActionOptions options, int decisions, bool estimated, RewardModel longTerm, RewardModel immediate,
        LearnerChoice choice, ObservedSegments? segmentation)
    {
        Actions = actions; Options = options; TrainingDecisions = decisions; PropensitiesEstimated = estimated;
        LongTerm = longTerm; Immediate = immediate; LearnerChoice = choice; Segmentation = segmentation;
    }

    /// <summary>Predicted long-term value change of every action per context row: [row][action].</summary>
    public double[][] ExpectedValues(float[] contexts) => LongTerm.Predict(contexts);

    /// <summary>Predicted immediate value of every action per context row: [row][action].</summary>
    public double[][] ExpectedImmediateValues(float[] contexts) => Immediate.Predict(contexts);

    /// <summary>The greedy learned policy (one-hot per row).</summary>
    public double[][] LearnedPolicy(float[] contexts) => Greedy(ExpectedValues(contexts));

    /// <summary>The myopic policy: the action with the best predicted immediate value.</summary>
    public double[][] MyopicPolicy(float[] contexts) => Greedy(ExpectedImmediateValues(contexts));

    internal static double[][] Greedy(double[][] values) => values.Select(v =>
    {
        var p = new double[v.Length];
        p[ArgMax(v)] = 1;
        return p;
    }).ToArray();

    internal static int ArgMax(IReadOnlyList<double> v)
    {
        int best = 0;
        for (int a = 1; a < v.Count; a++) if (v[a] > v[best]) best = a;
        return best;
    }

    /// <summary>Recommends an action per account (contexts as built by <see cref="DecisionFrame.Current(CrmDataset, ObservedSegments?)"/>).</summary>
    public IReadOnlyList<ActionRecommendation> Recommend(IReadOnlyList<string> accountIds, float[] contexts)
    {
        var lt = ExpectedValues(contexts);
        var im = ExpectedImmediateValues(contexts);
        double e = Options.Exploration; int k = Actions.Count;
        return accountIds.Select((id, i) =>
        {
            int best = ArgMax(lt[i]), myopic = ArgMax(im[i]);
            return new ActionRecommendation(id, Actions[best], lt[i][best], Actions[myopic], im[i][myopic], 1 - e + e / k, lt[i]);
        }).ToArray();
    }

    public void Save(Stream stream) => ModelFile.Write(stream, ModelKind, FormatVersion, w =>
    {
        static JsonArray Nums(IEnumerable<double> xs) => new(xs.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray());
        var o = Options;
        w.AddJson("policy.json", new JsonObject
        {
            ["actions"] = new JsonArray(Actions.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
            ["context"] = new JsonArray(DecisionFrame.ContextNames.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
            ["training_decisions"] = TrainingDecisions,
            ["propensities_estimated"] = PropensitiesEstimated,
            ["options"] = new JsonObject
            {
                ["trees"] = o.ValueModel.Trees, ["leaves"] = o.ValueModel.Leaves, ["min_leaf_count"] = o.ValueModel.MinExamplesPerLeaf,
                ["learning_rate"] = o.ValueModel.LearningRate,
                ["exploration"] = o.Exploration, ["bootstrap_samples"] = o.BootstrapSamples, ["cross_fit_folds"] = o.CrossFitFolds,
                ["max_weight"] = o.MaxWeight, ["seed"] = o.Seed,
            },
            ["long_term_fallback"] = Nums(LongTerm.Fallback),
            ["immediate_fallback"] = Nums(Immediate.Fallback),
            ["long_term_segments"] = new JsonArray(LongTerm.Segments.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
            ["immediate_segments"] = new JsonArray(Immediate.Segments.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
            ["long_term_learner"] = LongTerm.Learner.ToJson(),
            ["immediate_learner"] = Immediate.Learner.ToJson(),
            ["long_term_ratio_scale"] = Nums(LongTerm.RatioScale),
            ["immediate_ratio_scale"] = Nums(Immediate.RatioScale),
            ["learner_choice"] = new JsonObject
            {
                ["chosen"] = LearnerChoice.Learner,
                ["held_out_dr_value_per_decision"] = new JsonObject(LearnerChoice.Candidates.Select(c => KeyValuePair.Create(c.Learner, (JsonNode?)JsonValue.Create(c.HeldOutValue)))),
            },
        });
        LongTerm.Save(w, "long-term");
        Immediate.Save(w, "immediate");
        if (Segmentation is { } seg) w.AddJson(SegmentationEntry, seg.ToJson());
    });

    const string SegmentationEntry = "observed-segments.json";

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <remarks>Version 2 (logistic response x FastTree value, before the learner choice) loads as that fixed learner.</remarks>
    /// <exception cref="WorkbenchException">Not an action-policy model file, another version (newer, or version 1 with tree
    /// response models), or a missing entry.</exception>
    public static ActionPolicyModel Load(Stream stream, string source = "the model file")
    {
        using var reader = ModelFile.Open(stream, ModelKind, FormatVersion, source);
        if (reader.Version < 2)
            throw new WorkbenchException($"{source}: an action-policy model of format version {reader.Version} (tree response models); this Workbench reads versions 2 to {FormatVersion} (logistic response models) only: re-train the model with 'workbench actions'.");
        var j = reader.ReadJson("policy.json");
        try
        {
            var actions = j["actions"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
            var context = j["context"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
            if (!context.SequenceEqual(DecisionFrame.ContextNames))
                throw new WorkbenchException($"{source}: the model's context columns ({string.Join(", ", context)}) are not this Workbench's ({string.Join(", ", DecisionFrame.ContextNames)}); re-train the model.");
            var oj = j["options"]!.AsObject();
            var options = new ActionOptions
            {
                ValueModel = new(Trees: oj["trees"]!.GetValue<int>(), Leaves: oj["leaves"]!.GetValue<int>(),
                    MinExamplesPerLeaf: oj["min_leaf_count"]!.GetValue<int>(), LearningRate: oj["learning_rate"]!.GetValue<double>()),
                Exploration = oj["exploration"]!.GetValue<double>(),
                BootstrapSamples = oj["bootstrap_samples"]!.GetValue<int>(), CrossFitFolds = oj["cross_fit_folds"]!.GetValue<int>(),
                MaxWeight = oj["max_weight"]!.GetValue<double>(), Seed = oj["seed"]!.GetValue<int>(),
            };
            double[] Fallback(string name) => j[name]!.AsArray().Select(n => n!.GetValue<double>()).ToArray();
            int[] Segments(string name) => j[name]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
            bool v2 = reader.Version == 2; // one fixed learner, no ratio scales, no choice
            var ltLearner = v2 ? RewardLearner.LogisticTree : RewardLearner.FromJson(j["long_term_learner"]!);
            var imLearner = v2 ? RewardLearner.LogisticTree : RewardLearner.FromJson(j["immediate_learner"]!);
            double[] Ratio(string name) => v2 ? new double[actions.Length] : Fallback(name);
            var lt = RewardModel.Load(reader, "long-term", ltLearner, Fallback("long_term_fallback"), Ratio("long_term_ratio_scale"), Segments("long_term_segments"), options.Seed);
            var im = RewardModel.Load(reader, "immediate", imLearner, Fallback("immediate_fallback"), Ratio("immediate_ratio_scale"), Segments("immediate_segments"), options.Seed);
            var choice = v2 ? new LearnerChoice(ltLearner.Name, [])
                : new LearnerChoice(j["learner_choice"]!["chosen"]!.GetValue<string>(),
                    [.. j["learner_choice"]!["held_out_dr_value_per_decision"]!.AsObject().Select(kv => (kv.Key, kv.Value!.GetValue<double>()))]);
            var segmentation = reader.Version >= 5 && reader.Has(SegmentationEntry) ? ObservedSegments.FromJson(reader.ReadJson(SegmentationEntry), source) : null;
            return new ActionPolicyModel(actions, options, j["training_decisions"]!.GetValue<int>(), j["propensities_estimated"]!.GetValue<bool>(), lt, im, choice, segmentation);
        }
        catch (Exception ex) when (ex is NullReferenceException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new WorkbenchException($"{source}: entry 'policy.json' is incomplete or has a value of the wrong type ({ex.Message}).");
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"action policy over {Actions.Count} actions fitted on {TrainingDecisions} decisions{(PropensitiesEstimated ? " (propensities estimated)" : "")}, learner {LearnerChoice.Learner}");
}

/// <summary>Fits the learned action policy from logged decisions.</summary>
public static class ActionPolicyEstimator
{
    /// <summary>Fits the long-term and the immediate reward models on every decision of the frame. The long-term model's
    /// learner is chosen among a few candidates (logistic response penalties x linear, ratio or FastTree value models, with
    /// or without a risk index) by the doubly robust value of each one's greedy policy on held-out accounts of the frame
    /// (grouped 5-fold; no truth is read); the immediate model is the fixed logistic x FastTree learner.</summary>
    /// <exception cref="OptionsValidationException">An option is out of range.</exception>
    public static ActionPolicyModel Fit(DecisionFrame frame, ActionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        options ??= new ActionOptions();
        options.Validate();
        var rows = Enumerable.Range(0, frame.Count).ToArray();
        var (lt, choice) = RewardModel.FitChosen(frame, rows, options, RunContext.DeriveSeed(options.Seed, "actions/long-term"));
        var im = RewardModel.Fit(frame, rows, RewardTarget.Immediate, RewardLearner.LogisticTree, options, RunContext.DeriveSeed(options.Seed, "actions/immediate"));
        return new ActionPolicyModel(frame.Actions, options, frame.Count, frame.PropensitiesEstimated, lt, im, choice, frame.Segmentation);
    }
}
