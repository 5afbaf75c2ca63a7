using System.CommandLine;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Scoring;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench score --model NAME --data DIR --out DIR [--store DIR] [--as-of yyyy-MM-dd]</c>: ranked books with reasons for new data.</summary>
public static class ScoreCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model("Name of a promoted model (see 'workbench promote').");
        var data = CliOptions.Data("Dataset folder to score (labels not needed).");
        var output = CliOptions.Out("Output folder: book.csv, book.json, report/.");
        var store = StoreOption.Create();
        var asOf = CliOptions.DateOption("--as-of", "As-of date yyyy-MM-01 (default: the month after the data's last month).");
        return CliCommand.Create("score", "Score new data with a promoted model: calibrated churn and upsell probabilities, each rep's ranked book with grades, trends and reasons; writes book.csv, book.json and an offline HTML report.",
            [model, data, output, store, asOf], p =>
        {
            var date = CliOptions.Date(p, asOf);
            var result = CliProgress.Run("scoring", _ => BatchScoring.Run(new StoreLayout(p.GetValue(store)!), p.GetValue(model)!, p.GetValue(data)!, p.GetValue(output)!,
                new ScoringOptions { AsOf = date }));
            Console.WriteLine($"Scored {result.Result.AccountCount:N0} accounts in {result.Result.Books.Count:N0} reps' books with model '{result.Result.ModelName}' as of {result.Result.AsOf:yyyy-MM-dd}.");
            foreach (var f in result.Files.Where(f => !f.StartsWith(BatchScoring.ReportFolder, StringComparison.Ordinal))) Console.WriteLine("  wrote " + Path.Combine(result.OutDir, f));
            Console.WriteLine("  report: " + result.ReportIndex);
        });
    }
}
