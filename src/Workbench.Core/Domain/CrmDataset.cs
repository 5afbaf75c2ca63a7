namespace Workbench.Domain;

/// <summary>All canonical CRM tables in memory. Tables a source does not have are empty.</summary>
public sealed record CrmDataset
{
    public IReadOnlyList<Account> Accounts { get; init; } = [];
    public IReadOnlyList<Product> Products { get; init; } = [];
    public IReadOnlyList<Contract> Contracts { get; init; } = [];
    public IReadOnlyList<SpendRecord> Spend { get; init; } = [];
    public IReadOnlyList<UsageRecord> Usage { get; init; } = [];
    public IReadOnlyList<EngagementEvent> Engagement { get; init; } = [];
    public IReadOnlyList<Booking> Bookings { get; init; } = [];
    public IReadOnlyList<Rep> Reps { get; init; } = [];
    public IReadOnlyList<BookAssignment> Book { get; init; } = [];
    public IReadOnlyList<Opportunity> Opportunities { get; init; } = [];
    public IReadOnlyList<StageChange> StageHistory { get; init; } = [];
    public IReadOnlyList<ActionLogEntry> Actions { get; init; } = [];
    /// <summary>Day-level purchases (optional; imported transaction logs carry them).</summary>
    public IReadOnlyList<TransactionRecord> Transactions { get; init; } = [];
    /// <summary>Dated events on opportunities (emails, meetings, demos, proposals, contacts joining).</summary>
    public IReadOnlyList<OpportunityActivity> OpportunityActivities { get; init; } = [];

    /// <summary>Usage and engagement rows before a cutoff that the load validated but summarized instead of keeping
    /// (<c>LoadOptions.KeepRecentMonths</c>, scoring's load); null when every row is in the tables.</summary>
    public EarlyFacts? EarlyFacts { get; init; }

    /// <summary>Planted truth, present only for generated data.</summary>
    public PlantedTruth? Truth { get; init; }
}
