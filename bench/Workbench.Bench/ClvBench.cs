using System.Diagnostics;
using System.Globalization;
using System.Text;
using Workbench.Analytics.Lifetime;
using Workbench.Data;

namespace Workbench.Bench;

/// <summary><c>clv [repeats=5]</c>: BG/NBD (and Pareto/NBD) fits on the full CDNOW file (23,570 customers, calibration to
/// 1997-09-30, weeks) and on the 1/10 cohort summary; writes bench/data/cdnow_master_summary.csv so the scipy peer
/// (bench/clv_scipy.py) fits the very same summaries.</summary>
static class ClvBench
{
    public static int Run(string[] args)
    {
        int repeats = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var shared = Environment.GetEnvironmentVariable("WORKBENCH_SHARED_DATASETS")
            ?? Path.GetFullPath(Path.Combine(BenchCommon.BenchDir(), "..", "..", "shared", "datasets"));
        var cdnow = Path.Combine(shared, "cdnow-lifetimes");
        var mapping = Path.Combine(BenchCommon.BenchDir(), "..", "data-samples", "mappings", "cdnow.json");
        var sw = Stopwatch.StartNew();
        var data = DataImporter.Import(mapping, new ImportOptions { DataDirectory = cdnow, RejectsDirectory = Path.Combine(BenchCommon.BenchDir(), "data", "rejects") });
        Console.WriteLine($"import CDNOW_master.txt: {data.Dataset.Transactions.Count:N0} transactions in {sw.Elapsed.TotalSeconds:F2} s; {BenchCommon.Load()}");
        sw.Restart();
        var summaries = CustomerSummaries.Build(CustomerSummaries.FromTransactions(data.Dataset.Transactions), new DateOnly(1997, 9, 30), LifetimeTimeUnit.Weeks);
        var rfm = RfmData.From(summaries);
        Console.WriteLine($"summaries: {summaries.Customers.Count:N0} customers, {rfm.X.Length:N0} distinct (x, t_x, T) rows, {sw.Elapsed.TotalMilliseconds:F0} ms");
        var outPath = Path.Combine(BenchCommon.BenchDir(), "data", "cdnow_master_summary.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
        var sb = new StringBuilder("frequency,recency,T\n");
        foreach (var c in summaries.Customers) sb.Append(string.Create(CultureInfo.InvariantCulture, $"{c.Frequency},{c.Recency:R},{c.T:R}\n"));
        File.WriteAllText(outPath, sb.ToString());

        var small = new RfmData(File.ReadLines(Path.Combine(cdnow, "cdnow_customers_summary.csv")).Skip(1).Select(l => l.Split(','))
            .Select(f => (double.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture))));
        Time("BG/NBD full CDNOW (23,570)", repeats, () => { var (p, f) = BgNbd.Fit(rfm); return $"r {p.R:F4} alpha {p.Alpha:F4} a {p.A:F4} b {p.B:F4} LL {f.LogLikelihood:F2}"; });
        Time("BG/NBD 1/10 cohort (2,357)", repeats, () => { var (p, f) = BgNbd.Fit(small); return $"r {p.R:F4} alpha {p.Alpha:F4} a {p.A:F4} b {p.B:F4} LL {f.LogLikelihood:F2}"; });
        Time("Pareto/NBD full CDNOW (23,570)", repeats, () => { var (p, f) = ParetoNbd.Fit(rfm); return $"r {p.R:F4} alpha {p.Alpha:F4} s {p.S:F4} beta {p.Beta:F4} LL {f.LogLikelihood:F2}"; });
        return 0;
    }

    static void Time(string name, int repeats, Func<string> fit)
    {
        fit(); // warm-up (JIT)
        var times = new List<double>();
        string result = "";
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            result = fit();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: best {times[0]:F1} ms, median {times[times.Count / 2]:F1} ms over {repeats} (after one warm-up); {result}; {BenchCommon.Load()}"));
    }
}
