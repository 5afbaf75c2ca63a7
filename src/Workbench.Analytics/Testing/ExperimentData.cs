#pragma warning disable CS1573 // records document only the parameters that need explaining

namespace Workbench.Analytics.Testing;

/// <summary>Outcome analysed by an A/B readout. Sums are of booking amounts (changes in monthly run-rate, as the
/// bookings table records them); <see cref="WinRate"/> is a ratio metric (won / closed opportunities).</summary>
public enum ExperimentMetric
{
    /// <summary>Sum of renewal booking amounts: the metric the generator plants the rollout effect on.</summary>
    RenewalBookings,
    /// <summary>Gross bookings: new, add-on, renewal and price-change amounts.</summary>
    TotalBookings,
    /// <summary>Run-rate lost to non-renewals, cancellations and downgrades (a positive number; lower is better).</summary>
    ChurnedRevenue,
    /// <summary>Won / closed opportunities by close date.</summary>
    WinRate,
}

/// <summary>What one row of the analysis is. Randomisation is always by rep (the rollout arm is a rep attribute), so
/// standard errors are clustered by rep in both cases.</summary>
public enum AnalysisUnit
{
    /// <summary>One row per rep; bookings are credited to the rep owning the account on the booking date.</summary>
    Rep,
    /// <summary>One row per account, in the arm of the rep owning it at the rollout start (intent to treat).</summary>
    Account,
}

/// <summary>Stable snake_case names of metrics and units (CLI flags, JSON).</summary>
public static class ExperimentNames
{
    public static string Name(ExperimentMetric m) => m switch
    {
        ExperimentMetric.RenewalBookings => "renewal_bookings",
        ExperimentMetric.TotalBookings => "total_bookings",
        ExperimentMetric.ChurnedRevenue => "churned_revenue",
        _ => "win_rate",
    };

    public static string Name(AnalysisUnit u) => u == AnalysisUnit.Rep ? "rep" : "account";

    public static bool TryParseMetric(string text, out ExperimentMetric metric)
    {
        foreach (var m in Enum.GetValues<ExperimentMetric>())
            if (string.Equals(Name(m), text, StringComparison.OrdinalIgnoreCase)) { metric = m; return true; }
        metric = default;
        return false;
    }

    public static bool TryParseUnit(string text, out AnalysisUnit unit)
    {
        foreach (var u in Enum.GetValues<AnalysisUnit>())
            if (string.Equals(Name(u), text, StringComparison.OrdinalIgnoreCase)) { unit = u; return true; }
        unit = default;
        return false;
    }
}

/// <summary>A numerator over a denominator for one unit and period. Sum metrics have denominator 1; the win rate has
/// won opportunities over closed ones. An arm's value is sum(numerator) / sum(denominator).</summary>
public readonly record struct RatioValue(double Numerator, double Denominator);

/// <summary>One analysis row: its arm, its cluster (the rep it is randomised with), the metric before and after the
/// rollout start, and pre-period covariates for regression adjustment.</summary>
/// <param name="Covariates">Pre-period values, in the order of <see cref="ExperimentData.CovariateNames"/>.</param>
/// <param name="PreEarly">The metric over the first half of the pre-period (design: how the variance scales with length).</param>
public sealed record ExperimentUnit(string UnitId, string ClusterId, RolloutArm Arm, RatioValue Pre, RatioValue Post, double[] Covariates,
    RatioValue PreEarly = default);

/// <summary>The metric summed per arm and month (for the arms chart): value = sum(numerator) / sum(denominator) for
/// ratio metrics, the per-unit mean for sums.</summary>
public sealed record ArmMonth(DateOnly Month, double Control, double Treatment);

/// <summary>Everything the estimators need, built from the bookings, book, opportunities and spend tables.</summary>
public sealed record ExperimentData(
    ExperimentMetric Metric, AnalysisUnit Unit, DateOnly RolloutStart, DateOnly PeriodStart, DateOnly PeriodEnd,
    IReadOnlyList<ExperimentUnit> Units, IReadOnlyList<string> CovariateNames, IReadOnlyList<ArmMonth> Monthly,
    int UnitsWithoutArm)
{
    /// <summary>Months before the rollout start (the pre-period).</summary>
    public int PreMonths => MonthsBetween(PeriodStart, RolloutStart);
    /// <summary>Months from the rollout start to the end of the data (the post-period).</summary>
    public int PostMonths => MonthsBetween(RolloutStart, PeriodEnd);
    public int Count(RolloutArm arm) => Units.Count(u => u.Arm == arm);
    public int Clusters(RolloutArm arm) => Units.Where(u => u.Arm == arm).Select(u => u.ClusterId).Distinct().Count();
    public bool IsRatio => Metric == ExperimentMetric.WinRate;

    internal static int MonthsBetween(DateOnly from, DateOnly to) => (to.Year - from.Year) * 12 + to.Month - from.Month;
}

