using Workbench.Data;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench validate DIR [--strict|--lenient] [--format csv|parquet] [--rejects DIR]</c>:
/// loads a dataset folder, prints the load report; strict mode exits 2 on the first problems.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "Dataset folder holding <table>.csv or <table>.parquet files, or a mapping file (.json) to check against its source files." };
        var source = new Option<string?>("--source") { Description = "With a mapping: folder its file paths are relative to (default: the mapping file's folder)." };
        var strict = new Option<bool>("--strict") { Description = "Stop at the first problems (default)." };
        var lenient = CliOptions.Lenient("Load good rows; write rejected rows with reasons to the rejects folder.");
        var format = new Option<string?>("--format") { Description = "csv or parquet (default: parquet if present, else csv)." };
        var rejects = new Option<string?>("--rejects") { Description = "Folder for <table>.rejects.csv (default DIR/rejects)." };
        var cmd = new Command("validate", "Validate a CRM dataset folder against the canonical schema and print the load report.");
        cmd.Arguments.Add(dir);
        cmd.Options.Add(strict); cmd.Options.Add(lenient); cmd.Options.Add(format); cmd.Options.Add(rejects); cmd.Options.Add(source);
        cmd.SetAction(parse =>
        {
            if (parse.GetValue(strict) && parse.GetValue(lenient))
                throw new OptionsValidationException("Choose one of --strict and --lenient.");
            var path = parse.GetValue(dir)!;
            if (File.Exists(path) && path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                // A mapping: parse it (keys, lines, did-you-mean), then read its sources as an import would, writing no tables.
                var mapped = DataImporter.Import(path, new ImportOptions
                {
                    DataDirectory = parse.GetValue(source) is { Length: > 0 } s ? Path.GetFullPath(s) : null,
                    Mode = parse.GetValue(lenient) ? ValidationMode.Lenient : ValidationMode.Strict,
                    RejectsDirectory = parse.GetValue(rejects) is { Length: > 0 } rj ? Path.GetFullPath(rj) : null,
                });
                Console.Write(mapped.Import!.ToText());
                Console.WriteLine($"mapping ok: {Path.GetFullPath(path)}");
                return 0;
            }
            DataFormat? fmt = parse.GetValue(format) is { } f ? CliOptions.Choice(format.Name, f, CliOptions.Formats) : null;
            var options = new LoadOptions
            {
                Format = fmt,
                Mode = parse.GetValue(lenient) ? ValidationMode.Lenient : ValidationMode.Strict,
                RejectsDirectory = parse.GetValue(rejects),
            };
            var result = new CrmCatalog(path).Load(options);
            Console.Write(result.Report.ToText());
            return 0;
        });
        return cmd;
    }
}
