#pragma warning disable CS1573 // records document only the parameters that need explaining

namespace Workbench.Analytics.Segmentation;

/// <summary>Clustering algorithm used by <see cref="Segmenter"/>.</summary>
public enum SegmentationMethod { KMeans, GaussianMixture, Dbscan }

/// <summary>What to segment: one row per account, numeric features with column names, and optional outcome columns
/// (e.g. "churn", "upsell" as 0/1) that profiles report rates of but clustering never sees.</summary>
public sealed record SegmentationInput(FeatureMatrix Features)
{
    public IReadOnlyDictionary<string, double[]>? Outcomes { get; init; }
    /// <summary>Optional identifiers of the rows (e.g. account ids), carried into the result unchanged.</summary>
    public IReadOnlyList<string>? RowIds { get; init; }
}

/// <summary>Options for a segmentation run. Defaults: log1p on none, standard scaling, K-Means, k chosen in 2..8.</summary>
public sealed record SegmentationOptions
{
    public SegmentationMethod Method { get; init; } = SegmentationMethod.KMeans;
    /// <summary>Fixed number of segments; null lets <see cref="KSelector"/> recommend one (ignored by DBSCAN).</summary>
    public int? K { get; init; }
    public int KMin { get; init; } = 2;
    public int KMax { get; init; } = 8;
    public ScalingMethod Scaling { get; init; } = ScalingMethod.Standard;
    /// <summary>Spend-like columns transformed with log1p before scaling (and compared on log scale in profiles).</summary>
    public IReadOnlyCollection<string> Log1pColumns { get; init; } = [];
    /// <summary>Cluster on the first m principal components of the scaled data instead of the scaled data itself.</summary>
    public int? PcaComponents { get; init; }
    public int Seed { get; init; }
    public int KMeansRestarts { get; init; } = 5;
    public CovarianceType Covariance { get; init; } = CovarianceType.Full;
    /// <summary>DBSCAN radius in the clustered space; null uses the knee of the k-distance curve.</summary>
    public double? DbscanEpsilon { get; init; }
    public int DbscanMinPoints { get; init; } = 5;
    public int GapReferences { get; init; } = 10;
    /// <summary>Rows beyond this are subsampled (seeded) for the stability bootstrap.</summary>
    public int StabilityMaxRows { get; init; } = 20_000;
    public ProfileOptions Profiles { get; init; } = new();
    public QualityOptions Quality { get; init; } = new();

    internal void Validate(FeatureMatrix x)
    {
        if (K is < 1) throw new OptionsValidationException($"K must be >= 1, got {K}.");
        if (K is not null && K > x.Rows) throw new OptionsValidationException($"K ({K}) cannot exceed the number of rows ({x.Rows}).");
        if (PcaComponents is not null && (PcaComponents < 1 || PcaComponents > x.Columns))
            throw new OptionsValidationException($"PcaComponents must be in 1..{x.Columns}, got {PcaComponents}.");
        if (KMeansRestarts < 1) throw new OptionsValidationException($"KMeansRestarts must be >= 1, got {KMeansRestarts}.");
        if (StabilityMaxRows < 10) throw new OptionsValidationException($"StabilityMaxRows must be >= 10, got {StabilityMaxRows}.");
        foreach (var c in Log1pColumns) x.ColumnIndex(c);
    }
}

/// <summary>Everything a segmentation run produced.</summary>
/// <param name="Assignments">Segment of each input row (0..K-1; -1 = DBSCAN noise).</param>
/// <param name="K">Number of segments (DBSCAN: clusters found).</param>
/// <param name="KSelection">How k was chosen (null when K was given or for DBSCAN).</param>
/// <param name="KDistance">DBSCAN's k-distance curve (null for other methods).</param>
/// <param name="ClusteredData">The matrix the algorithm saw (after log1p, scaling and optional PCA).</param>
/// <param name="Pca">PCA of the scaled data (explained variance), always computed.</param>
/// <param name="PcaScores">Each row's scores on the first two principal components of the scaled data (for scatter plots).</param>
/// <param name="StabilityAri">Mean bootstrap ARI (also in <see cref="SegmentQuality"/>).</param>
public sealed record SegmentationResult(
    int[] Assignments, SegmentationMethod Method, int K, KSelection? KSelection, KDistanceCurve? KDistance,
    IReadOnlyList<SegmentProfile> Profiles, SegmentQuality Quality, SilhouetteResult Silhouette, double StabilityAri,
    FittedScaler Scaler, PcaResult Pca, FeatureMatrix PcaScores, FeatureMatrix ClusteredData, IReadOnlyList<string> ColumnNames, IReadOnlyList<string>? RowIds)
{
    /// <summary>Suggested (or analyst) name of a segment id.</summary>
    public string SegmentName(int segment) => segment < 0 ? "noise" : Profiles.First(p => p.Segment == segment).Name;

    /// <summary>Adjusted Rand index between <see cref="Assignments"/> and known segments (e.g. the generator's planted truth),
    /// and their contingency table (rows: found segments, columns: true segments).</summary>
    public (double AdjustedRandIndex, ContingencyTable Table) CompareWith(IReadOnlyList<int> trueSegments) =>
        (ClusteringMetrics.AdjustedRandIndex(Assignments, trueSegments), ClusteringMetrics.Contingency(Assignments, trueSegments));
}

