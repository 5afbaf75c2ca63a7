using System.Text.Json;
using System.Text.Json.Serialization;
using Workbench.Analytics.Segmentation;

namespace Workbench.Analytics;

/// <summary>The segmentation stage of a pipeline (what an experiment spec's "segmentation" section holds).</summary>
public sealed record SegmentationStageOptions
{
    public SegmentationMethod Method { get; init; } = SegmentationMethod.KMeans;
    /// <summary>Fixed number of segments; null lets elbow, silhouette and the gap statistic recommend one.</summary>
    public int? K { get; init; }
    public int KMin { get; init; } = 2;
    public int KMax { get; init; } = 8;
    /// <summary>Seed of clustering; null uses the pipeline's seed.</summary>
    public int? Seed { get; init; }
    /// <summary>Profile date (first of a month is typical); null: after the last month in the data.</summary>
    public DateOnly? AsOf { get; init; }
}

/// <summary>
/// The options of every stage of the account prioritizer in one immutable tree: the single source of defaults. An
/// experiment spec is its JSON form, a model file records it, and CLI flags bind onto it, so the library, a spec that
/// names only its data and the CLI give the same results.
/// <code>
/// var options = PipelineOptions.Default with { Seed = 7 };
/// var features = LabeledFeatures.Build(data, options);
/// var model = AccountPrioritizer.Fit(features, options);
/// </code>
/// </summary>
public sealed record PipelineOptions
{
    /// <summary>Every default.</summary>
    public static PipelineOptions Default { get; } = new();

    /// <summary>The seed every random draw of the pipeline derives from (model training, background sample,
    /// baselines, clustering). The seeds inside the sections are overwritten by it (see <see cref="Resolved"/>).</summary>
    public int Seed { get; init; } = 42;
    public SnapshotOptions Snapshots { get; init; } = new();
    /// <summary>Label thresholds; the label source is <see cref="LabelSource"/>.</summary>
    public LabelOptions Labels { get; init; } = new();
    /// <summary>Where labels come from; null ("auto"): bookings when the data has them, else spend.</summary>
    public LabelSource? LabelSource { get; init; }
    public FeatureOptions Features { get; init; } = new();
    public RankingOptions Ranking { get; init; } = new();
    public NarrativeOptions Explanation { get; init; } = new();
    public SegmentationStageOptions Segmentation { get; init; } = new();

    /// <summary>The options with the seed carried into every section that draws at random.</summary>
    public PipelineOptions Resolved() => this with
    {
        Ranking = Ranking with
        {
            Seed = Seed,
            Churn = Ranking.Churn with { Seed = Seed },
            Upsell = Ranking.Upsell with { Seed = Seed },
        },
    };

    /// <summary>The label options for a dataset, with "auto" resolved.</summary>
    public LabelOptions LabelsFor(CrmDataset data) => Labels with
    {
        Source = LabelSource ?? Labeling.Labeler.AutoSource(data),
    };

    /// <summary>Throws <see cref="OptionsValidationException"/> when a section is invalid.</summary>
    public void Validate()
    {
        Snapshots.Validate();
        Labels.Validate();
        Features.Validate();
        Ranking.Churn.Validate();
        Ranking.Upsell.Validate();
        Ranking.Priority.Validate();
        Explanation.Validate();
        if (Ranking.TestMonths is < 1 or > 24) throw new OptionsValidationException($"Ranking.TestMonths must be 1..24, got {Ranking.TestMonths}.");
        if (Ranking.ValidationMonths is < 1 or > 24) throw new OptionsValidationException($"Ranking.ValidationMonths must be 1..24, got {Ranking.ValidationMonths}.");
        if (Ranking.MaxTrainingRows < 0) throw new OptionsValidationException($"Ranking.MaxTrainingRows must be >= 0 (0 = all rows), got {Ranking.MaxTrainingRows}.");
        if (Ranking.MaxValidationRows < 0) throw new OptionsValidationException($"Ranking.MaxValidationRows must be >= 0 (0 = all rows), got {Ranking.MaxValidationRows}.");
        if (Ranking.TrainStepMonths is < 1 or > 24) throw new OptionsValidationException($"Ranking.TrainStepMonths must be 1..24, got {Ranking.TrainStepMonths}.");
        if (Ranking.K is < 1 or > 1000) throw new OptionsValidationException($"Ranking.K must be 1..1000, got {Ranking.K}.");
    }

    /// <summary>The options as JSON (snake_case keys, enum names as strings), without reflection.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, AnalyticsJson.Default.PipelineOptions);

    /// <summary>Reads options written by <see cref="ToJson"/>; keys left out keep their defaults, unknown keys are refused.</summary>
    public static PipelineOptions FromJson(string json, string source = "options")
    {
        try
        {
            // The source generator sets every init-only property a document leaves out to null; so the document is laid
            // over the defaults' full JSON first, and every key is present when it is deserialized.
            var given = JsonNode.Parse(json) as JsonObject ?? throw new OptionsValidationException($"{source}: expected a JSON object of options.");
            var merged = JsonNode.Parse(Default.ToJson())!.AsObject();
            Overlay(merged, given);
            return merged.Deserialize(AnalyticsJson.Default.PipelineOptions) ?? throw new OptionsValidationException($"{source}: null options.");
        }
        catch (JsonException ex) { throw new OptionsValidationException($"{source}: {(ex.Path is null ? "" : ex.Path + ": ")}{ex.Message}"); }
    }

    static void Overlay(JsonObject target, JsonObject given)
    {
        foreach (var (key, value) in given.ToList())
        {
            if (value is JsonObject inner && target[key] is JsonObject existing) Overlay(existing, inner);
            else target[key] = value?.DeepClone();
        }
    }
}

/// <summary>Source-generated JSON for the analytics option records and model headers: no reflection, so the library
/// works in .NET file-based apps and trimmed hosts.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true,
    WriteIndented = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(PipelineOptions))]
[JsonSerializable(typeof(PropensityModelHeader))]
internal sealed partial class AnalyticsJson : JsonSerializerContext;
