namespace Workbench.Analytics.Actions;

/// <summary>Off-policy estimates of one policy's value (mean long-term value change per decision) on the logged
/// decisions, with the doubly robust estimate's bootstrap interval and, when the data carries it, the true value.</summary>
public sealed record PolicyValue(string Policy, double Dm, double Ips, double Snips, double Dr, double DrCiLow, double DrCiHigh, double? TrueValue)
{
    public bool Covered => TrueValue is double t && t >= DrCiLow && t <= DrCiHigh;
}

/// <summary>All policies' estimates on one log. <paramref name="FoldLearners"/>: the long-term learner chosen inside each
/// cross-fit fold's training accounts (what the cross-fitted "learned" entry used; empty when a trained policy was judged).</summary>
public sealed record ActionEvaluationResult(IReadOnlyList<PolicyValue> Policies, int Decisions, bool PropensitiesEstimated, double ConfidenceLevel,
    IReadOnlyList<string> FoldLearners)
{
    public PolicyValue this[string policy] => Policies.First(p => p.Policy == policy);
}

/// <summary>One policy's per-decision terms on a log (frame order): the doubly robust term, the direct-method prediction,
/// the importance weight of the logged action and the logged action's residual (reward minus the reward model's prediction).</summary>
internal sealed record DrTerms(double[] Dr, double[] Dm, double[] Weight, double[] Residual);

/// <summary>
/// Off-policy evaluation on logged decisions: the direct method (DM: the reward model's prediction under the policy),
/// inverse propensity scoring (IPS), self-normalised IPS (SNIPS) and doubly robust (DR: DM plus the importance-weighted
/// residual of the logged action). The reward model used here is cross-fitted by account (each decision is predicted
/// by a model that did not see its account), and the intervals are bootstraps (by default the union of the percentile interval and a pooled model-based one;
/// percentile, studentized, BCa or the pooled one alone as options: <see cref="ActionOptions.Interval"/>) from the options' seed, resampling accounts (each with all its decisions). Policies: "logging" (what the reps did), "rules", "learned", "myopic" (best immediate value) and
/// "oracle" (best planted long-term value; only when the data carries truth).
/// </summary>
public static class ActionEvaluation
{
    public static readonly string[] PolicyNames = ["logging", "rules", "learned", "myopic", "oracle"];

    /// <summary>Evaluates the learned and myopic policies, the rules (when given), the logging policy and the oracle on
    /// the frame's decisions. The learned and myopic policies are cross-fitted like the reward model: each decision's
    /// action comes from the policy fitted (with <paramref name="options"/>, as <see cref="ActionPolicyEstimator.Fit"/>
    /// does) on the other folds' accounts, so the estimates judge the learning procedure on decisions it did not see
    /// (a policy judged on its own training log looks better than it is: the winner's curse).</summary>
    /// <param name="frame">The logged decisions.</param>
    /// <param name="rules">The if-then rules to judge (omitted from the result when null).</param>
    /// <param name="options">Model, fold and bootstrap options (defaults when null).</param>
    /// <param name="trained">A policy fitted on other data: when given, the learned and myopic entries are its own
    /// choices instead of the cross-fitted ones.</param>
    public static ActionEvaluationResult Evaluate(DecisionFrame frame, RuleSet? rules = null, ActionOptions? options = null, ActionPolicyModel? trained = null) =>
        EvaluateWithTerms(frame, rules, options, trained).Result;

    /// <summary><see cref="Evaluate"/>, plus each policy's per-decision doubly robust terms, direct-method predictions,
    /// importance weights and the logged action's residual (reward minus the reward model's prediction; the same for every
    /// policy), in the frame's order (for diagnostics of the intervals).</summary>
    internal static (ActionEvaluationResult Result, IReadOnlyDictionary<string, DrTerms> Terms) EvaluateWithTerms(
        DecisionFrame frame, RuleSet? rules = null, ActionOptions? options = null, ActionPolicyModel? trained = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        options ??= new ActionOptions();
        options.Validate();
        int n = frame.Count, k = frame.Actions.Count;
        var (qhat, immediate, foldLearners) = CrossFitted(frame, options);

        var policies = new List<(string Name, double[][] Probabilities)>();
        policies.Add(("logging", LoggingPolicy(frame)));
        if (rules is not null) policies.Add(("rules", ActionPolicyModel.Greedy(rules.Apply(frame.Contexts, frame.Actions).Select(m => OneHot(m.ActionIndex, k)).ToArray())));
        if (trained is not null && !trained.Actions.SequenceEqual(frame.Actions))
            throw new WorkbenchException($"The log's actions ({string.Join(", ", frame.Actions)}) are not the model's ({string.Join(", ", trained.Actions)}).");
        policies.Add(("learned", trained?.LearnedPolicy(frame.Contexts) ?? ActionPolicyModel.Greedy(qhat)));
        policies.Add(("myopic", trained?.MyopicPolicy(frame.Contexts) ?? ActionPolicyModel.Greedy(immediate)));
        if (frame.TrueValue is { } tv) policies.Add(("oracle", ActionPolicyModel.Greedy(tv)));

        var results = new List<PolicyValue>();
        var terms = new Dictionary<string, DrTerms>();
        foreach (var (name, pi) in policies)
        {
            var (value, t) = Estimate(name, frame, pi, qhat, options, name == "logging");
            results.Add(value);
            terms[name] = t;
        }
        return (new ActionEvaluationResult(results, n, frame.PropensitiesEstimated, 0.95, trained is null ? foldLearners : []), terms);
    }

