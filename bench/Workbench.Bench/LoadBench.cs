using Workbench.Data;
using static Workbench.Bench.BenchCommon;

namespace Workbench.Bench;

/// <summary>
/// Times <see cref="CrmCatalog.Load(LoadOptions)"/> (strict validation, all canonical tables; truth/ only with --truth)
/// of the generated dataset written once to bench/data (Parquet and CSV). Run one format per process so the peak
/// working set belongs to that format:
///   dotnet bench/Workbench.Bench/bin/Release/net10.0/Workbench.Bench.dll load 100000 36 parquet 3
///   dotnet bench/Workbench.Bench/bin/Release/net10.0/Workbench.Bench.dll load 100000 36 csv 3
/// The first call writes the data (generate + write both formats) and then exits: rerun for clean numbers.
/// </summary>
static class LoadBench
{
    public static int Run(string[] args)
    {
        int accounts = IntArg(args, 0, 100_000), months = IntArg(args, 1, 36);
        var format = args.Length > 2 && args[2] == "csv" ? DataFormat.Csv : DataFormat.Parquet;
        int repeats = IntArg(args, 3, 3);
        bool truth = args.Contains("--truth");
        bool stages = args.Contains("--stages");
        var dir = DatasetDir(accounts, months, format);
        if (!File.Exists(Path.Combine(dir, "complete")))
        {
            EnsureDataset(accounts, months);
            Console.WriteLine("data written; rerun to measure (the peak working set now includes the generator).");
            return 0;
        }
        var catalog = new CrmCatalog(dir);
        Console.WriteLine($"load {format} {dir} (truth: {truth}); {Load()}");
        var times = new List<double>();
        long rows = 0;
        for (int r = 0; r < repeats; r++)
        {
            GC.Collect();
            LoadResult? result = null;
            var progress = stages ? new StageClock() : null;
            var gc0 = GcStats.Now();
            var (wall, cpu) = Time(() => result = catalog.Load(new LoadOptions { Format = format, IncludeTruth = truth, Progress = progress }));
            rows = result!.Report.Tables.Sum(t => t.Accepted);
            if (result.Report.HasProblems) throw new InvalidOperationException("unexpected load problems:\n" + result.Report.ToText());
            times.Add(wall);
            Console.WriteLine("    " + GcStats.Now().Minus(gc0));
            Console.WriteLine(string.Create(Inv,
                $"  run {r + 1}: wall {wall:F2} s, CPU {cpu:F2} s, rows {rows:N0} ({rows / wall / 1e6:F2} M rows/s), peak WS {Mb(PeakWorkingSet()):F0} MB; {Load()}"));
            if (r == 0)
                foreach (var t in result.Report.Tables.Where(t => t.Status == TableStatus.Loaded))
                    Console.WriteLine(string.Create(Inv, $"    {t.Table,-14} {t.Accepted,12:N0} rows  {new FileInfo(t.File!).Length / 1e6,8:F1} MB"));
            result = null;
        }
        Console.WriteLine($"load {format}: {Summary(times)}; peak WS {Mb(PeakWorkingSet()):F0} MB");
        return 0;
    }

    /// <summary>Prints the time since the load began when each table finishes (tables of one dependency level load in parallel).</summary>
    sealed class StageClock : IProgress<string>
    {
        readonly System.Diagnostics.Stopwatch _sw = System.Diagnostics.Stopwatch.StartNew();
        public void Report(string value) { lock (_sw) Console.WriteLine(string.Create(Inv, $"    +{_sw.Elapsed.TotalSeconds,6:F2} s {value}")); }
    }
}
