using System.CommandLine;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Scoring;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench score --model NAME --data DIR --out DIR [--store DIR] [--as-of yyyy-MM-dd]</c>: ranked books with reasons for new data.</summary>
public static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Name of a promoted model (see 'workbench promote').", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset folder to score (labels not needed).", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder: book.csv, book.json, report/.", Required = true };
        var store = StoreOption.Create();
        var asOf = new Option<string?>("--as-of") { Description = "As-of date yyyy-MM-01 (default: the month after the data's last month)." };
        var cmd = new Command("score", "Score new data with a promoted model: calibrated churn and upsell probabilities, each rep's ranked book with grades, trends and reasons; writes book.csv, book.json and an offline HTML report.")
        {
            model, data, output, store, asOf,
        };
        cmd.SetAction(p =>
        {
            var date = DataOptions.ParseDate("--as-of", p.GetValue(asOf));
            var result = CliProgress.Run("scoring", _ => BatchScoring.Run(new StoreLayout(p.GetValue(store)!), p.GetValue(model)!, p.GetValue(data)!, p.GetValue(output)!,
                new ScoringOptions { AsOf = date }));
            Console.WriteLine($"Scored {result.Result.AccountCount:N0} accounts in {result.Result.Books.Count:N0} reps' books with model '{result.Result.ModelName}' as of {result.Result.AsOf:yyyy-MM-dd}.");
            foreach (var f in result.Files.Where(f => !f.StartsWith(BatchScoring.ReportFolder, StringComparison.Ordinal))) Console.WriteLine("  wrote " + Path.Combine(result.OutDir, f));
            Console.WriteLine("  report: " + result.ReportIndex);
            return 0;
        });
        return cmd;
    }
}