    static double[] OneHot(int a, int k) { var p = new double[k]; p[a] = 1; return p; }

    /// <summary>The logging policy: its full distribution from the truth when known, else the logged action with
    /// the logged propensity (enough for IPS/DR: the weight is one).</summary>
    static double[][] LoggingPolicy(DecisionFrame frame)
    {
        if (frame.TrueLoggingPropensity is { } tl) return tl;
        return frame.Decisions.Select(d => OneHot(d.Action, frame.Actions.Count)).ToArray();
    }

    /// <summary>Cross-fitted long-term and immediate reward predictions [decision][action], folds by account.</summary>
    internal static (double[][] LongTerm, double[][] Immediate, IReadOnlyList<string> Learners) CrossFitted(DecisionFrame frame, ActionOptions o)
    {
        int folds = o.CrossFitFolds;
        var accounts = frame.Decisions.Select(d => d.AccountId).Distinct().Order(StringComparer.Ordinal).ToArray();
        var rng = new Random(RunContext.DeriveSeed(o.Seed, "actions/folds"));
        var foldOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = accounts.OrderBy(_ => rng.Next()).ToArray();
        for (int i = 0; i < order.Length; i++) foldOf[order[i]] = i % folds;
        var result = new double[frame.Count][];
        var immediate = new double[frame.Count][];
        var learners = new List<string>();
        for (int f = 0; f < folds; f++)
        {
            var train = Enumerable.Range(0, frame.Count).Where(i => foldOf[frame.Decisions[i].AccountId] != f).ToArray();
            var test = Enumerable.Range(0, frame.Count).Where(i => foldOf[frame.Decisions[i].AccountId] == f).ToArray();
            if (test.Length == 0) continue;
            var ctx = frame.Subset(test).Contexts;
            // The learner is chosen inside the fold's training accounts, as Fit chooses it on the whole log.
            var (model, choice) = RewardModel.FitChosen(frame, train, o, RunContext.DeriveSeed(o.Seed, "actions/cross-fit/" + f));
            learners.Add(choice.Learner);
            var pred = model.Predict(ctx);
            var imm = RewardModel.Fit(frame, train, RewardTarget.Immediate, RewardLearner.LogisticTree, o, RunContext.DeriveSeed(o.Seed, "actions/cross-fit-immediate/" + f)).Predict(ctx);
            for (int j = 0; j < test.Length; j++) { result[test[j]] = pred[j]; immediate[test[j]] = imm[j]; }
        }
        return (result, immediate, learners);
    }

    static (PolicyValue Value, DrTerms Terms) Estimate(string name, DecisionFrame frame, double[][] pi, double[][] qhat, ActionOptions o, bool onPolicy)
    {
        int n = frame.Count;
        var dm = new double[n]; var w = new double[n]; var r = new double[n]; var dr = new double[n]; var e = new double[n];
        for (int i = 0; i < n; i++)
        {
            var d = frame.Decisions[i];
            double direct = 0;
            for (int a = 0; a < pi[i].Length; a++) direct += pi[i][a] * qhat[i][a];
            double weight = onPolicy && frame.TrueLoggingPropensity is null ? 1 : Math.Min(o.MaxWeight, pi[i][d.Action] / Math.Max(1e-9, d.Propensity));
            dm[i] = direct; w[i] = weight; r[i] = d.Reward; e[i] = d.Reward - qhat[i][d.Action];
            dr[i] = direct + weight * e[i];
        }
        double Dm(int[] idx) => idx.Average(i => dm[i]);
        double Ips(int[] idx) => idx.Average(i => w[i] * r[i]);
        double Snips(int[] idx) { double sw = idx.Sum(i => w[i]); return sw > 0 ? idx.Sum(i => w[i] * r[i]) / sw : 0; }
        double Dr(int[] idx) => idx.Average(i => dr[i]);
        var all = Enumerable.Range(0, n).ToArray();

        var terms = new DrTerms(dr, dm, w, e);
        var (low, high) = DrInterval(frame, terms, o, name);
        double? truth = null;
        if (frame.TrueValue is { } tv)
        {
            double s = 0;
            for (int i = 0; i < n; i++) for (int a = 0; a < pi[i].Length; a++) s += pi[i][a] * tv[i][a];
            truth = s / n;
        }
        return (new PolicyValue(name, Dm(all), Ips(all), Snips(all), Dr(all), low, high, truth), terms);
    }

