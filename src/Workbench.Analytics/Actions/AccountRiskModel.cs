using Microsoft.ML;
using Microsoft.ML.Data;

namespace Workbench.Analytics.Actions;

/// <summary>
/// Churn and upsell risk of an account in the next 3 months, estimated from its own CRM history: two ML.NET FastTree
/// classifiers over the decision context (the anchor product's registry features, the annual value and the segment),
/// fitted on account-months of the data (labels from <see cref="Labeler"/>: any of the account's active products churns,
/// or upsells, in the 3 months after the month). Why: an action's long-term effect depends on the account's churn and
/// upsell hazard (a discount saves a risky account and costs a safe one), which the reward models otherwise see only
/// through the 50-100 responses per action of a log, while the history holds thousands of account-months.
/// The risk of a logged decision is cross-fitted by account (<see cref="DecisionFrame.Risk"/>): on real data the
/// long-term reward is realized revenue, so a risk model that saw the account's later churn would leak the outcome.
/// </summary>
internal sealed class AccountRiskModel
{
    public static readonly string[] OutputNames = ["churn_risk", "upsell_risk"];
    public const int OutputWidth = 2;
    /// <summary>Account-months used at most (months are thinned on large books).</summary>
    const int MaxRows = 60_000;
    const int HorizonMonths = 3, Folds = 3;
    static readonly TreeOptions Trees = new(Trees: 100, Leaves: 8, MinExamplesPerLeaf: 50, LearningRate: 0.1);

    readonly MLContext _ml;
    readonly ITransformer _churn, _upsell;

    AccountRiskModel(MLContext ml, ITransformer churn, ITransformer upsell) => (_ml, _churn, _upsell) = (ml, churn, upsell);

    /// <summary>The account-months of the history: contexts (as <see cref="DecisionFrame"/> builds them), labels and accounts.</summary>
    internal sealed record History(float[] Contexts, bool[] Churned, bool[] Upsold, int[] Account)
    {
        public int Count => Churned.Length;
    }

    /// <summary>Every account-month with spend in the month before and a full label window (thinned to
    /// <see cref="MaxRows"/>), with its context built by <paramref name="contexts"/>.</summary>
    internal static History BuildHistory(CrmDataset data, MonthlyPanel panel, Func<IReadOnlyList<(string Account, int Month)>, float[]> contexts)
    {
        var so = new SnapshotOptions { HorizonMonths = HorizonMonths };
        var lo = new LabelOptions { Source = Labeler.AutoSource(data) };
        int accounts = panel.AccountIds.Count, first = 3, last = panel.Months - HorizonMonths;
        int months = Math.Max(0, last - first + 1);
        int step = Math.Max(1, (int)Math.Ceiling((double)accounts * months / MaxRows));
        var pairsOf = new List<int>[accounts];
        for (int p = 0; p < panel.Pairs.Count; p++) (pairsOf[panel.Pairs[p].Account] ??= []).Add(p);
        var at = new List<(string, int)>();
        var churned = new List<bool>(); var upsold = new List<bool>(); var account = new List<int>();
        for (int m = first; m <= last; m += step)
            for (int a = 0; a < accounts; a++)
            {
                if (pairsOf[a] is not { } pairs) continue;
                bool active = false, churn = false, upsell = false;
                foreach (int p in pairs)
                {
                    if (panel.SpendSum(p, m - 1, m) <= 0) continue;
                    active = true;
                    var outcome = Labeler.LabelOne(panel, new Snapshot(p, a, panel.Pairs[p].Product, m), so, lo).Outcome;
                    churn |= outcome == Outcome.Churn; upsell |= outcome == Outcome.Upsell;
                }
                if (!active) continue;
                at.Add((panel.AccountIds[a], m)); churned.Add(churn); upsold.Add(upsell); account.Add(a);
            }
        return new History(contexts(at), [.. churned], [.. upsold], [.. account]);
    }

