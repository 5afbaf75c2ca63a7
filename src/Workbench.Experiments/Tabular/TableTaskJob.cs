using Workbench.Analytics.Tables;
using Workbench.Data;
using Workbench.Experiments.Promotion;
using Workbench.Experiments.Runs;

namespace Workbench.Experiments.Tabular;

/// <summary>What a table-task run produced: its record, the split, the test metrics and the files written.</summary>
public sealed record TableRunResult(RunRecord Record, TableSplit Split, TableMetrics Metrics, TableModel Model);

/// <summary>What a table-task scoring wrote.</summary>
public sealed record TableScoringResult(string ModelName, string RunId, int Rows, string OutDir, IReadOnlyList<string> Files);

/// <summary>
/// Table tasks as runs of the run store: <see cref="Train"/> splits a one-row-per-entity table, fits
/// <see cref="TableEstimator"/>, evaluates on the held-out rows and records the run (metrics <c>table.auc</c>,
/// <c>table.weak_model</c>, ...; the model file <see cref="ModelFileName"/> in the run's model folder), so
/// <c>workbench promote</c> promotes it like any run and <see cref="Score"/> scores new rows with the promoted name.
/// </summary>
public static class TableTaskJob
{
    /// <summary>The table model's file in a run's (and a promoted name's) model folder.</summary>
    public const string ModelFileName = "table.model.zip";
    public const string MetricsFile = "metrics.json", TestScoresFile = "test-scores.csv", ScoresFile = "scores.csv";
    /// <summary>Prefix of the run's metrics ("table.auc").</summary>
    public const string MetricPrefix = "table";

    /// <summary>The entity table of a file or imported folder (see <see cref="TextTable.Read"/>).</summary>
    public static EntityTable Load(string path, string? idColumn = null)
    {
        var t = TextTable.Read(path, idColumn);
        return new EntityTable(t.Ids, t.Columns, t.Rows, t.Path);
    }

