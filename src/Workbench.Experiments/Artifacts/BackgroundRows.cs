using System.Globalization;
using System.Text;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Ranking;
using Workbench.Data.Io;

namespace Workbench.Experiments.Artifacts;

/// <summary>
/// A seeded sample of the training snapshots saved beside the models (background.csv: churn and upsell labels, then the
/// features). TreeSHAP needs it for node covers (ML.NET keeps none) and narratives for their population statistics,
/// so a model explains the same way wherever it is loaded.
/// </summary>
public static class BackgroundRows
{
    public const string File = "background.csv";

    public static string Write(LabeledFeatures lf, IReadOnlyList<int> trainMonths, string outDir, int seed, int maxRows = 20_000)
    {
        var t = lf.Features;
        var months = trainMonths.ToHashSet();
        var rows = Enumerable.Range(0, t.RowCount).Where(i => months.Contains(t.Snapshots[i].AsOfMonth)).ToArray();
        if (rows.Length > maxRows)
        {
            new Random(RunContext.DeriveSeed(seed, "background-sample")).Shuffle(rows);
            rows = rows[..maxRows];
            Array.Sort(rows);
        }
        var path = Path.Combine(outDir, File);
        AtomicFile.Write(path, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            w.WriteLine(CsvText.Line(new[] { "churn", "upsell" }.Concat(t.Registry.Names).Select(n => CsvText.Cell(n))));
            foreach (int r in rows)
                w.WriteLine(CsvText.Line(new[] { lf.Labels[r].Outcome == Outcome.Churn ? "1" : "0", lf.Labels[r].Outcome == Outcome.Upsell ? "1" : "0" }
                    .Concat(t.Row(r).ToArray().Select(CsvText.Number))));
        });
        return path;
    }

    /// <summary>Reads background.csv as two training sets (churn labels, upsell labels) over the same rows.</summary>
    public static (TrainingSet Churn, TrainingSet Upsell) Read(string modelDir)
    {
        var path = Path.Combine(modelDir, File);
        if (!System.IO.File.Exists(path)) throw new WorkbenchException($"{path}: missing. It is written by 'workbench train'; retrain to get it.");
        var lines = System.IO.File.ReadAllLines(path);
        var header = lines[0].Split(',');
        if (header.Length < 3 || header[0] != "churn" || header[1] != "upsell") throw new WorkbenchException($"{path}:1: expected a header 'churn,upsell,<features...>'.");
        var names = header[2..];
        int d = names.Length;
        var values = new float[(lines.Length - 1) * d];
        var churn = new bool[lines.Length - 1]; var upsell = new bool[lines.Length - 1];
        for (int i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != d + 2) throw new WorkbenchException($"{path}:{i + 1}: {cells.Length} fields, expected {d + 2}.");
            churn[i - 1] = cells[0] == "1"; upsell[i - 1] = cells[1] == "1";
            for (int j = 0; j < d; j++)
            {
                string c = cells[j + 2];
                values[(i - 1) * d + j] = c.Length == 0 ? float.NaN
                    : float.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                    : throw new WorkbenchException($"{path}:{i + 1}, column '{names[j]}': value '{c}' is not a number (invariant culture).");
            }
        }
        return (new TrainingSet(values, names, churn), new TrainingSet(values, names, upsell));
    }
}
