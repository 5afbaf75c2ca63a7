namespace Workbench.Analytics.Prioritization;

/// <summary>
/// Evaluates a prioritizer on the test months of a labeled feature table (the latest as-of months, never seen in
/// training): ROC and PR AUC, calibration, NDCG, precision and recall at k within each rep's book, lift over simple
/// baselines (current spend, recent usage change, random) and, when the data carries planted truth, the oracle computed
/// from the true probabilities. Also scores the month before the test months, for the books' trends.
/// </summary>
public static class PrioritizerEvaluation
{
    /// <summary>The step that computes the metrics and books once both models have scored the test months (told to <c>steps</c>).</summary>
    public const string MetricsStep = "metrics and books";

    /// <param name="model">The trained prioritizer.</param>
    /// <param name="features">The labeled features it was trained on (the test months are read).</param>
    /// <param name="data">The dataset: the rep book and, when present, the planted truth (the oracle).</param>
    /// <param name="steps">Told the name of each step as it starts ("scoring the test months", "metrics and books"); the
    /// CLI prints their timings with WORKBENCH_TIMINGS=1.</param>
    public static RankingResult Evaluate(PrioritizerModel model, LabeledFeatures features, CrmDataset data, IProgress<string>? steps = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(data);
        steps?.Report("scoring the test months");
        var split = AccountPrioritizer.SplitOf(features, model.Options.Ranking);
        var scored = AccountPrioritizer.ScoringSet(features, split);
        // Trees walked by TreeScorer on every core (ML.NET's bits); a linear model through ML.NET.
        var pChurn = Scoring.BatchScorer.Probabilities(model.Churn, scored, "the scored data");
        var pUpsell = Scoring.BatchScorer.Probabilities(model.Upsell, scored, "the scored data");
        scored = null;
        return EvaluateScored(model, features, data, split, pChurn, pUpsell, steps);
    }

    /// <summary>Fits the prioritizer (<see cref="AccountPrioritizer.Fit(LabeledFeatures, PipelineOptions)"/>) and evaluates it
    /// (<see cref="Evaluate(PrioritizerModel, LabeledFeatures, CrmDataset, IProgress{string}?)"/>): the same model and
    /// result, but each model scores the test months on its fitting task as soon as it is fitted, while the other fits.</summary>
    /// <param name="features">Labeled features (see <see cref="AccountPrioritizer.BuildFeatures"/>).</param>
    /// <param name="options">Pipeline options.</param>
    /// <param name="data">The dataset: the rep book and, when present, the planted truth (the oracle).</param>
    /// <param name="steps">Told "fitting and scoring the test months", then "metrics and books".</param>
    public static (PrioritizerModel Model, RankingResult Result) FitAndEvaluate(LabeledFeatures features, PipelineOptions options, CrmDataset data,
        IProgress<string>? steps = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(data);
        steps?.Report("fitting and scoring the test months");
        var (model, pChurn, pUpsell) = AccountPrioritizer.Fit(features, options, scoreTestMonths: true);
        var split = AccountPrioritizer.SplitOf(features, model.Options.Ranking);
        return (model, EvaluateScored(model, features, data, split, pChurn!, pUpsell!, steps));
    }

