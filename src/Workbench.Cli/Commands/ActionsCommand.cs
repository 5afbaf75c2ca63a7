using Workbench.Analytics.Actions;
using Workbench.Experiments.Artifacts;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench actions --model NAME|FILE --data DIR --out DIR [--rules FILE] [--seed S]</c>: next best action per
/// account from a learned policy (a contextual bandit fitted from the action log), with the off-policy value of the
/// logging, rules, learned, myopic and oracle policies.</summary>
public static class ActionsCommand
{
    public static Command Create()
    {
        var io = new CommandFlags(model: "An action-policy model file to apply, or a NAME: a new policy is fitted on the data's action log and saved to OUT/action-policy.zip.",
            data: "Dataset folder (canonical tables with actions.csv, optional truth/).", output: "Output folder (replaced as a whole when the run succeeds).", lenient: true);
        var rules = new Option<string?>("--rules") { Description = "If-then rules (JSON); default: the built-in starter rules." };
        var seed = CliOptions.Seed("Seed of every random draw (model fit, folds, bootstrap).");
        return CliCommand.Create("actions", "Next best action per account: a learned policy (reward model per action on the long-term value change) " +
            "against if-then rules, a myopic policy and the logging policy, judged off-policy (DM, IPS, SNIPS, doubly robust with bootstrap intervals); " +
            "writes policy-values.json, next-actions.csv and action-policy.zip.",
            io, [rules, seed], p =>
        {
            var options = new ActionOptions { Seed = p.GetValue(seed) };
            options.Validate();
            var dataset = io.LoadData(p);
            string modelArg = io.ModelArgument(p);
            ActionPolicyModel policy;
            DecisionFrame frame;
            bool loaded = File.Exists(modelArg);
            if (loaded)
            {
                using var s = File.OpenRead(modelArg);
                policy = ActionPolicyModel.Load(s, modelArg);
                // A policy promoted from a run carries the run's segmentation: the contexts get the segment it was fitted on.
                frame = DecisionFrame.Build(dataset, policy.Segmentation);
            }
            else if (modelArg.IndexOfAny(['/', '\\']) >= 0 || modelArg.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
                throw new WorkbenchException($"--model: the model file '{modelArg}' does not exist (give an existing action-policy model file, or a plain NAME to fit a new policy).");
            else
            {
                frame = DecisionFrame.Build(dataset);
                policy = CliProgress.Run("actions", _ => ActionPolicyEstimator.Fit(frame, options));
            }

            string rulesText = RuleSet.DefaultJson, rulesSource = "built-in rules";
            if (p.GetValue(rules) is { } rulesPath)
            {
                if (!File.Exists(rulesPath)) throw new WorkbenchException($"--rules: the file '{rulesPath}' does not exist.");
                rulesText = File.ReadAllText(rulesPath); rulesSource = rulesPath;
            }
            var ruleSet = RuleSet.Parse(rulesText, policy.Actions, rulesSource);
            // Without a run's segmentation in the policy the command observes no segment (the planted one is truth, never a
            // context), so every account's segment column is 0 and a condition on it would match every account or none.
            if (policy.Segmentation is null && ruleSet.Rules.FirstOrDefault(r => r.When.Any(c => c.Feature == "segment")) is { } bySegment)
                throw new WorkbenchException($"{rulesSource}:{bySegment.Line}: rule '{bySegment.Name}' has a condition on 'segment', but workbench actions " +
                    "observes no segment (the segment column is 0 for every account); condition on the registry features or annual_value instead.");
            var evaluation = ActionEvaluation.Evaluate(frame, ruleSet, options, loaded ? policy : null);
            var (ids, ctx) = DecisionFrame.Current(dataset, policy.Segmentation);
            var next = ActionArtifacts.Recommend(policy, ruleSet, ids, ctx, NextBestProduct.Recommend(dataset, new NextProductOptions { Seed = options.Seed }));
            var files = ActionArtifacts.Write(policy, evaluation, next, io.OutDirectory(p));

            var ci = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Format(ci, "{0:N0} logged decisions over {1} actions{2}; {3:N0} accounts recommended.", frame.Count, frame.Actions.Count,
                frame.PropensitiesEstimated ? " (propensities ESTIMATED: the log has none)" : "", next.Count));
            foreach (var v in evaluation.Policies)
                Console.WriteLine(string.Format(ci, "  {0,-8} DM {1,9:F1}  IPS {2,9:F1}  SNIPS {3,9:F1}  DR {4,9:F1} [{5:F1}, {6:F1}]{7}",
                    v.Policy, v.Dm, v.Ips, v.Snips, v.Dr, v.DrCiLow, v.DrCiHigh, v.TrueValue is double t ? string.Format(ci, "  true {0:F1}", t) : ""));
            CliCommand.Wrote(files);
        });
    }
}
