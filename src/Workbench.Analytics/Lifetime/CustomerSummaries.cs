namespace Workbench.Analytics.Lifetime;

/// <summary>The clock of the repeat-purchase models. Days and weeks count days between purchase dates (weeks = days / 7,
/// as Fader, Hardie and Lee count CDNOW's calibration weeks); months count calendar months between purchase months.</summary>
public enum LifetimeTimeUnit { Days, Weeks, Months }

/// <summary>One purchase as the lifetime models see it: who, when, how much.</summary>
public readonly record struct Purchase(string AccountId, DateOnly Date, double Amount);

/// <summary>One customer's repeat-purchase summary at the calibration end (the RFM inputs of BG/NBD, Pareto/NBD and
/// Gamma-Gamma) and what happened in the holdout period after it.
/// Frequency: repeat purchase periods (distinct purchase days, or months, minus the first); Recency: time from the
/// first to the last purchase; T: time from the first purchase to the calibration end; MonetaryValue: mean value of the
/// repeat purchase periods (0 without repeats), all in <see cref="CustomerSummaryTable.TimeUnit"/>s.</summary>
public sealed record CustomerSummary(
    string AccountId,
    DateOnly FirstPurchase,
    int Frequency,
    double Recency,
    double T,
    double MonetaryValue,
    double CalibrationRevenue,
    int FrequencyHoldout,
    double RevenueHoldout);

/// <summary>Summaries of every customer who bought on or before the calibration end, in account-id order.</summary>
public sealed record CustomerSummaryTable(
    IReadOnlyList<CustomerSummary> Customers,
    LifetimeTimeUnit TimeUnit,
    DateOnly CalibrationEnd,
    DateOnly ObservationEnd,
    double HoldoutDuration);

/// <summary>Builds customer summaries from purchases with a calibration/holdout split by date (what the <c>lifetimes</c>
/// library calls <c>calibration_and_holdout_data</c>).</summary>
public static class CustomerSummaries
{
    /// <summary>Purchases of the canonical day-level transactions table.</summary>
    public static IReadOnlyList<Purchase> FromTransactions(IEnumerable<TransactionRecord> transactions) =>
        transactions.Select(t => new Purchase(t.AccountId, t.Date, (double)t.Amount)).ToList();

    /// <summary>Purchases from monthly spend (one purchase per account and month with a positive amount, dated the
    /// first of the month): the fallback for data without day-level transactions; use months as the time unit.</summary>
    public static IReadOnlyList<Purchase> FromMonthlySpend(IEnumerable<SpendRecord> spend) =>
        spend.Where(s => s.Amount > 0).GroupBy(s => (s.AccountId, s.Month))
            .Select(g => new Purchase(g.Key.AccountId, g.Key.Month, (double)g.Sum(s => s.Amount))).ToList();

    /// <summary>Summaries at <paramref name="calibrationEnd"/> (purchases on that day belong to calibration); the
    /// holdout runs to <paramref name="observationEnd"/> inclusive (default: the last purchase date).</summary>
    public static CustomerSummaryTable Build(IReadOnlyList<Purchase> purchases, DateOnly calibrationEnd, LifetimeTimeUnit unit,
        DateOnly? observationEnd = null)
    {
        if (purchases.Count == 0) throw new WorkbenchException("Customer summaries need at least one purchase.");
        var obsEnd = observationEnd ?? purchases.Max(p => p.Date);
        if (obsEnd < calibrationEnd) obsEnd = calibrationEnd;
        var rows = new List<CustomerSummary>();
        foreach (var g in purchases.GroupBy(p => p.AccountId).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // One purchase period per day (or month): same-day orders are one transaction, as in the published summaries.
            var periods = g.GroupBy(p => PeriodStart(p.Date, unit)).Select(pg => (Date: pg.Key, Amount: pg.Sum(p => p.Amount)))
                .OrderBy(p => p.Date).ToList();
            var cal = periods.Where(p => p.Date <= calibrationEnd).ToList();
            if (cal.Count == 0) continue;
            var hold = periods.Where(p => p.Date > calibrationEnd && p.Date <= obsEnd).ToList();
            var first = cal[0].Date;
            int x = cal.Count - 1;
            rows.Add(new CustomerSummary(g.Key, first, x,
                Elapsed(first, cal[^1].Date, unit), Elapsed(first, calibrationEnd, unit),
                x > 0 ? cal.Skip(1).Average(p => p.Amount) : 0, cal.Sum(p => p.Amount),
                hold.Count, hold.Sum(p => p.Amount)));
        }
        if (rows.Count == 0) throw new WorkbenchException($"No customer bought on or before the calibration end {calibrationEnd:yyyy-MM-dd}.");
        return new CustomerSummaryTable(rows, unit, calibrationEnd, obsEnd, Elapsed(calibrationEnd, obsEnd, unit));
    }

    static DateOnly PeriodStart(DateOnly d, LifetimeTimeUnit unit) => unit == LifetimeTimeUnit.Months ? new DateOnly(d.Year, d.Month, 1) : d;

    /// <summary>Time from <paramref name="from"/> to <paramref name="to"/> in the unit (months: calendar months between them).</summary>
    public static double Elapsed(DateOnly from, DateOnly to, LifetimeTimeUnit unit) => unit switch
    {
        LifetimeTimeUnit.Days => to.DayNumber - from.DayNumber,
        LifetimeTimeUnit.Weeks => (to.DayNumber - from.DayNumber) / 7.0,
        _ => (to.Year - from.Year) * 12 + to.Month - from.Month,
    };

    /// <summary>How many time units one calendar month is (for horizons given in months).</summary>
    public static double UnitsPerMonth(LifetimeTimeUnit unit) => unit switch
    {
        LifetimeTimeUnit.Days => 365.25 / 12,
        LifetimeTimeUnit.Weeks => 365.25 / 12 / 7,
        _ => 1,
    };
}

/// <summary>Repeat-purchase data compressed to distinct (x, t_x, T) rows with counts: the likelihoods sum over
/// distinct rows, which makes a fit on tens of thousands of customers cost a fraction of the rows.</summary>
public sealed class RfmData
{
    public double[] X { get; }
    public double[] Tx { get; }
    public double[] T { get; }
    public double[] Weight { get; }
    public double Customers { get; }

    public RfmData(IEnumerable<(double X, double Tx, double T)> rows)
    {
        var groups = rows.GroupBy(r => r).OrderBy(g => g.Key.X).ThenBy(g => g.Key.Tx).ThenBy(g => g.Key.T).ToList();
        X = groups.Select(g => g.Key.X).ToArray();
        Tx = groups.Select(g => g.Key.Tx).ToArray();
        T = groups.Select(g => g.Key.T).ToArray();
        Weight = groups.Select(g => (double)g.Count()).ToArray();
        Customers = Weight.Sum();
        for (int i = 0; i < X.Length; i++)
            if (!(X[i] >= 0) || !(Tx[i] >= 0) || !(T[i] >= Tx[i]) || (X[i] == 0 && Tx[i] != 0))
                throw new WorkbenchException($"Invalid repeat-purchase summary (x {X[i]}, t_x {Tx[i]}, T {T[i]}): need x >= 0, 0 <= t_x <= T, t_x = 0 when x = 0.");
    }

    public static RfmData From(CustomerSummaryTable table) => new(table.Customers.Select(c => ((double)c.Frequency, c.Recency, c.T)));
}
