namespace Workbench.Analytics.Prioritization;

/// <summary>
/// Evaluates a prioritizer on the test months of a labeled feature table (the latest as-of months, never seen in
/// training): ROC and PR AUC, calibration, NDCG, precision and recall at k within each rep's book, lift over simple
/// baselines (current spend, recent usage change, random) and, when the data carries planted truth, the oracle computed
/// from the true probabilities. Also scores the month before the test months, for the books' trends.
/// </summary>
public static class PrioritizerEvaluation
{
    public static RankingResult Evaluate(PrioritizerModel model, LabeledFeatures features, CrmDataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(data);
        var options = model.Options.Ranking;
        var table = features.Features;
        var split = AccountPrioritizer.SplitOf(features, options);
        var testRows = AccountPrioritizer.RowsIn(table, split.TestMonths);
        // Books need the month before the test for trends: score it too (its labels are not used).
        var scoreRows = AccountPrioritizer.RowsIn(table, split.TestMonths.Prepend(split.TestMonths[0] - 1));

        var scored = TrainingSet.ChurnAndUpsell(table, scoreRows, features.Labels);
        var pChurn = model.Churn.Score(scored.Churn).Probability;
        var pUpsell = model.Upsell.Score(scored.Upsell).Probability;
        var products = PriorityBooks.ProductPriorities(table, features.Labels, scoreRows, pUpsell, pChurn, model.UpsellRatio, options.Priority);
        var books = PriorityBooks.Books(products, new RepBooks(data.Book), options.Priority)
            .Where(b => split.TestMonths.Contains(table.Panel.MonthIndexOf(b.AsOf))).ToList();

        var testSet = testRows.ToHashSet();
        var testIdx = Enumerable.Range(0, scoreRows.Length).Where(k => testSet.Contains(scoreRows[k])).ToArray();
        var oracle = data.Truth is { Risks.Count: > 0 } ? new OracleProbabilities(features.Panel, data.Truth, features.SnapshotOptions, split.TestMonths) : null;
        var evaluator = new Evaluator(features, data, testIdx.Select(k => scoreRows[k]).ToArray(), options);
        var churn = evaluator.Evaluate(PropensityTarget.Churn, Outcome.Churn, testIdx.Select(k => pChurn[k]).ToArray(), model.Churn.TreeCount, oracle, 1.0);
        churn = churn with { Weakness = WeakModel.Reason(model.Churn.Options.Algorithm, model.Churn.TreeCount, churn.Auc) };
        var upsell = evaluator.Evaluate(PropensityTarget.Upsell, Outcome.Upsell, testIdx.Select(k => pUpsell[k]).ToArray(), model.Upsell.TreeCount, oracle, model.UpsellRatio);
        upsell = upsell with { Weakness = WeakModel.Reason(model.Upsell.Options.Algorithm, model.Upsell.TreeCount, upsell.Auc) };
        return new RankingResult(model.Churn, model.Upsell, split, model.UpsellRatio, churn, upsell,
            products.Where(p => split.TestMonths.Contains(table.Panel.MonthIndexOf(p.AsOf))).ToList(), books, options.K);
    }

    sealed class Evaluator(LabeledFeatures lf, CrmDataset data, int[] rows, RankingOptions options)
    {
        readonly RepBooks _books = new(data.Book);