    /// <summary>The evaluation from the calibrated probabilities of <see cref="AccountPrioritizer.ScoredRows"/>.</summary>
    static RankingResult EvaluateScored(PrioritizerModel model, LabeledFeatures features, CrmDataset data, TimeSplit split, double[] pChurn, double[] pUpsell,
        IProgress<string>? steps)
    {
        var options = model.Options.Ranking;
        var table = features.Features;
        var scoreRows = AccountPrioritizer.ScoredRows(table, split);
        if (pChurn.Length != scoreRows.Length || pUpsell.Length != scoreRows.Length)
            throw new InvalidOperationException($"{pChurn.Length} churn and {pUpsell.Length} upsell probabilities for {scoreRows.Length} scored rows.");
        var testMonths = split.TestMonths.ToHashSet();
        // Positions in scoreRows of the test rows (scoreRows is in row order, so these are too).
        var testIdx = Enumerable.Range(0, scoreRows.Length).Where(k => testMonths.Contains(table.Snapshots[scoreRows[k]].AsOfMonth)).ToArray();
        var testRows = Array.ConvertAll(testIdx, k => scoreRows[k]);

        steps?.Report(MetricsStep);
        // The books need both probabilities and nothing else of the evaluation: built beside it. The oracle's hazards and
        // the account lists are built at once, then churn's and upsell's metrics; each task writes only its own result and
        // every random draw is seeded per target as before.
        // Both the books and the account lists read who owns which account: the rep book is indexed once, by whichever needs it first.
        var repBooks = new Lazy<RepBooks>(() => new RepBooks(data.Book), LazyThreadSafetyMode.ExecutionAndPublication);
        var booksTask = Task.Run(() =>
        {
            var products = PriorityBooks.ProductPriorities(table, features.Labels, scoreRows, pUpsell, pChurn, model.UpsellRatio, options.Priority);
            var books = PriorityBooks.Books(products, repBooks.Value, options.Priority)
                .Where(b => testMonths.Contains(table.Panel.MonthIndexOf(b.AsOf))).ToList();
            return (Products: products.Where(p => testMonths.Contains(table.Panel.MonthIndexOf(p.AsOf))).ToList(), Books: books);
        });
        var (oracle, evaluator) = AccountPrioritizer.RunBoth(
            () => data.Truth is { Risks.Count: > 0 } ? new OracleProbabilities(features.Panel, data.Truth, features.SnapshotOptions, split.TestMonths) : null,
            () => new Evaluator(features, repBooks, testRows, options));
        var (churn, upsell) = AccountPrioritizer.RunBoth(
            () => evaluator.Evaluate(PropensityTarget.Churn, Outcome.Churn, Array.ConvertAll(testIdx, k => pChurn[k]), model.Churn.TreeCount, oracle, 1.0),
            () => evaluator.Evaluate(PropensityTarget.Upsell, Outcome.Upsell, Array.ConvertAll(testIdx, k => pUpsell[k]), model.Upsell.TreeCount, oracle, model.UpsellRatio));
        churn = churn with { Weakness = WeakModel.Reason(model.Churn.Options.Algorithm, model.Churn.TreeCount, churn.Auc) };
        upsell = upsell with { Weakness = WeakModel.Reason(model.Upsell.Options.Algorithm, model.Upsell.TreeCount, upsell.Auc) };
        var (testProducts, testBooks) = booksTask.GetAwaiter().GetResult();
        return new RankingResult(model.Churn, model.Upsell, split, model.UpsellRatio, churn, upsell, testProducts, testBooks, options.K);
    }

    /// <summary>The account-level lists both targets are ranked in: the test rows grouped by (as-of month, account) in
    /// order of first appearance, each group's rep, run-rate and usage change, and the groups of each (as-of month, rep)
    /// list ordered by month then rep. Built once, by ordinal, and shared by the churn and upsell evaluations.</summary>
    sealed class Evaluator
    {
        readonly LabeledFeatures _lf;
        readonly int[] _rows;
        readonly RankingOptions _options;
        /// <summary>Per test row (position in <see cref="_rows"/>): its account group.</summary>
        readonly int[] _groupOf;
        readonly int _groupCount;
        readonly double[] _runRate, _usageChange;
        /// <summary>Each (as-of month, rep) list: its groups, in group order; lists ordered by month, then rep (ordinal).</summary>
        readonly int[][] _lists;

