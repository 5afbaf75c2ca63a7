using Workbench.Analytics.Explanation;

namespace Workbench.Experiments.Artifacts;

/// <summary>Writes narratives.json (per account-product: score, reasons for and against with values and sentences),
/// narratives.txt (the same as plain text), feature-importance.json, and explain-metrics.json.</summary>
public static class ExplanationArtifacts
{
    public const string NarrativesFile = "narratives.json", TextFile = "narratives.txt", ImportanceFile = "feature-importance.json", MetricsFile = "explain-metrics.json";

    /// <summary>Writes the four files; <c>steps</c> is told each file as its writing starts (for timings).</summary>
    public static IReadOnlyList<string> Write(ExplanationReport report, string outDir, IProgress<string>? steps = null)
    {
        steps?.Report("explanation: writing narratives.json");
        Directory.CreateDirectory(outDir);
        var paths = new[] { NarrativesFile, TextFile, ImportanceFile, MetricsFile }.Select(f => Path.Combine(outDir, f)).ToArray();
        var narratives = report.Churn.Narratives.Concat(report.Upsell.Narratives)
            .OrderBy(n => n.AccountId, StringComparer.Ordinal).ThenBy(n => n.ProductId, StringComparer.Ordinal).ThenBy(n => n.Target, StringComparer.Ordinal)
            .ToArray();
        AtomicFile.Write(paths[0], s => NarrativesJson.Write(s, narratives));
        steps?.Report("explanation: writing narratives.txt and the rest");
        AtomicFile.Write(paths[1], s =>
        {
            using var text = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            foreach (var n in report.Churn.Narratives.Concat(report.Upsell.Narratives)) text.WriteLine(n.ToText());
        });
        Json.Write(paths[2], new { churn = report.Churn.Importance, upsell = report.Upsell.Importance });
        var metrics = new Dictionary<string, object?>
        {
            ["rows_explained"] = report.Churn.Narratives.Count,
            ["as_of"] = report.Churn.Narratives.Count > 0 ? report.Churn.Narratives[0].AsOf : null,
        };
        if (report.DriverMatchTopDecile is double pooled)
        {
            metrics["driver_match_top_decile"] = pooled;
            metrics["churn_driver_match_top_decile"] = report.ChurnFidelity!.Rate;
            metrics["upsell_driver_match_top_decile"] = report.UpsellFidelity!.Rate;
            metrics["churn_top_concepts"] = report.ChurnFidelity.TopConcepts;
            metrics["upsell_top_concepts"] = report.UpsellFidelity.TopConcepts;
        }
        Json.Write(paths[3], metrics);
        return paths;
    }
}
