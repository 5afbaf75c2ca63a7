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

    public double PairSum(double[] series, int w)
    {
        double sum = 0;
        for (int m = Math.Max(0, t - w); m < t; m++) sum += series[PairBase + m];
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

    public double AccountSum(double[] series, int w) => AccountSumBetween(series, w, 0);

    /// <summary>Sum over months [t - w, t - skip).</summary>
    public double AccountSumBetween(double[] series, int w, int skip)
    {
        double sum = 0;
        for (int m = Math.Max(0, t - w); m < t - skip; m++) sum += series[AccountBase + m];
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
}
