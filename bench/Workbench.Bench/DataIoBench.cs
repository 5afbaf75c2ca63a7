using System.Diagnostics;
using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Bench;

/// <summary>Times writing and loading a generator-sized dataset (accounts x products x months monthly facts)
/// in CSV and Parquet. Usage: <c>dotnet run -c Release --project bench/Workbench.Bench -- data-io [accounts] [months]</c>.
/// One timed run per step (10M-row tables are too big for BenchmarkDotNet's repetitions).</summary>
public static class DataIoBench
{
    public static int Run(string[] args)
    {
        int accounts = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        int months = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 36;
        var ds = Build(accounts, months, productsPerAccount: 3);
        Console.WriteLine($"accounts {ds.Accounts.Count:N0}, spend {ds.Spend.Count:N0}, usage {ds.Usage.Count:N0} rows; {Environment.ProcessorCount} cores");
        var root = Path.Combine(Path.GetTempPath(), "workbench-bench-data-io");
        foreach (var format in new[] { DataFormat.Parquet, DataFormat.Csv })
        {
            var dir = Path.Combine(root, format.ToString().ToLowerInvariant());
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
            var catalog = new CrmCatalog(dir);
            var sw = Stopwatch.StartNew();
            catalog.Write(ds, new WriteOptions { Format = format });
            var write = sw.Elapsed.TotalSeconds;
            long bytes = Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length);
            GC.Collect();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            sw.Restart();
            var (loaded, report) = catalog.Load(new LoadOptions { Format = format });
            var load = sw.Elapsed.TotalSeconds;
            var loadCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            if (loaded.Spend.Count != ds.Spend.Count || loaded.Usage.Count != ds.Usage.Count || report.HasProblems)
                throw new InvalidOperationException("round trip lost rows");
            Console.WriteLine($"{format,-8} write {write,6:F2} s   load+validate {load,6:F2} s (cpu {loadCpu:F2} s)   size {bytes / 1e6,8:F1} MB");
            loaded = null!;
            GC.Collect();
        }
        if (Environment.GetEnvironmentVariable("KEEP") is null) Directory.Delete(root, true);
        return 0;
    }

    static CrmDataset Build(int accountCount, int months, int productsPerAccount)
    {
        var rng = new Random(7);
        var first = new DateOnly(2022, 1, 1);
        var products = Enumerable.Range(1, 8).Select(i => new Product($"P{i}", $"Product {i}", "family", 10m * i, BillingUnit.Seat)).ToList();
        var accounts = new List<Account>(accountCount);
        var spend = new List<SpendRecord>(accountCount * months * productsPerAccount);
        var usage = new List<UsageRecord>(accountCount * months * productsPerAccount);
        for (int a = 0; a < accountCount; a++)
        {
            var id = $"A{a:D6}";
            accounts.Add(new Account(id, $"Account {a}", "software", "emea", rng.Next(10, 10000), "10m-100m", 1990, null, first));
            for (int p = 0; p < productsPerAccount; p++)
            {
                var pid = products[(a + p) % products.Count].ProductId;
                int seats = rng.Next(5, 500);
                for (int m = 0; m < months; m++)
                {
                    var month = first.AddMonths(m);
                    spend.Add(new SpendRecord(id, pid, month, Math.Round((decimal)(rng.NextDouble() * 10000), 2)));
                    int used = rng.Next(0, seats + 1);
                    usage.Add(new UsageRecord(id, pid, month, seats, used, used, used / (double)seats, rng.Next(0, 100000)));
                }
            }
        }
        return new CrmDataset { Accounts = accounts, Products = products, Spend = spend, Usage = usage };
    }
}
