using System.Text.Json;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Ranking;

namespace Workbench.Experiments.Artifacts;

/// <summary>The options a model folder was trained with (training.json), so explaining or scoring cuts snapshots the same way.</summary>
public sealed record TrainingSpec(SnapshotOptions Snapshots, LabelOptions Labels, RankingOptions Ranking)
{
    public const string File = "training.json";

    public static string Write(string dir, SnapshotOptions snapshots, LabelOptions labels, RankingOptions ranking)
    {
        var path = Path.Combine(dir, File);
        Json.Write(path, new TrainingSpec(snapshots, labels, ranking));
        return path;
    }

    public static TrainingSpec Read(string dir)
    {
        var path = Path.Combine(dir, File);
        if (!System.IO.File.Exists(path)) throw new WorkbenchException($"{path}: missing; it is written by 'workbench train'.");
        try { return JsonSerializer.Deserialize<TrainingSpec>(System.IO.File.ReadAllText(path), Json.Options) ?? throw new WorkbenchException($"{path}: empty."); }
        catch (JsonException ex) { throw new WorkbenchException($"{path}: line {ex.LineNumber + 1}: {ex.Message}", ex); }
    }
}
