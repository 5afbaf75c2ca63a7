using Workbench.Analytics.Territory;
using Workbench.Experiments.Artifacts;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench territory --data DIR --out DIR [--capacity-tolerance T] [--max-moves N] [--planning-date D]
/// [--objective wins|bookings] [--regions same|any] [--groups K] [--seed S]</c>: which rep should own which account.</summary>
public static class TerritoryCommand
{
    static readonly IReadOnlyDictionary<string, TerritoryObjective> Objectives =
        CliOptions.Choices(("wins", TerritoryObjective.Wins), ("bookings", TerritoryObjective.Bookings));
    static readonly IReadOnlyDictionary<string, RegionPolicy> Regions = CliOptions.Choices(("same", RegionPolicy.SameRegion), ("any", RegionPolicy.AnyRegion));

    public static Command Create()
    {
        var io = new CommandFlags(data: CliOptions.DataDescription, output: "Output folder (replaced as a whole when the run succeeds).", lenient: true);
        var defaults = new TerritoryOptions();
        var tolerance = new Option<double>("--capacity-tolerance") { Description = "Each rep keeps today's number of accounts within +/- this share.", DefaultValueFactory = _ => defaults.Assignment.CapacityTolerance };
        var maxMoves = new Option<int?>("--max-moves") { Description = "At most this many accounts change owner (default: no limit)." };
        var date = CliOptions.DateOption("--planning-date", "Plan date (yyyy-MM-dd): win history before it, owners on it. Default: after the last month in the data.");
        var objective = CliOptions.ChoiceOption("--objective", "wins or bookings.", Objectives, "wins");
        var regions = CliOptions.ChoiceOption("--regions", "same (reps keep to their region) or any.", Regions, "same");
        var groups = new Option<int>("--groups") { Description = "Number of K-Means account groups.", DefaultValueFactory = _ => defaults.Groups };
        var seed = CliOptions.Seed();
        return CliCommand.Create("territory", "Plan which rep should own which account: account groups, each rep's shrunk win rate per group, and the assignment " +
            "maximising expected wins within capacity, region and continuity limits (exact, OR-Tools CP-SAT); writes assignment.csv, moves.csv, summary.json, " +
            "evaluation.json, affinity.csv, the model and an offline HTML page per rep.",
            io, [tolerance, maxMoves, date, objective, regions, groups, seed], p =>
        {
            var obj = CliOptions.Choice(objective.Name, p.GetValue(objective)!, Objectives);
            var reg = CliOptions.Choice(regions.Name, p.GetValue(regions)!, Regions);
            var options = new TerritoryOptions
            {
                PlanningDate = CliOptions.Date(p, date),
                Groups = p.GetValue(groups),
                Seed = p.GetValue(seed),
                Assignment = new AssignmentOptions { CapacityTolerance = p.GetValue(tolerance), MaxMoves = p.GetValue(maxMoves), Objective = obj, Regions = reg },
            };
            options.Validate();
            var dataset = io.LoadData(p);
            var (model, plan, evaluation) = CliProgress.Run("territory", progress =>
            {
                var m = TerritoryPlanner.Fit(dataset, options);
                var pl = m.Plan(m.BookFor(dataset));
                return (m, pl, TerritoryEvaluation.Evaluate(m, dataset, pl));
            });
            var files = TerritoryArtifacts.Write(model, plan, evaluation, io.OutDirectory(p));

            var ci = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Format(ci, "{0:N0} accounts, {1} reps, {2} groups, {3:N0} closed deals before {4:yyyy-MM-dd}; {5:N0} moves.",
                plan.Book.Accounts.Count, plan.Book.Reps.Count, model.Groups.Count, model.HistoryDeals, model.PlanningDate, plan.Moves.Count));
            var w = evaluation.ExpectedWins;
            Console.WriteLine(string.Format(ci, "  expected wins/yr (estimated): plan {0:F1}, current {1:F1}, region baseline {2:F1}{3}",
                w.Plan, w.Current, w.RegionBaseline, w.Oracle is double o ? string.Format(ci, ", oracle {0:F1}", o) : ""));
            if (evaluation.TrueExpectedWins is { } t)
                Console.WriteLine(string.Format(ci, "  expected wins/yr (true rates): plan {0:F1}, current {1:F1}, region baseline {2:F1}, oracle {3:F1}; oracle uplift recovered {4:P1}",
                    t.Plan, t.Current, t.RegionBaseline, t.Oracle, evaluation.UpliftRecovered));
            CliCommand.Wrote(files);
        });
    }
}
