using System.Text.RegularExpressions;
using Workbench.Experiments.Runs;

namespace Workbench.Experiments.Promotion;

/// <summary>One floor checked at promotion: the metric, the minimum, the run's value, and where the floor came from
/// ("spec": the run's own promotion floors; "promotion": given when promoting).</summary>
public sealed record FloorCheck(string Metric, double Floor, double Value, string Source);

/// <summary>One promotion of a run under a name.</summary>
public sealed record PromotionEntry(string Name, string RunId, string RunName, DateTimeOffset PromotedUtc, string? SpecHash,
    IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<FloorCheck> FloorsChecked);

/// <summary>promotion.json: the current promotion of a name and the ones it replaced, newest first.</summary>
public sealed record PromotionRecord(PromotionEntry Current, IReadOnlyList<PromotionEntry> History)
{
    public static PromotionRecord Read(string path)
    {
        if (!File.Exists(path)) throw new WorkbenchException($"{path}: missing promotion record.");
        try { return System.Text.Json.JsonSerializer.Deserialize<PromotionRecord>(File.ReadAllText(path), Json.Options) ?? throw new WorkbenchException($"{path}: empty promotion record."); }
        catch (System.Text.Json.JsonException ex) { throw new WorkbenchException($"{path}: line {ex.LineNumber + 1}: {ex.Message}", ex); }
    }
}

/// <summary>
/// Promotes a finished run's model under a name that <c>workbench score</c> uses. Only a succeeded run whose model folder
/// is complete and whose metrics reach every floor (the run's own <see cref="RunRecord.PromotionFloors"/> plus any given
/// here) is promoted. The named folder is built beside its final place and renamed into it, so a reader sees either the
/// old promotion or the new one, never a mix; the replaced promotion stays in promotion.json's history.
/// </summary>
public static class Promoter
{
    /// <summary>What a run's model folder must hold to be promoted: the one model file (the only file promotion copies).</summary>
    public static readonly IReadOnlyList<string> RequiredModelFiles = [RankingArtifacts.ModelFile];

    /// <summary>Model files of optional spec sections, promoted with the run when its model folder holds them
    /// (the lifetime model, the opportunity models of the <c>pipeline</c> section, the action policy of the <c>actions</c> section).</summary>
    public static readonly IReadOnlyList<string> OptionalModelFiles = [Pipeline.LifetimeStage.ModelFileName, Opportunities.OpportunityPipelineJob.ModelFileName,
        Pipeline.ActionStage.ModelFileName];

