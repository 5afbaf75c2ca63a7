using Workbench.Analytics.Segmentation;
using Workbench.Data;
using Workbench.Reporting.Segmentation;

namespace Workbench.Experiments.Tabular;

/// <summary>How a user's wide table is segmented: which numeric columns (default: every numeric, non-constant column),
/// which of them get log1p ("all" by default: spend-like tails), scaling, method, k, seed, and an optional text
/// column to compare the segments with (adjusted Rand index, e.g. a sales channel).</summary>
public sealed record TableSegmentationOptions
{
    public IReadOnlyList<string>? Columns { get; init; }
    public IReadOnlyList<string> Exclude { get; init; } = [];
    /// <summary>Columns log1p-transformed before scaling; null = every clustered column (all must be non-negative).</summary>
    public IReadOnlyList<string>? Log1pColumns { get; init; }
    public ScalingMethod Scaling { get; init; } = ScalingMethod.Standard;
    public SegmentationMethod Method { get; init; } = SegmentationMethod.KMeans;
    public int? K { get; init; }
    public int KMin { get; init; } = 2;
    public int KMax { get; init; } = 8;
    public int Seed { get; init; } = 42;
    public string? CompareWith { get; init; }
}

/// <summary>What segmenting a table produced.</summary>
public sealed record TableSegmentationOutput(SegmentationResult Result, TextTable Table, IReadOnlyList<string> Columns, IReadOnlyList<string> SkippedColumns,
    double? CompareAri, IReadOnlyList<string> Files);

/// <summary>Segments a user's wide table (one row per customer; rows without an id column get row numbers) on its own
/// numeric columns, not the account-profile features: the CLI's <c>workbench segment --table</c>. Constant columns and
/// columns with a missing value are never clustered (they are listed as skipped with the reason).</summary>
public static class TableSegmentation
{
    public const string AssignmentsFile = "assignments.csv", ProfilesFile = "segment-profiles.json", MetricsFile = "segment-metrics.json", ChartsFile = "segment-charts.html";

