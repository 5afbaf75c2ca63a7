using Deedle;

namespace Workbench.Analytics.Labeling;

/// <summary>The months a label reads, for one snapshot: features see months before <see cref="AsOf"/>, the label
/// sees [<see cref="From"/>, <see cref="To"/>) (To exclusive).</summary>
public sealed record LabelWindow(string AccountId, string ProductId, DateOnly AsOf, DateOnly From, DateOnly To, Outcome Outcome)
{
    /// <summary>The window of a product-level label.</summary>
    public static LabelWindow Of(Label label, MonthlyPanel panel, SnapshotOptions options)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ArgumentNullException.ThrowIfNull(options);
        var s = label.Snapshot;
        var from = panel.MonthAt(s.AsOfMonth + options.GapMonths);
        return new LabelWindow(panel.AccountIds[s.Account], panel.ProductIds[s.Product], panel.MonthAt(s.AsOfMonth),
            from, from.AddMonths(options.HorizonMonths), label.Outcome);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{AccountId}/{ProductId} as of {AsOf.ToString("yyyy-MM-dd", RunContext.Culture)}: label window {From.ToString("yyyy-MM-dd", RunContext.Culture)} " +
        $"to {To.AddDays(-1).ToString("yyyy-MM-dd", RunContext.Culture)}, outcome {Outcome.ToString().ToLowerInvariant()}";
}

/// <summary>
/// One account's monthly history as Deedle series keyed by month start: spend per product (0 when nothing was
/// billed), total spend, and the trailing run-rate (mean spend of the <see cref="RunRateMonths"/> months before each
/// month, the same quantity labels compare the window against). Built from a <see cref="MonthlyPanel"/>, so it reads
/// exactly what features and labels read.
/// </summary>
public sealed class AccountHistory
{
    /// <summary>The account.</summary>
    public string AccountId { get; }
    /// <summary>Month starts of the panel, in order.</summary>
    public IReadOnlyList<DateOnly> Months { get; }
    /// <summary>Monthly spend, one column per product the account ever had (ordinal product order), rows = months.</summary>
    public Frame<DateTime, string> Spend { get; }
    /// <summary>Total monthly spend over products.</summary>
    public Series<DateTime, double> TotalSpend { get; }
    /// <summary>Trailing mean of total spend over the previous <see cref="RunRateMonths"/> months (missing for the first months).</summary>
    public Series<DateTime, double> RunRate { get; }
    /// <summary>Months averaged into <see cref="RunRate"/>.</summary>
    public int RunRateMonths { get; }

    AccountHistory(string accountId, IReadOnlyList<DateOnly> months, Frame<DateTime, string> spend, Series<DateTime, double> total,
        Series<DateTime, double> runRate, int runRateMonths)
    {
        (AccountId, Months, Spend, TotalSpend, RunRate, RunRateMonths) = (accountId, months, spend, total, runRate, runRateMonths);
    }

    /// <summary>Products with a spend column, in column order.</summary>
    public IReadOnlyList<string> Products => Spend.ColumnKeys.ToList();

    /// <summary>Monthly spend of one product as a Deedle series.</summary>
    public Series<DateTime, double> SpendOf(string productId) =>
        Products.Contains(productId) ? Spend.GetColumn<double>(productId)
        : throw new KeyNotFoundException($"Account {AccountId} has no spend or usage on product '{productId}'. Products: {string.Join(", ", Products)}");

    /// <summary>The history of <paramref name="accountId"/> with the default three-month run-rate.</summary>
    public static AccountHistory Of(MonthlyPanel panel, string accountId) => Of(panel, accountId, 3);

    /// <summary>The history of <paramref name="accountId"/>; <paramref name="runRateMonths"/> as in <see cref="LabelOptions.RunRateMonths"/>.</summary>
    public static AccountHistory Of(MonthlyPanel panel, string accountId, int runRateMonths)
    {
        ArgumentNullException.ThrowIfNull(panel);
        if (runRateMonths is < 1 or > 12) throw new OptionsValidationException($"runRateMonths must be 1..12, got {runRateMonths}.");
        int account = panel.AccountIndexOf(accountId);
        var months = Enumerable.Range(0, panel.Months).Select(panel.MonthAt).ToList();
        var keys = months.Select(m => m.ToDateTime(TimeOnly.MinValue)).ToArray();
        var columns = new List<KeyValuePair<string, Series<DateTime, double>>>();
        for (int p = 0; p < panel.Pairs.Count; p++)
        {
            if (panel.Pairs[p].Account != account) continue;
            var values = new double[panel.Months];
            Array.Copy(panel.Spend, p * panel.Months, values, 0, panel.Months);
            columns.Add(new(panel.ProductIds[panel.Pairs[p].Product], new Series<DateTime, double>(keys, values)));
        }
        var total = new Series<DateTime, double>(keys, keys.Select((_, m) => columns.Sum(c => c.Value.GetAt(m))).ToArray());
        // Run-rate at month t averages months t-n..t-1: the moving mean ending at t-1, shifted one month later.
        var runRate = Stats.movingMean(runRateMonths, total).Shift(1);
        return new AccountHistory(accountId, months, Frame.FromColumns(columns), total, runRate, runRateMonths);
    }
}
