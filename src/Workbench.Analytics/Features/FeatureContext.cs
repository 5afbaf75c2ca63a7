using System.Numerics;

namespace Workbench.Analytics.Features;

/// <summary>One snapshot seen from the feature catalog: window helpers that read months [t - w, t) only.</summary>
internal readonly struct FeatureContext(FeatureBuilder builder, MonthlyPanel panel, int pair, int accountIndex, int t)
{
    public FeatureBuilder Builder => builder;
    public MonthlyPanel Panel => panel;
    public int Pair => pair;
    public int AccountIndex => accountIndex;
    /// <summary>As-of month index: the first month the features may NOT see.</summary>
    public int T => t;
    public DateOnly AsOf => panel.MonthAt(t);
    public Account Account => panel.Accounts[accountIndex];

    int PairBase => pair * panel.Months;
    int AccountBase => accountIndex * panel.Months;

    /// <summary>Mean over the last w months, skipping NaN; NaN when nothing was observed.</summary>
    public double PairMean(double[] series, int w)
    {
        double sum = 0; int n = 0;
        for (int m = Math.Max(0, t - w); m < t; m++) { double v = series[PairBase + m]; if (!double.IsNaN(v)) { sum += v; n++; } }
        return n == 0 ? double.NaN : sum / n;
    }

    /// <summary>Sum over the last w months (double or float counts; a float count reads back as the same double).</summary>
    public double PairSum<T>(T[] series, int w) where T : unmanaged, INumberBase<T>
    {
        double sum = 0;
        for (int m = Math.Max(0, t - w); m < t; m++) sum += double.CreateTruncating(series[PairBase + m]);
        return sum;
    }

    /// <summary>Sum skipping NaN; NaN when nothing was observed.</summary>
    public double PairSumNaN(double[] series, int w)
    {
        double sum = 0; int n = 0;
        for (int m = Math.Max(0, t - w); m < t; m++) { double v = series[PairBase + m]; if (!double.IsNaN(v)) { sum += v; n++; } }
        return n == 0 ? double.NaN : sum;
    }

    public double PairLast(double[] series) => t >= 1 ? series[PairBase + t - 1] : double.NaN;

    /// <summary>The value <paramref name="monthsBack"/> months before the as-of month (1 = last month); NaN before the panel.</summary>
    public double PairAt(double[] series, int monthsBack) => t - monthsBack is var m && m >= 0 && m < panel.Months ? series[PairBase + m] : double.NaN;

    /// <summary>Value last month minus the value w months before that.</summary>
    public double PairChange(double[] series, int w) => t - 1 - w >= 0 ? series[PairBase + t - 1] - series[PairBase + t - 1 - w] : double.NaN;

    /// <summary>Relative growth last month against w months before (NaN if the base is 0 or missing).</summary>
    public double PairGrowth(double[] series, int w)
    {
        if (t - 1 - w < 0) return double.NaN;
        double before = series[PairBase + t - 1 - w], after = series[PairBase + t - 1];
        return before > 0 ? after / before - 1 : double.NaN;
    }

    /// <summary>Coefficient of variation over the last w months (std / mean); NaN if mean is 0.</summary>
    public double PairCv(double[] series, int w)
    {
        int from = Math.Max(0, t - w), n = t - from;
        if (n < 2) return double.NaN;
        double mean = 0; for (int m = from; m < t; m++) mean += series[PairBase + m]; mean /= n;
        if (mean <= 0) return double.NaN;
        double ss = 0; for (int m = from; m < t; m++) { double d = series[PairBase + m] - mean; ss += d * d; }
        return Math.Sqrt(ss / (n - 1)) / mean;
    }

    public double AccountSum<T>(T[] series, int w) where T : unmanaged, INumberBase<T> => AccountSumBetween(series, w, 0);

    /// <summary>Sum over months [t - w, t - skip).</summary>
    public double AccountSumBetween<T>(T[] series, int w, int skip) where T : unmanaged, INumberBase<T>
    {
        double sum = 0;
        for (int m = Math.Max(0, t - w); m < t - skip; m++) sum += double.CreateTruncating(series[AccountBase + m]);
        return sum;
    }

    public double LastSurvey(int w)
    {
        for (int m = t - 1; m >= Math.Max(0, t - w); m--)
            if (panel.SurveyCount[AccountBase + m] > 0) return panel.SurveySum[AccountBase + m] / panel.SurveyCount[AccountBase + m];
        return double.NaN;
    }

    public double AccountTenure()
    {
        var created = Account.CreatedDate;
        var asOf = AsOf;
        if (created >= asOf) return 0;
        return (asOf.Year - created.Year) * 12 + asOf.Month - created.Month;
    }

    Contract? CurrentContract()
    {
        var asOf = AsOf;
        Contract? current = null;
        foreach (var c in panel.ContractsByPair[pair])
        {
            if (c.StartDate >= asOf) break; // sorted by start: later ones are in the future
            if (c.RenewalDate >= asOf) current = c;
        }
        return current;
    }

    public double MonthsToRenewal()
    {
        if (CurrentContract() is not { } c) return double.NaN;
        var asOf = AsOf;
        return (c.RenewalDate.Year - asOf.Year) * 12 + c.RenewalDate.Month - asOf.Month;
    }

    public double ContractTerm() => CurrentContract()?.TermMonths ?? double.NaN;

    // Account level: every product pair of the account over the months [t - w, t) clipped to the panel; w = null reads
    // every month before t (an account profile's "all history").

    (int From, int To) AccountWindow(int? w) => (w is int months ? Math.Max(0, t - months) : 0, Math.Min(t, panel.Months));

    /// <summary>Months in the window in which the account was billed for anything.</summary>
    public double AccountBilledMonths(int? w)
    {
        var (from, to) = AccountWindow(w);
        int n = 0;
        for (int m = from; m < to; m++)
            for (int p = panel.PairStart[accountIndex]; p < panel.PairStart[accountIndex + 1]; p++)
                if (panel.Spend[p * panel.Months + m] > 0) { n++; break; }
        return n;
    }

    /// <summary>Product-months in the window with a bill (products billed, summed over the months).</summary>
    public double AccountBilledProductMonths(int? w) => AccountPairs(w, (spend, _) => spend > 0 ? 1 : 0, panel.Spend, panel.Spend);

    /// <summary>Amount billed over the window (positive product-month bills).</summary>
    public double AccountBilledSpend(int? w) => AccountPairs(w, (spend, _) => spend > 0 ? spend : 0, panel.Spend, panel.Spend);

    /// <summary>Sum of a pair series over the account's product-months in the window.</summary>
    public double AccountPairTotal<T>(T[] series, int? w) where T : unmanaged, INumberBase<T>
    {
        var (from, to) = AccountWindow(w);
        double sum = 0;
        for (int p = panel.PairStart[accountIndex]; p < panel.PairStart[accountIndex + 1]; p++)
            for (int m = from; m < to; m++) sum += double.CreateTruncating(series[p * panel.Months + m]);
        return sum;
    }

    /// <summary>Mean of a pair series over the account's observed (not NaN) product-months; NaN when none.</summary>
    public double AccountPairMean(double[] series, int? w)
    {
        double n = AccountPairs(w, (v, _) => double.IsNaN(v) ? 0 : 1, series, series);
        return n == 0 ? double.NaN : AccountPairs(w, (v, _) => double.IsNaN(v) ? 0 : v, series, series) / n;
    }

    /// <summary>Sum of <paramref name="numerator"/> over sum of <paramref name="denominator"/>, over the product-months
    /// where both are observed and the denominator is positive; NaN when the denominator sums to 0.</summary>
    public double AccountPairRatio(double[] numerator, double[] denominator, int? w)
    {
        static bool Both(double a, double b) => !double.IsNaN(a) && b > 0;
        double den = AccountPairs(w, (a, b) => Both(a, b) ? b : 0, numerator, denominator);
        return den > 0 ? AccountPairs(w, (a, b) => Both(a, b) ? a : 0, numerator, denominator) / den : double.NaN;
    }

    /// <summary>Mean, over the window's months with an observation, of the largest value among the account's products
    /// that month (e.g. active users: the largest product user base); NaN when nothing was observed.</summary>
    public double AccountMonthlyMaxMean(double[] series, int? w)
    {
        var (from, to) = AccountWindow(w);
        double sum = 0; int n = 0;
        for (int m = from; m < to; m++)
        {
            double max = double.NaN;
            for (int p = panel.PairStart[accountIndex]; p < panel.PairStart[accountIndex + 1]; p++)
            {
                double v = series[p * panel.Months + m];
                if (!double.IsNaN(v) && !(v <= max)) max = v;
            }
            if (!double.IsNaN(max)) { sum += max; n++; }
        }
        return n == 0 ? double.NaN : sum / n;
    }

    /// <summary>Sum of an account series (events per account and month) over the window.</summary>
    public double AccountTotal<T>(T[] series, int? w) where T : unmanaged, INumberBase<T>
    {
        var (from, to) = AccountWindow(w);
        double sum = 0;
        for (int m = from; m < to; m++) sum += double.CreateTruncating(series[AccountBase + m]);
        return sum;
    }

    /// <summary>Months (30.44 days each, fractional) from the account's creation to the as-of date; 0 before it.</summary>
    public double AccountAgeMonths() => Math.Max(0, (AsOf.DayNumber - Account.CreatedDate.DayNumber) / 30.436875);

    double AccountPairs(int? w, Func<double, double, double> term, double[] a, double[] b)
    {
        var (from, to) = AccountWindow(w);
        double sum = 0;
        for (int p = panel.PairStart[accountIndex]; p < panel.PairStart[accountIndex + 1]; p++)
            for (int m = from; m < to; m++) sum += term(a[p * panel.Months + m], b[p * panel.Months + m]);
        return sum;
    }
}