        public Evaluator(LabeledFeatures lf, Lazy<RepBooks> repBooks, int[] rows, RankingOptions options)
        {
            (_lf, _rows, _options) = (lf, rows, options);
            var table = lf.Features;
            var snapshots = table.Snapshots;
            var labels = lf.Labels;
            int usageColumn = table.ColumnIndex("utilization_change_3m");
            // Group ids by (month, account) ordinal: an array over the months present and every account of the panel.
            int minMonth = int.MaxValue, maxMonth = int.MinValue;
            foreach (int r in rows) { minMonth = Math.Min(minMonth, snapshots[r].AsOfMonth); maxMonth = Math.Max(maxMonth, snapshots[r].AsOfMonth); }
            int accounts = lf.Panel.AccountIds.Count;
            var groupIds = rows.Length == 0 ? [] : new int[(maxMonth - minMonth + 1) * accounts];
            Array.Fill(groupIds, -1);
            _groupOf = new int[rows.Length];
            var groupMonth = new List<int>();
            var groupAccount = new List<int>();
            for (int k = 0; k < rows.Length; k++)
            {
                var s = snapshots[rows[k]];
                ref int id = ref groupIds[(s.AsOfMonth - minMonth) * accounts + s.Account];
                if (id < 0) { id = groupMonth.Count; groupMonth.Add(s.AsOfMonth); groupAccount.Add(s.Account); }
                _groupOf[k] = id;
            }
            _groupCount = groupMonth.Count;
            // Run-rate sums and the mean usage change (NaN skipped; 0 when none) over each group's rows in row order.
            _runRate = new double[_groupCount];
            _usageChange = new double[_groupCount];
            var usageCount = new int[_groupCount];
            for (int k = 0; k < rows.Length; k++)
            {
                int g = _groupOf[k], r = rows[k];
                _runRate[g] += labels[r].RunRate;
                double usage = table.Values[(long)r * table.ColumnCount + usageColumn];
                if (double.IsNaN(usage)) continue;
                _usageChange[g] = usageCount[g] == 0 ? usage : _usageChange[g] + usage;
                usageCount[g]++;
            }
            for (int g = 0; g < _groupCount; g++) if (usageCount[g] > 0) _usageChange[g] /= usageCount[g];

            var books = repBooks.Value;
            var byList = new Dictionary<(int Month, string Rep), List<int>>();
            for (int g = 0; g < _groupCount; g++)
            {
                string rep = books.RepOf(lf.Panel.AccountIds[groupAccount[g]], lf.Panel.MonthAt(groupMonth[g]));
                if (!byList.TryGetValue((groupMonth[g], rep), out var list)) byList[(groupMonth[g], rep)] = list = [];
                list.Add(g);
            }
            _lists = byList.OrderBy(kv => kv.Key.Month).ThenBy(kv => kv.Key.Rep, StringComparer.Ordinal).Select(kv => kv.Value.ToArray()).ToArray();
        }

        public TargetMetrics Evaluate(PropensityTarget target, Outcome positive, double[] p, int trees, OracleProbabilities? oracle, double valuePerRunRate)
        {
            var labels = _lf.Labels;
            var y = new bool[_rows.Length];
            for (int k = 0; k < _rows.Length; k++) y[k] = labels[_rows[k]].Outcome == positive;
            double[]? po = oracle?.For(positive, _lf.Features, _rows);
            // Account-level lists per (as-of, rep): score = expected value, gain = realized value (sums in row order).
            var score = new double[_groupCount];
            var oracleScore = new double[_groupCount];
            var gain = new double[_groupCount];
            if (po is null) Array.Fill(oracleScore, double.NaN);
            for (int k = 0; k < _rows.Length; k++)
            {
                int g = _groupOf[k];
                var label = labels[_rows[k]];
                score[g] += p[k] * label.RunRate * valuePerRunRate;
                if (po is not null) oracleScore[g] += po[k] * label.RunRate * valuePerRunRate;
                gain[g] += positive == Outcome.Churn ? (label.Outcome == Outcome.Churn ? label.RunRate : 0)
                    : (label.Outcome == Outcome.Upsell ? label.UpsellAmount : 0);
            }
            var rng = new Random(RunContext.DeriveSeed(_options.Seed, "random-baseline-" + target.Name()));
            var random = new double[_groupCount];
            for (int g = 0; g < _groupCount; g++) random[g] = rng.NextDouble();
            int k10 = _options.K;
            double Ndcg(double[] s) => RankingMetrics.MeanOverLists(_lists, idx => RankingMetrics.NdcgAtK(Pick(s, idx), Pick(gain, idx), k10));
            double usageSign = positive == Outcome.Churn ? -1 : 1; // churn: largest drop first; upsell: largest growth first
            var usage = Array.ConvertAll(_usageChange, u => usageSign * u);
            var baselines = new Dictionary<string, double>
            {
                ["current_spend"] = Ndcg(_runRate),
                ["usage_change"] = Ndcg(usage),
                ["random"] = Ndcg(random),
            };
            var relevant = Array.ConvertAll(gain, v => v > 0);
            // The test rows ranked once for AUC, PR AUC, reliability and the three curves (each sorted them again before).
            var ranked = new ScoreOrder(p);
            return new TargetMetrics(target, y.Length, y.Count(v => v),
                ClassificationMetrics.RocAuc(ranked, y), ClassificationMetrics.PrAuc(ranked, y), ClassificationMetrics.LogLoss(p, y), ClassificationMetrics.Brier(p, y),
                po is null ? null : ClassificationMetrics.RocAuc(po, y),
                Ndcg(score),
                RankingMetrics.MeanOverLists(_lists, idx => RankingMetrics.PrecisionAtK(Pick(score, idx), Pick(relevant, idx), k10)),
                RankingMetrics.MeanOverLists(_lists, idx => RankingMetrics.RecallAtK(Pick(score, idx), Pick(relevant, idx), k10)),
                po is null ? null : Ndcg(oracleScore),
                baselines, trees,
                ClassificationMetrics.Reliability(ranked, y), ClassificationMetrics.GainCurve(ranked, Array.ConvertAll(y, v => v ? 1.0 : 0)), RocCurve(ranked, y),
                ClassificationMetrics.PrecisionRecallCurve(ranked, y));
        }

