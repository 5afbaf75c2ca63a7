using System.Diagnostics;
using Workbench.Data;
using Workbench.Data.Generation;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench generate --accounts N --months M --seed S --out DIR</c>: synthetic CRM data with its planted truth.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var accounts = new Option<int>("--accounts") { Description = "Number of accounts.", DefaultValueFactory = _ => 500 };
        var months = new Option<int>("--months") { Description = "Months of history.", DefaultValueFactory = _ => 36 };
        var seed = CliOptions.Seed("Seed of every random draw: same seed, same bytes.");
        var segments = new Option<int>("--segments") { Description = "Number of planted segments (4-6).", DefaultValueFactory = _ => 5 };
        var output = CliOptions.Out("Output folder (tables, plus truth/).");
        var format = CliOptions.FormatOption();
        var cmd = new Command("generate", "Generate a synthetic B2B CRM dataset with planted truth (true risks, drivers, segments, rep skill, action response, rollout effect).")
        {
            accounts, months, seed, segments, output, format,
        };
        cmd.SetAction(parse =>
        {
            var options = new GeneratorOptions
            {
                Accounts = parse.GetValue(accounts), Months = parse.GetValue(months), Seed = parse.GetValue(seed), Segments = parse.GetValue(segments),
            };
            options.Validate();
            var fmt = CliOptions.Format(parse, format);
            var sw = Stopwatch.StartNew();
            var data = CliProgress.Run("generating", p => CrmGenerator.Generate(options, new Progress<GeneratorProgress>(g => p.Report(g.Fraction))));
            var dir = parse.GetValue(output)!;
            new CrmCatalog(dir).Write(data, new WriteOptions { Format = fmt });
            Console.WriteLine($"Generated {data.Accounts.Count:N0} accounts x {options.Months} months (seed {options.Seed}): " +
                $"{data.Spend.Count:N0} spend rows, {data.Bookings.Count:N0} bookings, truth in {Path.Combine(dir, "truth")} ({sw.Elapsed.TotalSeconds:F1} s).");
            return 0;
        });
        return cmd;
    }
}
