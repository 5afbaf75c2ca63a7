using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Workbench.Data.Generation;

namespace Workbench.Bench;

/// <summary>
/// Generation speed of the synthetic CRM. Stopwatch mode (one process, wall and CPU time, row counts):
///   dotnet run -c Release --project bench/Workbench.Bench -- generate 100000 36 [seed] [repeats]
/// BenchmarkDotNet mode (500 and 5,000 accounts x 36 months):
///   dotnet run -c Release --project bench/Workbench.Bench -- generate --bdn
/// </summary>
public static class GeneratorBench
{
    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "--bdn")
        {
            BenchmarkRunner.Run<GeneratorBenchmarks>();
            return 0;
        }
        int accounts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        int months = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 36;
        int seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 42;
        int repeats = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        var options = new GeneratorOptions { Accounts = accounts, Months = months, Seed = seed };
        for (int r = 0; r < repeats; r++)
        {
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var data = CrmGenerator.Generate(options);
            watch.Stop();
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"generate {accounts}x{months} seed {seed}: wall {watch.Elapsed.TotalSeconds:F2} s, CPU {cpu.TotalSeconds:F2} s, {Environment.ProcessorCount} cores"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  rows: accounts {data.Accounts.Count}, products {data.Products.Count}, contracts {data.Contracts.Count}, spend {data.Spend.Count}, usage {data.Usage.Count}, engagement {data.Engagement.Count}, bookings {data.Bookings.Count}, reps {data.Reps.Count}, book {data.Book.Count}, opportunities {data.Opportunities.Count}, stage_history {data.StageHistory.Count}, actions {data.Actions.Count}, truth/risks {data.Truth!.Risks.Count}"));
        }
        return 0;
    }
}

[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class GeneratorBenchmarks
{
    [Params(500, 5_000)]
    public int Accounts { get; set; }

    [Benchmark]
    public int Generate() => CrmGenerator.Generate(new GeneratorOptions { Accounts = Accounts, Months = 36, Seed = 42 }).Spend.Count;
}
