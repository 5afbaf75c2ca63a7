using Workbench.Experiments.Scoring;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench score --model NAME --data DIR --out DIR [--store DIR] [--as-of yyyy-MM-dd]</c>: ranked books with reasons for new data.</summary>
public static class ScoreCommand
{
    public static Command Create()
    {
        var io = new CommandFlags(model: "Name of a promoted model (see 'workbench promote').", data: "Dataset folder to score (labels not needed).",
            output: "Output folder: book.csv, book.json, report/.", store: true);
        var asOf = CliOptions.DateOption("--as-of", "As-of date yyyy-MM-01 (default: the month after the data's last month).");
        var previous = new Option<string?>("--previous") { Description = "Output folder of a previous scoring (holding book.json) to show changes in grade and priority against (default: the --out folder when it holds one)." };
        var currency = new Option<string>("--currency") { Description = "ISO 4217 code of the data's amounts, shown on the pages (default USD).", DefaultValueFactory = _ => "USD" };
        return CliCommand.Create("score", "Score new data with a promoted model: calibrated churn and upsell probabilities, each rep's ranked book with grades, trends and reasons; writes book.csv, book.json and an offline HTML report.",
            io, [asOf, previous, currency], p =>
        {
            var date = CliOptions.Date(p, asOf);
            var result = CliProgress.Run("scoring", _ => BatchScoring.Run(io.Layout(p), io.ModelArgument(p), io.DataDirectory(p), io.OutDirectory(p),
                new ScoringOptions { AsOf = date, Previous = p.GetValue(previous), Currency = CurrencyCode(p.GetValue(currency)) }, StageTimings.FromEnvironment()));
            foreach (var w in result.Warnings) Console.Error.WriteLine("warning: " + w);
            Console.WriteLine($"Scored {result.Result.AccountCount:N0} accounts in {result.Result.Books.Count:N0} reps' books with model '{result.Result.ModelName}' as of {result.Result.AsOf:yyyy-MM-dd}.");
            foreach (var f in result.Files.Where(f => !f.StartsWith(BatchScoring.ReportFolder, StringComparison.Ordinal))) Console.WriteLine("  wrote " + Path.Combine(result.OutDir, f));
            Console.WriteLine("  report: " + result.ReportIndex);
        });
    }

    /// <summary>A three-letter currency code, upper-cased; anything else is refused naming the option.</summary>
    internal static string CurrencyCode(string? code)
    {
        if (code is { Length: 3 } c && c.All(char.IsAsciiLetter)) return c.ToUpperInvariant();
        throw new Workbench.OptionsValidationException($"--currency: expected a three-letter ISO 4217 code such as USD or EUR, got '{code}'.");
    }
}
