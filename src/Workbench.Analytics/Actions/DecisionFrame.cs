namespace Workbench.Analytics.Actions;

/// <summary>One logged decision: who, when, which action (index into <see cref="DecisionFrame.Actions"/>), the logged
/// propensity (or the estimated one when the log lacks it), the reward (long-term value change) and the immediate value.</summary>
public readonly record struct Decision(string ActionId, string AccountId, DateOnly Date, int Action, double Propensity,
    double Reward, double Immediate, bool Responded);

/// <summary>
/// The logged decisions with their point-in-time context: for each action in actions.csv, the registry features of
/// the account's anchor product (its first product by id with spend before the month) as of the action's month, the
/// annual value (12 x the account's spend last month) and the segment the caller observed (0 when none is given: the
/// run, <c>workbench actions</c> and <c>workbench score</c> give none, so they build the same contexts). Contexts read only data dated before the
/// action's month (the same rule as every feature). Also builds the current context of every account, for
/// recommending the next action.
/// </summary>
public sealed class DecisionFrame
{
    /// <summary>Registry features used as context (all of them are point-in-time features of <see cref="FeatureBuilder"/>).</summary>
    public static readonly string[] RegistryFeatures =
    [
        "utilization_mean_3m", "utilization_change_3m", "utilization_change_6m", "active_users_growth_3m", "meetings_3m", "emails_3m",
        "ticket_severity_sum_3m", "champion_change_6m", "price_change_6m", "account_products_active", "spend_trend_3v12",
        "account_tenure_months", "months_to_renewal",
    ];
    /// <summary>Context columns: the registry features, then "annual_value" and "segment".</summary>
    public static readonly string[] ContextNames = [.. RegistryFeatures, "annual_value", "segment"];
    public const int AnnualValueColumn = 13, SegmentColumn = 14;

    /// <summary>Action names, sorted (ordinal): the index space of every policy.</summary>
    public IReadOnlyList<string> Actions { get; }
    public IReadOnlyList<Decision> Decisions { get; }
    /// <summary>Row-major contexts [decision * ContextNames.Length + column]; NaN where a feature is missing.</summary>
    public float[] Contexts { get; }
    /// <summary>True when the log carried no propensity and they were estimated (a frequency model per segment).</summary>
    public bool PropensitiesEstimated { get; }
    /// <summary>Planted truth when the data carries it: [decision][action] expected long-term value, expected immediate
    /// value and the logging policy's propensity; null otherwise.</summary>
    public double[][]? TrueValue { get; }
    public double[][]? TrueImmediate { get; }
    public double[][]? TrueLoggingPropensity { get; }
    public double[][]? TrueResponseRate { get; }
    /// <summary>The segmentation that gave the segment column (null: the caller's fixed segments, or 0); a policy fitted
    /// on this frame keeps it, so its recommendations read the segment the same way.</summary>
    public ObservedSegments? Segmentation { get; }

    public int Count => Decisions.Count;
    public static int Width => ContextNames.Length;
    public ReadOnlySpan<float> Context(int i) => Contexts.AsSpan(i * Width, Width);

    DecisionFrame(IReadOnlyList<string> actions, IReadOnlyList<Decision> decisions, float[] contexts, bool estimated,
        double[][]? trueValue, double[][]? trueImmediate, double[][]? trueLogging, double[][]? trueRate, ObservedSegments? segmentation)
    {
        Actions = actions; Decisions = decisions; Contexts = contexts; PropensitiesEstimated = estimated;
        TrueValue = trueValue; TrueImmediate = trueImmediate; TrueLoggingPropensity = trueLogging; TrueResponseRate = trueRate;
        Segmentation = segmentation;
    }

    /// <summary>A frame restricted to some decisions (bootstrap, folds).</summary>
    public DecisionFrame Subset(IReadOnlyList<int> rows)
    {
        var ctx = new float[rows.Count * Width];
        for (int k = 0; k < rows.Count; k++) Context(rows[k]).CopyTo(ctx.AsSpan(k * Width, Width));
        double[][]? Pick(double[][]? a) => a is null ? null : rows.Select(r => a[r]).ToArray();
        return new DecisionFrame(Actions, rows.Select(r => Decisions[r]).ToArray(), ctx, PropensitiesEstimated,
            Pick(TrueValue), Pick(TrueImmediate), Pick(TrueLoggingPropensity), Pick(TrueResponseRate), Segmentation);
    }