    /// <summary>The 95% interval of a policy's doubly robust estimate from its per-decision <paramref name="terms"/>, read as
    /// <paramref name="o"/>'s <see cref="ActionOptions.Interval"/>: a cluster bootstrap over accounts (from the options' seed
    /// and the policy's name), the normal interval of the pooled standard error (<see cref="PooledVariance"/>), or the
    /// union of the percentile and pooled ones.</summary>
    internal static (double Low, double High) DrInterval(DecisionFrame frame, DrTerms terms, ActionOptions o, string policy)
    {
        if (o.Interval is not (BootstrapInterval.Pooled or BootstrapInterval.PercentileOrPooled)) return DrInterval(frame, terms.Dr, o, policy);
        var (low, high) = PooledInterval(frame, terms, 0.95, bins: PooledVariance.Bins);
        if (o.Interval == BootstrapInterval.Pooled) return (low, high);
        // The union: the percentile interval keeps its reach toward a tail the log did sample, the pooled one its width
        // where the log lacks the large responses.
        var (pl, ph) = DrInterval(frame, terms.Dr, o with { Interval = BootstrapInterval.Percentile }, policy);
        return (Math.Min(low, pl), Math.Max(high, ph));
    }

    /// <summary>The normal interval (estimate +- z SE) with <see cref="PooledVariance"/>'s standard error, accounts as clusters.</summary>
    internal static (double Low, double High) PooledInterval(DecisionFrame frame, DrTerms terms, double level, double[]? scale = null, int bins = 1)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var cluster = frame.Decisions.Select(d => index.TryGetValue(d.AccountId, out int c) ? c : index[d.AccountId] = index.Count).ToArray();
        var action = frame.Decisions.Select(d => d.Action).ToArray();
        var predicted = bins > 1 ? frame.Decisions.Select((d, i) => d.Reward - terms.Residual[i]).ToArray() : null;
        double se = PooledVariance.StandardError(cluster, action, terms.Dm, terms.Weight, terms.Residual, scale, predicted, bins);
        double mean = terms.Dr.Average(), z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 1 - (1 - level) / 2);
        return (mean - z * se, mean + z * se);
    }

    /// <summary>The 95% interval of the mean of per-decision doubly robust terms <paramref name="dr"/> (in the frame's order)
    /// by a cluster bootstrap over accounts, read as <paramref name="o"/>'s <see cref="ActionOptions.Interval"/> (a bootstrap
    /// kind), from the options' seed and the policy's name.</summary>
    internal static (double Low, double High) DrInterval(DecisionFrame frame, double[] dr, ActionOptions o, string policy)
    {
        // Cluster bootstrap: accounts are resampled with all their decisions (an account's decisions share its size,
        // segment and hazards, so they are not independent; resampling rows would make the interval too narrow).
        var clusters = frame.Decisions.Select((d, i) => (d.AccountId, i)).GroupBy(x => x.AccountId, StringComparer.Ordinal)
            .Select(g => (Sum: g.Sum(x => dr[x.i]), Count: g.Count())).ToArray();
        var rng = new Random(RunContext.DeriveSeed(o.Seed, "actions/bootstrap/" + policy));
        return ClusterBootstrap.Interval(clusters, o.BootstrapSamples, 0.95, o.Interval, rng);
    }

    /// <summary>The true value of a policy given as one action per decision (planted truth required).</summary>
    public static double TrueValue(DecisionFrame frame, IReadOnlyList<int> actions)
    {
        var tv = frame.TrueValue ?? throw new WorkbenchException("The data carries no planted action values (truth/action_values.csv).");
        return Enumerable.Range(0, frame.Count).Average(i => tv[i][actions[i]]);
    }
}
