using System.Diagnostics;
using System.Globalization;
using System.Text;
using Workbench.Analytics.Territory;
using Workbench.Data.Generation;

namespace Workbench.Bench;

/// <summary>Territory planning at scale: generates accounts x months with the given number of reps (not timed), then
/// times <see cref="TerritoryPlanner.Fit(Workbench.Domain.CrmDataset, TerritoryOptions, IProgress{string}?)"/> (profile
/// features, K-Means groups, affinity) and <see cref="TerritoryModel.Plan"/> without and with a move limit. Writes the
/// grouped problem to bench/data/territory-{accounts}x{reps}/ for bench/territory_scipy.py (the same model solved by
/// HiGHS through scipy.optimize.milp) and prints the objective both must reach.</summary>
static class TerritoryBench
{
    public static int Run(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        int accounts = BenchCommon.IntArg(args, 0, 100_000), months = BenchCommon.IntArg(args, 1, 24), reps = BenchCommon.IntArg(args, 2, 200);
        double moveShare = args.Length > 3 ? double.Parse(args[3], inv) : 0.10;
        Console.WriteLine($"cores {Environment.ProcessorCount}; load {BenchCommon.Load()}");
        var sw = Stopwatch.StartNew();
        var data = CrmGenerator.Generate(new GeneratorOptions { Accounts = accounts, Months = months, Seed = 42, Products = 5, Reps = reps });
        Console.WriteLine(string.Create(inv, $"generated {accounts:N0} accounts x {months} months, {reps} reps, {data.Opportunities.Count:N0} opportunities in {sw.Elapsed.TotalSeconds:F1} s (not timed)"));

        TerritoryModel model = null!;
        var fit = BenchCommon.Time(() => model = TerritoryPlanner.Fit(data, new TerritoryOptions { Seed = 42 }));
        Console.WriteLine(string.Create(inv, $"fit (profiles, k-means k=5, affinity from {model.HistoryDeals:N0} deals): wall {fit.Wall:F2} s, CPU {fit.Cpu:F2} s"));
        TerritoryBook book = null!;
        var bookTime = BenchCommon.Time(() => book = model.BookFor(data));
        Console.WriteLine(string.Create(inv, $"book ({book.Accounts.Count:N0} accounts, {book.Reps.Count} reps): wall {bookTime.Wall:F2} s"));

        int maxMoves = (int)(moveShare * book.Accounts.Count);
        foreach (var o in new[] { new AssignmentOptions(), new AssignmentOptions { MaxMoves = maxMoves }, new AssignmentOptions { MaxMoves = maxMoves, Regions = RegionPolicy.AnyRegion } })
        {
            TerritoryPlan plan = null!;
            var t = BenchCommon.Time(() => plan = model.Plan(book, o));
            Console.WriteLine(string.Create(inv,
                $"plan (tolerance {o.CapacityTolerance}, max moves {(o.MaxMoves is int m ? m.ToString("N0", inv) : "none")}, {o.Regions}): wall {t.Wall:F2} s, CPU {t.Cpu:F2} s; " +
                $"{plan.SolverClasses:N0} classes, {plan.SolverVariables:N0} variables; objective {plan.ExpectedValue:F6}, moves {plan.Moves.Count:N0}, capacity violations {plan.CapacityViolations}"));
            Console.WriteLine(string.Create(inv, $"fit + plan: {fit.Wall + bookTime.Wall + t.Wall:F2} s wall"));
            Export(book, model, o, Path.Combine(BenchCommon.BenchDir(), "data", $"territory-{accounts}x{reps}-{(o.MaxMoves is null ? "free" : "moves")}-{o.Regions}"));
        }
        Console.WriteLine($"peak working set {BenchCommon.Mb(BenchCommon.PeakWorkingSet()):F0} MB; load {BenchCommon.Load()}");
        return 0;
    }

    /// <summary>accounts.csv (profile, region, owner), values.csv (profiles x reps), reps.csv (region, lower, upper), meta.csv.</summary>
    static void Export(TerritoryBook book, TerritoryModel model, AssignmentOptions o, string dir)
    {
        var inv = CultureInfo.InvariantCulture;
        Directory.CreateDirectory(dir);
        var values = model.Groups.Select(g => book.Reps.Select(r => model.Weight(g.Group, o.Objective) * model.WinRate(r.RepId, g.Group)).ToArray()).ToArray();
        var p = TerritoryModel.Problem(book, o, book.Accounts.Select(a => a.Group).ToArray(), values);
        var sb = new StringBuilder("profile,region,owner\n");
        for (int a = 0; a < p.Profile.Length; a++) sb.Append(inv, $"{p.Profile[a]},{p.Region[a]},{p.Owner[a]}\n");
        File.WriteAllText(Path.Combine(dir, "accounts.csv"), sb.ToString());
        File.WriteAllText(Path.Combine(dir, "values.csv"), string.Join("\n", p.Values.Select(row => string.Join(",", row.Select(v => v.ToString("R", inv))))) + "\n");
        sb.Clear().Append("region,lower,upper\n");
        for (int r = 0; r < p.RepRegion.Length; r++) sb.Append(inv, $"{p.RepRegion[r]},{p.Lower[r]},{p.Upper[r]}\n");
        File.WriteAllText(Path.Combine(dir, "reps.csv"), sb.ToString());
        File.WriteAllText(Path.Combine(dir, "meta.csv"), $"max_moves,same_region\n{(p.MaxMoves is int m ? m.ToString(inv) : "")},{(p.Regions == RegionPolicy.SameRegion ? 1 : 0)}\n");
    }
}
