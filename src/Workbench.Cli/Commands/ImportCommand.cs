using System.CommandLine;
using Workbench.Data;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench import --mapping FILE [--source DIR] --out DIR [--format csv|parquet] [--lenient]</c>: reads
/// bring-your-own files through a mapping (data-samples/mappings/*.json) and writes the canonical tables.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var mapping = new Option<string>("--mapping") { Description = "Mapping file (JSON, see data-samples/mappings).", Required = true };
        var source = new Option<string?>("--source") { Description = "Folder the mapping's file paths are relative to (default: the mapping file's folder)." };
        var output = CliOptions.Out("Output dataset folder.");
        var format = CliOptions.FormatOption();
        var lenient = CliOptions.Lenient("Keep good rows and write rejected ones beside the output instead of stopping.");
        var cmd = new Command("import", "Import bring-your-own data through a mapping into canonical tables (accounts, products, spend, transactions).")
        {
            mapping, source, output, format, lenient,
        };
        cmd.SetAction(p =>
        {
            var fmt = CliOptions.Format(p, format);
            var outDir = p.GetValue(output)!;
            var options = new ImportOptions
            {
                DataDirectory = p.GetValue(source) is { Length: > 0 } s ? Path.GetFullPath(s) : null,
                Mode = p.GetValue(lenient) ? ValidationMode.Lenient : ValidationMode.Strict,
                RejectsDirectory = Path.Combine(Path.GetFullPath(outDir), "rejects"),
            };
            var mapped = DataImporter.Import(p.GetValue(mapping)!, options);
            if (mapped.Report.Tables.Any(t => t.Rejected > 0)) Console.Error.Write(mapped.Report.ToText());
            new CrmCatalog(outDir).Write(mapped.Dataset, new WriteOptions { Format = fmt, SkipEmptyTables = true });
            var d = mapped.Dataset;
            Console.WriteLine($"imported {d.Accounts.Count:N0} accounts, {d.Products.Count:N0} products, {d.Transactions.Count:N0} transactions, {d.Spend.Count:N0} spend rows into {Path.GetFullPath(outDir)}");
            return 0;
        });
        return cmd;
    }
}
