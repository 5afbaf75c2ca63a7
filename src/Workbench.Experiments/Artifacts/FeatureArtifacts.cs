using Workbench.Analytics.Features;

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
        var registry = JsonNode.Parse(Json.Serialize(new
        {
            snapshot_options = lf.SnapshotOptions,
            label_options = lf.LabelOptions,
            feature_options = lf.FeatureOptions,
            features = t.Registry.Definitions,
        }))!.AsObject();
        // Every column of features.csv, keys and label outcome columns included.
        var columns = new JsonArray();
        foreach (var (name, role, description, unit) in LabelColumns)
            columns.Add(new JsonObject { ["name"] = name, ["role"] = role, ["description"] = description, ["unit"] = unit });
        foreach (var d in t.Registry.Definitions)
            columns.Add(new JsonObject { ["name"] = d.Name, ["role"] = "feature", ["description"] = d.Description, ["unit"] = d.Unit });
        registry["columns"] = columns;
        AtomicFile.WriteText(paths[1], registry.ToJsonString(Indented) + "\n");

        var report = new JsonObject
        {
            ["label_source"] = SnakeName(lf.LabelOptions.Source.ToString()),
            ["churn_rate"] = lf.Report.Overall.ChurnRate,
            ["upsell_rate"] = lf.Report.Overall.UpsellRate,
            ["flat_rate"] = lf.Report.Overall.FlatRate,
            ["flags"] = new JsonArray(lf.Report.Flags().Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
        };
        foreach (var (k, v) in JsonNode.Parse(Json.Serialize(lf.Report))!.AsObject()) report[k] = v?.DeepClone();
        AtomicFile.WriteText(paths[2], report.ToJsonString(Indented) + "\n");
        return paths;
    }

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static string SnakeName(string pascal) => string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>The columns of features.csv before the features: keys, the label and its outcome columns.</summary>
    public static readonly IReadOnlyList<(string Name, string Role, string Description, string Unit)> LabelColumns =
    [
        ("account_id", "key", "The account of the snapshot.", ""),
        ("product_id", "key", "The product of the snapshot.", ""),
        ("as_of", "key", "The snapshot's as-of date: features read only data before it, labels only the horizon after it.", "date"),
        ("label", "label", "Outcome in the horizon: upsell, churn or flat (see label-report.json for the label source).", ""),
        ("run_rate", "label_outcome", "Monthly run-rate at the as-of date: mean monthly spend over the run-rate months (purchase labels: over the purchase lookback).", "money per month"),
        ("window_spend", "label_outcome", "Mean monthly spend in the label horizon.", "money per month"),
        ("upsell_amount", "label_outcome", "Upsell in monthly run-rate terms: add-on bookings in the horizon, or (spend and purchase labels) horizon spend above the run-rate.", "money per month"),
    ];
}
