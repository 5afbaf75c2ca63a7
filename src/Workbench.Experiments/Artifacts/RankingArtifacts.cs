using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Ranking;

namespace Workbench.Experiments.Artifacts;

/// <summary>Writes a trained ranking stage: both models, metrics.json, the ranked books (CSV) and the evaluation
/// curves. metrics.json is shaped as {"churn": {"auc", "pr_auc", "oracle_auc", "ndcg_at_10", "baseline_ndcg_at_10", ...}, "upsell": {...}}.</summary>
public static class RankingArtifacts
{
    /// <summary>The one model file (<see cref="PrioritizerModel.Save"/>): what promotion copies and scoring loads.</summary>
    public const string ModelFile = "prioritizer.model.zip";
    public const string MetricsFile = "metrics.json", BookFile = "ranked-book.csv", CurvesFile = "evaluation-curves.json";

    /// <summary>Key in metrics.json's "upsell" section: the mean upsell relative to the run-rate seen in training.</summary>
    public const string UpsellRatioKey = "upsell_ratio";

    /// <summary>Reads the model file of a model folder (a training output or a promoted model's folder).</summary>
    public static PrioritizerModel ReadModel(string modelDir)
    {
        var path = Path.Combine(modelDir, ModelFile);
        if (!File.Exists(path))
            throw new WorkbenchException($"{path}: missing; a model folder holds the model file written by 'workbench train' or 'workbench run'" +
                (File.Exists(Path.Combine(modelDir, "churn.model.zip")) ? " (this folder was written by an older Workbench: retrain)." : "."));
        using var s = File.OpenRead(path);
        return PrioritizerModel.Load(s, path);
    }

    /// <summary>Writes the model file and the evaluation reports of a trained prioritizer.</summary>
    public static IReadOnlyList<string> Write(PrioritizerModel model, RankingResult r, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        var modelPath = Path.Combine(outDir, ModelFile);
        AtomicFile.Write(modelPath, model.Save);
        written.Add(modelPath);
        written.Add(WriteMetrics(r, Path.Combine(outDir, MetricsFile)));
        var book = Path.Combine(outDir, BookFile);
        AtomicFile.WriteText(book, BookCsv(r.Books));
        written.Add(book);
        var curves = Path.Combine(outDir, CurvesFile);
        Json.Write(curves, new
        {
            churn = new { roc = r.Churn.Roc, precision_recall = r.Churn.PrecisionRecall, reliability = r.Churn.Reliability, gain = r.Churn.Gain },
            upsell = new { roc = r.Upsell.Roc, precision_recall = r.Upsell.PrecisionRecall, reliability = r.Upsell.Reliability, gain = r.Upsell.Gain },
        });
        written.Add(curves);
        return written;
    }

    public static Dictionary<string, object?> MetricsOf(TargetMetrics m, int k) => new()
    {
        ["auc"] = m.Auc,
        ["pr_auc"] = m.PrAuc,
        ["oracle_auc"] = m.OracleAuc,
        [$"ndcg_at_{k}"] = m.NdcgAtK,
        [$"baseline_ndcg_at_{k}"] = m.BestBaselineNdcgAtK,
        ["best_baseline"] = m.BestBaseline,
        [$"baselines_ndcg_at_{k}"] = m.BaselineNdcgAtK,
        [$"oracle_ndcg_at_{k}"] = m.OracleNdcgAtK,
        [$"precision_at_{k}"] = m.PrecisionAtK,
        [$"recall_at_{k}"] = m.RecallAtK,
        ["log_loss"] = m.LogLoss,
        ["brier"] = m.Brier,
        ["rows"] = m.Rows,
        ["positives"] = m.Positives,
        ["trees"] = m.TreeCount,
        ["weak_model"] = m.Weakness is null ? 0 : 1,
    };

    static string WriteMetrics(RankingResult r, string path)
    {
        var metrics = new Dictionary<string, object?>
        {
            ["churn"] = MetricsOf(r.Churn, r.K),
            ["upsell"] = MetricsOf(r.Upsell, r.K),
        };
        ((Dictionary<string, object?>)metrics["upsell"]!)[UpsellRatioKey] = r.UpsellRatio;
        if (r.Churn.OracleAuc is null) { ((Dictionary<string, object?>)metrics["churn"]!).Remove("oracle_auc"); ((Dictionary<string, object?>)metrics["upsell"]!).Remove("oracle_auc"); }
        Json.Write(path, metrics);
        return path;
    }

    public static string BookCsv(IEnumerable<AccountPriority> books)
    {
        string N(double v) => CsvText.Number(Math.Round(v, 2));
        string P(double v) => CsvText.Number(Math.Round(v, 4));
        return CsvText.Table(
            ["rep_id", "account_id", "as_of", "rank", "grade", "trend", "priority", "previous_priority", "expected_upsell", "revenue_at_risk", "p_upsell", "p_churn", "top_product", "focus"],
            books.Select(b => new[]
            {
                CsvText.Cell(b.RepId), CsvText.Cell(b.AccountId), b.AsOf.ToString("yyyy-MM-dd", RunContext.Culture), b.Rank.ToString(RunContext.Culture),
                b.Grade.ToString(), b.Trend.ToString().ToLowerInvariant(), N(b.Priority), N(b.PreviousPriority), N(b.ExpectedUpsell), N(b.RevenueAtRisk),
                P(b.MaxPUpsell), P(b.MaxPChurn), CsvText.Cell(b.TopProduct), b.Focus.Name(),
            }));
    }
}
