using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Workbench.Analytics.Segmentation;

/// <summary>Options for K-Means (Lloyd's algorithm with greedy k-means++ seeding).</summary>
/// <param name="K">Number of clusters (&gt;= 1).</param>
public sealed record KMeansOptions(int K)
{
    /// <summary>Independent k-means++ restarts; the run with the lowest inertia wins.</summary>
    public int NInit { get; init; } = 3;
    public int MaxIterations { get; init; } = 300;
    /// <summary>Stop when the summed squared centroid shift is at most Tolerance x (mean column variance of the data),
    /// the same relative rule scikit-learn uses. 0 means: run until labels stop changing or MaxIterations.</summary>
    public double Tolerance { get; init; } = 1e-4;
    public int Seed { get; init; }
    /// <summary>Threads for the row-block loop; -1 = all cores. Results do not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    internal void Validate(int rows)
    {
        if (K < 1) throw new OptionsValidationException($"KMeans K must be >= 1, got {K}.");
        if (K > rows) throw new OptionsValidationException($"KMeans K ({K}) cannot exceed the number of rows ({rows}).");
        if (NInit < 1) throw new OptionsValidationException($"KMeans NInit must be >= 1, got {NInit}.");
        if (MaxIterations < 1) throw new OptionsValidationException($"KMeans MaxIterations must be >= 1, got {MaxIterations}.");
        if (!(Tolerance >= 0)) throw new OptionsValidationException($"KMeans Tolerance must be >= 0, got {Tolerance}.");
    }
}

/// <summary>A fitted K-Means clustering.</summary>
public sealed class KMeansModel
{
    /// <summary>Centroids, one row per cluster, in the space of the data that was clustered.</summary>
    public double[][] Centroids { get; }
    /// <summary>Cluster of each training row (0..K-1).</summary>
    public int[] Labels { get; }
    /// <summary>Sum of squared distances of rows to their centroid.</summary>
    public double Inertia { get; }
    /// <summary>Lloyd iterations of the winning restart.</summary>
    public int Iterations { get; }
    public int K => Centroids.Length;

    internal KMeansModel(double[][] centroids, int[] labels, double inertia, int iterations)
    { Centroids = centroids; Labels = labels; Inertia = inertia; Iterations = iterations; }

    /// <summary>Nearest-centroid cluster for each row of <paramref name="x"/>.</summary>
    public int[] Predict(FeatureMatrix x)
    {
        if (x.Columns != Centroids[0].Length) throw new OptionsValidationException($"Model has {Centroids[0].Length} columns, got {x.Columns}.");
        var engine = new KMeans.Engine(x.Values, x.Rows, x.Columns, K, -1);
        engine.SetCentroids(Centroids.SelectMany(c => c).ToArray());
        var labels = new int[x.Rows];
        engine.Assign(labels, accumulate: false, out _, out _);
        return labels;
    }
}

/// <summary>K-Means clustering: k-means++ seeding, n_init restarts, Lloyd iterations over row blocks in
/// parallel. Deterministic for a seed: each block keeps its own partial sums and they are combined in
/// block order, so results do not depend on thread scheduling or core count.</summary>
public static class KMeans
{
    /// <summary>Fits K-Means with default options (3 restarts, 300 iterations, tolerance 1e-4).</summary>
    public static KMeansModel Fit(FeatureMatrix x, int k, int seed) => Fit(x, new KMeansOptions(k) { Seed = seed });

    /// <summary>Fits K-Means.</summary>
    public static KMeansModel Fit(FeatureMatrix x, KMeansOptions options)
    {
        options.Validate(x.Rows);
        return Fit(x.Values, x.Rows, x.Columns, options, initialCentroids: null);
    }

    /// <summary>Fits from given starting centroids (one restart, no seeding): used by the benchmark to time
    /// Lloyd iterations alone.</summary>
    internal static KMeansModel Fit(double[] x, int n, int d, KMeansOptions options, double[]? initialCentroids)
    {
        var engine = new Engine(x, n, d, options.K, options.MaxDegreeOfParallelism);
        double tol = options.Tolerance * MeanColumnVariance(x, n, d);
        KMeansModel? best = null;
        int restarts = initialCentroids is null ? options.NInit : 1;
        for (int r = 0; r < restarts; r++)
        {
            var init = initialCentroids ?? engine.KMeansPlusPlus(new Random(RunContext.DeriveSeed(options.Seed, "kmeans-init-" + r)));
            var model = engine.Lloyd(init, options.MaxIterations, tol);
            if (best is null || model.Inertia < best.Inertia) best = model;
        }
        return best!;
    }