    static readonly Regex SafeName = new("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant);

    /// <summary>Checks that a model name or run id is a safe folder name: letters, digits, '.', '_' and '-', starting
    /// with a letter or digit, at most 64 characters.</summary>
    public static void ValidateName(string name, string what = "model name")
    {
        if (string.IsNullOrEmpty(name) || !SafeName.IsMatch(name) || name.Contains("..", StringComparison.Ordinal))
            throw new OptionsValidationException($"Invalid {what} '{name}': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit (no '..').");
    }

    /// <summary>Promotes run <paramref name="runId"/> as <paramref name="name"/> with the run's own floors.</summary>
    public static PromotionRecord Promote(StoreLayout store, string runId, string name) => Promote(store, runId, name, null);

    /// <summary>Promotes run <paramref name="runId"/> as <paramref name="name"/>, checking the run's floors and
    /// <paramref name="extraFloors"/>; refuses with every reason at once when the run is not promotable.</summary>
    public static PromotionRecord Promote(StoreLayout store, string runId, string name, IReadOnlyDictionary<string, double>? extraFloors, DateTimeOffset? now = null)
        => Promote(store, runId, name, extraFloors, allowWeak: false, now);

    /// <summary>Metric suffix of the weak-model flag (<c>churn.weak_model</c> = 1: at most one tree or test ROC AUC at
    /// most 0.52). The default promotion floors refuse a run with any such flag set unless <c>allowWeak</c>.</summary>
    public const string WeakModelSuffix = ".weak_model";

    /// <summary>The run's weak-model flags that are set (metric names ending in <see cref="WeakModelSuffix"/> with value 1).</summary>
    public static IReadOnlyList<string> WeakModels(RunRecord run) =>
        [.. run.Metrics.Where(kv => kv.Key.EndsWith(WeakModelSuffix, StringComparison.Ordinal) && kv.Value >= 1).Select(kv => kv.Key).Order(StringComparer.Ordinal)];

    /// <summary>Promotes run <paramref name="runId"/> as <paramref name="name"/>, checking the run's floors, the default
    /// weak-model floor (waived by <paramref name="allowWeak"/>, and the waiver recorded as a floor check with source
    /// "override") and <paramref name="extraFloors"/>; refuses with every reason at once when the run is not promotable.</summary>
    public static PromotionRecord Promote(StoreLayout store, string runId, string name, IReadOnlyDictionary<string, double>? extraFloors, bool allowWeak, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ValidateName(runId, "run id");
        ValidateName(name);
        var recordPath = store.RunRecordPath(runId);
        if (!File.Exists(recordPath))
            throw new WorkbenchException($"Run '{runId}' not found: {recordPath} does not exist.");
        var run = RunRecord.Read(recordPath);
        string refused = $"Cannot promote run '{runId}' as '{name}':";
        if (run.Status == RunStatus.Failed)
            throw new WorkbenchException($"{refused} the run failed ({run.Error ?? "no error recorded"}). Only a succeeded run can be promoted.");
        if (run.Status != RunStatus.Succeeded)
            throw new WorkbenchException($"{refused} the run is still running or did not finish (status {run.Status.ToString().ToLowerInvariant()}). Only a succeeded run can be promoted.");
        var modelDir = store.RunModelDirectory(runId);
        if (!Directory.Exists(modelDir))
            throw new WorkbenchException($"{refused} the run has no model folder ({modelDir}).");
        // A table-task run (workbench table train) holds the table model instead of the prioritizer.
        var mainModel = !File.Exists(Path.Combine(modelDir, RankingArtifacts.ModelFile)) && File.Exists(Path.Combine(modelDir, Tabular.TableTaskJob.ModelFileName))
            ? Tabular.TableTaskJob.ModelFileName : RankingArtifacts.ModelFile;
        var missingFiles = (mainModel == RankingArtifacts.ModelFile ? RequiredModelFiles : [mainModel]).Where(f => !File.Exists(Path.Combine(modelDir, f))).ToList();
        if (missingFiles.Count > 0)
            throw new WorkbenchException($"{refused} its model folder {modelDir} lacks {string.Join(", ", missingFiles)}.");

        var checks = new List<FloorCheck>();
        var problems = new List<string>();
        var floors = run.PromotionFloors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value, Source: "spec"))
            .Concat((extraFloors ?? new Dictionary<string, double>()).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value, Source: "promotion")));
        foreach (var (metric, floor, source) in floors)
        {
            string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
            if (!run.Metrics.TryGetValue(metric, out double value))
                problems.Add($"floor {metric} >= {F(floor)} ({source}) names a metric the run does not have (its metrics: {string.Join(", ", run.Metrics.Keys.Order(StringComparer.Ordinal))})");
            else if (!(value >= floor))
                problems.Add($"{metric} = {F(value)} is below the floor {F(floor)} ({source})");
            else checks.Add(new FloorCheck(metric, floor, value, source));
        }
        foreach (var weak in WeakModels(run))
        {
            var target = weak[..^WeakModelSuffix.Length];
            string trees = run.Metrics.TryGetValue(target + ".trees", out double t) ? t.ToString("0", CultureInfo.InvariantCulture) + " tree(s), " : "";
            string auc = run.Metrics.TryGetValue(target + ".auc", out double a) ? "test ROC AUC " + a.ToString("0.000", CultureInfo.InvariantCulture) : "";
            if (allowWeak) checks.Add(new FloorCheck(weak, 0, 1, "override"));
            else problems.Add($"the {target} model is weak ({weak} = 1: {trees}{auc}; a model with at most one tree or test ROC AUC at most 0.52 ranks little better than chance): " +
                "get more history or labels, or override with --allow-weak (allowWeak: true) if you mean to promote it");
        }
        if (problems.Count > 0) throw new WorkbenchException($"{refused} " + string.Join("; ", problems) + ".");

        var entry = new PromotionEntry(name, runId, run.Name, now ?? DateTimeOffset.UtcNow, run.SpecHash,
            new SortedDictionary<string, double>(run.Metrics.ToDictionary(), StringComparer.Ordinal), checks);
        Directory.CreateDirectory(store.ModelsDirectory);
        // One promotion of a name at a time, across processes: reading the previous record, staging and the rename are
        // one step, so concurrent promotions neither collide in the rename nor lose each other's history entries.
        using var nameLock = NameLock.Acquire(Path.Combine(store.ModelsDirectory, $".{name}.lock"), TimeSpan.FromMinutes(5));
        var finalDir = store.PromotedDirectory(name);
        var previousPath = Path.Combine(finalDir, StoreLayout.PromotionFile);
        var history = new List<PromotionEntry>();
        if (File.Exists(previousPath))
        {
            var previous = PromotionRecord.Read(previousPath);
            history.Add(previous.Current);
            history.AddRange(previous.History);
        }
        var record = new PromotionRecord(entry with { PromotedUtc = now ?? DateTimeOffset.UtcNow }, history);

        var staging = Path.Combine(store.ModelsDirectory, $".promoting-{name}-{Guid.NewGuid():N}");
        try
        {
            // The model is one file: promotion copies it alone, with the optional sections' model files (reports stay with the run).
            Directory.CreateDirectory(Path.Combine(staging, StoreLayout.ModelFolder));
            File.Copy(Path.Combine(modelDir, mainModel), Path.Combine(staging, StoreLayout.ModelFolder, mainModel));
            // Optional parts (a run whose spec had a "lifetime" or "pipeline" section): scoring then puts CLV in the book,
            // and `workbench pipeline --model NAME` scores deals with the opportunity model.
            foreach (var optional in OptionalModelFiles.Where(f => File.Exists(Path.Combine(modelDir, f))))
                File.Copy(Path.Combine(modelDir, optional), Path.Combine(staging, StoreLayout.ModelFolder, optional));
            Json.Write(Path.Combine(staging, StoreLayout.PromotionFile), record);
            AtomicDirectory.Replace(staging, finalDir);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return record;
    }
}

