#pragma warning disable CS1573 // records document only the parameters that need explaining

namespace Workbench.Analytics.Territory;

/// <summary>Expected wins per year of four assignments of the same book.</summary>
/// <param name="Oracle">The plan made with the planted true rates and segments (null without truth).</param>
public sealed record WinsComparison(double Plan, double Current, double RegionBaseline, double? Oracle);

/// <summary>One point of a sensitivity sweep (null figures: the setting admits no plan; <paramref name="Problem"/> says why).</summary>
public sealed record SensitivityPoint(string Parameter, double CapacityTolerance, int? MaxMoves, double? ExpectedWins, double? TrueExpectedWins,
    double? TrueOracleWins, double? UpliftRecovered, int? Moves, string? Problem);

/// <summary>What <see cref="TerritoryEvaluation.Evaluate"/> measured.</summary>
/// <param name="ExpectedWins">With the estimated (shrunk) rates.</param>
/// <param name="TrueExpectedWins">With the planted true rates and segments (null without truth).</param>
/// <param name="UpliftRecovered">(true plan - true baseline) / (true oracle - true baseline), the share of the oracle's
/// uplift over the region baseline the plan recovers (null without truth or when the oracle has no uplift).</param>
public sealed record TerritoryEvaluationResult(
    TerritoryPlan Plan, TerritoryPlan? OraclePlan, WinsComparison ExpectedWins, WinsComparison? TrueExpectedWins, double? UpliftRecovered,
    int Moves, int CapacityViolations, int ContinuityViolations, IReadOnlyList<SensitivityPoint> Sensitivity);

/// <summary>Options of the evaluation's sensitivity sweeps.</summary>
public sealed record TerritoryEvaluationOptions
{
    /// <summary>Capacity tolerances to re-plan with (the move limit kept).</summary>
    public IReadOnlyList<double> Tolerances { get; init; } = [0.0, 0.05, 0.10, 0.20];
    /// <summary>Move limits as shares of the book to re-plan with (the tolerance kept); a null entry: no limit.</summary>
    public IReadOnlyList<double?> MoveShares { get; init; } = [0.0, 0.05, 0.10, 0.25, null];
}

/// <summary>
/// Measures a territory plan: expected wins per year of the plan, today's owners and the region-only baseline
/// (a skill-blind owner from the account's region), with the estimated rates and, when the data carries planted
/// truth, with the true rates of the true segments; the oracle plan (same limits, true rates) as the ceiling and the
/// share of its uplift the plan recovers; and how the plan moves with the capacity tolerance and the move limit.
/// </summary>
public static class TerritoryEvaluation
{
    public static TerritoryEvaluationResult Evaluate(TerritoryModel model, CrmDataset data, TerritoryPlan plan, TerritoryEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(plan);
        options ??= new TerritoryEvaluationOptions();
        var book = plan.Book;
        var current = book.Accounts.Select(a => a.CurrentOwner).ToArray();
        var truth = Truth.From(data.Truth, book);

        TerritoryPlan? oracle = null;
        WinsComparison? trueWins = null;
        double? recovered = null;
        if (truth is not null)
        {
            oracle = OraclePlan(model, book, plan.Options, truth);
            double tb = truth.RegionBaseline(model, book);
            trueWins = new WinsComparison(truth.Wins(model, book, plan.Owners), truth.Wins(model, book, current), tb, truth.Wins(model, book, oracle.Owners));
            recovered = Recovered(trueWins.Plan, tb, trueWins.Oracle!.Value);
        }
        var est = new WinsComparison(model.ExpectedValue(book, plan.Owners), model.ExpectedValue(book, current), model.RegionBaselineValue(book),
            oracle is null ? null : model.ExpectedValue(book, oracle.Owners));

        var points = new List<SensitivityPoint>();
        foreach (var t in options.Tolerances)
            points.Add(Point(model, book, plan.Options with { CapacityTolerance = t }, "capacity_tolerance", truth));
        foreach (var s in options.MoveShares)
            points.Add(Point(model, book, plan.Options with { MaxMoves = s is double share ? (int)Math.Floor(share * book.Accounts.Count) : null }, "max_moves", truth));
        return new TerritoryEvaluationResult(plan, oracle, est, trueWins, recovered, plan.Moves.Count, plan.CapacityViolations, plan.ContinuityViolations, points);
    }