/// <summary>Builds <see cref="ExperimentData"/> from a dataset.</summary>
public static class ExperimentDataBuilder
{
    /// <summary>Covariates used by regression adjustment (all measured in the pre-period; book size is accounts billed for a
    /// rep, products billed for an account).</summary>
    public static readonly IReadOnlyList<string> CovariateNames =
        ["pre_outcome", "pre_total_bookings", "pre_churned_revenue", "pre_monthly_spend", "pre_book_size"];

    /// <summary>Per-unit outcomes before and after <paramref name="rolloutStart"/> (null: the planted rollout start of
    /// generated data). The pre-period starts at the first month with bookings or spend; the post-period ends after
    /// the last one.</summary>
    /// <exception cref="WorkbenchException">No rollout start is known, no reps carry an arm, or no data falls in a period.</exception>
    public static ExperimentData Build(CrmDataset data, ExperimentMetric metric, AnalysisUnit unit, DateOnly? rolloutStart = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var start = rolloutStart ?? data.Truth?.Rollout.StartMonth
            ?? throw new WorkbenchException("The rollout start is unknown: the data carries no planted truth; pass the rollout start (--rollout-start yyyy-MM-dd).");
        start = new DateOnly(start.Year, start.Month, 1);
        if (data.Reps.Count == 0) throw new WorkbenchException("The reps table is empty: the rollout arm is a rep attribute (reps.rollout_arm).");

        DateOnly first = DateOnly.MaxValue, last = DateOnly.MinValue;
        void See(DateOnly d) { if (d < first) first = d; if (d > last) last = d; }
        foreach (var b in data.Bookings) See(b.Date);
        foreach (var s in data.Spend) See(s.Month);
        if (first == DateOnly.MaxValue) throw new WorkbenchException("The data has no bookings and no spend: nothing to measure.");
        var periodStart = new DateOnly(first.Year, first.Month, 1);
        var periodEnd = new DateOnly(last.Year, last.Month, 1).AddMonths(1);
        if (start <= periodStart || start >= periodEnd)
            throw new WorkbenchException($"The rollout start {start:yyyy-MM-dd} must fall strictly inside the data's months {periodStart:yyyy-MM-dd}..{periodEnd.AddMonths(-1):yyyy-MM-dd} so both a pre-period and a post-period exist.");

        var repArm = new Dictionary<string, RolloutArm>(StringComparer.Ordinal);
        foreach (var r in data.Reps) repArm[r.RepId] = r.RolloutArm;
        var owners = new Dictionary<string, List<BookAssignment>>(StringComparer.Ordinal);
        foreach (var a in data.Book)
        {
            if (!owners.TryGetValue(a.AccountId, out var list)) owners[a.AccountId] = list = [];
            list.Add(a);
        }
        foreach (var list in owners.Values) list.Sort((x, y) => x.FromDate.CompareTo(y.FromDate));

        string? OwnerAt(string accountId, DateOnly date)
        {
            if (!owners.TryGetValue(accountId, out var list)) return null;
            foreach (var a in list)
                if (a.FromDate <= date && (a.ToDate is null || date < a.ToDate)) return a.RepId;
            // Before the first assignment (an account booked before its owner's hire date): the first owner.
            return list.Count > 0 && date < list[0].FromDate ? list[0].RepId : null;
        }

        // Unit key and cluster of a (account, date) event; null = not attributable.
        var accountArmRep = new Dictionary<string, string>(StringComparer.Ordinal);
        string? AccountRep(string accountId)
        {
            if (accountArmRep.TryGetValue(accountId, out var rep)) return rep;
            rep = OwnerAt(accountId, start);
            if (rep is null && owners.TryGetValue(accountId, out var list))
                rep = list.FirstOrDefault(a => a.FromDate >= start)?.RepId; // accounts acquired after the start
            if (rep is not null) accountArmRep[accountId] = rep;
            return rep;
        }
        string? UnitOf(string accountId, DateOnly date, string? repHint = null) => unit == AnalysisUnit.Rep
            ? repHint ?? OwnerAt(accountId, date)
            : AccountRep(accountId) is null ? null : accountId;

        int months = ExperimentData.MonthsBetween(periodStart, periodEnd);
        var acc = new Dictionary<string, Accumulator>(StringComparer.Ordinal);
        Accumulator Acc(string key)
        {
            if (!acc.TryGetValue(key, out var a)) acc[key] = a = new Accumulator(months, metric, ExperimentData.MonthsBetween(periodStart, start) / 2);
            return a;
        }
        // Units exist for every rep (rep unit) or every owned account (account unit), even with no events.
        if (unit == AnalysisUnit.Rep) foreach (var r in data.Reps) Acc(r.RepId);
        else foreach (var a in data.Accounts) if (AccountRep(a.AccountId) is not null) Acc(a.AccountId);

        int MonthIndex(DateOnly d) => ExperimentData.MonthsBetween(periodStart, d);
        foreach (var b in data.Bookings)
        {
            var key = UnitOf(b.AccountId, b.Date);
            if (key is null) continue;
            var a = Acc(key);
            bool pre = b.Date < start;
            double amount = (double)b.AmountDelta;
            if (b.Type == BookingType.Renewal) a.Add(ExperimentMetric.RenewalBookings, pre, MonthIndex(b.Date), amount, 1);
            if (b.Type is BookingType.New or BookingType.AddOn or BookingType.Renewal or BookingType.PriceChange)
                a.Add(ExperimentMetric.TotalBookings, pre, MonthIndex(b.Date), amount, 1);
            if (b.Type is BookingType.NonRenewal or BookingType.Cancellation or BookingType.Downgrade)
                a.Add(ExperimentMetric.ChurnedRevenue, pre, MonthIndex(b.Date), -amount, 1);
        }
        foreach (var o in data.Opportunities)
        {
            if (o.CloseDate is not { } close || o.Outcome == OpportunityOutcome.Open) continue;
            var key = UnitOf(o.AccountId, close, unit == AnalysisUnit.Rep ? o.RepId : null);
            if (key is null || !acc.ContainsKey(key) && unit == AnalysisUnit.Rep && !repArm.ContainsKey(key)) continue;
            Acc(key).Add(ExperimentMetric.WinRate, close < start, MonthIndex(close), o.Outcome == OpportunityOutcome.Won ? 1 : 0, 1);
        }
        foreach (var s in data.Spend)
        {
            if (s.Month >= start) continue;
            var key = UnitOf(s.AccountId, s.Month);
            if (key is null) continue;
            var a = Acc(key);
            a.PreSpend += (double)s.Amount;
            if (unit == AnalysisUnit.Rep) a.PreAccounts.Add(s.AccountId);
            else a.PreAccounts.Add(s.ProductId);
        }

        int preMonths = ExperimentData.MonthsBetween(periodStart, start);
        var units = new List<ExperimentUnit>(acc.Count);
        int withoutArm = 0;
        var monthly = new double[2, months, 2]; // arm, month, (numerator, denominator)
        var armCounts = new int[2];
        foreach (var (key, a) in acc.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string cluster = unit == AnalysisUnit.Rep ? key : AccountRep(key)!;
            if (!repArm.TryGetValue(cluster, out var arm)) { withoutArm++; continue; }
            int m = (int)metric;
            var pre = new RatioValue(a.Pre[m].Num, metric == ExperimentMetric.WinRate ? a.Pre[m].Den : 1);
            var post = new RatioValue(a.Post[m].Num, metric == ExperimentMetric.WinRate ? a.Post[m].Den : 1);
            double preOutcome = metric == ExperimentMetric.WinRate ? (a.Pre[m].Den > 0 ? a.Pre[m].Num / a.Pre[m].Den : 0) : a.Pre[m].Num;
            var early = new RatioValue(a.EarlyNum, metric == ExperimentMetric.WinRate ? a.EarlyDen : 1);
            var cov = new[]
            {
                preOutcome,
                a.Pre[(int)ExperimentMetric.TotalBookings].Num,
                a.Pre[(int)ExperimentMetric.ChurnedRevenue].Num,
                preMonths > 0 ? a.PreSpend / preMonths : 0,
                a.PreAccounts.Count,
            };
            units.Add(new ExperimentUnit(key, cluster, arm, pre, post, cov, early));
            int armIndex = arm == RolloutArm.Treatment ? 1 : 0;
            armCounts[armIndex]++;
            for (int t = 0; t < months; t++)
            {
                monthly[armIndex, t, 0] += a.Monthly[m, t, 0];
                monthly[armIndex, t, 1] += a.Monthly[m, t, 1];
            }
        }
        if (units.Count == 0) throw new WorkbenchException("No unit could be placed in an arm: no rep in the book carries a rollout arm.");

        var series = new List<ArmMonth>(months);
        for (int t = 0; t < months; t++)
        {
            double Value(int arm) => metric == ExperimentMetric.WinRate
                ? (monthly[arm, t, 1] > 0 ? monthly[arm, t, 0] / monthly[arm, t, 1] : double.NaN)
                : (armCounts[arm] > 0 ? monthly[arm, t, 0] / armCounts[arm] : double.NaN);
            series.Add(new ArmMonth(periodStart.AddMonths(t), Value(0), Value(1)));
        }
        return new ExperimentData(metric, unit, start, periodStart, periodEnd, units, CovariateNames, series, withoutArm);
    }

    sealed class Accumulator(int months, ExperimentMetric analysed, int earlyMonths)
    {
        public double EarlyNum, EarlyDen;
        public readonly (double Num, double Den)[] Pre = new (double, double)[4], Post = new (double, double)[4];
        public readonly double[,,] Monthly = new double[4, months, 2];
        public double PreSpend;
        public readonly HashSet<string> PreAccounts = new(StringComparer.Ordinal);

        public void Add(ExperimentMetric metric, bool pre, int month, double num, double den)
        {
            int m = (int)metric;
            var target = pre ? Pre : Post;
            target[m] = (target[m].Num + num, target[m].Den + den);
            if (pre && metric == analysed && month < earlyMonths) { EarlyNum += num; EarlyDen += den; }
            if ((uint)month < (uint)Monthly.GetLength(1))
            {
                Monthly[m, month, 0] += num;
                Monthly[m, month, 1] += den;
            }
        }
    }
}