/// <summary>An exclusive lock on a lock file (an OS file lock, so it holds across processes and is released if the
/// holder dies): waits with growing pauses up to a timeout, then refuses with the path.</summary>
internal sealed class NameLock : IDisposable
{
    readonly FileStream stream;

    NameLock(FileStream stream) => this.stream = stream;

    public static NameLock Acquire(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        int pause = 5;
        while (true)
        {
            try { return new NameLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None)); }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(pause + Random.Shared.Next(pause));
                pause = Math.Min(pause * 2, 200);
            }
            catch (IOException ex)
            {
                throw new WorkbenchException($"{path}: another promotion of this name still holds the lock after {timeout.TotalSeconds:0} s.", ex);
            }
        }
    }

    public void Dispose() => stream.Dispose();
}

/// <summary>Puts a fully written folder in place of another by renames in the same parent folder: the old folder (if
/// any) is moved aside, the new one renamed in, then the old one deleted. If the rename in fails, the old one is put back.</summary>
public static class AtomicDirectory
{
    public static void Replace(string stagedDir, string finalDir)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(finalDir))!;
        Directory.CreateDirectory(parent);
        string? aside = null;
        if (Directory.Exists(finalDir))
        {
            aside = Path.Combine(parent, $".replaced-{Path.GetFileName(finalDir)}-{Guid.NewGuid():N}");
            Directory.Move(finalDir, aside);
        }
        try { Directory.Move(stagedDir, finalDir); }
        catch
        {
            if (aside is not null && !Directory.Exists(finalDir)) Directory.Move(aside, finalDir);
            throw;
        }
        if (aside is not null) Directory.Delete(aside, recursive: true);
    }

    /// <summary>A fresh staging folder beside <paramref name="finalDir"/> (same parent, so the final rename stays on one file system).</summary>
    public static string StagingFor(string finalDir)
    {
        var full = Path.GetFullPath(finalDir);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        RemoveAbandonedStaging(parent, Path.GetFileName(full));
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>Deletes staging folders of <paramref name="name"/> left by a process that was killed (its id, in the
    /// folder name, is no longer a running process), so a killed <c>score</c> leaves nothing behind for long.</summary>
    internal static void RemoveAbandonedStaging(string parent, string name)
    {
        var prefix = "." + name + ".";
        foreach (var dir in Directory.GetDirectories(parent, prefix + "*.tmp"))
        {
            var middle = Path.GetFileName(dir)[prefix.Length..^".tmp".Length];
            int dot = middle.IndexOf('.');
            if (dot <= 0 || !int.TryParse(middle[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (pid == Environment.ProcessId || IsRunning(pid)) continue;
            try { Directory.Delete(dir, recursive: true); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { } // another run cleans it later
        }
    }

    static bool IsRunning(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
