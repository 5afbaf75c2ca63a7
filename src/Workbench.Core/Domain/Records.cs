namespace Workbench.Domain;

// The canonical B2B CRM data model. One record per table row; column names and types live in
// CrmSchema (the column vocabulary). Monthly fact rows are record structs because the large tables
// hold millions of them. Dates are DateOnly; a "month" is the first day of that month.

/// <summary>A customer company.</summary>
public sealed record Account(
    string AccountId,
    string Name,
    string Industry,
    string Region,
    int? Employees,
    string RevenueBand,
    int? FoundedYear,
    string? ParentAccountId,
    DateOnly CreatedDate);

/// <summary>Something the vendor sells.</summary>
public sealed record Product(
    string ProductId,
    string Name,
    string Family,
    decimal ListPrice,
    BillingUnit BillingUnit);

public enum BillingUnit { Seat, Usage, Flat }

public enum ContractStatus { Active, Renewed, Cancelled, Expired }

/// <summary>A subscription of one account to one product for a term.</summary>
public sealed record Contract(
    string ContractId,
    string AccountId,
    string ProductId,
    DateOnly StartDate,
    DateOnly RenewalDate,
    int TermMonths,
    int Seats,
    decimal UnitPrice,
    ContractStatus Status);

/// <summary>Amount billed to an account for a product in one month.</summary>
public readonly record struct SpendRecord(string AccountId, string ProductId, DateOnly Month, decimal Amount);

/// <summary>Product usage by an account in one month. Utilization = seats used / seats purchased.</summary>
public readonly record struct UsageRecord(
    string AccountId,
    string ProductId,
    DateOnly Month,
    int SeatsPurchased,
    int? SeatsUsed,
    int? ActiveUsers,
    double? Utilization,
    int? KeyActions);

public enum EngagementType { Email, Meeting, SupportTicket, Survey, Training, ChampionChange }

/// <summary>A touchpoint with an account. Score carries the survey score (0-10) or ticket severity (1-4).</summary>
public readonly record struct EngagementEvent(
    string EventId,
    string AccountId,
    DateOnly Date,
    EngagementType Type,
    double? Score);

public enum BookingType { New, AddOn, Downgrade, Renewal, NonRenewal, Cancellation, PriceChange }

/// <summary>A booking event: any change to what an account buys, at any time of the year.
/// AmountDelta is the change in monthly run-rate it causes (negative for downgrades and churn).</summary>
public sealed record Booking(
    string BookingId,
    string AccountId,
    string ProductId,
    DateOnly Date,
    BookingType Type,
    int SeatsDelta,
    decimal AmountDelta);

/// <summary>A sales representative.</summary>
public sealed record Rep(string RepId, string Name, string Region, DateOnly HireDate, RolloutArm RolloutArm);

/// <summary>Arm of the rep-randomized rollout of the prioritizer (the A/B test).</summary>
public enum RolloutArm { Control, Treatment }

/// <summary>A rep owns an account from a date until (exclusive) another, or open-ended.</summary>
public sealed record BookAssignment(string RepId, string AccountId, DateOnly FromDate, DateOnly? ToDate);

public enum OpportunityStage { Prospecting, Qualification, Proposal, Negotiation, ClosedWon, ClosedLost }

public enum OpportunityOutcome { Open, Won, Lost }

/// <summary>A sales opportunity. DeclaredStage is what the rep says; the stage history says what happened.</summary>
public sealed record Opportunity(
    string OpportunityId,
    string AccountId,
    string RepId,
    string ProductId,
    decimal Amount,
    DateOnly CreatedDate,
    DateOnly? CloseDate,
    int ActivityCount,
    int ContactsInvolved,
    string ContactTitles,
    OpportunityStage DeclaredStage,
    OpportunityOutcome Outcome);

/// <summary>An opportunity entered a stage on a date.</summary>
public readonly record struct StageChange(string OpportunityId, OpportunityStage Stage, DateOnly EnteredDate);

/// <summary>What happened on an opportunity on a day: an email, a meeting, a demo, a proposal sent, or a contact
/// from the customer joining the deal (with their title).</summary>
public enum ActivityType { Email, Meeting, Demo, Proposal, ContactJoined }

/// <summary>One dated event on an opportunity. ContactTitle is set for <see cref="ActivityType.ContactJoined"/> only.</summary>
public sealed record OpportunityActivity(string ActivityId, string OpportunityId, DateOnly Date, ActivityType Type, string? ContactTitle);

/// <summary>An action taken on an account (offer, call, training...) and whether it worked. Value is the immediate
/// value of a response; Propensity is the probability the logging policy gave this action in this context (null when
/// the log does not record it); LongTermValue is the change in the account's value over the following months that
/// the action caused (null when unknown).</summary>
public sealed record ActionLogEntry(
    string ActionId,
    string AccountId,
    DateOnly Date,
    string Action,
    bool Responded,
    decimal Value,
    double? Propensity = null,
    decimal? LongTermValue = null);

/// <summary>One purchase on a day (an order or invoice line), kept beside the monthly <see cref="SpendRecord"/> sums
/// because repeat-purchase models (BG/NBD, Pareto/NBD) need purchase dates, not monthly totals. Optional table.
/// Order lines may carry the quantity, the discount (as the export states it, e.g. a fraction 0.2) and the line's
/// profit (margin for lifetime value); null when the source had none.</summary>
public readonly record struct TransactionRecord(string TransactionId, string AccountId, string ProductId, DateOnly Date, decimal Amount,
    decimal? Quantity = null, double? Discount = null, decimal? Profit = null);
