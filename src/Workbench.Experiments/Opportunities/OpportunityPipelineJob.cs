using Workbench.Analytics.Pipeline;
using Workbench.Experiments.Promotion;
using Workbench.Experiments.Runs;
using Workbench.Reporting.Pipeline;

namespace Workbench.Experiments.Opportunities;

/// <summary>What one pipeline job produced.</summary>
public sealed record OpportunityPipelineOutput(
    OpportunityModel Model, bool Trained, OpportunityEvaluationResult Evaluation, IReadOnlyList<OpportunityCall> Calls, DateOnly AsOf, IReadOnlyList<string> Files);

/// <summary>
/// The batch job behind <c>workbench pipeline</c>: fits the opportunity models on the data (or loads a saved model),
/// evaluates them on the held-out period, reviews the deals open at the as-of date, and writes into one folder, atomically
/// (staging folder, then rename): <c>pipeline-metrics.json</c>, <c>opportunities.csv</c>, <c>rep-gaps.csv</c>,
/// <c>forecast.csv</c>, <c>opportunity-model.zip</c> and <c>report/</c> (an index and one offline page per rep).
/// </summary>
public static class OpportunityPipelineJob
{
    public const string MetricsFile = "pipeline-metrics.json", OpportunitiesFile = "opportunities.csv", RepGapsFile = "rep-gaps.csv",
        ForecastFile = "forecast.csv", ModelFileName = "opportunity-model.zip", ReportFolder = "report";

    public static OpportunityPipelineOutput Run(CrmDataset data, string outDir, OpportunityOptions? options = null, string? modelPath = null, DateOnly? asOf = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (string.IsNullOrWhiteSpace(outDir)) throw new OptionsValidationException("The output folder is empty.");
        if (File.Exists(outDir)) throw new WorkbenchException($"{outDir}: is a file; give a folder for the pipeline outputs.");
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() && !File.Exists(Path.Combine(outDir, MetricsFile)))
            throw new WorkbenchException($"{outDir}: exists and does not hold a previous pipeline output (no {MetricsFile}); choose a new or empty folder.");
        options = (options ?? new OpportunityOptions()).Validate();

        OpportunityModel model;
        bool trained = modelPath is null;
        if (modelPath is not null)
        {
            if (!File.Exists(modelPath)) throw new WorkbenchException($"{modelPath}: no such model file (give the {ModelFileName} of an earlier 'workbench pipeline' output).");
            using var stream = File.OpenRead(modelPath);
            model = OpportunityModel.Load(stream, modelPath);
        }
        else model = null!;
        var frame = OpportunityFrame.Build(data, trained ? options : model.Options);
        if (trained) model = OpportunityEstimator.Fit(frame, options);
        var evaluation = OpportunityEvaluation.Evaluate(model, frame);
        var date = asOf ?? frame.Index.DataEnd;
        var calls = PipelineReview.Review(model, frame.Index, date);

        var staging = AtomicDirectory.StagingFor(outDir);
        var files = new List<string>();
        try
        {
            void Text(string name, string text) { AtomicFile.WriteText(Path.Combine(staging, name), text); files.Add(name); }
            Text(MetricsFile, Metrics(evaluation, calls, date, trained).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            Text(OpportunitiesFile, OpportunitiesCsv(calls));
            Text(RepGapsFile, CsvText.Table(["rep_id", "deals", "mean_gap", "low", "high", "planted_bias"], evaluation.RepGaps.Select(g => new[]
            {
                CsvText.Cell(g.RepId), g.Deals.ToString(CultureInfo.InvariantCulture), CsvText.Number(g.MeanGap), CsvText.Number(g.Low), CsvText.Number(g.High),
                g.PlantedBias is { } b ? CsvText.Number(b) : "",
            })));
            Text(ForecastFile, CsvText.Table(["rep_id", "quarter", "deals", "model_forecast", "declared_forecast", "actual"], evaluation.Forecast.Select(f => new[]
            {
                CsvText.Cell(f.RepId), f.Quarter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), f.Deals.ToString(CultureInfo.InvariantCulture),
                CsvText.Number(Math.Round(f.ModelForecast, 2)), CsvText.Number(Math.Round(f.DeclaredForecast, 2)), CsvText.Number(Math.Round(f.Actual, 2)),
            })));
            AtomicFile.Write(Path.Combine(staging, ModelFileName), s => model.Save(s));
            files.Add(ModelFileName);
            var input = new PipelineReportInput(date, calls, evaluation.RepGaps, evaluation.Forecast,
                data.Reps.ToDictionary(r => r.RepId, r => r.Name, StringComparer.Ordinal), evaluation);
            foreach (var (file, html) in PipelineReport.Pages(input)) Text(Path.Combine(ReportFolder, file), html);
            AtomicDirectory.Replace(staging, outDir);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return new OpportunityPipelineOutput(model, trained, evaluation, calls, date, files);
    }

