namespace Workbench.Domain;

// What the generator planted, written to truth/ beside the data. Every stage is measured
// against it: AUC vs oracle AUC, narrative reason vs dominant driver, clusters vs segments, ...

/// <summary>Observable causes the generator uses for upsell and churn. Names match feature concept groups.</summary>
public enum Driver
{
    None,
    UtilizationTrend,
    HeadcountGrowth,
    Engagement,
    SupportLoad,
    ChampionChange,
    PriceChange,
    Segment,
}

/// <summary>True monthly hazards for one account-product: the probability that an upsell (or churn)
/// booking happens in that month, and the driver that contributed most to each.</summary>
public readonly record struct TrueRisk(
    string AccountId,
    string ProductId,
    DateOnly Month,
    double PUpsell,
    double PChurn,
    Driver UpsellDriver,
    Driver ChurnDriver);

public sealed record TrueSegment(string AccountId, int Segment, string SegmentName);

public sealed record TrueRepSkill(string RepId, int Segment, double WinRate);

/// <summary>How many stages ahead (positive) or behind a rep declares relative to the truth.</summary>
public sealed record TrueRepBias(string RepId, double StageBias);

/// <summary>An opportunity's true stage and true win probability at the start of one week of its life
/// (weeks counted from the created date): what a perfect observer of the generator would say that day.</summary>
public readonly record struct TrueOpportunityWeek(string OpportunityId, DateOnly WeekStart, OpportunityStage TrueStage, double WinProbability);

public sealed record TrueActionResponse(string Action, int Segment, double ResponseRate);

/// <summary>For one logged decision (ActionId of actions.csv) and one candidate action: the planted response rate in
/// that account's state, the expected immediate value (response rate x value of a response) and the expected
/// long-term value (immediate value plus the change in revenue over the following months caused by the action's
/// churn/upsell hazard multipliers and price cut), all relative to taking no action. The true value of any policy on
/// the logged decisions is the mean, over decisions, of ExpectedValue at the action the policy picks. LoggingPropensity is
/// the probability the logging policy gave the action in that context (the logging policy's own value needs all of them).</summary>
public readonly record struct TrueActionValue(string ActionId, string Action, double LoggingPropensity, double ResponseRate, double ExpectedImmediate, double ExpectedValue);

/// <summary>The rep-randomized rollout: treatment reps' renewal bookings are multiplied by (1 + Uplift)
/// from StartMonth on.</summary>
public sealed record TrueRolloutEffect(DateOnly StartMonth, double Uplift);

public sealed record GeneratorManifest(int Seed, int Accounts, int Months, DateOnly FirstMonth, int Segments, string GeneratorVersion);

public sealed record PlantedTruth
{
    public required GeneratorManifest Manifest { get; init; }
    public IReadOnlyList<TrueRisk> Risks { get; init; } = [];
    public IReadOnlyList<TrueSegment> Segments { get; init; } = [];
    public IReadOnlyList<TrueRepSkill> RepSkills { get; init; } = [];
    public IReadOnlyList<TrueRepBias> RepBiases { get; init; } = [];
    public IReadOnlyList<TrueActionResponse> ActionResponses { get; init; } = [];
    public IReadOnlyList<TrueActionValue> ActionValues { get; init; } = [];
    public IReadOnlyList<TrueOpportunityWeek> OpportunityWeeks { get; init; } = [];
    public required TrueRolloutEffect Rollout { get; init; }
}