        public TargetMetrics Evaluate(PropensityTarget target, Outcome positive, double[] p, int trees, OracleProbabilities? oracle, double valuePerRunRate)
        {
            var y = rows.Select(r => lf.Labels[r].Outcome == positive).ToArray();
            double[]? po = oracle?.For(positive, lf.Features, rows);
            // Account-level lists per (as-of, rep): score = expected value, gain = realized value.
            double Gain(int r) => positive == Outcome.Churn ? (lf.Labels[r].Outcome == Outcome.Churn ? lf.Labels[r].RunRate : 0)
                : (lf.Labels[r].Outcome == Outcome.Upsell ? lf.Labels[r].UpsellAmount : 0);
            var groups = rows.Select((r, k) => (r, k))
                .GroupBy(x => (lf.Features.Snapshots[x.r].AsOfMonth, lf.Features.Snapshots[x.r].Account))
                .Select(g => new AccountRow(g.Key.AsOfMonth, g.Key.Account,
                    _books.RepOf(lf.Panel.AccountIds[g.Key.Account], lf.Panel.MonthAt(g.Key.AsOfMonth)),
                    g.Sum(x => p[x.k] * lf.Labels[x.r].RunRate * valuePerRunRate),
                    po is null ? double.NaN : g.Sum(x => po[x.k] * lf.Labels[x.r].RunRate * valuePerRunRate),
                    g.Sum(x => Gain(x.r)), g.Sum(x => lf.Labels[x.r].RunRate),
                    g.Select(x => (double)lf.Features[x.r, "utilization_change_3m"]).Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Average()))
                .ToList();
            var rng = new Random(RunContext.DeriveSeed(options.Seed, "random-baseline-" + target.Name()));
            var random = groups.Select(_ => rng.NextDouble()).ToArray();
            var lists = groups.Select((a, i) => (a, i)).GroupBy(x => (x.a.AsOfMonth, x.a.Rep), x => x.i).OrderBy(g => g.Key.AsOfMonth).ThenBy(g => g.Key.Rep, StringComparer.Ordinal).ToList();
            double Ndcg(Func<int, double> score) => RankingMetrics.MeanOverLists(lists, idx => RankingMetrics.NdcgAtK(idx.Select(score).ToArray(), idx.Select(i => groups[i].Gain).ToArray(), options.K));
            double usageSign = positive == Outcome.Churn ? -1 : 1; // churn: largest drop first; upsell: largest growth first
            var baselines = new Dictionary<string, double>
            {
                ["current_spend"] = Ndcg(i => groups[i].RunRate),
                ["usage_change"] = Ndcg(i => usageSign * groups[i].UsageChange),
                ["random"] = Ndcg(i => random[i]),
            };
            return new TargetMetrics(target, y.Length, y.Count(v => v),
                ClassificationMetrics.RocAuc(p, y), ClassificationMetrics.PrAuc(p, y), ClassificationMetrics.LogLoss(p, y), ClassificationMetrics.Brier(p, y),
                po is null ? null : ClassificationMetrics.RocAuc(po, y),
                Ndcg(i => groups[i].Score),
                RankingMetrics.MeanOverLists(lists, idx => RankingMetrics.PrecisionAtK(idx.Select(i => groups[i].Score).ToArray(), idx.Select(i => groups[i].Gain > 0).ToArray(), options.K)),
                RankingMetrics.MeanOverLists(lists, idx => RankingMetrics.RecallAtK(idx.Select(i => groups[i].Score).ToArray(), idx.Select(i => groups[i].Gain > 0).ToArray(), options.K)),
                po is null ? null : Ndcg(i => groups[i].OracleScore),
                baselines, trees,
                ClassificationMetrics.Reliability(p, y), ClassificationMetrics.GainCurve(p, y.Select(v => v ? 1.0 : 0).ToArray()), RocCurve(p, y),
                ClassificationMetrics.PrecisionRecallCurve(p, y));
        }

        sealed record AccountRow(int AsOfMonth, int Account, string Rep, double Score, double OracleScore, double Gain, double RunRate, double UsageChange);
    }

    static IReadOnlyList<RocPoint> RocCurve(double[] p, bool[] y, int points = 50)
    {
        var order = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ToArray();
        int pos = y.Count(v => v), neg = y.Length - pos;
        var result = new List<RocPoint> { new(0, 0) };
        int tp = 0, fp = 0, step = Math.Max(1, order.Length / points);
        for (int i = 0; i < order.Length; i++)
        {
            if (y[order[i]]) tp++; else fp++;
            if ((i + 1) % step == 0 || i == order.Length - 1) result.Add(new RocPoint(neg == 0 ? 0 : (double)fp / neg, pos == 0 ? 0 : (double)tp / pos));
        }
        return result;
    }
}

/// <summary>The best any model could do: the probability of the label computed from the planted monthly hazards
/// over the label window, P = 1 - prod(1 - p_m).</summary>
internal sealed class OracleProbabilities
{
    readonly Dictionary<(string, string, DateOnly), TrueRisk> _risks;
    readonly MonthlyPanel _panel;
    readonly SnapshotOptions _snapshots;

    /// <summary>Indexes only the hazards of the label windows of <paramref name="asOfMonths"/>, the as-of months asked
    /// about (the whole table is about 80 bytes per account-product-month as a dictionary: a GB at 100,000 accounts).</summary>
    public OracleProbabilities(MonthlyPanel panel, PlantedTruth truth, SnapshotOptions snapshots, IEnumerable<int> asOfMonths)
    {
        _panel = panel; _snapshots = snapshots;
        var months = asOfMonths.SelectMany(t => Enumerable.Range(t + snapshots.GapMonths, snapshots.HorizonMonths)).Select(panel.MonthAt).ToHashSet();
        _risks = new Dictionary<(string, string, DateOnly), TrueRisk>();
        foreach (var r in truth.Risks) if (months.Contains(r.Month)) _risks[(r.AccountId, r.ProductId, r.Month)] = r;
    }

    public double[] For(Outcome outcome, FeatureTable table, int[] rows) => rows.Select(r =>
    {
        var s = table.Snapshots[r];
        string a = _panel.AccountIds[s.Account], p = _panel.ProductIds[s.Product];
        double survive = 1;
        for (int m = s.AsOfMonth + _snapshots.GapMonths; m < s.AsOfMonth + _snapshots.GapMonths + _snapshots.HorizonMonths; m++)
            if (_risks.TryGetValue((a, p, _panel.MonthAt(m)), out var risk))
                survive *= 1 - (outcome == Outcome.Churn ? risk.PChurn : risk.PUpsell);
        return 1 - survive;
    }).ToArray();
}
