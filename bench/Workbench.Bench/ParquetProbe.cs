using System.Diagnostics;
using Parquet;
using Parquet.Schema;
using Workbench.Data;
using static Workbench.Bench.BenchCommon;

namespace Workbench.Bench;

/// <summary>Per column of the bench Parquet tables: Parquet.Net decode time (text columns: as ReadOnlyMemory&lt;char&gt;
/// and as strings), the column chunk's physical type, codec and encodings. Shows why the library decodes text
/// columns itself (the writer stores them PLAIN, and Parquet.Net costs ~200 ns per text cell).
///   dotnet bench/Workbench.Bench/bin/Release/net10.0/Workbench.Bench.dll parquet-probe [table...]</summary>
static class ParquetProbe
{
    public static int Run(string[] args)
    {
        var dir = DatasetDir(100_000, 36, DataFormat.Parquet);
        foreach (var table in args.Length > 0 ? args : ["spend", "usage", "engagement", "stage_history"])
            Probe(Path.Combine(dir, table + ".parquet")).GetAwaiter().GetResult();
        return 0;
    }

    static async Task Probe(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path, new ParquetOptions { UseDateOnlyTypeForDates = true });
        var fields = reader.Schema.GetDataFields();
        Console.WriteLine($"{Path.GetFileName(path)}: {reader.RowGroupCount} row groups");
        foreach (var f in fields)
        {
            double secs = 0, stringSecs = 0; string enc = ""; long chars = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                int count = checked((int)rg.RowCount);
                var md = rg.RowGroup.Columns.First(c => c.MetaData!.PathInSchema.Last() == f.Name).MetaData!;
                if (g == 0) enc = $"{md.Type} {md.Codec} [{string.Join(",", md.Encodings)}] dictOff={md.DictionaryPageOffset}";
                var sw = Stopwatch.StartNew();
                if (f.ClrType == typeof(ReadOnlyMemory<char>))
                {
                    var m = new ReadOnlyMemory<char>[count];
                    var defs = new int[count];
                    await rg.ReadRawAsync<ReadOnlyMemory<char>>(f, m.AsMemory(), defs.AsMemory(), null);
                    secs += sw.Elapsed.TotalSeconds;
                    for (int i = 0; i < count; i++) chars += m[i].Length;
                    sw.Restart();
                    var s = new string?[count];
                    await rg.ReadAsync(f, s.AsMemory());
                    stringSecs += sw.Elapsed.TotalSeconds;
                }
                else if (f.ClrType == typeof(int)) { if (f.IsNullable) await rg.ReadAsync<int>(f, new int?[count].AsMemory()); else await rg.ReadAsync<int>(f, new int[count].AsMemory()); secs += sw.Elapsed.TotalSeconds; }
                else if (f.ClrType == typeof(decimal)) { var dd = new decimal[count]; if (f.IsNullable) await rg.ReadAsync<decimal>(f, new decimal?[count].AsMemory()); else await rg.ReadAsync<decimal>(f, dd.AsMemory()); secs += sw.Elapsed.TotalSeconds; if (g == 0) Console.WriteLine("    first decimals: " + string.Join(" ", dd.Take(8).Select(x => x.ToString(Inv)))); }
                else if (f.ClrType == typeof(double)) { if (f.IsNullable) await rg.ReadAsync<double>(f, new double?[count].AsMemory()); else await rg.ReadAsync<double>(f, new double[count].AsMemory()); secs += sw.Elapsed.TotalSeconds; }
                else if (f.ClrType == typeof(DateOnly)) { if (f.IsNullable) await rg.ReadAsync<DateOnly>(f, new DateOnly?[count].AsMemory()); else await rg.ReadAsync<DateOnly>(f, new DateOnly[count].AsMemory()); secs += sw.Elapsed.TotalSeconds; }
                else if (f.ClrType == typeof(bool)) { await rg.ReadAsync<bool>(f, new bool[count].AsMemory()); secs += sw.Elapsed.TotalSeconds; }
            }
            var text = f.ClrType == typeof(ReadOnlyMemory<char>) ? string.Create(Inv, $" (as strings {stringSecs:F2} s; {chars:N0} chars)") : "";
            Console.WriteLine(string.Create(Inv, $"  {f.Name,-18} {(f.ClrType == typeof(ReadOnlyMemory<char>) ? "text" : f.ClrType.Name),-8} null={f.IsNullable,-5} {secs,6:F2} s{text}  {enc}"));
        }
    }
}

/// <summary>Loads the dataset from Parquet and from CSV and checks every row of every table is equal, decimals
/// compared by text too (so the scale a value carries matches): the two readers are independent.</summary>
static class LoadCompare
{
    public static int Run(string[] args)
    {
        var p = new CrmCatalog(DatasetDir(100_000, 36, DataFormat.Parquet)).Load(new LoadOptions { Format = DataFormat.Parquet, IncludeTruth = false }).Dataset;
        var c = new CrmCatalog(DatasetDir(100_000, 36, DataFormat.Csv)).Load(new LoadOptions { Format = DataFormat.Csv, IncludeTruth = false }).Dataset;
        int bad = 0;
        void Same<T>(string name, IReadOnlyList<T> a, IReadOnlyList<T> b)
        {
            int diff = a.Count == b.Count ? 0 : -1;
            for (int i = 0; i < Math.Min(a.Count, b.Count) && diff == 0; i++)
                if (!Equals(a[i], b[i])) { diff = i + 1; Console.WriteLine($"  {name} row {i}: {a[i]} vs {b[i]}"); }
            Console.WriteLine($"{name,-14} {a.Count,10:N0} vs {b.Count,10:N0}: {(diff == 0 ? "same" : "DIFFERENT")}");
            if (diff != 0) bad++;
        }
        Same("accounts", p.Accounts, c.Accounts); Same("products", p.Products, c.Products); Same("contracts", p.Contracts, c.Contracts);
        Same("spend", p.Spend, c.Spend); Same("usage", p.Usage, c.Usage); Same("engagement", p.Engagement, c.Engagement);
        Same("bookings", p.Bookings, c.Bookings); Same("reps", p.Reps, c.Reps); Same("book", p.Book, c.Book);
        Same("opportunities", p.Opportunities, c.Opportunities); Same("stage_history", p.StageHistory, c.StageHistory); Same("actions", p.Actions, c.Actions);
        return bad == 0 ? 0 : 1;
    }
}
