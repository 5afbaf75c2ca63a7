using Workbench.Analytics.Pipeline;
using Workbench.Experiments.Opportunities;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench pipeline --data DIR --out DIR [--model NAME|FILE] [--store DIR] [--test-months N] [--as-of DATE] [--seed S]</c>: opportunity
/// win probabilities, the stage the data supports against the rep's declared stage, rep gaps, the forecast against
/// what closed, and an offline page per rep.</summary>
public static class PipelineCommand
{
    public static Command Create()
    {
        var io = new CommandFlags(data: "Dataset folder (opportunities, stage_history, opportunity_activities; optional truth/).",
            output: "Output folder (written atomically).", store: true, lenient: true);
        var model = new Option<string?>("--model") { Description = "A promoted model's name (its run had a \"pipeline\" spec section) or a saved opportunity-model.zip; default: train on this data." };
        var testMonths = new Option<int>("--test-months") { Description = "Months at the end of the data held out for evaluation.", DefaultValueFactory = _ => new OpportunityOptions().TestMonths };
        var asOf = CliOptions.DateOption("--as-of", "Review date for open deals (yyyy-MM-dd); default: the day after the data's last day.");
        var seed = CliOptions.Seed("Seed of the tree learners.");
        return CliCommand.Create("pipeline", "Opportunity pipeline: calibrated win probability, the stage the data supports against the declared stage, " +
            "per-rep gaps, stuck deals and the forecast against what closed; writes pipeline-metrics.json, opportunities.csv, rep-gaps.csv, forecast.csv, " +
            "opportunity-model.zip and report/ (one offline page per rep).",
            io, [model, testMonths, asOf, seed], p =>
        {
            var date = CliOptions.Date(p, asOf);
            var options = new OpportunityOptions { TestMonths = p.GetValue(testMonths), Seed = p.GetValue(seed) };
            options.Validate();
            var modelPath = p.GetValue(model) is { } m ? OpportunityPipelineJob.ResolveModel(io.Layout(p), m) : null;
            var dataset = io.LoadData(p);
            var outDir = io.OutDirectory(p);
            var result = CliProgress.Run("opportunity pipeline", _ => OpportunityPipelineJob.Run(dataset, outDir, options, modelPath, date));
            var e = result.Evaluation;
            var ci = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(ci, $"{(result.Trained ? "trained on this data" : "loaded model")}; held out from {e.SplitDate:yyyy-MM-dd}: {e.TestSnapshots:N0} snapshots"));
            Console.WriteLine(string.Create(ci, $"  win AUC {e.WinAuc:F3}{(e.OracleWinAuc is { } o ? $" (oracle {o:F3})" : "")}, Brier {e.Brier:F3}"));
            if (e.WeakWinModel)
                Console.WriteLine(string.Create(ci, $"  warning: weak win model ({e.WinTrees} tree(s), test ROC AUC {e.WinAuc:F3}): win.weak_model = 1 in pipeline-metrics.json; `workbench promote` refuses such a run without --allow-weak"));
            if (e.RepGapCorrelation is { } r) Console.WriteLine(string.Create(ci, $"  rep gap vs planted bias: r = {r:F3}"));
            Console.WriteLine(string.Create(ci, $"  forecast WAPE per rep and quarter: model {e.ForecastWape:F3}, declared stages {e.DeclaredForecastWape:F3}"));
            Console.WriteLine(string.Create(ci, $"  {result.Calls.Count:N0} open deals as of {result.AsOf:yyyy-MM-dd}, {result.Calls.Count(c => c.Stuck):N0} stuck, {result.Calls.Count(c => c.Gap != 0):N0} declared off the supported stage"));
            CliCommand.Wrote(result.Files.Select(f => Path.Combine(outDir, f)));
        });
    }
}
