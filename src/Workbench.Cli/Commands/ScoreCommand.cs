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
        var previous = new Option<string?>("--previous") { Description = "Output folder of a previous scoring (holding book.json) to show changes in grade and priority against (default: the --out folder when it holds one)." };
        var currency = new Option<string>("--currency") { Description = "ISO 4217 code of the data's amounts, shown on the pages (default USD).", DefaultValueFactory = _ => "USD" };
        var cmd = new Command("score", "Score new data with a promoted model: calibrated churn and upsell probabilities, each rep's ranked book with grades, trends and reasons; writes book.csv, book.json and an offline HTML report.")
        {
            model, data, output, store, asOf, previous, currency,
        };
        cmd.SetAction(p =>
        {
            var date = DataOptions.ParseDate("--as-of", p.GetValue(asOf));
            var result = CliProgress.Run("scoring", _ => BatchScoring.Run(new StoreLayout(p.GetValue(store)!), p.GetValue(model)!, p.GetValue(data)!, p.GetValue(output)!,
                new ScoringOptions { AsOf = date, Previous = p.GetValue(previous), Currency = CurrencyCode(p.GetValue(currency)) }));
            foreach (var w in result.Warnings) Console.Error.WriteLine("warning: " + w);
            Console.WriteLine($"Scored {result.Result.AccountCount:N0} accounts in {result.Result.Books.Count:N0} reps' books with model '{result.Result.ModelName}' as of {result.Result.AsOf:yyyy-MM-dd}.");
            foreach (var f in result.Files.Where(f => !f.StartsWith(BatchScoring.ReportFolder, StringComparison.Ordinal))) Console.WriteLine("  wrote " + Path.Combine(result.OutDir, f));
            Console.WriteLine("  report: " + result.ReportIndex);
            return 0;
        });
        return cmd;
    }

    /// <summary>A three-letter currency code, upper-cased; anything else is refused naming the option.</summary>
    internal static string CurrencyCode(string? code)
    {
        if (code is { Length: 3 } c && c.All(char.IsAsciiLetter)) return c.ToUpperInvariant();
        throw new Workbench.OptionsValidationException($"--currency: expected a three-letter ISO 4217 code such as USD or EUR, got '{code}'.");
    }
}