    static double MeanColumnVariance(double[] x, int n, int d)
    {
        var mean = new double[d]; var sq = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += x[i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) { double t = x[i * d + j] - mean[j]; sq[j] += t * t; }
        return sq.Sum() / n / d;
    }

    /// <summary>Benchmark switch: force the generic distance kernel (to measure the specialised one against it).</summary>
    internal static bool GenericKernelOnly;

    internal static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int w = Vector<double>.Count, j = 0;
        var acc = Vector<double>.Zero;
        var va = MemoryMarshal.Cast<double, Vector<double>>(a);
        var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
        for (int v = 0; v < va.Length && v < vb.Length; v++) { var t = va[v] - vb[v]; acc += t * t; j += w; }
        double s = Vector.Sum(acc);
        for (; j < a.Length; j++) { double t = a[j] - b[j]; s += t * t; }
        return s;
    }

    /// <summary>The data, block layout and scratch buffers of one fit.</summary>
    internal sealed class Engine
    {
        const int BlockRows = 4096;
        readonly double[] x;
        readonly int n, d, k, kp, blocks;
        readonly ParallelOptions parallel;
        readonly double[] rowNorms;       // ||x_i||^2, computed once
        readonly double[] centroidsT;     // [j * kp + c] = -2 * centroid_c[j]: centroids in SIMD lanes
        readonly double[] centroidNorms;  // [c] = ||centroid_c||^2, +inf for padding lanes
        readonly double[] centroids;      // [c * d + j]
        readonly double[][] blockSums;    // per block: [c * d + j]
        readonly long[][] blockCounts;
        readonly double[] blockInertia;
        readonly int[] blockChanged;
        readonly double[] bestDistance;   // per row squared distance to its centroid (for empty-cluster repair)

        public Engine(double[] x, int n, int d, int k, int maxDegree)
        {
            this.x = x; this.n = n; this.d = d; this.k = k;
            int w = Vector<double>.Count;
            kp = (k + w - 1) / w * w;
            blocks = (n + BlockRows - 1) / BlockRows;
            parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegree };
            rowNorms = new double[n];
            Parallel.For(0, blocks, parallel, b =>
            {
                int end = Math.Min(n, (b + 1) * BlockRows);
                for (int i = b * BlockRows; i < end; i++)
                {
                    var row = x.AsSpan(i * d, d);
                    double s = 0;
                    foreach (var v in row) s += v * v;
                    rowNorms[i] = s;
                }
            });
            centroidsT = new double[d * kp];
            centroidNorms = new double[kp];
            centroids = new double[k * d];
            blockSums = Enumerable.Range(0, blocks).Select(_ => new double[k * d]).ToArray();
            blockCounts = Enumerable.Range(0, blocks).Select(_ => new long[k]).ToArray();
            blockInertia = new double[blocks];
            blockChanged = new int[blocks];
            bestDistance = new double[n];
        }

        public void SetCentroids(double[] flat)
        {
            Array.Copy(flat, centroids, k * d);
            Array.Clear(centroidsT);
            for (int c = 0; c < kp; c++)
            {
                if (c >= k) { centroidNorms[c] = double.PositiveInfinity; continue; }
                double s = 0;
                for (int j = 0; j < d; j++) { double v = flat[c * d + j]; s += v * v; centroidsT[j * kp + c] = -2 * v; }
                centroidNorms[c] = s;
            }
        }

        /// <summary>Greedy k-means++ (Arthur &amp; Vassilvitskii 2007 with 2 + ln k local trials per step).</summary>
        public double[] KMeansPlusPlus(Random rng)
        {
            var chosen = new double[k * d];
            int trials = 2 + (int)Math.Log(k);
            int first = rng.Next(n);
            Array.Copy(x, first * d, chosen, 0, d);
            var closest = new double[n];
            var candidateDist = new double[trials][];
            for (int t = 0; t < trials; t++) candidateDist[t] = new double[n];
            var blockPot = new double[trials * blocks];
            Parallel.For(0, blocks, parallel, b =>
            {
                int end = Math.Min(n, (b + 1) * BlockRows);
                for (int i = b * BlockRows; i < end; i++) closest[i] = SquaredDistance(x.AsSpan(i * d, d), chosen.AsSpan(0, d));
            });
            var cumulative = new double[n];
            for (int c = 1; c < k; c++)
            {
                double run = 0;
                for (int i = 0; i < n; i++) { run += closest[i]; cumulative[i] = run; }
                var candidates = new int[trials];
                for (int t = 0; t < trials; t++)
                {
                    double r = rng.NextDouble() * run;
                    int idx = Array.BinarySearch(cumulative, r);
                    if (idx < 0) idx = ~idx;
                    candidates[t] = Math.Min(idx, n - 1);
                }
                Parallel.For(0, blocks, parallel, b =>
                {
                    int end = Math.Min(n, (b + 1) * BlockRows);
                    for (int t = 0; t < trials; t++)
                    {
                        var cand = x.AsSpan(candidates[t] * d, d);
                        var dist = candidateDist[t];
                        double pot = 0;
                        for (int i = b * BlockRows; i < end; i++)
                        {
                            double dd = Math.Min(closest[i], SquaredDistance(x.AsSpan(i * d, d), cand));
                            dist[i] = dd; pot += dd;
                        }
                        blockPot[t * blocks + b] = pot;
                    }
                });
                int bestT = 0; double bestPot = double.PositiveInfinity;
                for (int t = 0; t < trials; t++)
                {
                    double pot = 0;
                    for (int b = 0; b < blocks; b++) pot += blockPot[t * blocks + b]; // block order: deterministic
                    if (pot < bestPot) { bestPot = pot; bestT = t; }
                }
                Array.Copy(candidateDist[bestT], closest, n);
                Array.Copy(x, candidates[bestT] * d, chosen, c * d, d);
            }
            return chosen;
        }

        public KMeansModel Lloyd(double[] init, int maxIterations, double tol)
        {
            SetCentroids(init);
            var labels = new int[n];
            Array.Fill(labels, -1);
            int iterations = 0;
            bool strict = false;
            var next = new double[k * d];
            for (int it = 0; it < maxIterations; it++)
            {
                iterations++;
                Assign(labels, accumulate: true, out _, out int changed);
                double shift = UpdateCentroids(labels, next);
                SetCentroids(next);
                if (changed == 0) { strict = true; break; }
                if (shift <= tol) break;
            }
            // Labels must match the final centroids (they already do after strict convergence).
            Assign(labels, accumulate: false, out double inertia, out _);
            if (strict) { /* same labels, same inertia */ }
            var cents = Enumerable.Range(0, k).Select(c => centroids.AsSpan(c * d, d).ToArray()).ToArray();
            return new KMeansModel(cents, labels, inertia, iterations);
        }

        double UpdateCentroids(int[] labels, double[] next)
        {
            Array.Clear(next);
            var counts = new long[k];
            for (int b = 0; b < blocks; b++) // combine partial sums in block order
            {
                var s = blockSums[b]; var cnt = blockCounts[b];
                for (int q = 0; q < next.Length; q++) next[q] += s[q];
                for (int c = 0; c < k; c++) counts[c] += cnt[c];
            }
            var empty = Enumerable.Range(0, k).Where(c => counts[c] == 0).ToArray();
            if (empty.Length > 0)
            {
                // Relocate each empty cluster onto one of the rows farthest from their centroid (deterministic order).
                var far = Enumerable.Range(0, n).OrderByDescending(i => bestDistance[i]).ThenBy(i => i).Take(empty.Length).ToArray();
                for (int e = 0; e < empty.Length; e++)
                {
                    int c = empty[e], i = far[e], old = labels[i];
                    if (counts[old] > 1)
                    {
                        for (int j = 0; j < d; j++) next[old * d + j] -= x[i * d + j];
                        counts[old]--;
                    }
                    for (int j = 0; j < d; j++) next[c * d + j] = x[i * d + j];
                    counts[c] = 1;
                    labels[i] = c;
                }
            }
            double shift = 0;
            for (int c = 0; c < k; c++)
                for (int j = 0; j < d; j++)
                {
                    double v = next[c * d + j] / counts[c];
                    next[c * d + j] = v;
                    double t = v - centroids[c * d + j];
                    shift += t * t;
                }
            return shift;
        }

        /// <summary>Assigns every row to its nearest centroid; optionally accumulates per-block sums and counts.</summary>
        public void Assign(int[] labels, bool accumulate, out double inertia, out int changed)
        {
            Parallel.For(0, blocks, parallel, b => AssignBlock(b, labels, accumulate));
            inertia = 0; changed = 0;
            for (int b = 0; b < blocks; b++) { inertia += blockInertia[b]; changed += blockChanged[b]; }
        }

        void AssignBlock(int b, int[] labels, bool accumulate)
        {
            int start = b * BlockRows, end = Math.Min(n, start + BlockRows);
            int w = Vector<double>.Count, chunks = kp / w;
            var sums = blockSums[b]; var counts = blockCounts[b];
            if (accumulate) { Array.Clear(sums); Array.Clear(counts); }
            double inertia = 0; int changed = 0;
            var cT = centroidsT.AsSpan();
            var cN = centroidNorms.AsSpan();
            Span<double> best = stackalloc double[4];
            Span<int> arg = stackalloc int[4];
            int i = start;
            if (chunks == 2 && !GenericKernelOnly) i = AssignFourRowsTwoChunks(start, end, labels, accumulate, sums, counts, ref inertia, ref changed);
            // Four rows at a time: four independent FMA chains per centroid chunk and one load of each centroid vector.
            for (; i + 4 <= end; i += 4)
            {
                var x0 = x.AsSpan(i * d, d); var x1 = x.AsSpan((i + 1) * d, d);
                var x2 = x.AsSpan((i + 2) * d, d); var x3 = x.AsSpan((i + 3) * d, d);
                best.Fill(double.PositiveInfinity); arg.Clear();
                for (int ch = 0; ch < chunks; ch++)
                {
                    var norm = new Vector<double>(cN.Slice(ch * w, w));
                    Vector<double> a0 = norm, a1 = norm, a2 = norm, a3 = norm;
                    for (int j = 0; j < d; j++)
                    {
                        var cv = new Vector<double>(cT.Slice(j * kp + ch * w, w));
                        a0 = Vector.FusedMultiplyAdd(new Vector<double>(x0[j]), cv, a0);
                        a1 = Vector.FusedMultiplyAdd(new Vector<double>(x1[j]), cv, a1);
                        a2 = Vector.FusedMultiplyAdd(new Vector<double>(x2[j]), cv, a2);
                        a3 = Vector.FusedMultiplyAdd(new Vector<double>(x3[j]), cv, a3);
                    }
                    MinLane(a0, ch * w, ref best[0], ref arg[0]);
                    MinLane(a1, ch * w, ref best[1], ref arg[1]);
                    MinLane(a2, ch * w, ref best[2], ref arg[2]);
                    MinLane(a3, ch * w, ref best[3], ref arg[3]);
                }
                for (int r = 0; r < 4; r++)
                    Finish(i + r, arg[r], best[r], labels, accumulate, sums, counts, ref inertia, ref changed);
            }
            for (; i < end; i++)
            {
                var xi = x.AsSpan(i * d, d);
                double bst = double.PositiveInfinity; int a = 0;
                for (int ch = 0; ch < chunks; ch++)
                {
                    var acc = new Vector<double>(cN.Slice(ch * w, w));
                    for (int j = 0; j < d; j++)
                        acc = Vector.FusedMultiplyAdd(new Vector<double>(xi[j]), new Vector<double>(cT.Slice(j * kp + ch * w, w)), acc);
                    MinLane(acc, ch * w, ref bst, ref a);
                }
                Finish(i, a, bst, labels, accumulate, sums, counts, ref inertia, ref changed);
            }
            blockInertia[b] = inertia; blockChanged[b] = changed;
        }

        /// <summary>The common case K in (W, 2W] (e.g. k = 5..8 with 4 lanes): 4 rows x 2 centroid chunks = 8 accumulators
        /// kept in registers, each x value broadcast once, no bounds checks. Returns the first row not processed.</summary>
        int AssignFourRowsTwoChunks(int start, int end, int[] labels, bool accumulate, double[] sums, long[] counts, ref double inertia, ref int changed)
        {
            int w = Vector<double>.Count;
            ref double xr = ref MemoryMarshal.GetArrayDataReference(x);
            ref double cr = ref MemoryMarshal.GetArrayDataReference(centroidsT);
            var n0 = Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(centroidNorms), 0);
            var n1 = Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(centroidNorms), (nuint)w);
            int i = start;
            for (; i + 4 <= end; i += 4)
            {
                Vector<double> a00 = n0, a01 = n1, a10 = n0, a11 = n1, a20 = n0, a21 = n1, a30 = n0, a31 = n1;
                nuint r0 = (nuint)(i * d), r1 = r0 + (nuint)d, r2 = r1 + (nuint)d, r3 = r2 + (nuint)d;
                for (int j = 0; j < d; j++)
                {
                    nuint cj = (nuint)(j * kp);
                    var c0 = Vector.LoadUnsafe(ref cr, cj);
                    var c1 = Vector.LoadUnsafe(ref cr, cj + (nuint)w);
                    var b0 = new Vector<double>(Unsafe.Add(ref xr, r0 + (nuint)j));
                    var b1 = new Vector<double>(Unsafe.Add(ref xr, r1 + (nuint)j));
                    var b2 = new Vector<double>(Unsafe.Add(ref xr, r2 + (nuint)j));
                    var b3 = new Vector<double>(Unsafe.Add(ref xr, r3 + (nuint)j));
                    a00 = Vector.FusedMultiplyAdd(b0, c0, a00); a01 = Vector.FusedMultiplyAdd(b0, c1, a01);
                    a10 = Vector.FusedMultiplyAdd(b1, c0, a10); a11 = Vector.FusedMultiplyAdd(b1, c1, a11);
                    a20 = Vector.FusedMultiplyAdd(b2, c0, a20); a21 = Vector.FusedMultiplyAdd(b2, c1, a21);
                    a30 = Vector.FusedMultiplyAdd(b3, c0, a30); a31 = Vector.FusedMultiplyAdd(b3, c1, a31);
                }
                FinishPair(i, a00, a01, labels, accumulate, sums, counts, ref inertia, ref changed);
                FinishPair(i + 1, a10, a11, labels, accumulate, sums, counts, ref inertia, ref changed);
                FinishPair(i + 2, a20, a21, labels, accumulate, sums, counts, ref inertia, ref changed);
                FinishPair(i + 3, a30, a31, labels, accumulate, sums, counts, ref inertia, ref changed);
            }
            return i;
        }

        void FinishPair(int i, Vector<double> first, Vector<double> second, int[] labels, bool accumulate, double[] sums, long[] counts, ref double inertia, ref int changed)
        {
            double best = double.PositiveInfinity; int arg = 0;
            MinLane(first, 0, ref best, ref arg);
            MinLane(second, Vector<double>.Count, ref best, ref arg);
            Finish(i, arg, best, labels, accumulate, sums, counts, ref inertia, ref changed);
        }

        static void MinLane(Vector<double> v, int offset, ref double best, ref int arg)
        {
            for (int l = 0; l < Vector<double>.Count; l++)
            {
                double t = v[l];
                if (t < best) { best = t; arg = offset + l; }
            }
        }

        void Finish(int i, int c, double partial, int[] labels, bool accumulate, double[] sums, long[] counts, ref double inertia, ref int changed)
        {
            double dist = Math.Max(0, partial + rowNorms[i]);
            bestDistance[i] = dist;
            inertia += dist;
            if (labels[i] != c) { changed++; labels[i] = c; }
            if (!accumulate) return;
            counts[c]++;
            var s = sums.AsSpan(c * d, d);
            var xi = x.AsSpan(i * d, d);
            int w = Vector<double>.Count, j = 0;
            for (; j + w <= d; j += w) (new Vector<double>(s.Slice(j, w)) + new Vector<double>(xi.Slice(j, w))).CopyTo(s.Slice(j, w));
            for (; j < d; j++) s[j] += xi[j];
        }
    }
}
