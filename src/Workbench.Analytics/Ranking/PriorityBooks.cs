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

    /// <summary>Product priorities from run-rates alone (row -> monthly run-rate), for scoring new data that has no labels.
    /// Each row's priority reads that row alone, so they are computed on every core, each into its place.</summary>
    public static IReadOnlyList<ProductPriority> ProductPriorities(FeatureTable table, Func<int, double> runRateOfRow, IReadOnlyList<int> rows,
        double[] pUpsell, double[] pChurn, double upsellRatio, PriorityOptions options)
    {
        options.Validate();
        var result = new ProductPriority[rows.Count];
        Parallel.For(0, (rows.Count + ProductChunk - 1) / ProductChunk, c =>
        {
            for (int k = c * ProductChunk, end = Math.Min(rows.Count, k + ProductChunk); k < end; k++)
            {
                int r = rows[k];
                double runRate = runRateOfRow(r);
                result[k] = new ProductPriority(table.AccountId(r), table.ProductId(r), table.AsOf(r), pUpsell[k], pChurn[k], runRate,
                    pUpsell[k] * runRate * upsellRatio * options.RevenueAtRiskMonths, pChurn[k] * runRate * options.RevenueAtRiskMonths);
            }
        });
        return result;
    }

    const int ProductChunk = 4096;

    /// <summary>Ranked books at every as-of date present, with trends against the previous date.</summary>
    public static IReadOnlyList<AccountPriority> Books(IReadOnlyList<ProductPriority> products, RepBooks books, PriorityOptions options)
    {
        options.Validate();
        var result = new List<AccountPriority>();
        Dictionary<string, double>? previous = null;
        foreach (var date in products.Select(p => p.AsOf).Distinct().Order())
            previous = Rank(AccountsAt(products, date, books), date, options, previous, result);
        return result;
    }

    /// <summary>The ranked books at <paramref name="date"/> alone: the lines <see cref="Books"/> gives for that date (trends
    /// against the latest earlier date present), without ranking and grading the earlier date's books, whose priorities
    /// are all a trend reads (what scoring shows: the as-of month, compared with the month before).</summary>
    public static IReadOnlyList<AccountPriority> BooksAt(IReadOnlyList<ProductPriority> products, RepBooks books, PriorityOptions options, DateOnly date)
    {
        options.Validate();
        var result = new List<AccountPriority>();
        DateOnly? before = null;
        bool present = false;
        foreach (var p in products)
        {
            if (p.AsOf == date) present = true;
            else if (p.AsOf < date && (before is null || p.AsOf > before)) before = p.AsOf;
        }
        if (!present) return result;
        // The two dates' accounts are summed side by side (each in the products' order, as Books sums them).
        List<AccountLine> current = null!, earlier = null!;
        Parallel.Invoke(() => current = AccountsAt(products, date, books), () => earlier = before is { } b ? AccountsAt(products, b, books) : []);
        Dictionary<string, double>? previous = null;
        if (before is not null)
        {
            previous = new Dictionary<string, double>(earlier.Count, StringComparer.Ordinal);
            foreach (var a in earlier) previous[a.Account] = a.Priority;
        }
        Rank(current, date, options, previous, result);
        return result;
    }

    readonly record struct AccountLine(string Account, string Rep, double Priority, double Up, double Risk, double MaxUp, double MaxChurn, string Top, AccountFocus Focus);

    /// <summary>Each account at <paramref name="date"/>: its products' sums, top product and focus, and its rep then. Accounts in
    /// the order of their first product at the date, each account's products in the list's order (the groups, sums and
    /// maxima a LINQ GroupBy, Sum and Max give, without a grouping's lists): the sums add in that order from zero, a maximum
    /// skips leading NaNs as <c>Enumerable.Max</c> does, and the top product is the first of the highest priority, then the
    /// lowest product id (what a stable descending sort's first element is).</summary>
    static List<AccountLine> AccountsAt(IReadOnlyList<ProductPriority> products, DateOnly date, RepBooks books)
    {
        var at = new Dictionary<string, int>(StringComparer.Ordinal);
        var sums = new List<AccountSums>();
        string? lastAccount = null;
        int last = -1;
        foreach (var p in products)
        {
            if (p.AsOf != date) continue;
            // Products come grouped by account: the last account's slot saves most lookups.
            if (lastAccount is null || !string.Equals(p.AccountId, lastAccount, StringComparison.Ordinal))
            {
                lastAccount = p.AccountId;
                if (!at.TryGetValue(p.AccountId, out last))
                {
                    at.Add(p.AccountId, last = sums.Count);
                    // The first product: the sums start from zero, the maxima and the top from it.
                    sums.Add(new AccountSums { Account = p.AccountId, Up = 0.0 + p.ExpectedUpsell, Risk = 0.0 + p.RevenueAtRisk, MaxUp = p.PUpsell, MaxChurn = p.PChurn, Top = p });
                    continue;
                }
            }
            ref var g = ref System.Runtime.InteropServices.CollectionsMarshal.AsSpan(sums)[last];
            g.Up += p.ExpectedUpsell;
            g.Risk += p.RevenueAtRisk;
            if (double.IsNaN(g.MaxUp) || p.PUpsell > g.MaxUp) g.MaxUp = p.PUpsell;
            if (double.IsNaN(g.MaxChurn) || p.PChurn > g.MaxChurn) g.MaxChurn = p.PChurn;
            int c = p.Priority.CompareTo(g.Top.Priority);
            if (c > 0 || (c == 0 && string.CompareOrdinal(p.ProductId, g.Top.ProductId) < 0)) g.Top = p;
        }
        var lines = new List<AccountLine>(sums.Count);
        foreach (var g in sums)
            lines.Add(new AccountLine(g.Account, books.RepOf(g.Account, date), g.Up + g.Risk, g.Up, g.Risk, g.MaxUp, g.MaxChurn, g.Top.ProductId,
                g.Risk >= g.Up ? AccountFocus.Retain : AccountFocus.Expand));
        return lines;
    }

    /// <summary>An account's running sums over its products at one date (see <see cref="AccountsAt"/>).</summary>
    struct AccountSums
    {
        public string Account;
        public double Up, Risk, MaxUp, MaxChurn;
        public ProductPriority Top;
    }

    /// <summary>The grade of the account at 0-based position <paramref name="index"/> of a book of <paramref name="count"/>
    /// accounts ranked by priority: its share of the book, (index + 1) / count, against the grade cut-offs.</summary>
    public static Grade GradeAt(int index, int count, PriorityOptions options)
    {
        double share = (index + 1.0) / count;
        return share <= options.GradeCutoffs[0] ? Grade.A : share <= options.GradeCutoffs[1] ? Grade.B : share <= options.GradeCutoffs[2] ? Grade.C : Grade.D;
    }

    /// <summary>The order of a rep's book: priority descending, then account id (ordinal).</summary>
    public static int BookOrder(double priorityX, string accountX, double priorityY, string accountY)
    {
        int c = priorityY.CompareTo(priorityX);
        return c != 0 ? c : string.CompareOrdinal(accountX, accountY);
    }

    /// <summary>Ranks and grades each rep's book at <paramref name="date"/> into <paramref name="result"/> (reps in order),
    /// with trends against <paramref name="previous"/>; returns the accounts' priorities at this date. One sort by rep
    /// (ordinal), then priority (descending), then account id (ordinal): accounts are distinct, so the order is total and
    /// is the one the rep groups' stable sorts give.</summary>
    static Dictionary<string, double> Rank(List<AccountLine> accounts, DateOnly date, PriorityOptions options, Dictionary<string, double>? previous,
        List<AccountPriority> result)
    {
        var current = new Dictionary<string, double>(accounts.Count, StringComparer.Ordinal);
        var sorted = accounts.ToArray();
        Array.Sort(sorted, static (x, y) =>
        {
            int c = string.CompareOrdinal(x.Rep, y.Rep);
            return c != 0 ? c : BookOrder(x.Priority, x.Account, y.Priority, y.Account);
        });
        for (int start = 0; start < sorted.Length;)
        {
            int end = start + 1;
            while (end < sorted.Length && string.Equals(sorted[end].Rep, sorted[start].Rep, StringComparison.Ordinal)) end++;
            int count = end - start;
            for (int i = 0; i < count; i++)
            {
                var a = sorted[start + i];
                var grade = GradeAt(i, count, options);
                double prev = previous is not null && previous.TryGetValue(a.Account, out var pv) ? pv : double.NaN;
                var trend = double.IsNaN(prev) ? Trend.New
                    : a.Priority > prev * (1 + options.TrendTolerance) ? Trend.Up
                    : a.Priority < prev * (1 - options.TrendTolerance) ? Trend.Down : Trend.Steady;
                result.Add(new AccountPriority(a.Rep, a.Account, date, i + 1, grade, trend, a.Priority, prev, a.Up, a.Risk, a.MaxUp, a.MaxChurn, a.Top, a.Focus));
                current[a.Account] = a.Priority;
            }
            start = end;
        }
        return current;
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
