using Workbench.Analytics.Segmentation;
using Workbench.Reporting.Segmentation;

namespace Workbench.Experiments.Artifacts;

/// <summary>Writes a segmentation run: assignments.csv (account_id, segment, segment_name), segment-profiles.json,
/// segment-metrics.json (recommended_k, silhouette, stability_ari and, with planted truth, planted_k and ari) and
/// segment-charts.html (one offline page: k selection, parallel coordinates, PCA scatter). Every file is written atomically.</summary>
public static class SegmentationArtifacts
{
    public const string AssignmentsFile = "assignments.csv", ProfilesFile = "segment-profiles.json", MetricsFile = "segment-metrics.json",
        ChartsFile = "segment-charts.html";

    /// <summary>Writes all files into <paramref name="outDir"/> and returns their paths.</summary>
    /// <param name="result">The segmentation run.</param>
    /// <param name="outDir">Output folder (created if absent).</param>
    /// <param name="profiles">The account features the run clustered (for ids, as-of date and exclusions).</param>
    /// <param name="trueSegments">Planted segment per row (generated data only), compared by adjusted Rand index.</param>
    public static IReadOnlyList<string> Write(SegmentationResult result, AccountProfiles profiles, string outDir, IReadOnlyList<int>? trueSegments = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(profiles);
        if (result.Assignments.Length != profiles.AccountIds.Count)
            throw new WorkbenchException($"The result has {result.Assignments.Length} rows but the profiles {profiles.AccountIds.Count} accounts.");
        // Every file's content is made before the first one is written: a failure (a chart, a metric) leaves no partial output.
        var contents = new (string File, string Text)[]
        {
            (AssignmentsFile, AssignmentsCsv(result, profiles.AccountIds)),
            (ProfilesFile, Json.Serialize(ProfilesDocument(result, profiles))),
            (MetricsFile, Json.Serialize(Metrics(result, profiles, trueSegments))),
            (ChartsFile, SegmentationCharts.ToStandaloneHtml($"Segmentation: {result.Method}, k={result.K}", Charts(result))),
        };
        return AtomicFile.WriteTexts(outDir, contents);
    }

    public static string AssignmentsCsv(SegmentationResult result, IReadOnlyList<string> accountIds) =>
        CsvText.Table(["account_id", "segment", "segment_name"], result.Assignments.Select((s, i) => new[]
        {
            CsvText.Cell(accountIds[i]), s.ToString(RunContext.Culture), CsvText.Cell(result.SegmentName(s)),
        }));

    /// <summary>The metrics document: always recommended_k (null when k was fixed or for DBSCAN), k, silhouette and
    /// stability_ari; planted_k and ari when <paramref name="trueSegments"/> is given.</summary>
    public static Dictionary<string, object?> Metrics(SegmentationResult result, AccountProfiles profiles, IReadOnlyList<int>? trueSegments)
    {
        var m = new Dictionary<string, object?>
        {
            ["method"] = result.Method,
            ["k"] = result.K,
            ["recommended_k"] = result.KSelection?.RecommendedK,
            ["k_selection_reason"] = result.KSelection?.Reason,
            ["k_votes"] = result.KSelection?.Votes.ToDictionary(v => v.Criterion, v => v.K),
            ["silhouette"] = result.Silhouette.Mean,
            ["stability_ari"] = result.StabilityAri,
            ["min_segment_share"] = result.Quality.MinShare,
            ["quality_passed"] = result.Quality.AllPassed,
            ["quality"] = result.Quality.Checklist.Select(c => new { c.Name, c.Passed, c.Value, c.Threshold, c.Explanation }),
            ["as_of"] = profiles.AsOf.ToString("yyyy-MM-dd", RunContext.Culture),
            ["accounts"] = profiles.AccountIds.Count,
            ["excluded_accounts"] = profiles.ExcludedAccounts.Count,
            ["clustering_columns"] = profiles.ClusteringColumns,
            ["imputed_values"] = profiles.ImputedCounts,
        };
        if (trueSegments is not null)
        {
            var (ari, table) = result.CompareWith(trueSegments);
            m["planted_k"] = trueSegments.Distinct().Count();
            m["ari"] = ari;
            m["contingency"] = new { found_segments = table.RowLabels, planted_segments = table.ColumnLabels, counts = table.Counts };
        }
        return m;
    }

    static object ProfilesDocument(SegmentationResult result, AccountProfiles profiles) => new
    {
        as_of = profiles.AsOf.ToString("yyyy-MM-dd", RunContext.Culture),
        method = result.Method,
        k = result.K,
        clustering_columns = profiles.ClusteringColumns,
        segments = result.Profiles.Select(p => new
        {
            p.Segment, p.Name, p.NameReason, p.Size, p.Share, p.DistinguishingColumns,
            outcome_rates = p.OutcomeRates,
            columns = p.Columns.Select(c => new { c.Column, c.Mean, c.Median, standardized_mean_difference = c.StandardizedMeanDifference }),
            // Columns profiled but not clustered (e.g. tenure): means on their natural scale.
            other_columns = profiles.All.ColumnNames.Where(c => !profiles.ClusteringColumns.Contains(c)).ToDictionary(c => c, c =>
            {
                int j = profiles.All.ColumnIndex(c);
                var rows = Enumerable.Range(0, result.Assignments.Length).Where(i => result.Assignments[i] == p.Segment).ToArray();
                return rows.Length == 0 ? double.NaN : rows.Average(i => profiles.All[i, j]);
            }),
        }),
    };

    static IEnumerable<(string, Func<string>)> Charts(SegmentationResult result)
    {
        if (result.KSelection is { } sel)
        {
            yield return ("elbow", SegmentationCharts.Lazy(() => SegmentationCharts.Elbow(sel)));
            yield return ("gap", SegmentationCharts.Lazy(() => SegmentationCharts.Gap(sel.Gap)));
            yield return ("silhouette-by-k", SegmentationCharts.Lazy(() => SegmentationCharts.SilhouetteByK(sel)));
            if (sel.MixtureBic is not null) yield return ("bic", SegmentationCharts.Lazy(() => SegmentationCharts.Bic(sel)));
        }
        if (result.KDistance is { } kd) yield return ("k-distance", SegmentationCharts.Lazy(() => SegmentationCharts.KDistance(kd)));
        foreach (var chart in SegmentationCharts.RowCharts(result)) yield return chart;
    }
}
