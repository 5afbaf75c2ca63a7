namespace Workbench.Analytics.Ranking;

/// <summary>One account-product at an as-of date with its probabilities and the money behind them.</summary>
public sealed record ProductPriority(string AccountId, string ProductId, DateOnly AsOf, double PUpsell, double PChurn,
    double RunRate, double ExpectedUpsell, double RevenueAtRisk)
{
    /// <summary>Expected value of acting: P(upsell) x expected upsell amount + P(churn) x revenue at risk.</summary>
    public double Priority => ExpectedUpsell + RevenueAtRisk;
}

/// <summary>A line of a rep's ranked book.</summary>
public sealed record AccountPriority(string RepId, string AccountId, DateOnly AsOf, int Rank, Grade Grade, Trend Trend,
    double Priority, double PreviousPriority, double ExpectedUpsell, double RevenueAtRisk, double MaxPUpsell, double MaxPChurn,
    string TopProduct, AccountFocus Focus);

/// <summary>
/// Turns per-product propensities into expected values and each rep's ranked book: the expected upsell amount is
/// P(upsell) x run-rate x the mean relative upsell seen in training; revenue at risk is P(churn) x run-rate x
/// <see cref="PriorityOptions.RevenueAtRiskMonths"/>. Accounts are ranked by the sum over their products, graded A-D by
/// the cut-offs within their book, and compared with the previous as-of date for the trend.
/// </summary>
public static class PriorityBooks
{
    public static IReadOnlyList<ProductPriority> ProductPriorities(FeatureTable table, IReadOnlyList<Label> labels, IReadOnlyList<int> rows,
        double[] pUpsell, double[] pChurn, double upsellRatio, PriorityOptions options)
        => ProductPriorities(table, r => labels[r].RunRate, rows, pUpsell, pChurn, upsellRatio, options);

    /// <summary>Product priorities from run-rates alone (row -> monthly run-rate), for scoring new data that has no labels.</summary>
    public static IReadOnlyList<ProductPriority> ProductPriorities(FeatureTable table, Func<int, double> runRateOfRow, IReadOnlyList<int> rows,
        double[] pUpsell, double[] pChurn, double upsellRatio, PriorityOptions options)
    {
        options.Validate();
        return rows.Select((r, k) =>
        {
            double runRate = runRateOfRow(r);
            return new ProductPriority(table.AccountId(r), table.ProductId(r), table.AsOf(r), pUpsell[k], pChurn[k], runRate,
                pUpsell[k] * runRate * upsellRatio * options.RevenueAtRiskMonths, pChurn[k] * runRate * options.RevenueAtRiskMonths);
        }).ToList();
    }

    /// <summary>Ranked books at every as-of date present, with trends against the previous date.</summary>
    public static IReadOnlyList<AccountPriority> Books(IReadOnlyList<ProductPriority> products, RepBooks books, PriorityOptions options)
    {
        options.Validate();
        var result = new List<AccountPriority>();
        Dictionary<string, double>? previous = null;
        foreach (var date in products.Select(p => p.AsOf).Distinct().Order())
        {
            var accounts = products.Where(p => p.AsOf == date).GroupBy(p => p.AccountId, StringComparer.Ordinal).Select(g =>
            {
                var top = g.OrderByDescending(p => p.Priority).ThenBy(p => p.ProductId, StringComparer.Ordinal).First();
                double up = g.Sum(p => p.ExpectedUpsell), risk = g.Sum(p => p.RevenueAtRisk);
                return (Account: g.Key, Rep: books.RepOf(g.Key, date), Priority: up + risk, Up: up, Risk: risk,
                    MaxUp: g.Max(p => p.PUpsell), MaxChurn: g.Max(p => p.PChurn), Top: top.ProductId, Focus: risk >= up ? AccountFocus.Retain : AccountFocus.Expand);
            }).ToList();
            var current = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var book in accounts.GroupBy(a => a.Rep, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var ranked = book.OrderByDescending(a => a.Priority).ThenBy(a => a.Account, StringComparer.Ordinal).ToList();
                for (int i = 0; i < ranked.Count; i++)
                {
                    var a = ranked[i];
                    double share = (i + 1.0) / ranked.Count;
                    var grade = share <= options.GradeCutoffs[0] ? Grade.A : share <= options.GradeCutoffs[1] ? Grade.B : share <= options.GradeCutoffs[2] ? Grade.C : Grade.D;
                    double prev = previous is not null && previous.TryGetValue(a.Account, out var pv) ? pv : double.NaN;
                    var trend = double.IsNaN(prev) ? Trend.New
                        : a.Priority > prev * (1 + options.TrendTolerance) ? Trend.Up
                        : a.Priority < prev * (1 - options.TrendTolerance) ? Trend.Down : Trend.Steady;
                    result.Add(new AccountPriority(a.Rep, a.Account, date, i + 1, grade, trend, a.Priority, prev, a.Up, a.Risk, a.MaxUp, a.MaxChurn, a.Top, a.Focus));
                    current[a.Account] = a.Priority;
                }
            }
            previous = current;
        }
        return result;
    }
}

/// <summary>Probabilities shown to reps stay within [<see cref="Floor"/>, 1 - <see cref="Floor"/>]: isotonic calibration
/// returns exactly 0 or 1 at the ends of its steps, which no account's future warrants.</summary>
public static class ProbabilityBounds
{
    public const double Floor = 0.005;
    public static double Apply(double p) => Math.Clamp(p, Floor, 1 - Floor);
}

/// <summary>What a trend means for an account's focus: rising risk (focus "retain", priority up) is bad news, rising
/// expansion (focus "expand", priority up) is good news.</summary>
public static class TrendReading
{
    /// <summary>The words ("risk rising", "expansion falling", "steady", "new") and whether it is good (true), bad (false) or neither (null).</summary>
    public static (string Text, bool? Good) Of(AccountPriority p) => (p.Trend, p.Focus == AccountFocus.Retain) switch
    {
        (Trend.New, _) => ("new", null),
        (Trend.Steady, _) => ("steady", null),
        (Trend.Up, true) => ("risk rising", false),
        (Trend.Down, true) => ("risk falling", true),
        (Trend.Up, false) => ("expansion rising", true),
        _ => ("expansion falling", false),
    };
}
