#pragma warning disable CS1573 // records document only the parameters that need explaining
namespace Workbench.Analytics.Territory;

/// <summary>One account's place in a plan.</summary>
/// <param name="CurrentValue">Expected value (wins or bookings per year, by the plan's objective) with today's owner.</param>
/// <param name="PlannedValue">Expected value with the planned owner.</param>
public sealed record PlannedAssignment(string AccountId, string AccountName, string Region, int Group, string GroupLabel,
    string? CurrentOwner, string PlannedOwner, double CurrentValue, double PlannedValue)
{
    public bool Moved => !string.Equals(CurrentOwner, PlannedOwner, StringComparison.Ordinal);
}

/// <summary>An account that changes owner, with the reason in a sentence.</summary>
public sealed record PlannedMove(string AccountId, string AccountName, string Group, string? FromRep, string ToRep, double Gain, string Reason);

/// <summary>A rep's load before and after the plan, with the capacity bounds the plan had to keep.</summary>
public sealed record RepLoad(string RepId, string Name, string Region, int Current, int Planned, int Lower, int Upper, int Gained, int Lost)
{
    public bool WithinCapacity => Planned >= Lower && Planned <= Upper;
}

/// <summary>A territory plan: the new owner of every account, the moves with reasons, the reps' loads, and the
/// checks of the limits counted on the result (not assumed from the solver).</summary>
/// <param name="ExpectedValue">The objective of the plan (expected wins or bookings per year, estimated rates).</param>
/// <param name="CurrentValue">The same objective with today's owners.</param>
/// <param name="CapacityViolations">Reps whose planned load is outside their bounds (0 for every plan the solver returns).</param>
/// <param name="ContinuityViolations">Accounts moved beyond the move limit (0 for every plan the solver returns).</param>
/// <param name="SolverVariables">Integer variables of the grouped problem.</param>
public sealed record TerritoryPlan(
    TerritoryBook Book, AssignmentOptions Options, IReadOnlyList<PlannedAssignment> Assignments, IReadOnlyList<PlannedMove> Moves,
    IReadOnlyList<RepLoad> Loads, double ExpectedValue, double CurrentValue, int CapacityViolations, int ContinuityViolations,
    int SolverClasses, int SolverVariables, double SolveSeconds)
{
    /// <summary>Planned owner of each account, in book order.</summary>
    public IReadOnlyList<string> Owners => Assignments.Select(a => a.PlannedOwner).ToArray();
}