    static double? Recovered(double plan, double baseline, double oracle) => oracle - baseline > 1e-12 ? (plan - baseline) / (oracle - baseline) : null;

    static SensitivityPoint Point(TerritoryModel model, TerritoryBook book, AssignmentOptions o, string parameter, Truth? truth)
    {
        try
        {
            var p = model.Plan(book, o);
            double? tw = null, to = null, rec = null;
            if (truth is not null)
            {
                var oracle = OraclePlan(model, book, o, truth);
                tw = truth.Wins(model, book, p.Owners);
                to = truth.Wins(model, book, oracle.Owners);
                rec = Recovered(tw.Value, truth.RegionBaseline(model, book), to.Value);
            }
            return new SensitivityPoint(parameter, o.CapacityTolerance, o.MaxMoves, model.ExpectedValue(book, p.Owners), tw, to, rec, p.Moves.Count, null);
        }
        catch (TerritoryInfeasibleException ex)
        {
            return new SensitivityPoint(parameter, o.CapacityTolerance, o.MaxMoves, null, null, null, null, null, ex.Message);
        }
    }

    /// <summary>The plan the same limits allow when the true rates and segments are known.</summary>
    static TerritoryPlan OraclePlan(TerritoryModel model, TerritoryBook book, AssignmentOptions o, Truth truth)
    {
        int segments = truth.Segments;
        var profile = new int[book.Accounts.Count];
        for (int a = 0; a < profile.Length; a++) profile[a] = book.Accounts[a].Group * segments + truth.Segment[a];
        var values = new double[model.Groups.Count * segments][];
        for (int g = 0; g < model.Groups.Count; g++)
            for (int s = 0; s < segments; s++)
            {
                var row = values[g * segments + s] = new double[book.Reps.Count];
                for (int r = 0; r < row.Length; r++) row[r] = model.Weight(g, o.Objective) * truth.Rate(book.Reps[r].RepId, s);
            }
        var problem = TerritoryModel.Problem(book, o, profile, values);
        return model.BuildPlan(book, o, problem, AssignmentSolver.Solve(problem));
    }

    /// <summary>Planted truth aligned with a book: each account's true segment (0-based) and the reps' true rates.</summary>
    internal sealed class Truth
    {
        public required int[] Segment { get; init; }
        public required int Segments { get; init; }
        public required Dictionary<(string, int), double> Rates { get; init; }
        public required double[] SegmentMean { get; init; }

        public double Rate(string? repId, int segment) =>
            repId is not null && Rates.TryGetValue((repId, segment), out var r) ? r : SegmentMean[segment];

        public double Wins(TerritoryModel model, TerritoryBook book, IReadOnlyList<string?> owners)
        {
            double v = 0;
            for (int a = 0; a < owners.Count; a++) v += model.Weight(book.Accounts[a].Group, TerritoryObjective.Wins) * Rate(owners[a], Segment[a]);
            return v;
        }

        public double RegionBaseline(TerritoryModel model, TerritoryBook book) =>
            TerritoryModel.RegionBaseline(book, (rep, a) => model.Weight(book.Accounts[a].Group, TerritoryObjective.Wins) * Rate(rep, Segment[a]));

        public static Truth? From(PlantedTruth? truth, TerritoryBook book)
        {
            if (truth is null || truth.RepSkills.Count == 0 || truth.Segments.Count == 0) return null;
            var seg = truth.Segments.ToDictionary(s => s.AccountId, s => s.Segment - 1, StringComparer.Ordinal);
            var segment = new int[book.Accounts.Count];
            for (int a = 0; a < segment.Length; a++)
                segment[a] = seg.TryGetValue(book.Accounts[a].AccountId, out var s) ? s
                    : throw new WorkbenchException($"Planted truth has no segment for account '{book.Accounts[a].AccountId}'.");
            int segments = Math.Max(truth.RepSkills.Max(k => k.Segment), truth.Segments.Max(s => s.Segment));
            var rates = truth.RepSkills.ToDictionary(k => (k.RepId, k.Segment - 1), k => k.WinRate);
            var mean = Enumerable.Range(0, segments).Select(s => truth.RepSkills.Where(k => k.Segment - 1 == s).Select(k => k.WinRate).DefaultIfEmpty(0).Average()).ToArray();
            return new Truth { Segment = segment, Segments = segments, Rates = rates, SegmentMean = mean };
        }
    }
}