    /// <summary>The opportunity model file that <c>--model</c> names: an existing file (the <see cref="ModelFileName"/> of an
    /// earlier output), or the name of a promoted model whose run had a <c>pipeline</c> section (as <c>workbench score</c> takes).</summary>
    public static string ResolveModel(StoreLayout store, string modelOrName)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (string.IsNullOrWhiteSpace(modelOrName)) throw new OptionsValidationException("--model is empty: give a promoted model name or a model file.");
        if (File.Exists(modelOrName)) return modelOrName;
        if (modelOrName.IndexOfAny(['/', '\\']) >= 0 || modelOrName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            throw new WorkbenchException($"{modelOrName}: no such model file (give the {ModelFileName} of an earlier 'workbench pipeline' output, or the name of a promoted model).");
        var path = Path.Combine(ModelRegistry.Resolve(store, modelOrName), ModelFileName);
        if (!File.Exists(path))
            throw new WorkbenchException($"The promoted model '{modelOrName}' holds no opportunity model ({path} is missing): the run it came from had no \"pipeline\" section in its spec. Add one, run it and promote that run.");
        return path;
    }

    /// <summary>The numbers of <see cref="Metrics"/> (its top-level numeric entries), as a run records them under <c>pipeline.</c>.</summary>
    public static IEnumerable<(string Name, double Value)> FlatMetrics(OpportunityEvaluationResult e, IReadOnlyList<OpportunityCall> calls)
    {
        foreach (var (key, node) in Metrics(e, calls, default, trained: true))
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
                yield return (key, double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    /// <summary>The metrics document: win_auc, forecast_wape, declared_forecast_wape always; oracle_win_auc and
    /// rep_gap_correlation when the data carries truth; then details (calibration, stage accuracy, quarter errors).</summary>
    public static JsonObject Metrics(OpportunityEvaluationResult e, IReadOnlyList<OpportunityCall> calls, DateOnly asOf, bool trained)
    {
        static JsonNode? N(double? v) => v is { } x && double.IsFinite(x) ? JsonValue.Create(Math.Round(x, 10)) : null;
        var m = new JsonObject { ["win_auc"] = N(e.WinAuc), ["win.auc"] = N(e.WinAuc), ["win.trees"] = e.WinTrees, ["win.weak_model"] = e.WeakWinModel ? 1 : 0 };
        if (e.OracleWinAuc is not null) m["oracle_win_auc"] = N(e.OracleWinAuc);
        if (e.RepGapCorrelation is not null) m["rep_gap_correlation"] = N(e.RepGapCorrelation);
        m["forecast_wape"] = N(e.ForecastWape);
        m["declared_forecast_wape"] = N(e.DeclaredForecastWape);
        m["brier"] = N(e.Brier);
        if (e.OracleBrier is not null) m["oracle_brier"] = N(e.OracleBrier);
        m["log_loss"] = N(e.LogLoss);
        if (e.StageAccuracy is not null) m["stage_accuracy"] = N(e.StageAccuracy);
        if (e.RecordedStageAccuracy is not null) m["recorded_stage_accuracy"] = N(e.RecordedStageAccuracy);
        m["split_date"] = e.SplitDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        m["as_of"] = asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        m["model"] = trained ? "trained on this data" : "loaded";
        m["test_snapshots"] = e.TestSnapshots;
        m["open_opportunities"] = calls.Count;
        m["stuck_opportunities"] = calls.Count(c => c.Stuck);
        m["reliability"] = new JsonArray(e.Reliability.Select(b => (JsonNode)new JsonObject
        {
            ["mean_predicted"] = N(b.MeanPredicted), ["observed_rate"] = N(b.ObservedRate), ["count"] = b.Count,
        }).ToArray());
        m["quarters"] = new JsonArray(e.QuarterErrors.Select(q => (JsonNode)new JsonObject
        {
            ["quarter"] = q.Quarter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["forecast_wape"] = N(q.ModelWape),
            ["declared_forecast_wape"] = N(q.DeclaredWape), ["actual"] = N(q.Actual),
        }).ToArray());
        return m;
    }

    public static string OpportunitiesCsv(IReadOnlyList<OpportunityCall> calls) =>
        CsvText.Table(["opportunity_id", "win_probability", "declared_stage", "supported_stage", "supported_stage_probability", "gap", "expected_value",
            "amount", "rep_id", "account_id", "stuck", "days_in_stage", "won_median_days", "stage_reason", "top_reason_for", "top_reason_against"],
            calls.Select(c => new[]
            {
                CsvText.Cell(c.OpportunityId), CsvText.Number(Math.Round(c.WinProbability, 6)), Stage(c.DeclaredStage), Stage(c.SupportedStage),
                CsvText.Number(Math.Round(c.SupportedStageProbability, 6)), c.Gap.ToString(CultureInfo.InvariantCulture), CsvText.Number(Math.Round(c.ExpectedValue, 2)),
                c.Amount.ToString(CultureInfo.InvariantCulture), CsvText.Cell(c.RepId), CsvText.Cell(c.AccountId), c.Stuck ? "true" : "false",
                c.DaysInStage.ToString(CultureInfo.InvariantCulture), c.WonMedianDays is { } m ? CsvText.Number(m) : "", CsvText.Cell(c.StageReason),
                CsvText.Cell(c.ReasonsFor.FirstOrDefault()?.Sentence ?? ""), CsvText.Cell(c.ReasonsAgainst.FirstOrDefault()?.Sentence ?? ""),
            }));

    static string Stage(OpportunityStage s) => CrmSchema.ToSnake(s.ToString());
}
