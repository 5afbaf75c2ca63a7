using System.CommandLine;
using Workbench.Data;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench validate DIR [--strict|--lenient] [--format csv|parquet] [--rejects DIR]</c>:
/// loads a dataset folder, prints the load report; strict mode exits 2 on the first problems.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "Dataset folder holding <table>.csv or <table>.parquet files." };
        var strict = new Option<bool>("--strict") { Description = "Stop at the first problems (default)." };
        var lenient = CliOptions.Lenient("Load good rows; write rejected rows with reasons to the rejects folder.");
        var format = new Option<string?>("--format") { Description = "csv or parquet (default: parquet if present, else csv)." };
        var rejects = new Option<string?>("--rejects") { Description = "Folder for <table>.rejects.csv (default DIR/rejects)." };
        var cmd = new Command("validate", "Validate a CRM dataset folder against the canonical schema and print the load report.");
        cmd.Arguments.Add(dir);
        cmd.Options.Add(strict); cmd.Options.Add(lenient); cmd.Options.Add(format); cmd.Options.Add(rejects);
        cmd.SetAction(parse =>
        {
            if (parse.GetValue(strict) && parse.GetValue(lenient))
                throw new OptionsValidationException("Choose one of --strict and --lenient.");
            DataFormat? fmt = parse.GetValue(format) is { } f ? CliOptions.Choice(format.Name, f, CliOptions.Formats) : null;
            var options = new LoadOptions
            {
                Format = fmt,
                Mode = parse.GetValue(lenient) ? ValidationMode.Lenient : ValidationMode.Strict,
                RejectsDirectory = parse.GetValue(rejects),
            };
            var result = new CrmCatalog(parse.GetValue(dir)!).Load(options);
            Console.Write(result.Report.ToText());
            return 0;
        });
        return cmd;
    }
}