    /// <summary>Builds the decisions of <paramref name="data"/>'s action log. The segment column comes from
    /// <paramref name="segments"/> (account id to an observed segment number) when the caller has one, else 0; the planted
    /// truth is read only for the true values (<see cref="TrueValue"/>, ...), never for a context or a propensity.</summary>
    /// <exception cref="WorkbenchException">The log is empty or has fewer than two distinct actions.</exception>
    public static DecisionFrame Build(CrmDataset data, IReadOnlyDictionary<string, int>? segments = null) =>
        Build(data, SegmentsOf(segments), null);

    /// <summary>Builds the decisions with the segment column from <paramref name="segmentation"/> applied to each account as
    /// of each decision's month (point in time; null: 0). The frame keeps the segmentation, and so does a policy fitted on it.</summary>
    public static DecisionFrame Build(CrmDataset data, ObservedSegments? segmentation) =>
        Build(data, segmentation is null ? SegmentsOf(null) : (panel, a, _, m) => segmentation.Assign(panel, a, m), segmentation);

    static DecisionFrame Build(CrmDataset data, SegmentOf segmentOf, ObservedSegments? segmentation)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Actions.Count == 0) throw new WorkbenchException("actions.csv has no rows: there are no logged decisions to learn from.");
        var actions = data.Actions.Select(a => a.Action).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (actions.Length < 2) throw new WorkbenchException($"actions.csv logs a single action ('{actions[0]}'): a policy needs at least two actions to choose between.");
        var index = actions.Select((a, i) => (a, i)).ToDictionary(x => x.a, x => x.i, StringComparer.Ordinal);
        var panel = new MonthlyPanel(data);

        var known = new HashSet<string>(panel.AccountIds, StringComparer.Ordinal);
        var log = data.Actions.Where(a => panel.MonthIndexOf(MonthlyPanel.FirstOfMonth(a.Date)) >= 1 && known.Contains(a.AccountId)).ToList();
        var contexts = BuildContexts(data, panel, log.Select(a => (a.AccountId, panel.MonthIndexOf(MonthlyPanel.FirstOfMonth(a.Date)))).ToList(), segmentOf);
        bool estimated = log.Any(a => a.Propensity is null);
        // The estimate's groups are the segments of the decisions' contexts.
        var propensity = estimated ? EstimatePropensities(log, index, actions.Length, Enumerable.Range(0, log.Count).Select(i => (int)contexts[i * Width + SegmentColumn]).ToArray())
            : log.Select(a => a.Propensity!.Value).ToArray();
        var decisions = log.Select((a, i) => new Decision(a.ActionId, a.AccountId, a.Date, index[a.Action], propensity[i],
            (double)(a.LongTermValue ?? a.Value), (double)a.Value, a.Responded)).ToArray();

        double[][]? tv = null, ti = null, tl = null, tr = null;
        if (data.Truth is { ActionValues.Count: > 0 } truth)
        {
            var byId = truth.ActionValues.GroupBy(v => v.ActionId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            if (decisions.All(d => byId.ContainsKey(d.ActionId)))
            {
                tv = new double[decisions.Length][]; ti = new double[decisions.Length][]; tl = new double[decisions.Length][]; tr = new double[decisions.Length][];
                for (int i = 0; i < decisions.Length; i++)
                {
                    tv[i] = new double[actions.Length]; ti[i] = new double[actions.Length]; tl[i] = new double[actions.Length]; tr[i] = new double[actions.Length];
                    foreach (var v in byId[decisions[i].ActionId])
                        if (index.TryGetValue(v.Action, out int k))
                        { tv[i][k] = v.ExpectedValue; ti[i][k] = v.ExpectedImmediate; tl[i][k] = v.LoggingPropensity; tr[i][k] = v.ResponseRate; }
                }
            }
        }
        return new DecisionFrame(actions, decisions, contexts, estimated, tv, ti, tl, tr, segmentation);
    }

    /// <summary>The context of every account with spend in the last month, as of the month after the data ends
    /// (where the next action is decided). Segments as in <see cref="Build(CrmDataset, ObservedSegments?)"/>: from the caller, else 0.</summary>
    public static (IReadOnlyList<string> AccountIds, float[] Contexts) Current(CrmDataset data, IReadOnlyDictionary<string, int>? segments = null) =>
        Current(data, SegmentsOf(segments));

    /// <summary>The current contexts with the segment from <paramref name="segmentation"/> as of the month after the data
    /// ends (null: 0), as <see cref="Build(CrmDataset, ObservedSegments?)"/> gives it to the decisions.</summary>
    public static (IReadOnlyList<string> AccountIds, float[] Contexts) Current(CrmDataset data, ObservedSegments? segmentation) =>
        Current(data, segmentation is null ? SegmentsOf(null) : (panel, a, _, m) => segmentation.Assign(panel, a, m));

    static (IReadOnlyList<string> AccountIds, float[] Contexts) Current(CrmDataset data, SegmentOf segmentOf)
    {
        var panel = new MonthlyPanel(data);
        int asOf = panel.Months;
        var ids = panel.AccountIds.ToList();
        var ctx = BuildContexts(data, panel, ids.Select(id => (id, asOf)).ToList(), segmentOf);
        var keep = Enumerable.Range(0, ids.Count).Where(i => ctx[i * Width + AnnualValueColumn] > 0).ToArray();
        var outCtx = new float[keep.Length * Width];
        for (int k = 0; k < keep.Length; k++) ctx.AsSpan(keep[k] * Width, Width).CopyTo(outCtx.AsSpan(k * Width, Width));
        return (keep.Select(i => ids[i]).ToArray(), outCtx);
    }

    // Never the planted segments: a context built from truth would differ between a run (data loaded with truth) and
    // scoring or a user's data (no truth), and would feed hidden truth to the learned policy.
    static SegmentOf SegmentsOf(IReadOnlyDictionary<string, int>? segments)
    {
        var map = segments?.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal) ?? new Dictionary<string, int>(StringComparer.Ordinal);
        return (_, _, id, _) => map.TryGetValue(id, out int s) ? s : 0;
    }

    /// <summary>The segment of an account (panel index and id) as of a month index.</summary>
    delegate int SegmentOf(MonthlyPanel panel, int account, string accountId, int month);

    static float[] BuildContexts(CrmDataset data, MonthlyPanel panel, IReadOnlyList<(string Account, int Month)> at, SegmentOf segmentOf)
    {
        var builder = new FeatureBuilder(panel);
        var snapshots = new Snapshot[at.Count];
        var annual = new double[at.Count];
        var segment = new int[at.Count];
        int products = panel.ProductIds.Count;
        for (int i = 0; i < at.Count; i++)
        {
            int a = panel.AccountIndexOf(at[i].Account), m = at[i].Month;
            int pair = -1, product = 0;
            for (int p = 0; p < products && pair < 0; p++)
            {
                int candidate = panel.PairIndexOf(a, p);
                if (candidate >= 0 && m > 0 && panel.SpendSum(candidate, Math.Max(0, m - 3), m) > 0) { pair = candidate; product = p; }
            }
            if (pair < 0) for (int p = 0; p < products && pair < 0; p++) { pair = panel.PairIndexOf(a, p); product = p; }
            snapshots[i] = new Snapshot(Math.Max(0, pair), a, product, m);
            annual[i] = 12 * builder.AccountSpend(a, m - 1, m);
            segment[i] = segmentOf(panel, a, at[i].Account, m);
        }
        var table = builder.Build(snapshots, new FeatureOptions());
        var columns = RegistryFeatures.Select(table.ColumnIndex).ToArray();
        var ctx = new float[at.Count * Width];
        for (int i = 0; i < at.Count; i++)
        {
            var row = table.Row(i);
            for (int j = 0; j < columns.Length; j++) ctx[i * Width + j] = row[columns[j]];
            ctx[i * Width + AnnualValueColumn] = (float)annual[i];
            ctx[i * Width + SegmentColumn] = segment[i];
        }
        return ctx;
    }

    /// <summary>When the log lacks propensities: the share of each action per segment (add-one smoothed), a
    /// context-blind estimate that is flagged in every result built on it.</summary>
    static double[] EstimatePropensities(List<ActionLogEntry> log, Dictionary<string, int> index, int k, int[] segment)
    {
        var counts = new Dictionary<int, double[]>();
        for (int i = 0; i < log.Count; i++)
        {
            if (!counts.TryGetValue(segment[i], out var c)) counts[segment[i]] = c = Enumerable.Repeat(1.0, k).ToArray();
            c[index[log[i].Action]]++;
        }
        return log.Select((a, i) => { var c = counts[segment[i]]; return c[index[a.Action]] / c.Sum(); }).ToArray();
    }
}
