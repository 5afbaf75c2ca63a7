namespace Workbench.Analytics.Segmentation;

/// <summary>Silhouette coefficients (Rousseeuw 1987) of a clustering: s(i) = (b - a) / max(a, b) with a the mean
/// distance to the row's own cluster and b the smallest mean distance to another cluster. Rows alone in their
/// cluster, and noise rows (label -1), get no score.</summary>
/// <param name="Mean">Mean s(i) over scored rows (-1..1; above 0.5 strong structure, 0.25..0.5 weak).</param>
/// <param name="PerCluster">Mean s(i) per cluster label, ascending labels.</param>
/// <param name="RowIndices">Rows that were scored (all rows when exact, the seeded sample otherwise).</param>
/// <param name="Values">s(i) for each row in <paramref name="RowIndices"/>.</param>
/// <param name="Sampled">True when computed on a seeded sample rather than all rows.</param>
public sealed record SilhouetteResult(double Mean, IReadOnlyDictionary<int, double> PerCluster, int[] RowIndices, double[] Values, bool Sampled);

/// <summary>Silhouette computation: exact (O(n^2 d)) up to a row limit, on a seeded random sample beyond it.</summary>
public static class Silhouette
{
    /// <summary>Default largest n scored exactly.</summary>
    public const int DefaultExactLimit = 10_000;

    // Rows per block of the distance pass (a block's distances to the later rows are held at once: 128 x n doubles).
    const int SilhouetteBlock = 128;

    /// <summary>Silhouette of <paramref name="labels"/> on <paramref name="x"/>; exact when x.Rows &lt;= exactLimit,
    /// else on <paramref name="sampleSize"/> rows drawn without replacement with <paramref name="seed"/>
    /// (distances among the sample only, as scikit-learn's sample_size does).</summary>
    public static SilhouetteResult Compute(FeatureMatrix x, IReadOnlyList<int> labels, int seed = 0, int exactLimit = DefaultExactLimit, int sampleSize = 5_000)
    {
        if (labels.Count != x.Rows) throw new OptionsValidationException($"Silhouette: {labels.Count} labels for {x.Rows} rows.");
        int[] rows;
        bool sampled = x.Rows > exactLimit;
        if (sampled)
        {
            var rng = new Random(RunContext.DeriveSeed(seed, "silhouette-sample"));
            var all = Enumerable.Range(0, x.Rows).ToArray();
            rng.Shuffle(all);
            rows = all.Take(Math.Min(sampleSize, x.Rows)).Order().ToArray();
        }
        else rows = Enumerable.Range(0, x.Rows).ToArray();

        int d = x.Columns, m = rows.Length;
        var clusterIds = rows.Select(r => labels[r]).Where(l => l >= 0).Distinct().Order().ToArray();
        var index = clusterIds.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i);
        var sizes = new int[clusterIds.Length];
        foreach (var r in rows) if (labels[r] >= 0) sizes[index[labels[r]]]++;
        var values = new double[m];
        var scored = new bool[m];
        // Each scored row's cluster position (-1: noise) and the scored rows side by side, looked up once rather than per
        // pair (a dictionary and an interface call per pair cost more than the distance).
        int kc = clusterIds.Length;
        var cluster = new int[m];
        var points = new double[m * d];
        for (int p = 0; p < m; p++)
        {
            int l = labels[rows[p]];
            cluster[p] = l >= 0 ? index[l] : -1;
            x.Values.AsSpan(rows[p] * d, d).CopyTo(points.AsSpan(p * d, d));
        }
        // Each distance once (d(p, q) = d(q, p) to the bit), and each row's sums still added in ascending q, as the direct
        // double loop adds them: block A of rows takes its distances to every later row; the rows of A add theirs from
        // A's first row on, and each later row r adds its distances to A's rows, so r has all of rows 0..start(B)-1 in order
        // before its own block B adds the rest.
        var sums = new double[m * kc];
        var block = new double[Math.Min(SilhouetteBlock, m) * m];
        for (int start = 0; start < m && kc >= 2; start += SilhouetteBlock)
        {
            int end = Math.Min(m, start + SilhouetteBlock), width = m - start, spans = (width + SilhouetteBlock - 1) / SilhouetteBlock;
            Parallel.For(0, spans, s =>
            {
                int qFrom = start + s * SilhouetteBlock, qTo = Math.Min(m, qFrom + SilhouetteBlock);
                for (int a = start; a < end; a++)
                {
                    var xa = points.AsSpan(a * d, d);
                    var distances = block.AsSpan((a - start) * width, width);
                    for (int q = qFrom; q < qTo; q++) distances[q - start] = Math.Sqrt(KMeans.SquaredDistance(xa, points.AsSpan(q * d, d)));
                }
            });
            Parallel.For(start, end, a =>
            {
                var own = sums.AsSpan(a * kc, kc);
                var distances = block.AsSpan((a - start) * width, width);
                for (int q = start; q < m; q++)
                {
                    int c = cluster[q];
                    if (q != a && c >= 0) own[c] += distances[q - start];
                }
            });
            Parallel.For(0, (m - end + SilhouetteBlock - 1) / SilhouetteBlock, s =>
            {
                int rFrom = end + s * SilhouetteBlock, rTo = Math.Min(m, rFrom + SilhouetteBlock);
                // Row a outer, r inner: each r still adds a's distances in ascending a, reading the block along its rows.
                for (int a = start; a < end; a++)
                {
                    int c = cluster[a];
                    if (c < 0) continue;
                    var distances = block.AsSpan((a - start) * width + (rFrom - start), rTo - rFrom);
                    for (int r = rFrom; r < rTo; r++) sums[r * kc + c] += distances[r - rFrom];
                }
            });
        }
        for (int p = 0; p < m; p++)
        {
            int oi = cluster[p];
            if (oi < 0 || kc < 2 || sizes[oi] < 2) continue;
            var own = sums.AsSpan(p * kc, kc);
            double a = own[oi] / (sizes[oi] - 1), b = double.PositiveInfinity;
            for (int c = 0; c < kc; c++) if (c != oi && sizes[c] > 0) b = Math.Min(b, own[c] / sizes[c]);
            double den = Math.Max(a, b);
            values[p] = den > 0 ? (b - a) / den : 0;
            scored[p] = true;
        }
        var keep = Enumerable.Range(0, m).Where(p => scored[p]).ToArray();
        var perCluster = clusterIds.ToDictionary(l => l, l =>
        {
            var v = keep.Where(p => labels[rows[p]] == l).Select(p => values[p]).ToArray();
            return v.Length == 0 ? 0 : v.Average();
        });
        // Unscored rows (singletons) count as 0 in the mean, as in Rousseeuw's definition.
        var ownRows = Enumerable.Range(0, m).Where(p => labels[rows[p]] >= 0).ToArray();
        double mean = ownRows.Length == 0 ? 0 : ownRows.Sum(p => values[p]) / ownRows.Length;
        return new SilhouetteResult(mean, perCluster, keep.Select(p => rows[p]).ToArray(), keep.Select(p => values[p]).ToArray(), sampled);
    }
}
