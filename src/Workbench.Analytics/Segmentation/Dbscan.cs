namespace Workbench.Analytics.Segmentation;

/// <summary>Options for DBSCAN (Ester et al. 1996).</summary>
/// <param name="Epsilon">Neighbourhood radius (Euclidean, in the units of the data it is given).</param>
/// <param name="MinPoints">Neighbours (the point itself included) that make a core point.</param>
public sealed record DbscanOptions(double Epsilon, int MinPoints = 5)
{
    internal void Validate()
    {
        if (!(Epsilon > 0) || double.IsInfinity(Epsilon)) throw new OptionsValidationException($"DBSCAN Epsilon must be a positive number, got {Epsilon.ToString(RunContext.Culture)}.");
        if (MinPoints < 1) throw new OptionsValidationException($"DBSCAN MinPoints must be >= 1, got {MinPoints}.");
    }
}

/// <summary>DBSCAN output. Label -1 is noise; clusters are numbered 0.. in order of discovery (row order).</summary>
public sealed record DbscanResult(int[] Labels, int ClusterCount, int NoiseCount, bool[] IsCore);

/// <summary>Sorted k-distance curve (distance of each row to its k-th nearest other row, ascending) and the
/// eps its knee suggests.</summary>
/// <param name="K">Which neighbour (use MinPoints - 1, the point itself excluded).</param>
/// <param name="SortedDistances">Ascending k-distances, one per row.</param>
/// <param name="KneeIndex">Position of the knee in <paramref name="SortedDistances"/>.</param>
/// <param name="SuggestedEpsilon">The k-distance at the knee.</param>
public sealed record KDistanceCurve(int K, double[] SortedDistances, int KneeIndex, double SuggestedEpsilon);

/// <summary>Density-based clustering with brute-force neighbour search (O(n^2 d); meant for up to a few tens
/// of thousands of accounts).</summary>
public static class Dbscan
{
    public static DbscanResult Run(FeatureMatrix x, double epsilon, int minPoints = 5) => Run(x, new DbscanOptions(epsilon, minPoints));

    public static DbscanResult Run(FeatureMatrix x, DbscanOptions options)
    {
        options.Validate();
        int n = x.Rows, d = x.Columns;
        double eps2 = options.Epsilon * options.Epsilon;
        // Neighbour lists computed once, in parallel, each list in ascending row order (deterministic).
        var neighbours = new int[n][];
        Parallel.For(0, n, i =>
        {
            var list = new List<int>();
            var xi = x.Values.AsSpan(i * d, d);
            for (int j = 0; j < n; j++) if (KMeans.SquaredDistance(xi, x.Values.AsSpan(j * d, d)) <= eps2) list.Add(j);
            neighbours[i] = list.ToArray();
        });
        var core = neighbours.Select(nb => nb.Length >= options.MinPoints).ToArray();
        var labels = Enumerable.Repeat(-1, n).ToArray();
        int cluster = 0;
        var queue = new Queue<int>();
        for (int i = 0; i < n; i++)
        {
            if (labels[i] != -1 || !core[i]) continue;
            labels[i] = cluster; queue.Enqueue(i);
            while (queue.Count > 0)
            {
                int p = queue.Dequeue();
                if (!core[p]) continue; // border points join but do not expand
                foreach (int q in neighbours[p])
                    if (labels[q] == -1) { labels[q] = cluster; queue.Enqueue(q); }
            }
            cluster++;
        }
        return new DbscanResult(labels, cluster, labels.Count(l => l == -1), core);
    }

    /// <summary>The k-distance curve for choosing eps: sort every row's distance to its k-th nearest other row;
    /// the knee (the point farthest below the chord joining the curve's ends, on normalised axes) is where
    /// distances start to climb steeply, i.e. the boundary between dense regions and noise.</summary>
    public static KDistanceCurve KDistance(FeatureMatrix x, int k)
    {
        int n = x.Rows, d = x.Columns;
        if (k < 1 || k >= n) throw new OptionsValidationException($"k-distance k must be in 1..{n - 1}, got {k}.");
        var kd = new double[n];
        Parallel.For(0, n, i =>
        {
            var dist = new double[n - 1];
            var xi = x.Values.AsSpan(i * d, d);
            int q = 0;
            for (int j = 0; j < n; j++) if (j != i) dist[q++] = KMeans.SquaredDistance(xi, x.Values.AsSpan(j * d, d));
            kd[i] = Math.Sqrt(QuickSelect(dist, k - 1));
        });
        Array.Sort(kd);
        int knee = Knee.Find(Enumerable.Range(0, n).Select(i => (double)i).ToArray(), kd, KneeShape.ConvexIncreasing);
        return new KDistanceCurve(k, kd, knee, kd[knee]);
    }

    static double QuickSelect(double[] a, int kth)
    {
        int lo = 0, hi = a.Length - 1;
        while (lo < hi)
        {
            double pivot = a[(lo + hi) >>> 1];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
            }
            if (kth <= j) hi = j; else if (kth >= i) lo = i; else return a[kth];
        }
        return a[kth];
    }
}
