namespace Workbench.Analytics.Explanation;

/// <summary>
/// Supporting statistics from a labeled population (the training snapshots): for a feature and an account's value,
/// how much more often the outcome happened among accounts on the same side of that value than among the rest
/// ("accounts with utilization at or below 51% churned 2.4x as often"). Each feature is sorted once; a query is a
/// binary search and two prefix sums.
/// </summary>
internal sealed class PopulationStats
{
    readonly float[][] _sorted;
    readonly int[][] _positivesBefore; // [j][i] = positives among the i smallest values
    const int MinGroup = 30;

    public PopulationStats(float[] values, int columns, bool[] labels)
    {
        int n = labels.Length;
        _sorted = new float[columns][]; _positivesBefore = new int[columns][];
        Parallel.For(0, columns, j =>
        {
            // Ordered by value, then row (the order a stable sort gives): an array sort, then each run of equal values by row.
            int count = 0;
            for (int i = 0; i < n; i++) if (!float.IsNaN(values[i * columns + j])) count++;
            var idx = new int[count];
            var keys = new float[count];
            for (int i = 0, k = 0; i < n; i++)
            {
                float v = values[i * columns + j];
                if (float.IsNaN(v)) continue;
                idx[k] = i; keys[k++] = v;
            }
            Array.Sort(keys, idx);
            for (int start = 0; start < count;)
            {
                int end = start + 1;
                while (end < count && keys[end] == keys[start]) end++;
                if (end - start > 1) Array.Sort(idx, start, end - start);
                start = end;
            }
            _sorted[j] = idx.Select(i => values[i * columns + j]).ToArray();
            var prefix = new int[idx.Length + 1];
            for (int k = 0; k < idx.Length; k++) prefix[k + 1] = prefix[k] + (labels[idx[k]] ? 1 : 0);
            _positivesBefore[j] = prefix;
        });
    }

    /// <summary>Rate ratio for accounts at or below (atOrBelow) / at or above the value, against the rest; null when either
    /// group is too small to say anything.</summary>
    public (double Ratio, int GroupSize)? RateRatio(int feature, double value, bool atOrBelow)
    {
        var sorted = _sorted[feature];
        int n = sorted.Length;
        if (n < 2 * MinGroup || double.IsNaN(value)) return null;
        // Count of values <= value (upper bound) or < value (lower bound).
        int cut = atOrBelow ? UpperBound(sorted, (float)value) : LowerBound(sorted, (float)value);
        var prefix = _positivesBefore[feature];
        int inSize = atOrBelow ? cut : n - cut, outSize = n - inSize;
        if (inSize < MinGroup || outSize < MinGroup) return null;
        int posIn = atOrBelow ? prefix[cut] : prefix[n] - prefix[cut], posOut = prefix[n] - posIn;
        double rateIn = (double)posIn / inSize, rateOut = (double)posOut / outSize;
        if (rateOut <= 0 || rateIn <= 0) return null;
        return (rateIn / rateOut, inSize);
    }

    /// <summary>Rate ratio for accounts with exactly this (category) value against the rest; null when either group is too small.</summary>
    public (double Ratio, int GroupSize)? RateRatioEqual(int feature, double value)
    {
        var sorted = _sorted[feature];
        int n = sorted.Length;
        if (n < 2 * MinGroup || double.IsNaN(value)) return null;
        int lo = LowerBound(sorted, (float)value), hi = UpperBound(sorted, (float)value);
        int inSize = hi - lo, outSize = n - inSize;
        if (inSize < MinGroup || outSize < MinGroup) return null;
        var prefix = _positivesBefore[feature];
        int posIn = prefix[hi] - prefix[lo], posOut = prefix[n] - posIn;
        double rateIn = (double)posIn / inSize, rateOut = (double)posOut / outSize;
        if (rateOut <= 0 || rateIn <= 0) return null;
        return (rateIn / rateOut, inSize);
    }

    /// <summary>"accounts with the same industry (Retail) churned 1.4x as often as the rest" (a parenthesis in the description is dropped).</summary>
    public static string PhraseSame(string description, string formattedValue, double ratio, string verb)
    {
        int paren = description.IndexOf(" (", StringComparison.Ordinal);
        string what = paren > 0 ? description[..paren] : description;
        return string.Create(CultureInfo.InvariantCulture,
            $"accounts with the same {char.ToLowerInvariant(what[0])}{what[1..]} ({formattedValue}) {verb} {ratio:0.0}x as often as the rest");
    }

    static int UpperBound(float[] a, float v) { int lo = 0, hi = a.Length; while (lo < hi) { int m = (lo + hi) >> 1; if (a[m] <= v) lo = m + 1; else hi = m; } return lo; }
    static int LowerBound(float[] a, float v) { int lo = 0, hi = a.Length; while (lo < hi) { int m = (lo + hi) >> 1; if (a[m] < v) lo = m + 1; else hi = m; } return lo; }

    public float Median(int feature) => _sorted[feature].Length == 0 ? float.NaN : _sorted[feature][_sorted[feature].Length / 2];

    public static string Phrase(string description, string formattedValue, bool atOrBelow, double ratio, string verb) =>
        string.Create(CultureInfo.InvariantCulture,
            $"accounts whose {char.ToLowerInvariant(description[0])}{description[1..]} was {(atOrBelow ? "at or below" : "at or above")} {formattedValue} {verb} {ratio:0.0}x as often as the rest");
}
