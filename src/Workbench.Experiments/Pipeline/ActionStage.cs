using Workbench.Analytics.Actions;
using Workbench.Analytics.Scoring;

namespace Workbench.Experiments.Pipeline;

/// <summary>What the <c>actions</c> stage produced: the fitted policy, its off-policy evaluation, the next action per
/// account, next best product's held-out evaluation (null when the data is too short for one) and the files written.</summary>
public sealed record ActionStageOutput(ActionPolicyModel Model, ActionEvaluationResult Evaluation, IReadOnlyList<ActionArtifacts.NextAction> NextActions,
    NextProductEvaluation? Products, IReadOnlyList<string> Files);

/// <summary>
/// The <c>actions</c> section of an experiment (the same work as <c>workbench actions</c>): fits the learned policy on the
/// data's action log, judges the logging, rules (the built-in starter rules), learned, myopic and oracle policies
/// off-policy, recommends the next action and product per account, and writes policy-values.json, next-actions.csv and
/// the policy model file. The run saves the model beside the prioritizer (<see cref="ModelFileName"/>), promotion copies
/// it, and scoring then fills each scored account's next action (<see cref="ReadBookModel"/>, <see cref="FillBook"/>).
/// </summary>
public static class ActionStage
{
    public const string ModelFileName = ActionArtifacts.ModelFileName;

    /// <summary>Fits, judges and recommends on <paramref name="data"/>'s action log and writes the files into
    /// <paramref name="outDir"/> with <paramref name="options"/>; <paramref name="segmentation"/> is the run's segmentation,
    /// applied point in time as the contexts' segment column and saved with the policy (so scoring reads the same segment);
    /// null: segment 0.</summary>
    public static ActionStageOutput Run(CrmDataset data, string outDir, ActionOptions options, ObservedSegments? segmentation = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var frame = DecisionFrame.Build(data, segmentation);
        var model = ActionPolicyEstimator.Fit(frame, options);
        var rules = RuleSet.Parse(RuleSet.DefaultJson, model.Actions, "built-in rules");
        var evaluation = ActionEvaluation.Evaluate(frame, rules, options);
        var next = NextActions(model, data, options.Seed);
        NextProductEvaluation? products = null;
        try { products = NextBestProduct.Evaluate(data, new NextProductOptions { Seed = options.Seed }); }
        catch (WorkbenchException) { } // too short, or no purchase in the held-out window: no hit rates to report
        var files = ActionArtifacts.Write(model, evaluation, next, outDir);
        return new ActionStageOutput(model, evaluation, next, products, files);
    }

    /// <summary>The next action and product of every account with spend in the data's last month, with the reason.</summary>
    public static IReadOnlyList<ActionArtifacts.NextAction> NextActions(ActionPolicyModel model, CrmDataset data, int seed)
    {
        var rules = RuleSet.Parse(RuleSet.DefaultJson, model.Actions, "built-in rules");
        var (ids, ctx) = DecisionFrame.Current(data, model.Segmentation);
        return ActionArtifacts.Recommend(model, rules, ids, ctx, NextBestProduct.Recommend(data, new NextProductOptions { Seed = seed }));
    }

    /// <summary>The action part of a run's (or promoted) model folder: <see cref="ModelFileName"/> when present, else null.</summary>
    public static ActionPolicyModel? ReadBookModel(string modelDir)
    {
        var path = Path.Combine(modelDir, ModelFileName);
        if (!File.Exists(path)) return null;
        using var stream = File.OpenRead(path);
        return ActionPolicyModel.Load(stream, path);
    }

    /// <summary>Fills <see cref="ScoredAccount.NextAction"/> of every scored account the policy recommends for (accounts
    /// without spend in the last month get none).</summary>
    public static ScoringResult FillBook(ScoringResult result, ActionPolicyModel model, CrmDataset data)
    {
        var next = NextActions(model, data, model.Options.Seed).ToDictionary(n => n.AccountId, StringComparer.Ordinal);
        return result with
        {
            Books = result.Books.Select(b => b with
            {
                Accounts = b.Accounts.Select(a => next.TryGetValue(a.AccountId, out var n)
                    ? a with { NextAction = new NextBestAction(n.Action, n.Product.Length == 0 ? null : n.Product, n.Reason, n.ExpectedValue) }
                    : a).ToList(),
            }).ToList(),
        };
    }

    /// <summary>"actions.learned.dr", "actions.learned.true_value", "actions.learned_value_vs_oracle", "actions.product_hit_at_1", ...</summary>
    public static IEnumerable<KeyValuePair<string, double>> FlatMetrics(ActionStageOutput o)
    {
        var e = o.Evaluation;
        yield return new("decisions", e.Decisions);
        yield return new("propensities_estimated", e.PropensitiesEstimated ? 1 : 0);
        foreach (var p in e.Policies)
        {
            yield return new($"{p.Policy}.dm", p.Dm);
            yield return new($"{p.Policy}.ips", p.Ips);
            yield return new($"{p.Policy}.snips", p.Snips);
            yield return new($"{p.Policy}.dr", p.Dr);
            yield return new($"{p.Policy}.dr_ci_low", p.DrCiLow);
            yield return new($"{p.Policy}.dr_ci_high", p.DrCiHigh);
            if (p.TrueValue is double t) yield return new($"{p.Policy}.true_value", t);
        }
        if (e.Policies.FirstOrDefault(p => p.Policy == "learned")?.TrueValue is double learned
            && e.Policies.FirstOrDefault(p => p.Policy == "oracle")?.TrueValue is double oracle && oracle != 0)
            yield return new("learned_value_vs_oracle", learned / oracle);
        if (o.Products is { } np)
        {
            yield return new("product_hit_at_1", np.HitAt1);
            yield return new("product_hit_at_3", np.HitAt3);
            yield return new("popularity_hit_at_1", np.PopularityHitAt1);
            yield return new("popularity_hit_at_3", np.PopularityHitAt3);
        }
    }
}
