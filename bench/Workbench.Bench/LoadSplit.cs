using System.Diagnostics;
using Parquet;
using Workbench.Data;
using Workbench.Data.Catalog;
using static Workbench.Bench.BenchCommon;

namespace Workbench.Bench;

/// <summary>Where the Parquet load time goes, one table at a time on one thread: (1) Parquet.Net decoding the
/// columns alone (ReadColumnAsync), (2) the library's full table load (decode + row validation + records), with no
/// foreign keys, (3) with the foreign-key sets built from the tables loaded before it.
///   dotnet bench/Workbench.Bench/bin/Release/net10.0/Workbench.Bench.dll load-split 100000 36 [--no-raw] [--csv] [--table name]
/// (--no-raw skips step 1; --csv loads the CSV files instead, so the decode column is then 0).</summary>
static class LoadSplit
{
    public static int Run(string[] args)
    {
        int accounts = IntArg(args, 0, 100_000), months = IntArg(args, 1, 36);
        var format = args.Contains("--csv") ? DataFormat.Csv : DataFormat.Parquet;
        var dir = DatasetDir(accounts, months, format);
        var catalog = new CrmCatalog(dir);
        var options = new LoadOptions { Format = format, IncludeTruth = false };
        Console.WriteLine($"load-split {dir}; {Load()}");
        var loaded = new Dictionary<string, object>();
        var only = args.SkipWhile(a => a != "--table").Skip(1).FirstOrDefault();
        foreach (var t in Bindings.Canonical)
        {
            if (only is not null && t.Name != only) continue;
            var path = catalog.PathOf(t.Name, format);
            GC.Collect();
            var g0 = GcStats.Now();
            var (raw, rawCpu) = args.Contains("--no-raw") || format == DataFormat.Csv ? (0.0, 0.0) : Time(() => ReadRaw(path).GetAwaiter().GetResult());
            var gRaw = GcStats.Now().Minus(g0);
            GC.Collect();
            g0 = GcStats.Now();
            TableOutcome? o = null;
            var (sink, sinkCpu) = Time(() => o = t.Load(path, path, format, options, null, []));
            var gSink = GcStats.Now().Minus(g0);
            loaded[t.Name] = o!.Rows;
            Console.WriteLine(string.Create(Inv, $"  {t.Name,-14} {o.Report.Accepted,10:N0} rows: Parquet.Net decode {raw,6:F2} s (cpu {rawCpu:F2}); full table load {sink,6:F2} s (cpu {sinkCpu:F2})"));
            Console.WriteLine($"      decode {gRaw}");
            Console.WriteLine($"      load   {gSink}");
        }
        return 0;
    }

    static async Task ReadRaw(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path, new ParquetOptions { UseDateOnlyTypeForDates = true });
        var fields = reader.Schema.GetDataFields();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = checked((int)rg.RowCount);
            foreach (var f in fields)
            {
                if (f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>)) await rg.ReadAsync(f, new string?[n].AsMemory());
                else if (f.ClrType == typeof(int)) await (f.IsNullable ? rg.ReadAsync<int>(f, new int?[n].AsMemory()) : rg.ReadAsync<int>(f, new int[n].AsMemory()));
                else if (f.ClrType == typeof(decimal)) await (f.IsNullable ? rg.ReadAsync<decimal>(f, new decimal?[n].AsMemory()) : rg.ReadAsync<decimal>(f, new decimal[n].AsMemory()));
                else if (f.ClrType == typeof(double)) await (f.IsNullable ? rg.ReadAsync<double>(f, new double?[n].AsMemory()) : rg.ReadAsync<double>(f, new double[n].AsMemory()));
                else if (f.ClrType == typeof(DateOnly)) await (f.IsNullable ? rg.ReadAsync<DateOnly>(f, new DateOnly?[n].AsMemory()) : rg.ReadAsync<DateOnly>(f, new DateOnly[n].AsMemory()));
                else if (f.ClrType == typeof(bool)) await rg.ReadAsync<bool>(f, new bool[n].AsMemory());
                else throw new NotSupportedException(f.ClrType.Name);
            }
        }
    }
}
