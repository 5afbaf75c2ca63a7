using System.Text.Json;
using System.Text.Json.Serialization;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Ranking;

namespace Workbench.Experiments.Artifacts;

/// <summary>The options a model folder was trained with (training.json), so explaining or scoring cuts snapshots and
/// builds features exactly the same way. <see cref="Features"/> is null in folders written before it was recorded,
/// which were always trained with the default feature options.</summary>
public sealed record TrainingSpec(SnapshotOptions Snapshots, LabelOptions Labels, RankingOptions Ranking, FeatureOptions? Features = null)
{
    public const string File = "training.json";

    /// <summary>The feature options to rebuild the model's columns with.</summary>
    [JsonIgnore] public FeatureOptions FeatureOptions => Features ?? new FeatureOptions();

    public static string Write(string dir, SnapshotOptions snapshots, LabelOptions labels, RankingOptions ranking, FeatureOptions features)
    {
        var path = Path.Combine(dir, File);
        Json.Write(path, new TrainingSpec(snapshots, labels, ranking, features));
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
