using Workbench.Domain;

namespace Workbench.Tests.Generation;

/// <summary>Small statistics the tests use to look for the planted truth in the data.</summary>
internal static class TruthMath
{
    /// <summary>Event rate within each of <paramref name="bins"/> equal-count bins of the score, lowest score first.</summary>
    public static double[] RateByQuantile(IReadOnlyList<double> score, IReadOnlyList<bool> outcome, int bins = 5)
    {
        var order = Enumerable.Range(0, score.Count).OrderBy(i => score[i]).ThenBy(i => i).ToArray();
        var rates = new double[bins];
        for (int b = 0; b < bins; b++)
        {
            int from = b * order.Length / bins, to = (b + 1) * order.Length / bins;
            int events = 0;
            for (int k = from; k < to; k++) if (outcome[order[k]]) events++;
            rates[b] = events / (double)(to - from);
        }
        return rates;
    }

    /// <summary>Best of several seeded k-means++ runs (lowest within-cluster sum of squares).</summary>
    public static int[] KMeans(double[][] points, int k, int seed, int restarts = 10)
    {
        var random = new Random(seed);
        int[]? best = null; double bestInertia = double.MaxValue;
        for (int r = 0; r < restarts; r++)
        {
            var centers = new List<double[]> { points[random.Next(points.Length)] };
            while (centers.Count < k)
            {
                var d2 = points.Select(p => centers.Min(c => Dist2(p, c))).ToArray();
                double x = random.NextDouble() * d2.Sum();
                int pick = 0;
                for (; pick < d2.Length - 1 && (x -= d2[pick]) > 0; pick++) { }
                centers.Add(points[pick]);
            }
            var labels = new int[points.Length];
            for (int iter = 0; iter < 100; iter++)
            {
                bool changed = false;
                for (int i = 0; i < points.Length; i++)
                {
                    int nearest = 0;
                    for (int c = 1; c < k; c++) if (Dist2(points[i], centers[c]) < Dist2(points[i], centers[nearest])) nearest = c;
                    if (nearest != labels[i]) { labels[i] = nearest; changed = true; }
                }
                for (int c = 0; c < k; c++)
                {
                    var members = points.Where((_, i) => labels[i] == c).ToArray();
                    if (members.Length > 0) centers[c] = Enumerable.Range(0, points[0].Length).Select(j => members.Average(m => m[j])).ToArray();
                }
                if (!changed && iter > 0) break;
            }
            double inertia = points.Select((p, i) => Dist2(p, centers[labels[i]])).Sum();
            if (inertia < bestInertia) { bestInertia = inertia; best = labels; }
        }
        return best!;
    }

    static double Dist2(double[] a, double[] b)
    {
        double s = 0;
        for (int j = 0; j < a.Length; j++) s += (a[j] - b[j]) * (a[j] - b[j]);
        return s;
    }

    /// <summary>Adjusted Rand index of two labelings (Hubert and Arabie 1985).</summary>
    public static double AdjustedRandIndex(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        static double Pairs(long n) => n * (n - 1) / 2.0;
        var table = new Dictionary<(int, int), long>();
        for (int i = 0; i < a.Count; i++) table[(a[i], b[i])] = table.GetValueOrDefault((a[i], b[i])) + 1;
        double index = table.Values.Sum(Pairs);
        double rows = a.GroupBy(x => x).Sum(g => Pairs(g.Count()));
        double cols = b.GroupBy(x => x).Sum(g => Pairs(g.Count()));
        double expected = rows * cols / Pairs(a.Count), max = (rows + cols) / 2;
        return (index - expected) / (max - expected);
    }

    /// <summary>Per-account features a segmentation would use: log monthly spend, product breadth,
    /// mean utilization, purchase frequency (new + add-on bookings per year); standardized.</summary>
    public static (string[] AccountIds, double[][] Features) SegmentationFeatures(CrmDataset data, int months)
    {
        var spend = data.Spend.GroupBy(s => s.AccountId).ToDictionary(g => g.Key, g => (double)g.Sum(x => x.Amount) / g.Select(x => x.Month).Distinct().Count());
        var breadth = data.Spend.GroupBy(s => s.AccountId).ToDictionary(g => g.Key, g => (double)g.Select(x => x.ProductId).Distinct().Count());
        var utilization = data.Usage.Where(u => u.Utilization.HasValue).GroupBy(u => u.AccountId).ToDictionary(g => g.Key, g => g.Average(u => u.Utilization!.Value));
        var purchases = data.Bookings.Where(b => b.Type is BookingType.AddOn or BookingType.New).GroupBy(b => b.AccountId).ToDictionary(g => g.Key, g => g.Count() * 12.0 / months);
        var ids = data.Accounts.Select(a => a.AccountId).Where(id => spend.ContainsKey(id) && utilization.ContainsKey(id)).ToArray();
        var raw = ids.Select(id => new[] { Math.Log(spend[id]), breadth[id], utilization[id], Math.Log(1 + purchases.GetValueOrDefault(id)) }).ToArray();
        for (int j = 0; j < 4; j++)
        {
            double mean = raw.Average(r => r[j]);
            double sd = Math.Sqrt(raw.Average(r => (r[j] - mean) * (r[j] - mean)));
            foreach (var r in raw) r[j] = (r[j] - mean) / sd;
        }
        return (ids, raw);
    }
}
