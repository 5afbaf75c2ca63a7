using System.Text;
using Workbench.Analytics.Features;
using Workbench.Data.Io;

namespace Workbench.Experiments.Artifacts;

/// <summary>Writes what the labeling and feature stages produce: features.csv (keys, label, one column per feature),
/// feature-registry.json and label-report.json. Every file is written atomically.</summary>
public static class FeatureArtifacts
{
    public const string FeaturesFile = "features.csv", RegistryFile = "feature-registry.json", LabelReportFile = "label-report.json";

    public static IReadOnlyList<string> Write(LabeledFeatures lf, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var t = lf.Features;
        var paths = new[] { Path.Combine(outDir, FeaturesFile), Path.Combine(outDir, RegistryFile), Path.Combine(outDir, LabelReportFile) };
        AtomicFile.Write(paths[0], stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            w.WriteLine(CsvText.Line(new[] { "account_id", "product_id", "as_of", "label", "run_rate", "window_spend", "upsell_amount" }.Concat(t.Registry.Names).Select(n => CsvText.Cell(n))));
            for (int i = 0; i < t.RowCount; i++)
            {
                var l = lf.Labels[i];
                var cells = new List<string>(t.ColumnCount + 7)
                {
                    CsvText.Cell(t.AccountId(i)), CsvText.Cell(t.ProductId(i)), t.AsOf(i).ToString("yyyy-MM-dd", RunContext.Culture),
                    l.Outcome.ToString().ToLowerInvariant(), CsvText.Number(l.RunRate), CsvText.Number(l.WindowSpend), CsvText.Number(l.UpsellAmount),
                };
                foreach (var v in t.Row(i)) cells.Add(CsvText.Number(v));
                w.WriteLine(CsvText.Line(cells));
            }
        });
        Json.Write(paths[1], new
        {
            snapshot_options = lf.SnapshotOptions,
            label_options = lf.LabelOptions,
            feature_options = lf.FeatureOptions,
            features = t.Registry.Definitions,
        });
        Json.Write(paths[2], lf.Report);
        return paths;
    }
}
