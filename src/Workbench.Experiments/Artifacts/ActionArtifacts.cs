using Workbench.Analytics.Actions;
using Workbench.Experiments.Promotion;

namespace Workbench.Experiments.Artifacts;

/// <summary>What <c>workbench actions</c> writes: policy-values.json (the off-policy estimates per policy, with the true
/// value on generated data), next-actions.csv (one recommendation per account) and the policy model file.</summary>
public static class ActionArtifacts
{
    public const string PolicyValuesFile = "policy-values.json", NextActionsFile = "next-actions.csv", ModelFileName = "action-policy.zip";
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The per-account recommendation written to next-actions.csv.</summary>
    public sealed record NextAction(string AccountId, string Action, string Product, double ExpectedValue, string Reason);

    /// <summary>Recommendations for every account with spend in the last month: the learned policy's action, with a
    /// reason naming the expected gain, the myopic alternative and the matching rule.</summary>
    public static IReadOnlyList<NextAction> Recommend(ActionPolicyModel model, RuleSet rules, IReadOnlyList<string> accountIds, float[] contexts,
        IReadOnlyList<ProductRecommendation>? products = null)
    {
        var productOf = (products ?? []).ToDictionary(p => p.AccountId, p => p.Best, StringComparer.Ordinal);
        var recs = model.Recommend(accountIds, contexts);
        var matches = rules.Apply(contexts, model.Actions);
        return recs.Select((r, i) =>
        {
            var m = matches[i];
            var best = productOf.GetValueOrDefault(r.AccountId);
            string reason = string.Create(Inv, $"The learned policy expects {r.Action} to add {r.ExpectedValue:F0} over the next 12 months")
                + (r.MyopicAction != r.Action ? $" (the best immediate response would be {r.MyopicAction})" : "")
                + $"; rule '{m.Rule}' says {m.Action}: {m.Reason}"
                + (best is null ? "" : string.Create(Inv, $"; next product {best.ProductId} ({(best.Held ? "add-on" : "cross-sell")}, propensity {best.Propensity:F2}, about {best.ExpectedAmount:F0} a month)"));
            return new NextAction(r.AccountId, r.Action, best?.ProductId ?? m.Product ?? "", r.ExpectedValue, reason);
        }).ToArray();
    }

    /// <summary>policy-values.json: one entry per policy (dm, ips, snips, dr, dr_ci_low, dr_ci_high, true_value when known),
    /// then the log's facts and which learner the learned policy used: <c>learner</c>, the model file's (chosen on the whole
    /// log; absent without a model), and <c>learned_fold_learners</c>, the one chosen in each cross-fit fold (what the
    /// "learned" entry's numbers judge; empty when a trained policy was judged as is).</summary>
    public static JsonObject PolicyValuesDocument(ActionEvaluationResult evaluation, ActionPolicyModel? model = null)
    {
        static JsonNode? N(double? v) => v is double d ? JsonValue.Create(Math.Round(d, 4)) : null;
        var root = new JsonObject();
        foreach (var name in ActionEvaluation.PolicyNames)
        {
            var p = evaluation.Policies.FirstOrDefault(x => x.Policy == name);
            var entry = new JsonObject
            {
                ["dm"] = N(p?.Dm), ["ips"] = N(p?.Ips), ["snips"] = N(p?.Snips), ["dr"] = N(p?.Dr),
                ["dr_ci_low"] = N(p?.DrCiLow), ["dr_ci_high"] = N(p?.DrCiHigh),
            };
            if (p?.TrueValue is double t) entry["true_value"] = Math.Round(t, 4);
            root[name] = entry;
        }
        root["decisions"] = evaluation.Decisions;
        root["propensities_estimated"] = evaluation.PropensitiesEstimated;
        root["confidence_level"] = evaluation.ConfidenceLevel;
        if (model is not null) root["learner"] = model.LearnerChoice.Learner;
        root["learned_fold_learners"] = new JsonArray(evaluation.FoldLearners.Select(l => (JsonNode)JsonValue.Create(l)!).ToArray());
        return root;
    }

    public static string NextActionsCsv(IReadOnlyList<NextAction> rows)
    {
        var sb = new StringBuilder("account_id,action,product,expected_value,reason\n");
        foreach (var r in rows)
            sb.Append(Csv(r.AccountId)).Append(',').Append(Csv(r.Action)).Append(',').Append(Csv(r.Product)).Append(',')
              .Append(Math.Round(r.ExpectedValue, 2).ToString("0.##", Inv)).Append(',').Append(Csv(r.Reason)).Append('\n');
        return sb.ToString();
    }

    static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    /// <summary>Writes the three files into <paramref name="outDir"/> through a staging folder (all or nothing).</summary>
    public static IReadOnlyList<string> Write(ActionPolicyModel model, ActionEvaluationResult evaluation, IReadOnlyList<NextAction> next, string outDir)
    {
        var staging = AtomicDirectory.StagingFor(outDir);
        try
        {
            AtomicFile.WriteText(Path.Combine(staging, PolicyValuesFile), PolicyValuesDocument(evaluation, model).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            AtomicFile.WriteText(Path.Combine(staging, NextActionsFile), NextActionsCsv(next));
            AtomicFile.Write(Path.Combine(staging, ModelFileName), model.Save);
            AtomicDirectory.Replace(staging, outDir);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        var full = Path.GetFullPath(outDir);
        return [Path.Combine(full, PolicyValuesFile), Path.Combine(full, NextActionsFile), Path.Combine(full, ModelFileName)];
    }
}