    public static TableSegmentationOutput Run(string tablePath, string? idColumn, TableSegmentationOptions options, string outDir)
    {
        var table = TextTable.Read(tablePath, idColumn);
        if (table.Ids.Count < 3) throw new OptionsValidationException($"{table.Path}: segmentation needs at least 3 rows; the table has {table.Ids.Count}.");
        var skipped = new List<string>();
        var chosen = new List<string>();
        foreach (var e in options.Exclude.Concat(options.Columns ?? []).Append(options.CompareWith).OfType<string>())
            if (!table.Columns.Contains(e)) throw new OptionsValidationException($"{table.Path}: no column '{e}'{Suggest(e, table.Columns)}. Columns: {string.Join(", ", table.Columns)}.");
        var candidates = options.Columns ?? table.Columns.Where(c => !options.Exclude.Contains(c) && c != options.CompareWith).ToList();
        var values = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var c in candidates)
        {
            int j = IndexOf(table, c);
            var col = new double[table.Ids.Count];
            string? why = null;
            for (int i = 0; i < col.Length && why is null; i++)
            {
                var v = table.Rows[i][j];
                if (string.IsNullOrEmpty(v)) why = $"missing in row '{table.Ids[i]}'";
                else if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out col[i]))
                    why = options.Columns is null ? "not numeric" : throw new DataValidationException([new DataProblem(table.Path, i + 2, c, v, "a number (invariant culture): the column was chosen for clustering")]);
            }
            if (why is null && col.Distinct().Count() == 1) why = "constant";
            if (why is null) { chosen.Add(c); values[c] = col; }
            else skipped.Add($"{c} ({why})");
        }
        if (chosen.Count == 0) throw new OptionsValidationException($"{table.Path}: no numeric, complete, non-constant column to segment on (skipped: {string.Join(", ", skipped)}).");
        var log1p = options.Log1pColumns ?? chosen;
        foreach (var c in log1p)
        {
            if (!chosen.Contains(c)) throw new OptionsValidationException($"--log1p column '{c}' is not a clustered column ({string.Join(", ", chosen)}).");
            if (values[c].Any(v => v < 0)) throw new OptionsValidationException($"{table.Path}: column '{c}' has negative values; log1p needs values >= 0 (choose --log1p columns or none).");
        }
        var matrix = FeatureMatrix.FromRows(Enumerable.Range(0, table.Ids.Count).Select(i => chosen.Select(c => values[c][i]).ToArray()).ToArray(), chosen);
        var result = Segmenter.Run(new SegmentationInput(matrix) { RowIds = table.Ids }, new SegmentationOptions
        {
            Method = options.Method, K = options.K, KMin = options.KMin, KMax = options.KMax, Scaling = options.Scaling,
            Log1pColumns = log1p, Seed = options.Seed,
        });
        double? ari = null;
        object? contingency = null;
        if (options.CompareWith is { } cw)
        {
            int j = IndexOf(table, cw);
            var text = table.Rows.Select(r => r[j] ?? "").ToArray();
            var levels = text.Distinct().Order(StringComparer.Ordinal).ToList();
            var (a, t) = result.CompareWith(text.Select(v => levels.IndexOf(v)).ToArray());
            ari = a;
            contingency = new { found_segments = t.RowLabels, known = t.ColumnLabels.Select(l => levels[l]).ToArray(), counts = t.Counts };
        }
        var metrics = new Dictionary<string, object?>
        {
            ["method"] = result.Method, ["k"] = result.K, ["recommended_k"] = result.KSelection?.RecommendedK, ["k_selection_reason"] = result.KSelection?.Reason,
            ["k_votes"] = result.KSelection?.Votes.ToDictionary(v => v.Criterion, v => v.K),
            ["silhouette"] = result.Silhouette.Mean, ["stability_ari"] = result.StabilityAri, ["min_segment_share"] = result.Quality.MinShare,
            ["quality_passed"] = result.Quality.AllPassed,
            ["quality"] = result.Quality.Checklist.Select(c => new { c.Name, c.Passed, c.Value, c.Threshold, c.Explanation }),
            ["rows"] = table.Ids.Count, ["id_column"] = table.IdColumn, ["clustering_columns"] = chosen, ["log1p_columns"] = log1p, ["skipped_columns"] = skipped,
            ["scaling"] = options.Scaling,
        };
        if (options.CompareWith is not null) { metrics["compare_with"] = options.CompareWith; metrics["compare_ari"] = ari; metrics["contingency"] = contingency; }
        var profiles = new
        {
            method = result.Method, k = result.K, clustering_columns = chosen,
            segments = result.Profiles.Select(p => new
            {
                p.Segment, p.Name, p.NameReason, p.Size, p.Share, p.DistinguishingColumns,
                columns = p.Columns.Select(c => new { c.Column, c.Mean, c.Median, standardized_mean_difference = c.StandardizedMeanDifference }),
            }),
        };
        var files = AtomicFile.WriteTexts(outDir,
        [
            (AssignmentsFile, CsvText.Table([table.IdColumn ?? "row", "segment", "segment_name"], result.Assignments.Select((seg, i) => new[]
                { CsvText.Cell(table.Ids[i]), seg.ToString(CultureInfo.InvariantCulture), CsvText.Cell(result.SegmentName(seg)) }))),
            (ProfilesFile, Json.Serialize(profiles)),
            (MetricsFile, Json.Serialize(metrics)),
            (ChartsFile, SegmentationCharts.ToStandaloneHtml($"Segmentation of {Path.GetFileName(table.Path)}: {result.Method}, k={result.K}", Charts(result))),
        ]);
        return new TableSegmentationOutput(result, table, chosen, skipped, ari, files);
    }

    static string Suggest(string word, IEnumerable<string> candidates) =>
        LocatedJson.Closest(word, candidates, 1) is [var near] ? $" (did you mean '{near}'?)" : "";

    static int IndexOf(TextTable t, string column)
    {
        for (int j = 0; j < t.Columns.Count; j++) if (t.Columns[j] == column) return j;
        throw new OptionsValidationException($"{t.Path}: no column '{column}'.");
    }

    static IEnumerable<(string, Func<string>)> Charts(SegmentationResult result)
    {
        if (result.KSelection is { } sel)
        {
            yield return ("elbow", SegmentationCharts.Lazy(() => SegmentationCharts.Elbow(sel)));
            yield return ("silhouette-by-k", SegmentationCharts.Lazy(() => SegmentationCharts.SilhouetteByK(sel)));
        }
        foreach (var chart in SegmentationCharts.RowCharts(result)) yield return chart;
    }
}
