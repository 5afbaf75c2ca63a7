using Workbench.Experiments.Promotion;
using Workbench.Experiments.Scoring;
using Workbench.Experiments.Specs;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench run SPEC [--store DIR] [--promote-as NAME [--score-out DIR]]</c>: runs an experiment spec end to end and
/// records it in the run store; optionally promotes the run (if it meets its floors) and scores the data with it.</summary>
public static class RunCommand
{
    /// <summary>The metrics printed after a run (all of them are in run.json and 'workbench runs show').</summary>
    static readonly string[] KeyMetrics =
    [
        "churn.auc", "churn.pr_auc", "churn.ndcg_at_10", "upsell.auc", "upsell.pr_auc", "upsell.ndcg_at_10",
        "explain.driver_match_top_decile", "segment.k", "segment.silhouette", "segment.stability_ari", "segment.ari",
    ];

    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "Experiment spec (JSON), for example experiments/sample.json." };
        var io = new CommandFlags(store: true);
        var promoteAs = new Option<string?>("--promote-as") { Description = "After a successful run, promote it under this name (refused, exit 2, if a metric misses its floor)." };
        var scoreOut = new Option<string?>("--score-out") { Description = "After promotion, score the spec's data (or --score-data) with the promoted model into this folder: book.csv, book.json, report/." };
        var scoreData = new Option<string?>("--score-data") { Description = "Dataset folder to score (default: the spec's data)." };
        var cmd = new Command("run", "Run an experiment spec (labels, features, training and evaluation, explanation, segmentation) and record it: " +
            "the filled spec and its hash, metrics, data fingerprints, code version, environment and artifacts, under STORE/runs/RUN-ID. " +
            "With --promote-as and --score-out it goes on to promotion and the reps' book report, as 'workbench promote' and 'workbench score' would.")
        {
            spec, promoteAs, scoreOut, scoreData,
        };
        io.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var specPath = p.GetValue(spec)!;
            // Check the follow-up steps before spending minutes on the run.
            if (p.GetValue(promoteAs) is { Length: > 0 } promoteName) Promoter.ValidateName(promoteName);
            else if (p.GetValue(scoreOut) is not null) throw new OptionsValidationException("--score-out: scoring uses a promoted model; give --promote-as NAME too.");
            var experiment = ExperimentSpec.Load(specPath);
            var runStore = io.OpenStore(p);
            string? runId = null, stage = null;
            RunRecord record;
            var timings = StageTimings.FromEnvironment();
            try
            {
                record = CliProgress.Run($"experiment {experiment.Name}", progress =>
                    ExperimentRunner.Run(experiment, runStore, new Reporter(r =>
                    {
                        runId = r.RunId; progress.Report(r.Fraction);
                        if (timings is not null && r.Stage != stage) { stage = r.Stage; timings.Report(r.Stage); }
                    }), File.ReadAllText(specPath),
                        Path.GetDirectoryName(Path.GetFullPath(specPath))));
            }
            catch (Exception) when (runId is not null)
            {
                Console.Error.WriteLine($"run {runId} failed; its record is in {runStore.Layout.RunDirectory(runId)}");
                throw;
            }
            var seconds = ((record.FinishedUtc ?? record.StartedUtc) - record.StartedUtc).TotalSeconds;
            Console.WriteLine($"run {record.Id} ({record.Name}) {record.Status.ToString().ToLowerInvariant()} in {seconds.ToString("F1", CultureInfo.InvariantCulture)} s");
            foreach (var m in KeyMetrics.Where(record.Metrics.ContainsKey))
                Console.WriteLine($"  {m,-34} {RunComparison.Format(record.Metrics[m])}");
            foreach (var (metric, floor) in record.PromotionFloors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                double? value = record.Metrics.TryGetValue(metric, out var v) ? v : null;
                Console.WriteLine($"  floor {metric} >= {RunComparison.Format(floor)}: {(value >= floor ? "met" : "not met")} ({RunComparison.Format(value)})");
            }
            foreach (var weak in Promoter.WeakModels(record))
                Console.WriteLine($"  warning: {weak} = 1 (at most one tree, or test ROC AUC at most 0.52): `workbench promote` refuses this run without --allow-weak");
            Console.WriteLine($"  folder: {Path.GetFullPath(runStore.Layout.RunDirectory(record.Id))}");

            if (p.GetValue(promoteAs) is not { Length: > 0 } name) return 0;
            var promotion = Promoter.Promote(runStore.Layout, record.Id, name);
            Console.WriteLine($"promoted run {record.Id} as '{promotion.Current.Name}': {Path.GetFullPath(runStore.Layout.PromotedModelDirectory(name))}");
            if (p.GetValue(scoreOut) is not { Length: > 0 } outDir) return 0;
            var dataDir = p.GetValue(scoreData) ?? experiment.Data.FullPath;
            var scored = CliProgress.Run("scoring", _ => BatchScoring.Run(runStore.Layout, name, dataDir, outDir, new ScoringOptions { Narratives = experiment.Explanation }));
            foreach (var w in scored.Warnings) Console.Error.WriteLine("warning: " + w);
            Console.WriteLine($"scored {scored.Result.AccountCount:N0} accounts in {scored.Result.Books.Count:N0} reps' books as of {scored.Result.AsOf:yyyy-MM-dd}: {Path.GetFullPath(Path.Combine(outDir, BatchScoring.BookCsvFile))}");
            Console.WriteLine("report: " + Path.GetFullPath(scored.ReportIndex));
            return 0;
        });
        return cmd;
    }

    sealed class Reporter(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}