    /// <summary>Trains and evaluates a table task on <paramref name="dataPath"/> and records it in <paramref name="store"/>.</summary>
    public static TableRunResult Train(string dataPath, string? idColumn, TableTaskOptions options, RunStore store, IReadOnlyDictionary<string, double>? promotionFloors = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options.Validate();
        var table = Load(dataPath, idColumn);
        var fp = Fingerprint(dataPath);
        using var handle = store.Begin();
        var dir = handle.Directory;
        var spec = SpecJson(dataPath, idColumn, options);
        AtomicFile.WriteText(Path.Combine(dir, StoreLayout.SpecFile), spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        using var specDoc = JsonDocument.Parse(spec.ToJsonString());
        var record = new RunRecord
        {
            Id = handle.Id, Name = $"table:{options.Target}", Status = RunStatus.Running, StartedUtc = handle.StartedUtc,
            Spec = specDoc.RootElement.Clone(), Seed = options.Seed,
            SpecHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(spec.ToJsonString()))),
            Data = new DataFingerprint(fp.Directory, fp.Sha256, fp.Files),
            Code = RunEnvironment.CodeVersion(), Environment = RunEnvironment.Describe(),
            PromotionFloors = new Dictionary<string, double>(promotionFloors ?? new Dictionary<string, double>(), StringComparer.Ordinal),
        };
        handle.Write(record);
        var artifacts = new List<string> { StoreLayout.SpecFile };
        try
        {
            var split = TableSplitter.Split(table, options);
            var model = TableEstimator.Fit(split.Train, options);
            var metrics = TableEvaluation.Evaluate(model, split.Test);
            var modelDir = store.Layout.RunModelDirectory(handle.Id);
            Directory.CreateDirectory(modelDir);
            AtomicFile.Write(Path.Combine(modelDir, ModelFileName), model.Save);
            var flat = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var (k, v) in metrics.ToFlat()) flat[$"{MetricPrefix}.{k}"] = v;
            flat[$"{MetricPrefix}.train_rows"] = split.Train.RowCount;
            flat[$"{MetricPrefix}.encoded_features"] = model.Encoder.FeatureNames.Count;
            var metricsJson = new JsonObject { ["target"] = options.Target, ["split"] = split.Method };
            foreach (var (k, v) in flat) metricsJson[k[(MetricPrefix.Length + 1)..]] = double.IsFinite(v) ? Math.Round(v, 10) : null;
            AtomicFile.WriteText(Path.Combine(modelDir, MetricsFile), metricsJson.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            var testP = model.Probabilities(split.Test);
            var labels = split.Test.Rows.Select(r => r[split.Test.ColumnIndex(options.Target, "target")]).ToArray();
            AtomicFile.WriteText(Path.Combine(dir, TestScoresFile), CsvText.Table(["id", options.Target, "probability"],
                Enumerable.Range(0, split.Test.RowCount).Select(i => new[] { CsvText.Cell(split.Test.Ids[i]), CsvText.Cell(labels[i]), CsvText.Number(testP[i]) })));
            artifacts.AddRange([$"{StoreLayout.ModelFolder}/{ModelFileName}", $"{StoreLayout.ModelFolder}/{MetricsFile}", TestScoresFile]);
            record = record with
            {
                Status = RunStatus.Succeeded, FinishedUtc = DateTimeOffset.UtcNow, Artifacts = artifacts,
                Metrics = flat.Where(kv => double.IsFinite(kv.Value)).ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 10), StringComparer.Ordinal),
            };
            handle.Write(record);
            return new TableRunResult(record, split, metrics, model);
        }
        catch (Exception ex)
        {
            handle.Write(record with { Status = RunStatus.Failed, FinishedUtc = DateTimeOffset.UtcNow, Artifacts = artifacts, Error = $"{ex.GetType().Name}: {ex.Message}" });
            throw;
        }
    }

    /// <summary>Scores <paramref name="dataPath"/> with the table model promoted as <paramref name="modelName"/>: writes
    /// <c>scores.csv</c> (id, probability, rank, top reasons) into <paramref name="outDir"/> (staged, then renamed in).</summary>
    public static TableScoringResult Score(StoreLayout store, string modelName, string dataPath, string outDir, string? idColumn = null, int reasons = 3)
    {
        var dir = ModelRegistry.Resolve(store, modelName);
        var path = Path.Combine(dir, ModelFileName);
        if (!File.Exists(path))
            throw new WorkbenchException($"The model promoted as '{modelName}' is not a table model (no {ModelFileName} in {dir}); score it with 'workbench score'.");
        TableModel model;
        using (var s = File.OpenRead(path)) model = TableModel.Load(s, path);
        var table = Load(dataPath, idColumn);
        var missing = model.FeatureColumns.Where(c => !table.Columns.Contains(c)).ToList();
        if (missing.Count > 0)
            throw new WorkbenchException($"{table.Source}: the table lacks column(s) the '{modelName}' model was trained on: {string.Join(", ", missing)}.");
        var scores = model.Score(table, reasons);
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i].Probability).ThenBy(i => scores[i].Id, StringComparer.Ordinal).ToArray();
        var rank = new int[scores.Count];
        for (int r = 0; r < order.Length; r++) rank[order[r]] = r + 1;
        var header = new List<string> { "id", "probability", "rank" };
        for (int k = 1; k <= reasons; k++) header.AddRange([$"reason_{k}", $"reason_{k}_contribution"]);
        var csv = CsvText.Table(header, order.Select(i =>
        {
            var row = new List<string> { CsvText.Cell(scores[i].Id), CsvText.Number(scores[i].Probability), rank[i].ToString(CultureInfo.InvariantCulture) };
            for (int k = 0; k < reasons; k++)
                row.AddRange(k < scores[i].Reasons.Count ? [CsvText.Cell(scores[i].Reasons[k].Feature), CsvText.Number(Math.Round(scores[i].Reasons[k].Contribution, 6))] : ["", ""]);
            return row;
        }));
        var staging = AtomicDirectory.StagingFor(outDir);
        try
        {
            File.WriteAllText(Path.Combine(staging, ScoresFile), csv);
            AtomicDirectory.Replace(staging, outDir);
        }
        finally { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); }
        return new TableScoringResult(modelName, ModelRegistry.Promotion(store, modelName).Current.RunId, scores.Count, Path.GetFullPath(outDir), [ScoresFile]);
    }

    /// <summary>A dataset folder's fingerprint, or one file's (a table file may sit anywhere, even beside the store).</summary>
    static DatasetFingerprint Fingerprint(string dataPath)
    {
        if (Directory.Exists(dataPath)) return DatasetFingerprint.Compute(dataPath);
        var full = Path.GetFullPath(dataPath);
        string sha;
        using (var s = File.OpenRead(full)) sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(s));
        return new DatasetFingerprint(full, sha, new Dictionary<string, string> { [Path.GetFileName(full)] = sha });
    }

    static JsonObject SpecJson(string dataPath, string? idColumn, TableTaskOptions o)
    {
        var spec = new JsonObject
        {
            ["task"] = "table",
            ["data"] = Path.GetFullPath(dataPath),
            ["id_column"] = idColumn,
        };
        o.AddTo(spec);
        spec["model"] = new JsonObject
        {
            ["algorithm"] = o.Model.Algorithm.ToString(), ["number_of_trees"] = o.Model.NumberOfTrees, ["number_of_leaves"] = o.Model.NumberOfLeaves,
            ["learning_rate"] = o.Model.LearningRate, ["min_examples_per_leaf"] = o.Model.MinExamplesPerLeaf,
            ["min_positives"] = o.Model.MinPositives, ["min_negatives"] = o.Model.MinNegatives,
        };
        return spec;
    }
}
