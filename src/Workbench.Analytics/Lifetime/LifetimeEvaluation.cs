namespace Workbench.Analytics.Lifetime;

/// <summary>Predicted against actual holdout purchases for customers with a given calibration frequency.</summary>
public sealed record FrequencyBucket(string Label, int Customers, double ActualMean, double PredictedMean);

/// <summary>Cumulative repeat purchase periods of the whole cohort up to the end of a tracking step, actual and
/// expected (each customer's unconditional E[X(t)] from its first purchase).</summary>
public sealed record TrackingPoint(int Step, DateOnly End, double Actual, double Predicted);

/// <summary>Predicted 12-month revenue per account against the revenue actually produced in the 12 months after the
/// calibration end, and the same for the baseline "last 12 months' revenue" (rank correlation and mean absolute error).</summary>
public sealed record RevenueComparison(int Accounts, double Spearman, double BaselineSpearman, double MeanAbsoluteError, double BaselineMeanAbsoluteError,
    double RealizedTotal, double PredictedTotal);

/// <summary>How the lifetime model did on the holdout period.</summary>
public sealed record LifetimeEvaluationResult(
    double HoldoutDuration,
    double ActualHoldoutPurchases,
    double PredictedHoldoutPurchases,
    IReadOnlyList<FrequencyBucket> ByFrequency,
    IReadOnlyList<TrackingPoint> Tracking,
    RevenueComparison? Revenue12Months);

/// <summary>Evaluates a <see cref="LifetimeModel"/> on the purchases after its calibration end.</summary>
public static class LifetimeEvaluation
{
    /// <summary>Holdout purchases overall and by calibration frequency (0..6, 7+), cumulative repeat-purchase
    /// tracking step by step (weeks for days and weeks, months for months), and, when the purchases cover the 12 months
    /// after the calibration end, predicted 12-month revenue against realized revenue and the last-12-months baseline.</summary>
    public static LifetimeEvaluationResult Evaluate(LifetimeModel model, CustomerSummaryTable summaries, IReadOnlyList<Purchase> purchases)
    {
        var unit = summaries.TimeUnit;
        var customers = summaries.Customers;
        double duration = summaries.HoldoutDuration;
        var predicted = new double[customers.Count];
        Parallel.For(0, customers.Count, i =>
        {
            var c = customers[i];
            predicted[i] = duration > 0 ? model.ExpectedPurchases(duration, c.Frequency, c.Recency, c.T) : 0;
        });
        var buckets = Enumerable.Range(0, customers.Count).GroupBy(i => Math.Min(customers[i].Frequency, 7)).OrderBy(g => g.Key)
            .Select(g => new FrequencyBucket(g.Key == 7 ? "7+" : g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), g.Count(),
                g.Average(i => (double)customers[i].FrequencyHoldout), g.Average(i => predicted[i]))).ToList();

        var tracking = Tracking(model, summaries, purchases);

