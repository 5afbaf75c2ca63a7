using Workbench.Analytics.Territory;
using Workbench.Experiments.Promotion;
using Workbench.Reporting.Territory;

namespace Workbench.Experiments.Artifacts;

/// <summary>The files of a territory run: assignment.csv, moves.csv, summary.json (the contract the checks read),
/// evaluation.json (sensitivity, uplift recovered), affinity.csv, the model file and the offline HTML report (one page per rep).
/// Everything is written to a staging folder and renamed into place, so a failure leaves no half-written output.</summary>
public static class TerritoryArtifacts
{
    public const string AssignmentFile = "assignment.csv", MovesFile = "moves.csv", SummaryFile = "summary.json", EvaluationFile = "evaluation.json",
        AffinityFile = "affinity.csv", ModelFileName = "territory-model.zip", ReportFolder = "report";
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<string> Write(TerritoryModel model, TerritoryPlan plan, TerritoryEvaluationResult evaluation, string outDir)
    {
        var staging = AtomicDirectory.StagingFor(outDir);
        try
        {
            AtomicFile.WriteText(Path.Combine(staging, AssignmentFile), AssignmentCsv(plan));
            AtomicFile.WriteText(Path.Combine(staging, MovesFile), MovesCsv(plan));
            AtomicFile.WriteText(Path.Combine(staging, SummaryFile), JsonText(Summary(evaluation)));
            AtomicFile.WriteText(Path.Combine(staging, EvaluationFile), JsonText(EvaluationDocument(model, evaluation)));
            AtomicFile.WriteText(Path.Combine(staging, AffinityFile), AffinityCsv(model));
            AtomicFile.Write(Path.Combine(staging, ModelFileName), model.Save);
            foreach (var (file, html) in TerritoryReport.Pages(model, plan, evaluation))
                AtomicFile.WriteText(Path.Combine(staging, ReportFolder, file), html);
            AtomicDirectory.Replace(staging, outDir);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        var full = Path.GetFullPath(outDir);
        return [Path.Combine(full, AssignmentFile), Path.Combine(full, MovesFile), Path.Combine(full, SummaryFile), Path.Combine(full, EvaluationFile),
            Path.Combine(full, AffinityFile), Path.Combine(full, ModelFileName), Path.Combine(full, ReportFolder, TerritoryReport.IndexFile)];
    }

    public static string JsonText(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    static JsonObject Wins(WinsComparison w)
    {
        var o = new JsonObject { ["plan"] = R(w.Plan), ["current"] = R(w.Current), ["region_baseline"] = R(w.RegionBaseline) };
        if (w.Oracle is double oracle) o["oracle"] = R(oracle);
        return o;
    }

    static double R(double v) => Math.Round(v, 6);

    /// <summary>summary.json: expected wins per year (estimated; and true when the data has truth), moves, violations.</summary>
    public static JsonObject Summary(TerritoryEvaluationResult e)
    {
        var o = new JsonObject { ["expected_wins"] = Wins(e.ExpectedWins) };
        if (e.TrueExpectedWins is { } t) o["true_expected_wins"] = Wins(t);
        o["moves"] = e.Moves;
        o["capacity_violations"] = e.CapacityViolations;
        o["continuity_violations"] = e.ContinuityViolations;
        return o;
    }

    public static JsonObject EvaluationDocument(TerritoryModel model, TerritoryEvaluationResult e)
    {
        var p = e.Plan;
        return new JsonObject
        {
            ["planning_date"] = p.Book.PlanningDate.ToString("yyyy-MM-dd", Inv),
            ["accounts"] = p.Book.Accounts.Count,
            ["reps"] = p.Book.Reps.Count,
            ["groups"] = model.Groups.Count,
            ["grouping"] = model.Grouping,
            ["history_deals"] = model.HistoryDeals,
            ["objective"] = p.Options.Objective.ToString().ToLowerInvariant(),
            ["capacity_tolerance"] = p.Options.CapacityTolerance,
            ["max_moves"] = p.Options.MaxMoves,
            ["regions"] = p.Options.Regions.ToString(),
            ["objective_value"] = new JsonObject { ["plan"] = R(p.ExpectedValue), ["current"] = R(p.CurrentValue) },
            ["uplift_recovered"] = e.UpliftRecovered is double u ? R(u) : null,
            ["solver"] = new JsonObject { ["classes"] = p.SolverClasses, ["variables"] = p.SolverVariables },
            ["sensitivity"] = new JsonArray(e.Sensitivity.Select(s => (JsonNode)new JsonObject
            {
                ["parameter"] = s.Parameter, ["capacity_tolerance"] = s.CapacityTolerance, ["max_moves"] = s.MaxMoves,
                ["expected_wins"] = s.ExpectedWins is double a ? R(a) : null, ["true_expected_wins"] = s.TrueExpectedWins is double b ? R(b) : null,
                ["true_oracle_wins"] = s.TrueOracleWins is double c ? R(c) : null, ["uplift_recovered"] = s.UpliftRecovered is double d ? R(d) : null,
                ["moves"] = s.Moves, ["problem"] = s.Problem,
            }).ToArray()),
        };
    }

    public static string AssignmentCsv(TerritoryPlan plan) => CsvText.Table(
        ["account_id", "account_name", "region", "group", "current_owner", "planned_owner", "moved", "current_expected", "planned_expected"],
        plan.Assignments.Select(a => new[]
        {
            CsvText.Cell(a.AccountId), CsvText.Cell(a.AccountName), CsvText.Cell(a.Region), CsvText.Cell(a.GroupLabel), CsvText.Cell(a.CurrentOwner),
            CsvText.Cell(a.PlannedOwner), a.Moved ? "true" : "false", CsvText.Number(Math.Round(a.CurrentValue, 6)), CsvText.Number(Math.Round(a.PlannedValue, 6)),
        }));

    public static string MovesCsv(TerritoryPlan plan) => CsvText.Table(
        ["account_id", "account_name", "group", "from_rep", "to_rep", "expected_gain", "reason"],
        plan.Moves.Select(m => new[]
        {
            CsvText.Cell(m.AccountId), CsvText.Cell(m.AccountName), CsvText.Cell(m.Group), CsvText.Cell(m.FromRep), CsvText.Cell(m.ToRep),
            CsvText.Number(Math.Round(m.Gain, 6)), CsvText.Cell(m.Reason),
        }));

    public static string AffinityCsv(TerritoryModel model) => CsvText.Table(
        ["rep_id", "group", "deals", "wins", "raw_rate", "rate", "lower", "upper", "group_rate"],
        model.Affinity.SelectMany(row => row).Select(c => new[]
        {
            CsvText.Cell(c.RepId), CsvText.Cell(model.Groups[c.Group].Label), c.Deals.ToString(Inv), c.Wins.ToString(Inv), CsvText.Number(c.RawRate),
            CsvText.Number(Math.Round(c.Rate, 6)), CsvText.Number(Math.Round(c.Lower, 6)), CsvText.Number(Math.Round(c.Upper, 6)), CsvText.Number(Math.Round(model.Groups[c.Group].WinRate, 6)),
        }));
}
