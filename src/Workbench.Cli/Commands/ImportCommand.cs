using Workbench.Data;
using Workbench.Data.Io;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench import --mapping FILE [--source DIR] --out DIR [--strict|--lenient] [--rejects DIR]
/// [--format csv|parquet]</c>: reads bring-your-own files through a mapping (docs/mapping.md) and writes the canonical
/// tables, <c>account_attributes.csv</c> when the mapping carries attributes, and <c>import-report.json</c>.</summary>
public static class ImportCommand
{
    /// <summary>File name of the import report beside the imported tables.</summary>
    public const string ReportFile = "import-report.json";

    public static Command Create()
    {
        var mapping = new Option<string>("--mapping") { Description = "Mapping file (JSON, see docs/mapping.md and data-samples/mappings).", Required = true };
        var source = new Option<string?>("--source") { Description = "Folder the mapping's file paths are relative to (default: the mapping file's folder)." };
        var output = CliOptions.Out("Output dataset folder.");
        var format = CliOptions.FormatOption();
        var strict = new Option<bool>("--strict") { Description = "Stop on the first problems, writing nothing (default)." };
        var lenient = CliOptions.Lenient("Keep good rows and write rejected ones with their reasons instead of stopping.");
        var rejects = new Option<string?>("--rejects") { Description = "Folder for <table>.rejects.csv in lenient mode (default OUT/rejects)." };
        var cmd = new Command("import", "Import bring-your-own data through a mapping into canonical tables plus import-report.json.")
        {
            mapping, source, output, format, strict, lenient, rejects,
        };
        cmd.SetAction(p =>
        {
            if (p.GetValue(strict) && p.GetValue(lenient)) throw new OptionsValidationException("Choose one of --strict and --lenient.");
            var fmt = CliOptions.Format(p, format);
            var outDir = Path.GetFullPath(p.GetValue(output)!);
            var options = new ImportOptions
            {
                DataDirectory = p.GetValue(source) is { Length: > 0 } s ? Path.GetFullPath(s) : null,
                Mode = p.GetValue(lenient) ? ValidationMode.Lenient : ValidationMode.Strict,
                RejectsDirectory = p.GetValue(rejects) is { Length: > 0 } rj ? Path.GetFullPath(rj) : Path.Combine(outDir, "rejects"),
            };
            // Everything is read and checked in memory first: a strict failure writes nothing.
            var mapped = DataImporter.Import(p.GetValue(mapping)!, options);
            new CrmCatalog(outDir).Write(mapped.Dataset, new WriteOptions { Format = fmt, SkipEmptyTables = true });
            var attrPath = Path.Combine(outDir, AttributeTableCsv.FileName);
            if (mapped.AccountAttributes is { Columns.Count: > 0 } attrs) AtomicFile.WriteText(attrPath, AttributeTableCsv.ToCsv(attrs));
            else if (File.Exists(attrPath)) File.Delete(attrPath);
            AtomicFile.WriteText(Path.Combine(outDir, ReportFile), mapped.Import!.ToJson());
            Console.Write(mapped.Import.ToText());
            var d = mapped.Dataset;
            Console.WriteLine($"imported {d.Accounts.Count:N0} accounts, {d.Products.Count:N0} products, {d.Transactions.Count:N0} transactions, {d.Spend.Count:N0} spend rows into {outDir}");
            var rejectedRows = mapped.Import.Tables.Sum(t => t.Rejected);
            if (rejectedRows > 0)
                Console.WriteLine($"{rejectedRows:N0} rows rejected; rejected rows with reasons under {options.RejectsDirectory}");
            Console.WriteLine($"report: {Path.Combine(outDir, ReportFile)}");
            return 0;
        });
        return cmd;
    }
}