        RevenueComparison? revenue = null;
        var end12 = summaries.CalibrationEnd.AddMonths(12);
        if (summaries.ObservationEnd >= end12)
        {
            double months12 = 12 * CustomerSummaries.UnitsPerMonth(unit);
            var pred = new double[customers.Count];
            Parallel.For(0, customers.Count, i =>
            {
                var c = customers[i];
                pred[i] = model.ExpectedPurchases(months12, c.Frequency, c.Recency, c.T) * model.GammaGamma.ConditionalExpectedValue(c.Frequency, c.MonetaryValue);
            });
            revenue = CompareRevenue(customers.Select(c => c.AccountId).ToList(), pred, purchases, summaries.CalibrationEnd);
        }
        return new LifetimeEvaluationResult(duration, customers.Sum(c => (double)c.FrequencyHoldout), predicted.Sum(), buckets, tracking, revenue);
    }

    /// <summary>Predicted 12-month revenue per account against the revenue in the 12 months after
    /// <paramref name="calibrationEnd"/>, and the baseline "revenue of the 12 months up to the calibration end":
    /// Spearman rank correlation and mean absolute error of each.</summary>
    public static RevenueComparison CompareRevenue(IReadOnlyList<string> accountIds, IReadOnlyList<double> predicted12, IReadOnlyList<Purchase> purchases, DateOnly calibrationEnd)
    {
        var end12 = calibrationEnd.AddMonths(12);
        var start12 = calibrationEnd.AddMonths(-12);
        var realized = new Dictionary<string, double>(StringComparer.Ordinal);
        var last12 = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in purchases)
        {
            if (p.Date > calibrationEnd && p.Date <= end12) realized[p.AccountId] = realized.GetValueOrDefault(p.AccountId) + p.Amount;
            else if (p.Date > start12 && p.Date <= calibrationEnd) last12[p.AccountId] = last12.GetValueOrDefault(p.AccountId) + p.Amount;
        }
        var actual = accountIds.Select(a => realized.GetValueOrDefault(a)).ToArray();
        var baseline = accountIds.Select(a => last12.GetValueOrDefault(a)).ToArray();
        return new RevenueComparison(accountIds.Count, LifetimeMath.Spearman(predicted12, actual), LifetimeMath.Spearman(baseline, actual),
            predicted12.Zip(actual, (a, b) => Math.Abs(a - b)).Average(), baseline.Zip(actual, (a, b) => Math.Abs(a - b)).Average(),
            actual.Sum(), predicted12.Sum());
    }

    static IReadOnlyList<TrackingPoint> Tracking(LifetimeModel model, CustomerSummaryTable summaries, IReadOnlyList<Purchase> purchases)
    {
        var unit = summaries.TimeUnit;
        var firsts = summaries.Customers.ToDictionary(c => c.AccountId, c => c.FirstPurchase, StringComparer.Ordinal);
        DateOnly start = summaries.Customers.Min(c => c.FirstPurchase);
        Func<int, DateOnly> stepEnd = unit == LifetimeTimeUnit.Months
            ? k => new DateOnly(start.Year, start.Month, 1).AddMonths(k + 1).AddDays(-1)
            : k => start.AddDays(7 * (k + 1) - 1);
        int steps = 0;
        while (stepEnd(steps) < summaries.ObservationEnd && steps < 5000) steps++;
        steps++;
        // Repeat purchase periods (same-day or same-month purchases count once; the first one is not a repeat).
        var repeatDates = purchases.Where(p => firsts.ContainsKey(p.AccountId))
            .Select(p => (p.AccountId, Date: unit == LifetimeTimeUnit.Months ? new DateOnly(p.Date.Year, p.Date.Month, 1) : p.Date))
            .Distinct().Where(p => p.Date > firsts[p.AccountId]).Select(p => p.Date).Order().ToArray();
        var firstCounts = summaries.Customers.GroupBy(c => c.FirstPurchase).Select(g => (First: g.Key, Count: g.Count())).ToArray();
        var points = new TrackingPoint[steps];
        Parallel.For(0, steps, k =>
        {
            var end = stepEnd(k);
            int idx = Array.BinarySearch(repeatDates, end);
            int actual = idx >= 0 ? UpperBound(repeatDates, end) : ~idx;
            double pred = 0;
            foreach (var (first, count) in firstCounts)
                if (first < end) pred += count * model.UnconditionalExpectedPurchases(CustomerSummaries.Elapsed(first, end, unit));
            points[k] = new TrackingPoint(k + 1, end, actual, pred);
        });
        return points;
    }

    static int UpperBound(DateOnly[] sorted, DateOnly value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) / 2; if (sorted[mid] <= value) lo = mid + 1; else hi = mid; }
        return lo;
    }
}

/// <summary>One acquisition cohort's survival (accounts still buying at the start of each period) and its
/// shifted-beta-geometric fit.</summary>
public sealed record CohortRetention(string Cohort, int PeriodMonths, IReadOnlyList<double> Alive, SbgParameters? Fit, double? LogLikelihood);

/// <summary>Contractual view of purchase histories: an account is a customer from its first purchase until its last
/// one (a subscription ends when the payments stop); cohorts are the calendar year of the first purchase.</summary>
public static class CohortRetentionAnalysis
{
    /// <summary>Survival tables per cohort in periods of <paramref name="periodMonths"/> months, up to the periods every
    /// member of the cohort was observed for, each fitted with sBG when it has at least 20 accounts and 2 periods.</summary>
    public static IReadOnlyList<CohortRetention> Build(IReadOnlyList<Purchase> purchases, DateOnly observationEnd, int periodMonths = 3)
    {
        if (periodMonths < 1) throw new OptionsValidationException("periodMonths must be at least 1.");
        var spans = purchases.Where(p => p.Date <= observationEnd).GroupBy(p => p.AccountId)
            .Select(g => (First: g.Min(p => p.Date), Last: g.Max(p => p.Date))).ToList();
        var result = new List<CohortRetention>();
        foreach (var cohort in spans.GroupBy(s => s.First.Year).OrderBy(g => g.Key))
        {
            var latestFirst = cohort.Max(s => s.First);
            int months = (observationEnd.Year - latestFirst.Year) * 12 + observationEnd.Month - latestFirst.Month;
            int periods = months / periodMonths;
            if (periods < 1) continue;
            // Alive at the start of period k: still buying k periods after the first purchase.
            var alive = Enumerable.Range(0, periods + 1).Select(k => (double)cohort.Count(s => s.Last >= s.First.AddMonths(k * periodMonths))).ToList();
            for (int k = 0; k < alive.Count; k++) alive[k] = k == 0 ? cohort.Count() : alive[k];
            SbgParameters? fit = null; double? ll = null;
            if (cohort.Count() >= 20 && periods >= 2 && alive[^1] < alive[0])
            {
                var (p, f) = ShiftedBetaGeometric.Fit(alive);
                fit = p; ll = f.LogLikelihood;
            }
            result.Add(new CohortRetention(cohort.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), periodMonths, alive, fit, ll));
        }
        return result;
    }
}

