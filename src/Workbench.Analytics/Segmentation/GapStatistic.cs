namespace Workbench.Analytics.Segmentation;

/// <summary>Where the gap statistic's reference (null) data is drawn from.</summary>
public enum GapReference
{
    /// <summary>Uniform over the bounding box of each column (Tibshirani et al. 2001, method a).</summary>
    BoundingBox,
    /// <summary>Uniform over the box aligned with the data's principal components, rotated back (method b).</summary>
    PrincipalComponents,
}

/// <summary>Options for the gap statistic.</summary>
public sealed record GapOptions
{
    public int KMax { get; init; } = 8;
    /// <summary>Reference data sets drawn per k.</summary>
    public int References { get; init; } = 10;
    public GapReference Reference { get; init; } = GapReference.PrincipalComponents;
    /// <summary>Rows beyond this are subsampled (seeded) before computing the statistic, to bound cost.</summary>
    public int MaxRows { get; init; } = 5_000;
    /// <summary>K-Means restarts for each W_k.</summary>
    public int KMeansRestarts { get; init; } = 3;
    public int Seed { get; init; }

    internal void Validate()
    {
        if (KMax < 2) throw new OptionsValidationException($"Gap KMax must be >= 2, got {KMax}.");
        if (References < 2) throw new OptionsValidationException($"Gap References must be >= 2, got {References}.");
        if (MaxRows < 10) throw new OptionsValidationException($"Gap MaxRows must be >= 10, got {MaxRows}.");
    }
}

/// <summary>Gap statistic over k = 1..KMax (Tibshirani, Walther &amp; Hastie 2001).</summary>
/// <param name="Ks">1..KMax.</param>
/// <param name="LogW">log W_k of the data (W_k = pooled within-cluster sum of squares = K-Means inertia).</param>
/// <param name="ExpectedLogW">Mean of log W*_k over the reference draws.</param>
/// <param name="Gap">Gap(k) = ExpectedLogW - LogW.</param>
/// <param name="StandardError">s_k = sd(log W*_k) * sqrt(1 + 1/B).</param>
/// <param name="ChosenK">Smallest k with Gap(k) &gt;= Gap(k+1) - s_{k+1}; KMax when none qualifies.</param>
public sealed record GapResult(int[] Ks, double[] LogW, double[] ExpectedLogW, double[] Gap, double[] StandardError, int ChosenK);

public static class GapStatistic
{
    public static GapResult Compute(FeatureMatrix x, GapOptions options)
    {
        options.Validate();
        var rng = new Random(RunContext.DeriveSeed(options.Seed, "gap"));
        if (x.Rows > options.MaxRows)
        {
            var idx = Enumerable.Range(0, x.Rows).ToArray();
            rng.Shuffle(idx);
            x = x.SelectRows(idx.Take(options.MaxRows).Order().ToArray());
        }
        int kMax = Math.Min(options.KMax, x.Rows - 1), n = x.Rows, d = x.Columns, B = options.References;
        // Each fit runs on one thread and the fits run side by side: a fit's blocks of 4,096 rows are summed in block order
        // whatever the thread count, so each W_k is the same bits as with the fit spread over the cores, while a 5,000-row
        // fit has only two blocks to spread.
        double LogW(FeatureMatrix m, int k, int seed) =>
            Math.Log(Math.Max(1e-300, KMeans.Fit(m, new KMeansOptions(k) { NInit = options.KMeansRestarts, Seed = seed, MaxDegreeOfParallelism = 1 }).Inertia));

        // Reference box: per column min/max, either of the raw columns or of the principal-component scores.
        PcaResult? pca = options.Reference == GapReference.PrincipalComponents ? Pca.Fit(x) : null;
        var boxData = pca is null ? x : pca.Transform(x);
        var lo = new double[d]; var hi = new double[d];
        for (int j = 0; j < d; j++) { var c = boxData.Column(j); lo[j] = c.Min(); hi[j] = c.Max(); }

        // The reference sets are drawn first, in order, from the one generator (the same draws as drawing each before its
        // fits); the fits read them only and each has its own seed.
        var references = new FeatureMatrix[B];
        for (int b = 0; b < B; b++)
        {
            var v = new double[n * d];
            for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) v[i * d + j] = lo[j] + rng.NextDouble() * (hi[j] - lo[j]);
            if (pca is not null) v = RotateBack(v, n, d, pca);
            references[b] = FeatureMatrix.Wrap(v, n, x.ColumnNames);
        }
        var logW = new double[kMax];
        var refLogW = new double[B, kMax];
        // Task t < kMax fits the data at k = t + 1; the rest fit reference b at k: each writes only its own cell.
        Parallel.For(0, kMax * (B + 1), t =>
        {
            int k = t % kMax + 1, b = t / kMax - 1;
            if (b < 0) logW[k - 1] = LogW(x, k, RunContext.DeriveSeed(options.Seed, "gap-data-" + k));
            else refLogW[b, k - 1] = LogW(references[b], k, RunContext.DeriveSeed(options.Seed, $"gap-ref-{b}-{k}"));
        });
        var expected = new double[kMax]; var gap = new double[kMax]; var s = new double[kMax];
        for (int k = 0; k < kMax; k++)
        {
            double mean = 0; for (int b = 0; b < B; b++) mean += refLogW[b, k]; mean /= B;
            double var = 0; for (int b = 0; b < B; b++) var += (refLogW[b, k] - mean) * (refLogW[b, k] - mean); var /= B;
            expected[k] = mean; gap[k] = mean - logW[k]; s[k] = Math.Sqrt(var) * Math.Sqrt(1 + 1.0 / B);
        }
        int chosen = kMax;
        for (int k = 0; k < kMax - 1; k++) if (gap[k] >= gap[k + 1] - s[k + 1]) { chosen = k + 1; break; }
        return new GapResult(Enumerable.Range(1, kMax).ToArray(), logW, expected, gap, s, chosen);
    }

    static double[] RotateBack(double[] scores, int n, int d, PcaResult pca)
    {
        // x = mean + sum_c score_c * component_c
        var v = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                double s = pca.Means[j];
                for (int c = 0; c < d; c++) s += scores[i * d + c] * pca.Components[c][j];
                v[i * d + j] = s;
            }
        return v;
    }
}