        static T[] Pick<T>(T[] values, int[] idx) => Array.ConvertAll(idx, i => values[i]);
    }

    /// <summary>The ROC curve thinned to about <paramref name="points"/> points, over the rows by score (highest first, ties in row order).</summary>
    static IReadOnlyList<RocPoint> RocCurve(ScoreOrder ranked, bool[] y, int points = 50)
    {
        var order = ranked.Descending;
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
    /// <summary>The hazards by (account, product, month) ordinal of the panel: account * products * months + product * months + month.</summary>
    readonly Dictionary<long, TrueRisk> _risks;
    readonly SnapshotOptions _snapshots;
    readonly int _products, _months;

    /// <summary>Indexes only the hazards of the label windows of <paramref name="asOfMonths"/>, the as-of months asked
    /// about (the whole table is about 80 bytes per account-product-month as a dictionary: a GB at 100,000 accounts), by
    /// the panel's ordinals rather than their ids (one string-keyed look-up per row and month was most of the oracle's time).
    /// Hazards of an account or product the panel does not hold are never asked about, so they are skipped.</summary>
    public OracleProbabilities(MonthlyPanel panel, PlantedTruth truth, SnapshotOptions snapshots, IEnumerable<int> asOfMonths)
    {
        _snapshots = snapshots;
        var windowMonths = asOfMonths.SelectMany(t => Enumerable.Range(t + snapshots.GapMonths, snapshots.HorizonMonths)).ToArray();
        var months = windowMonths.Select(panel.MonthAt).ToHashSet();
        _products = panel.ProductIds.Count;
        _months = Math.Max(panel.Months, windowMonths.DefaultIfEmpty(0).Max() + 1);
        var accountIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int a = 0; a < panel.AccountIds.Count; a++) accountIndex[panel.AccountIds[a]] = a;
        var productIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int p = 0; p < panel.ProductIds.Count; p++) productIndex[panel.ProductIds[p]] = p;
        _risks = new Dictionary<long, TrueRisk>();
        foreach (var r in truth.Risks)
        {
            if (!months.Contains(r.Month)) continue;
            if (!accountIndex.TryGetValue(r.AccountId, out int a) || !productIndex.TryGetValue(r.ProductId, out int p)) continue;
            _risks[Key(a, p, panel.MonthIndexOf(r.Month))] = r;
        }
    }

    long Key(int account, int product, int month) => ((long)account * _products + product) * _months + month;

    public double[] For(Outcome outcome, FeatureTable table, int[] rows)
    {
        var result = new double[rows.Length];
        for (int k = 0; k < rows.Length; k++)
        {
            var s = table.Snapshots[rows[k]];
            double survive = 1;
            for (int m = s.AsOfMonth + _snapshots.GapMonths; m < s.AsOfMonth + _snapshots.GapMonths + _snapshots.HorizonMonths; m++)
                if (_risks.TryGetValue(Key(s.Account, s.Product, m), out var risk))
                    survive *= 1 - (outcome == Outcome.Churn ? risk.PChurn : risk.PUpsell);
            result[k] = 1 - survive;
        }
        return result;
    }
}
