using Workbench.Experiments.Specs;

namespace Workbench.Experiments.Runs;

/// <summary>One artifact of a reproduced run against the original.</summary>
/// <param name="Path">Relative to the run folder.</param>
/// <param name="Identical">Byte for byte; null when the file is not compared byte-wise (model zips store write times;
/// the models' scores are compared through ranked-book.csv and the metrics).</param>
public sealed record ArtifactCheck(string Path, bool? Identical);

/// <summary>A reviewer's check: the run re-executed from its recorded spec on the data folder it recorded, compared with
/// the original: every metric (exactly), the data fingerprint and every text artifact (byte for byte).</summary>
public sealed record RunReproduction(RunRecord Original, RunRecord Reproduction, RunComparison Comparison, IReadOnlyList<ArtifactCheck> Artifacts)
{
    /// <summary>Metrics that differ in any bit, or exist in one run only.</summary>
    public IReadOnlyList<MetricDifference> MetricsThatDiffer => Comparison.Metrics.Where(m => m.A is null || m.B is null || m.A.Value != m.B.Value).ToList();
    public bool SameData => Original.Data?.Sha256 == Reproduction.Data?.Sha256;
    public bool Identical => SameData && MetricsThatDiffer.Count == 0 && Artifacts.All(a => a.Identical != false);

    /// <summary>Re-runs <paramref name="runId"/> in the same store and compares. The spec comes from the run's spec.json read
    /// from the spec's recorded folder (so relative paths and named sources resolve as they did); where that folder is
    /// gone, or the run did not come from a file, the recorded filled spec runs on the recorded data folder.</summary>
    public static RunReproduction Of(RunStore store, string runId, IProgress<RunProgress>? progress = null)
    {
        var entry = store.Find(runId);
        var original = entry.Record ?? throw new WorkbenchException($"Run {entry.Id} has no readable record: {entry.Problem}");
        if (original.Status != RunStatus.Succeeded || entry.State != RunState.Succeeded)
            throw new WorkbenchException($"Run {entry.Id} is {entry.StateText}; only a succeeded run can be reproduced.");
        var spec = SpecOf(store, original);
        var again = ExperimentRunner.Run(spec, store, progress, File.ReadAllText(Path.Combine(store.Layout.RunDirectory(original.Id), StoreLayout.SpecFile)), original.SpecDirectory);
        return Compare(store, original, again);
    }

    /// <summary>Compares two recorded runs of one store as a reproduction would (without running anything).</summary>
    public static RunReproduction Compare(RunStore store, RunRecord original, RunRecord reproduction) =>
        new(original, reproduction, RunComparison.Of(original, reproduction), CompareArtifacts(store, original, reproduction));

    static ExperimentSpec SpecOf(RunStore store, RunRecord original)
    {
        var specFile = Path.Combine(store.Layout.RunDirectory(original.Id), StoreLayout.SpecFile);
        if (original.SpecDirectory is { } dir && Directory.Exists(dir) && File.Exists(specFile))
            return ExperimentSpec.Parse(LocatedJson.ReadFile(specFile, "spec"), dir, specFile);
        if (original.Spec is not { } filled || original.Data is not { } data)
            throw new WorkbenchException($"Run {original.Id} records neither its spec folder nor a filled spec with its data folder; it cannot be reproduced.");
        var node = JsonNode.Parse(filled.GetRawText())!.AsObject();
        var lenient = node["data"]?["lenient"]?.GetValue<bool>() ?? false;
        node["data"] = new JsonObject { ["path"] = data.Path, ["lenient"] = lenient };
        return ExperimentSpec.Parse(node.ToJsonString(), data.Path, $"{original.Id}/{StoreLayout.RecordFile}");
    }

    static List<ArtifactCheck> CompareArtifacts(RunStore store, RunRecord a, RunRecord b)
    {
        var dirA = store.Layout.RunDirectory(a.Id);
        var dirB = store.Layout.RunDirectory(b.Id);
        var checks = new List<ArtifactCheck>();
        foreach (var path in a.Artifacts.Union(b.Artifacts).Order(StringComparer.Ordinal))
        {
            if (path == StoreLayout.SpecFile) continue; // the input, not an output
            var fa = Path.Combine(dirA, path);
            var fb = Path.Combine(dirB, path);
            if (!File.Exists(fa) || !File.Exists(fb)) { checks.Add(new ArtifactCheck(path, false)); continue; }
            if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)) { checks.Add(new ArtifactCheck(path, null)); continue; }
            checks.Add(new ArtifactCheck(path, File.ReadAllBytes(fa).AsSpan().SequenceEqual(File.ReadAllBytes(fb))));
        }
        return checks;
    }
}
