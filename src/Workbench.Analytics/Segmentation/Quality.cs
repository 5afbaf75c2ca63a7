#pragma warning disable CS1573 // records document only the parameters that need explaining

namespace Workbench.Analytics.Segmentation;

/// <summary>Thresholds for the segment-quality checklist.</summary>
public sealed record QualityOptions
{
    /// <summary>Smallest acceptable segment share of rows ("large enough").</summary>
    public double MinSegmentShare { get; init; } = 0.05;
    /// <summary>Smallest acceptable mean silhouette ("differentiable"; 0.25 is where Kaufman &amp; Rousseeuw's weak structure begins).</summary>
    public double MinSilhouette { get; init; } = 0.25;
    /// <summary>Smallest acceptable mean bootstrap ARI ("stable").</summary>
    public double MinStabilityAri { get; init; } = 0.75;
    /// <summary>Every segment needs a column with |SMD| at least this ("actionable": something to act on).</summary>
    public double MinDistinguishingSmd { get; init; } = 0.5;
    /// <summary>Bootstrap resamples for stability.</summary>
    public int StabilityResamples { get; init; } = 10;

    internal void Validate()
    {
        if (StabilityResamples < 2) throw new OptionsValidationException($"StabilityResamples must be >= 2, got {StabilityResamples}.");
        if (MinSegmentShare is < 0 or > 1) throw new OptionsValidationException($"MinSegmentShare must be in [0, 1], got {MinSegmentShare}.");
    }
}

/// <summary>One checklist line: the number behind it and the threshold it was held to.</summary>
public sealed record QualityCheck(string Name, bool Passed, double Value, double Threshold, string Explanation);

/// <summary>Segment quality: size, distinctness, stability, actionability.</summary>
/// <param name="MinCentroidSeparation">Smallest distance between two segment centroids in the clustered (scaled) space.</param>
/// <param name="StabilityAris">ARI of each compared pair of bootstrap clusterings, on the rows both resamples contain.</param>
public sealed record SegmentQuality(
    double MinShare, double MinCentroidSeparation, double Silhouette,
    double StabilityMeanAri, double[] StabilityAris,
    IReadOnlyList<QualityCheck> Checklist)
{
    public bool AllPassed => Checklist.All(c => c.Passed);
}

/// <summary>Stability under bootstrap resampling and the quality checklist.</summary>
public static class SegmentQualityAssessor
{
    /// <summary>Draws <paramref name="resamples"/> bootstrap resamples (rows with replacement, seeded), clusters each
    /// with <paramref name="cluster"/> (data, seed) -> labels, and returns the ARI between resample b and b+1
    /// (cyclically) on the distinct original rows present in both.</summary>
    public static double[] BootstrapStability(FeatureMatrix x, Func<FeatureMatrix, int, int[]> cluster, int resamples, int seed)
    {
        if (resamples < 2) throw new OptionsValidationException($"Bootstrap stability needs >= 2 resamples, got {resamples}.");
        int n = x.Rows;
        var rng = new Random(RunContext.DeriveSeed(seed, "bootstrap-stability"));
        // The resamples are drawn first, in order, from the one generator (the same draws as drawing each before its fit);
        // the fits (each with its own seed, reading only its resample) then run side by side.
        var resampled = new int[resamples][];
        for (int b = 0; b < resamples; b++)
        {
            var idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = rng.Next(n);
            resampled[b] = idx;
        }
        var labelOf = new Dictionary<int, int>[resamples];
        Parallel.For(0, resamples, b =>
        {
            var idx = resampled[b];
            var labels = cluster(x.SelectRows(idx), RunContext.DeriveSeed(seed, "bootstrap-fit-" + b));
            var map = new Dictionary<int, int>();
            for (int i = 0; i < n; i++) map.TryAdd(idx[i], labels[i]);
            labelOf[b] = map;
        });
        var aris = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            var a = labelOf[b]; var c = labelOf[(b + 1) % resamples];
            var common = a.Keys.Where(c.ContainsKey).Order().ToArray();
            aris[b] = ClusteringMetrics.AdjustedRandIndex(common.Select(i => a[i]).ToArray(), common.Select(i => c[i]).ToArray());
        }
        return aris;
    }

    /// <summary>Smallest Euclidean distance between segment centroids of <paramref name="x"/> (noise -1 ignored).</summary>
    public static double MinCentroidSeparation(FeatureMatrix x, IReadOnlyList<int> labels)
    {
        var segs = labels.Where(l => l >= 0).Distinct().Order().ToArray();
        var cents = segs.Select(s =>
        {
            var rows = Enumerable.Range(0, x.Rows).Where(i => labels[i] == s).ToArray();
            return Enumerable.Range(0, x.Columns).Select(j => rows.Average(i => x[i, j])).ToArray();
        }).ToArray();
        double min = double.PositiveInfinity;
        for (int a = 0; a < cents.Length; a++)
            for (int b = a + 1; b < cents.Length; b++) min = Math.Min(min, Math.Sqrt(KMeans.SquaredDistance(cents[a], cents[b])));
        return double.IsPositiveInfinity(min) ? 0 : min;
    }

    /// <summary>Assembles the checklist from computed numbers.</summary>
    public static SegmentQuality Assess(IReadOnlyList<SegmentProfile> profiles, double silhouette, double minCentroidSeparation, double[] stabilityAris, QualityOptions options)
    {
        options.Validate();
        var inv = CultureInfo.InvariantCulture;
        double minShare = profiles.Count == 0 ? 0 : profiles.Min(p => p.Share);
        double meanAri = stabilityAris.Length == 0 ? double.NaN : stabilityAris.Average();
        double weakestTrait = profiles.Count == 0 ? 0 : profiles.Min(p => p.Columns.Max(c => Math.Abs(c.StandardizedMeanDifference)));
        var smallest = profiles.OrderBy(p => p.Share).FirstOrDefault();
        var checks = new List<QualityCheck>
        {
            new("actionable", weakestTrait >= options.MinDistinguishingSmd, weakestTrait, options.MinDistinguishingSmd,
                string.Format(inv, "every segment differs from the rest on some column by |SMD| >= {0:0.00} (weakest segment's best column: {1:0.00})", options.MinDistinguishingSmd, weakestTrait)),
            new("stable", meanAri >= options.MinStabilityAri, meanAri, options.MinStabilityAri,
                string.Format(inv, "mean adjusted Rand index between bootstrap clusterings {0:0.000} over {1} pairs (min {2:0.000})", meanAri, stabilityAris.Length, stabilityAris.Length == 0 ? double.NaN : stabilityAris.Min())),
            new("large enough", minShare >= options.MinSegmentShare, minShare, options.MinSegmentShare,
                string.Format(inv, "smallest segment{0} holds {1:P1} of rows (floor {2:P1})", smallest is null ? "" : $" ({smallest.Name})", minShare, options.MinSegmentShare)),
            new("differentiable", silhouette >= options.MinSilhouette, silhouette, options.MinSilhouette,
                string.Format(inv, "mean silhouette {0:0.000}; closest centroids {1:0.00} scaled units apart", silhouette, minCentroidSeparation)),
        };
        return new SegmentQuality(minShare, minCentroidSeparation, silhouette, meanAri, stabilityAris, checks);
    }
}