/// <summary>A frequency/recency grid of a model's P(alive) and expected purchases in the next period of
/// <see cref="Horizon"/> time units, for customers observed for <see cref="T"/> (what <c>lifetimes</c> draws). Frequency 0 has no
/// recency: its row repeats the one value of a customer who never bought again.</summary>
public sealed record FrequencyRecencyMatrix(double T, double Horizon, IReadOnlyList<int> Frequencies, IReadOnlyList<double> Recencies,
    double[][] ProbabilityAlive, double[][] ExpectedPurchases)
{
    /// <summary>The grid for frequencies 0..max frequency seen and recencies 0..T in <paramref name="steps"/> steps.</summary>
    public static FrequencyRecencyMatrix Build(LifetimeModel model, CustomerSummaryTable summaries, double? horizon = null, int steps = 40)
    {
        double T = summaries.Customers.Max(c => c.T);
        int maxX = Math.Max(1, summaries.Customers.Max(c => c.Frequency));
        double h = horizon ?? CustomerSummaries.UnitsPerMonth(summaries.TimeUnit);
        var freqs = Enumerable.Range(0, maxX + 1).ToArray();
        var recs = Enumerable.Range(0, steps + 1).Select(i => T * i / steps).ToArray();
        var alive = new double[freqs.Length][];
        var expected = new double[freqs.Length][];
        for (int f = 0; f < freqs.Length; f++)
        {
            alive[f] = recs.Select(r => model.ProbabilityAlive(f, f == 0 ? 0 : r, T)).ToArray();
            expected[f] = recs.Select(r => model.ExpectedPurchases(h, f, f == 0 ? 0 : r, T)).ToArray();
        }
        return new FrequencyRecencyMatrix(T, h, freqs, recs, alive, expected);
    }
}

/// <summary>One segment's CLV values (for the distribution chart) and their summary.</summary>
public sealed record SegmentClv(string Segment, IReadOnlyList<double> Values, double Mean, double Median, double Total);

/// <summary>CLV grouped by segment: the planted segment when the data carries truth, else the account's industry.</summary>
public static class ClvBySegment
{
    /// <summary>Groups <paramref name="values"/> by <paramref name="segmentOf"/> (accounts without a segment go to "(none)"),
    /// segments in name order.</summary>
    public static IReadOnlyList<SegmentClv> Build(IReadOnlyList<CustomerValue> values, IReadOnlyDictionary<string, string> segmentOf)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Build(values.Select(v => (v.AccountId, v.Clv)), segmentOf);
    }

    /// <summary>As above, from (account, CLV) pairs (for example the rows of <see cref="RunRateSurvivalValue.Estimate"/>).</summary>
    public static IReadOnlyList<SegmentClv> Build(IEnumerable<(string AccountId, double Clv)> values, IReadOnlyDictionary<string, string> segmentOf)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(segmentOf);
        return values.GroupBy(v => segmentOf.TryGetValue(v.AccountId, out var s) && s.Length > 0 ? s : "(none)")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var v = g.Select(x => x.Clv).ToArray();
                return new SegmentClv(g.Key, v, v.Average(), MathNet.Numerics.Statistics.Statistics.Median(v), v.Sum());
            }).ToList();
    }

    /// <summary>The segment of each account of a dataset and what it is: the planted segment name ("planted segment") when the
    /// data carries truth, else the industry ("industry") when any account has one, else none.</summary>
    public static (IReadOnlyDictionary<string, string> SegmentOf, string? Kind) SegmentsOf(Workbench.Domain.CrmDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Truth is { Segments.Count: > 0 } truth)
            return (truth.Segments.GroupBy(s => s.AccountId).ToDictionary(g => g.Key, g => g.First().SegmentName, StringComparer.Ordinal), "planted segment");
        if (data.Accounts.Any(a => !string.IsNullOrWhiteSpace(a.Industry)))
            return (data.Accounts.ToDictionary(a => a.AccountId, a => a.Industry, StringComparer.Ordinal), "industry");
        return (new Dictionary<string, string>(StringComparer.Ordinal), null);
    }
}
