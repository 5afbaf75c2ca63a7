using System.CommandLine;
using System.Globalization;
using Workbench.Analytics.Territory;
using Workbench.Experiments.Artifacts;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench territory --data DIR --out DIR [--capacity-tolerance T] [--max-moves N] [--planning-date D]
/// [--objective wins|bookings] [--regions same|any] [--groups K] [--seed S]</c>: which rep should own which account.</summary>
public static class TerritoryCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Dataset folder (canonical tables, optional truth/).", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder (replaced as a whole when the run succeeds).", Required = true };
        var tolerance = new Option<double>("--capacity-tolerance") { Description = "Each rep keeps today's number of accounts within +/- this share.", DefaultValueFactory = _ => 0.10 };
        var maxMoves = new Option<int?>("--max-moves") { Description = "At most this many accounts change owner (default: no limit)." };
        var date = new Option<string?>("--planning-date") { Description = "Plan date (yyyy-MM-dd): win history before it, owners on it. Default: after the last month in the data." };
        var objective = new Option<string>("--objective") { Description = "wins or bookings.", DefaultValueFactory = _ => "wins" };
        var regions = new Option<string>("--regions") { Description = "same (reps keep to their region) or any.", DefaultValueFactory = _ => "same" };
        var groups = new Option<int>("--groups") { Description = "Number of K-Means account groups.", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed of every random draw.", DefaultValueFactory = _ => 42 };
        var lenient = new Option<bool>("--lenient") { Description = "Load good rows and write rejected ones to DATA/rejects instead of stopping." };
        var cmd = new Command("territory", "Plan which rep should own which account: account groups, each rep's shrunk win rate per group, and the assignment " +
            "maximising expected wins within capacity, region and continuity limits (exact, OR-Tools CP-SAT); writes assignment.csv, moves.csv, summary.json, " +
            "evaluation.json, affinity.csv, the model and an offline HTML page per rep.")
        {
            data, output, tolerance, maxMoves, date, objective, regions, groups, seed, lenient,
        };
        cmd.SetAction(p =>
        {
            var obj = p.GetValue(objective)!.ToLowerInvariant() switch
            {
                "wins" => TerritoryObjective.Wins,
                "bookings" => TerritoryObjective.Bookings,
                var other => throw new OptionsValidationException($"--objective: unknown value '{other}'; expected wins or bookings."),
            };
            var reg = p.GetValue(regions)!.ToLowerInvariant() switch
            {
                "same" => RegionPolicy.SameRegion,
                "any" => RegionPolicy.AnyRegion,
                var other => throw new OptionsValidationException($"--regions: unknown value '{other}'; expected same or any."),
            };
            var options = new TerritoryOptions
            {
                PlanningDate = DataOptions.ParseDate("--planning-date", p.GetValue(date)),
                Groups = p.GetValue(groups),
                Seed = p.GetValue(seed),
                Assignment = new AssignmentOptions { CapacityTolerance = p.GetValue(tolerance), MaxMoves = p.GetValue(maxMoves), Objective = obj, Regions = reg },
            };
            options.Validate();
            var dataset = DataOptions.LoadDataset(p.GetValue(data)!, p.GetValue(lenient));
            var (model, plan, evaluation) = CliProgress.Run("territory", progress =>
            {
                var m = TerritoryPlanner.Fit(dataset, options);
                var pl = m.Plan(m.BookFor(dataset));
                return (m, pl, TerritoryEvaluation.Evaluate(m, dataset, pl));
            });
            var files = TerritoryArtifacts.Write(model, plan, evaluation, p.GetValue(output)!);

            var ci = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Format(ci, "{0:N0} accounts, {1} reps, {2} groups, {3:N0} closed deals before {4:yyyy-MM-dd}; {5:N0} moves.",
                plan.Book.Accounts.Count, plan.Book.Reps.Count, model.Groups.Count, model.HistoryDeals, model.PlanningDate, plan.Moves.Count));
            var w = evaluation.ExpectedWins;
            Console.WriteLine(string.Format(ci, "  expected wins/yr (estimated): plan {0:F1}, current {1:F1}, region baseline {2:F1}{3}",
                w.Plan, w.Current, w.RegionBaseline, w.Oracle is double o ? string.Format(ci, ", oracle {0:F1}", o) : ""));
            if (evaluation.TrueExpectedWins is { } t)
                Console.WriteLine(string.Format(ci, "  expected wins/yr (true rates): plan {0:F1}, current {1:F1}, region baseline {2:F1}, oracle {3:F1}; oracle uplift recovered {4:P1}",
                    t.Plan, t.Current, t.RegionBaseline, t.Oracle, evaluation.UpliftRecovered));
            foreach (var f in files) Console.WriteLine("  wrote " + f);
            return 0;
        });
        return cmd;
    }
}
