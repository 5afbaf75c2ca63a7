#pragma warning disable CS1573 // records document only the parameters that need explaining

namespace Workbench.Analytics.Territory;

/// <summary>What the assignment maximises.</summary>
public enum TerritoryObjective
{
    /// <summary>Expected won deals per year: a group's opportunities per account-year times the rep's win rate there.</summary>
    Wins,
    /// <summary>Expected booked amount per year: expected wins times the group's mean deal amount.</summary>
    Bookings,
}

/// <summary>Which reps may own an account.</summary>
public enum RegionPolicy
{
    /// <summary>Only reps of the account's region (the region plan stays; who owns what inside it changes).</summary>
    SameRegion,
    /// <summary>Any rep, whatever the region.</summary>
    AnyRegion,
}

/// <summary>What a rep's capacity is measured against.</summary>
public enum CapacityBasis
{
    /// <summary>Each rep keeps today's number of accounts, within the tolerance.</summary>
    CurrentBook,
    /// <summary>Accounts are shared evenly among the eligible reps (per region under <see cref="RegionPolicy.SameRegion"/>), within the tolerance.</summary>
    EvenSplit,
}

/// <summary>Options of the assignment step (<see cref="TerritoryModel.Plan(TerritoryBook, AssignmentOptions?)"/>).</summary>
public sealed record AssignmentOptions
{
    /// <summary>Each rep ends with between floor(target x (1 - t)) and ceil(target x (1 + t)) accounts. Default 0.10.</summary>
    public double CapacityTolerance { get; init; } = 0.10;
    /// <summary>At most this many accounts change owner (continuity); null: no limit.</summary>
    public int? MaxMoves { get; init; }
    public RegionPolicy Regions { get; init; } = RegionPolicy.SameRegion;
    public CapacityBasis Capacity { get; init; } = CapacityBasis.CurrentBook;
    public TerritoryObjective Objective { get; init; } = TerritoryObjective.Wins;
    /// <summary>Solver time limit in seconds; a plan not proven optimal within it is an error (never a silent heuristic).</summary>
    public double SolverTimeLimitSeconds { get; init; } = 120;

    internal IEnumerable<string> Problems()
    {
        if (!(CapacityTolerance >= 0 && CapacityTolerance <= 10)) yield return $"CapacityTolerance must be in [0, 10], got {CapacityTolerance.ToString(CultureInfo.InvariantCulture)}.";
        if (MaxMoves is < 0) yield return $"MaxMoves must be >= 0 (or null for no limit), got {MaxMoves}.";
        if (!Enum.IsDefined(Regions)) yield return $"Regions: unknown value {(int)Regions}.";
        if (!Enum.IsDefined(Capacity)) yield return $"Capacity: unknown value {(int)Capacity}.";
        if (!Enum.IsDefined(Objective)) yield return $"Objective: unknown value {(int)Objective}.";
        if (!(SolverTimeLimitSeconds > 0)) yield return $"SolverTimeLimitSeconds must be > 0, got {SolverTimeLimitSeconds.ToString(CultureInfo.InvariantCulture)}.";
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    public void Validate()
    {
        var problems = Problems().ToList();
        if (problems.Count > 0) throw new OptionsValidationException("Invalid assignment options: " + string.Join(" ", problems));
    }
}

/// <summary>Options of <c>TerritoryPlanner.Fit</c>.</summary>
public sealed record TerritoryOptions
{
    /// <summary>Plan date: win history is closed opportunities that closed strictly before it, owners are those on it,
    /// profile features use data before it. Null: the first day after the last month in the data.</summary>
    public DateOnly? PlanningDate { get; init; }
    /// <summary>Number of K-Means account groups on the profile features. Default 5.</summary>
    public int Groups { get; init; } = 5;
    /// <summary>Cluster on this many principal components of the scaled profile features; null: on the scaled features.</summary>
    public int? PcaComponents { get; init; }
    /// <summary>A user-supplied segmentation (account id to group label) used instead of K-Means; every account needs one.</summary>
    public IReadOnlyDictionary<string, string>? UserGroups { get; init; }
    /// <summary>Months of win history before the planning date; null: all of it.</summary>
    public int? HistoryMonths { get; init; }
    /// <summary>Two-sided credible level of the affinity intervals. Default 0.90.</summary>
    public double IntervalLevel { get; init; } = 0.90;
    public int Seed { get; init; } = 42;
    public AssignmentOptions Assignment { get; init; } = new();

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (Groups is < 1 or > 50) problems.Add($"Groups must be in 1..50, got {Groups}.");
        if (PcaComponents is < 1) problems.Add($"PcaComponents must be >= 1, got {PcaComponents}.");
        if (HistoryMonths is < 1) problems.Add($"HistoryMonths must be >= 1, got {HistoryMonths}.");
        if (!(IntervalLevel > 0 && IntervalLevel < 1)) problems.Add($"IntervalLevel must be in (0, 1), got {IntervalLevel.ToString(CultureInfo.InvariantCulture)}.");
        if (UserGroups is { Count: 0 }) problems.Add("UserGroups is empty; pass null to use K-Means groups.");
        if (Assignment is null) problems.Add("Assignment options are missing.");
        else problems.AddRange(Assignment.Problems());
        if (problems.Count > 0) throw new OptionsValidationException("Invalid territory options: " + string.Join(" ", problems));
    }
}