    /// <summary>Fits on the history rows whose account passes <paramref name="keep"/>; null when either label has fewer
    /// than 20 positives or negatives there (the reward models then go without the risk columns).</summary>
    internal static AccountRiskModel? Fit(History h, Func<int, bool> keep, int seed)
    {
        var rows = Enumerable.Range(0, h.Count).Where(i => keep(h.Account[i])).ToArray();
        int churn = rows.Count(i => h.Churned[i]), upsell = rows.Count(i => h.Upsold[i]);
        if (Math.Min(churn, rows.Length - churn) < 20 || Math.Min(upsell, rows.Length - upsell) < 20) return null;
        int w = DecisionFrame.Width;
        var x = new float[rows.Length * w];
        for (int j = 0; j < rows.Length; j++) h.Contexts.AsSpan(rows[j] * w, w).CopyTo(x.AsSpan(j * w, w));
        var ml = new MLContext(seed);
        ITransformer FitOne(bool[] y) => ml.BinaryClassification.Trainers.FastTree(Trees.FastTreeBinary())
            .Fit(new DenseDataView(x, DecisionFrame.ContextNames, rows.Select(i => y[i]).ToArray()));
        return new AccountRiskModel(ml, FitOne(h.Churned), FitOne(h.Upsold));
    }

    /// <summary>Cross-fitted risks of the given (decision) contexts: the model of fold f, fitted on the other folds'
    /// accounts, scores the rows of fold f's accounts. Folds by account index (i mod 3). Null without enough labels.</summary>
    internal static float[]? CrossFitted(History h, float[] contexts, int[] accountOf, int seed)
    {
        int n = accountOf.Length, w = DecisionFrame.Width;
        var risk = new float[n * OutputWidth];
        for (int f = 0; f < Folds; f++)
        {
            var rows = Enumerable.Range(0, n).Where(i => accountOf[i] % Folds == f).ToArray();
            if (rows.Length == 0) continue;
            int fold = f;
            var model = Fit(h, a => a % Folds != fold, RunContext.DeriveSeed(seed, "actions/risk/" + f.ToString(CultureInfo.InvariantCulture)));
            if (model is null) return null;
            var x = new float[rows.Length * w];
            for (int j = 0; j < rows.Length; j++) contexts.AsSpan(rows[j] * w, w).CopyTo(x.AsSpan(j * w, w));
            var r = model.Score(x);
            for (int j = 0; j < rows.Length; j++) { risk[rows[j] * OutputWidth] = r[j * OutputWidth]; risk[rows[j] * OutputWidth + 1] = r[j * OutputWidth + 1]; }
        }
        return risk;
    }

    /// <summary>Churn and upsell probability per context row: [row * 2 + (0 churn, 1 upsell)].</summary>
    public float[] Score(float[] contexts)
    {
        int n = contexts.Length / DecisionFrame.Width;
        var view = new DenseDataView(contexts, DecisionFrame.ContextNames, new bool[n]);
        var c = _churn.Transform(view).GetColumn<float>("Probability").ToArray();
        var u = _upsell.Transform(view).GetColumn<float>("Probability").ToArray();
        var r = new float[n * OutputWidth];
        for (int i = 0; i < n; i++) { r[i * OutputWidth] = c[i]; r[i * OutputWidth + 1] = u[i]; }
        return r;
    }

    public void Save(ModelFileWriter writer, string prefix)
    {
        var schema = new DataViewSchema.Builder();
        schema.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, DecisionFrame.Width));
        schema.AddColumn("Label", BooleanDataViewType.Instance);
        var s0 = schema.ToSchema();
        using (var s = writer.OpenEntry(prefix + "-churn-risk.zip")) _ml.Model.Save(_churn, s0, s);
        using (var s = writer.OpenEntry(prefix + "-upsell-risk.zip")) _ml.Model.Save(_upsell, s0, s);
    }

    /// <summary>Reads what <see cref="Save"/> wrote; null when the file has no risk entries.</summary>
    public static AccountRiskModel? Load(ModelFileReader reader, string prefix, int seed)
    {
        if (!reader.Has(prefix + "-churn-risk.zip")) return null;
        var ml = new MLContext(seed);
        ITransformer Read(string name)
        {
            if (!reader.Has(name)) throw new WorkbenchException($"the model file has '{prefix}-churn-risk.zip' but no entry '{name}'.");
            using var ms = new MemoryStream(reader.ReadBytes(name));
            return ml.Model.Load(ms, out _);
        }
        return new AccountRiskModel(ml, Read(prefix + "-churn-risk.zip"), Read(prefix + "-upsell-risk.zip"));
    }
}