/// <summary>One-call segmentation: preprocess, choose k, cluster, profile, check quality. Deterministic for a seed.</summary>
public static class Segmenter
{
    /// <summary>K-Means with k chosen automatically, standard scaling, seeded.</summary>
    public static SegmentationResult Run(FeatureMatrix features, int seed) => Run(new SegmentationInput(features), new SegmentationOptions { Seed = seed });

    public static SegmentationResult Run(SegmentationInput input, SegmentationOptions options, IProgress<string>? progress = null)
    {
        var raw = input.Features;
        options.Validate(raw);
        if (input.RowIds is not null && input.RowIds.Count != raw.Rows) throw new OptionsValidationException($"RowIds has {input.RowIds.Count} entries for {raw.Rows} rows.");
        progress?.Report("scaling");
        var scaler = Scaling.Fit(raw, options.Scaling, options.Log1pColumns);
        var scaled = scaler.Transform(raw);
        var pca = Pca.Fit(scaled);
        var data = options.PcaComponents is int m ? pca.Transform(scaled, m) : scaled;
        int seed = options.Seed;

        KSelection? selection = null;
        KDistanceCurve? kdist = null;
        Func<FeatureMatrix, int, int[]> cluster;
        int k;
        if (options.Method == SegmentationMethod.Dbscan)
        {
            progress?.Report("k-distance curve");
            kdist = Dbscan.KDistance(data, Math.Max(1, options.DbscanMinPoints - 1));
            double eps = options.DbscanEpsilon ?? kdist.SuggestedEpsilon;
            cluster = (x, _) => Dbscan.Run(x, eps, options.DbscanMinPoints).Labels;
            k = 0;
        }
        else
        {
            if (options.K is int fixedK) k = fixedK;
            else
            {
                var kso = new KSelectionOptions
                {
                    KMin = options.KMin, KMax = Math.Min(options.KMax, data.Rows - 2), Seed = RunContext.DeriveSeed(seed, "k-selection"),
                    KMeansRestarts = Math.Min(options.KMeansRestarts, 3), GapReferences = options.GapReferences,
                    IncludeMixtureBic = options.Method == SegmentationMethod.GaussianMixture, MixtureCovariance = options.Covariance,
                };
                selection = KSelector.Select(data, kso, progress);
                k = selection.RecommendedK;
            }
            int kk = k;
            cluster = options.Method == SegmentationMethod.KMeans
                ? (x, s) => KMeans.Fit(x, new KMeansOptions(kk) { NInit = options.KMeansRestarts, Seed = s }).Labels
                : (x, s) => GaussianMixture.Fit(x, new GaussianMixtureOptions(kk) { Covariance = options.Covariance, Seed = s }).Labels;
        }
        progress?.Report("clustering");
        var labels = cluster(data, RunContext.DeriveSeed(seed, "final-fit"));
        if (options.Method == SegmentationMethod.Dbscan) k = labels.Where(l => l >= 0).Distinct().Count();

        progress?.Report("silhouette");
        var sil = Silhouette.Compute(data, labels, RunContext.DeriveSeed(seed, "silhouette"));
        var profiles = SegmentProfiler.Build(raw, labels, input.Outcomes, options.Profiles with
        {
            Log1pColumns = options.Profiles.Log1pColumns.Count > 0 ? options.Profiles.Log1pColumns : options.Log1pColumns,
        });

        progress?.Report("stability bootstrap");
        var stabilityData = data;
        if (data.Rows > options.StabilityMaxRows)
        {
            var idx = Enumerable.Range(0, data.Rows).ToArray();
            new Random(RunContext.DeriveSeed(seed, "stability-subsample")).Shuffle(idx);
            stabilityData = data.SelectRows(idx.Take(options.StabilityMaxRows).Order().ToArray());
        }
        var aris = SegmentQualityAssessor.BootstrapStability(stabilityData, cluster, options.Quality.StabilityResamples, RunContext.DeriveSeed(seed, "stability"));
        var separation = SegmentQualityAssessor.MinCentroidSeparation(data, labels);
        var quality = SegmentQualityAssessor.Assess(profiles, sil.Mean, separation, aris, options.Quality);
        return new SegmentationResult(labels, options.Method, k, selection, kdist, profiles, quality, sil, quality.StabilityMeanAri,
            scaler, pca, pca.Transform(scaled, Math.Min(2, scaled.Columns)), data, raw.ColumnNames, input.RowIds);
    }
}
