namespace Workbench.Experiments.Runs;

/// <summary>Where a run ended. A run whose process died is still <see cref="Running"/> in its run.json;
/// the store reports it as unfinished because nobody holds its lock any more.</summary>
public enum RunStatus { Running, Succeeded, Failed }

/// <summary>The record of one run, kept as <c>run.json</c> in the run's folder (see <see cref="StoreLayout"/>).
/// Metrics are flat, named "stage.metric" (for example "churn.auc", "upsell.ndcg_at_10",
/// "explain.driver_match_top_decile", "segment.silhouette"), so runs compare side by side and promotion floors
/// name them the same way.</summary>
public sealed record RunRecord
{
    public required string Id { get; init; }
    /// <summary>The spec's name (what the experiment is about).</summary>
    public required string Name { get; init; }
    public required RunStatus Status { get; init; }
    public required DateTimeOffset StartedUtc { get; init; }
    public DateTimeOffset? FinishedUtc { get; init; }
    /// <summary>The spec exactly as it ran (after defaults were filled in), and the SHA-256 of its canonical JSON.</summary>
    public JsonElement? Spec { get; init; }
    public string? SpecHash { get; init; }
    /// <summary>The folder of the spec file as run (relative data paths and the dataset catalog resolve from it), so the
    /// run can be reproduced from its spec.json; null when the spec did not come from a file.</summary>
    public string? SpecDirectory { get; init; }
    public int Seed { get; init; }
    /// <summary>Data fingerprints: the dataset folder and a SHA-256 per table file and over all of them.</summary>
    public DataFingerprint? Data { get; init; }
    /// <summary>Git commit of the code that ran and whether the work tree had uncommitted changes (null outside a checkout).</summary>
    public CodeVersion? Code { get; init; }
    /// <summary>Runtime, OS and the versions of the packages that compute results (ML.NET, ...).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Minimum values a metric must reach for the run to be promoted ("churn.auc": 0.7), copied from the spec.</summary>
    public IReadOnlyDictionary<string, double> PromotionFloors { get; init; } = new Dictionary<string, double>();
    /// <summary>Artifact paths relative to the run folder (the model folder is <see cref="StoreLayout.ModelFolder"/>).</summary>
    public IReadOnlyList<string> Artifacts { get; init; } = [];
    /// <summary>Why a failed run failed.</summary>
    public string? Error { get; init; }

    public static RunRecord Read(string path)
    {
        if (!File.Exists(path)) throw new WorkbenchException($"{path}: missing run record.");
        try { return JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(path), Json.Options) ?? throw new WorkbenchException($"{path}: empty run record."); }
        catch (JsonException ex) { throw new WorkbenchException($"{path}: line {ex.LineNumber + 1}: {ex.Message}", ex); }
    }

    /// <summary>Writes atomically, so a reader never sees half a record.</summary>
    public void Write(string path) => Json.Write(path, this);
}

public sealed record DataFingerprint(string Path, string Sha256, IReadOnlyDictionary<string, string> Tables);

public sealed record CodeVersion(string Commit, bool Dirty);

/// <summary>The one place that knows the store's paths. Default root: <c>.workbench</c> in the current folder
/// (or the WORKBENCH_STORE environment variable; the CLI's <c>--store</c> overrides both).
/// <code>
/// ROOT/runs/RUN-ID/run.json       the record
/// ROOT/runs/RUN-ID/spec.json      the spec as given
/// ROOT/runs/RUN-ID/model/         what 'workbench train' writes (models, training.json, background.csv, metrics.json, ranked-book.csv)
/// ROOT/runs/RUN-ID/...            other artifacts (explanation, segmentation, charts)
/// ROOT/models/NAME/promotion.json which run was promoted, when, with which metrics
/// ROOT/models/NAME/model/         a copy of the run's model folder
/// </code></summary>
public sealed record StoreLayout(string Root)
{
    public const string EnvironmentVariable = "WORKBENCH_STORE", DefaultRoot = ".workbench", ModelFolder = "model",
        RecordFile = "run.json", SpecFile = "spec.json", PromotionFile = "promotion.json";

    public static StoreLayout Default() => new(System.Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } r ? r : DefaultRoot);

    public string RunsDirectory => System.IO.Path.Combine(Root, "runs");
    public string ModelsDirectory => System.IO.Path.Combine(Root, "models");
    public string RunDirectory(string runId) => System.IO.Path.Combine(RunsDirectory, runId);
    public string RunRecordPath(string runId) => System.IO.Path.Combine(RunDirectory(runId), RecordFile);
    public string RunModelDirectory(string runId) => System.IO.Path.Combine(RunDirectory(runId), ModelFolder);
    public string PromotedDirectory(string name) => System.IO.Path.Combine(ModelsDirectory, name);
    public string PromotedModelDirectory(string name) => System.IO.Path.Combine(PromotedDirectory(name), ModelFolder);
}
