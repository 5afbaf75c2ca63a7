using System.Diagnostics;
using System.Globalization;
using Workbench.Data;
using Workbench.Data.Generation;
using Workbench.Domain;

namespace Workbench.Bench;

/// <summary>Shared pieces of the stopwatch benchmarks: where bench/data is, the generated dataset written once per
/// size (Parquet and CSV), and one-line measurements (wall, CPU, peak working set, machine load).</summary>
static class BenchCommon
{
    public static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string BenchDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workbench.sln"))) return Path.Combine(dir.FullName, "bench");
        throw new InvalidOperationException("Workbench.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>bench/data/crm-{accounts}x{months}-s42/{parquet|csv}: the generator's output (seed 42, 5 products).</summary>
    public static string DatasetDir(int accounts, int months, DataFormat format) =>
        Path.Combine(BenchDir(), "data", string.Create(Inv, $"crm-{accounts}x{months}-s42"), format.ToString().ToLowerInvariant());

    public static GeneratorOptions GeneratorOptionsFor(int accounts, int months) => new() { Accounts = accounts, Months = months, Seed = 42, Products = 5 };

    /// <summary>Writes the dataset in both formats unless a previous run already did (a "complete" marker is written last).</summary>
    public static void EnsureDataset(int accounts, int months)
    {
        var formats = new[] { DataFormat.Parquet, DataFormat.Csv };
        if (formats.All(f => File.Exists(Path.Combine(DatasetDir(accounts, months, f), "complete")))) return;
        Console.WriteLine($"preparing bench data for {accounts}x{months} (generate once, write Parquet and CSV) ...");
        var sw = Stopwatch.StartNew();
        var ds = CrmGenerator.Generate(GeneratorOptionsFor(accounts, months));
        Console.WriteLine($"  generated in {sw.Elapsed.TotalSeconds:F1} s");
        foreach (var f in formats)
        {
            var dir = DatasetDir(accounts, months, f);
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
            sw.Restart();
            new CrmCatalog(dir).Write(ds, new WriteOptions { Format = f });
            File.WriteAllText(Path.Combine(dir, "complete"), "");
            Console.WriteLine($"  wrote {f} to {dir} in {sw.Elapsed.TotalSeconds:F1} s");
        }
    }

    public static CrmDataset LoadDataset(int accounts, int months, DataFormat format = DataFormat.Parquet, bool truth = false)
    {
        EnsureDataset(accounts, months);
        return new CrmCatalog(DatasetDir(accounts, months, format)).Load(new LoadOptions { Format = format, IncludeTruth = truth }).Dataset;
    }

    /// <summary>The 1/5/15-minute load averages and the core count, for the results table.</summary>
    public static string Load()
    {
        var avg = File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "n/a";
        return $"load avg {avg}, {Environment.ProcessorCount} cores";
    }

    public static long PeakWorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    public static TimeSpan Cpu()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime;
    }

    public static double Mb(long bytes) => bytes / (1024.0 * 1024.0);

    /// <summary>Times one action: wall seconds and CPU seconds.</summary>
    public static (double Wall, double Cpu) Time(Action action)
    {
        var cpu0 = Cpu();
        var sw = Stopwatch.StartNew();
        action();
        return (sw.Elapsed.TotalSeconds, (Cpu() - cpu0).TotalSeconds);
    }

    public static int IntArg(string[] args, int i, int fallback) => args.Length > i ? int.Parse(args[i], Inv) : fallback;

    public static string Summary(IReadOnlyList<double> seconds)
    {
        var s = seconds.Order().ToArray();
        double median = s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        return string.Create(Inv, $"best {s[0]:F2} s, median {median:F2} s over {s.Length} run(s)");
    }
}

/// <summary>Garbage-collector counters, to see how much of a stage is spent collecting.</summary>
readonly record struct GcStats(int Gen0, int Gen1, int Gen2, TimeSpan Pause, long Allocated)
{
    public static GcStats Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());

    public string Minus(GcStats before) => string.Create(BenchCommon.Inv,
        $"GC: gen0 {Gen0 - before.Gen0}, gen1 {Gen1 - before.Gen1}, gen2 {Gen2 - before.Gen2}, pause {(Pause - before.Pause).TotalSeconds:F2} s, allocated {(Allocated - before.Allocated) / 1e9:F2} GB ({(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC)");
}
