namespace Workbench.Analytics.Pipeline;

/// <summary>Why a snapshot was taken: a weekly look (created date + whole weeks) or the day after the rep recorded a stage change.</summary>
public enum SnapshotKind { Weekly, StageChange, Requested }

/// <summary>One point-in-time look at an opportunity: its features read only data dated strictly before <see cref="AsOf"/>.</summary>
public sealed record OpportunitySnapshot(int Opportunity, string OpportunityId, string RepId, DateOnly AsOf, SnapshotKind Kind);

/// <summary>Feature rows of opportunity snapshots (row-major floats, NaN = unknown) with the registry describing every column.</summary>
public sealed class OpportunityFeatureTable
{
    internal OpportunityFeatureTable(IReadOnlyList<OpportunitySnapshot> snapshots, float[] values, FeatureRegistry registry)
        => (Snapshots, Values, Registry) = (snapshots, values, registry);

    public IReadOnlyList<OpportunitySnapshot> Snapshots { get; }
    public float[] Values { get; }
    public FeatureRegistry Registry { get; }
    public int RowCount => Snapshots.Count;
    public int ColumnCount => Registry.Definitions.Count;
    public ReadOnlySpan<float> Row(int i) => Values.AsSpan(i * ColumnCount, ColumnCount);
    public float Value(int row, string feature) => Values[row * ColumnCount + OpportunityFeatures.Index(feature)];
}

/// <summary>
/// Point-in-time features of an opportunity at an as-of date, from data dated strictly before it only: the deal's age,
/// the stage the rep had recorded and how long it has sat there against the median of won deals in that stage, activity
/// counts and recency by type, contacts and their seniority parsed from titles, the amount against the account's
/// run-rate, and the rep's and the segment's win rates on deals closed before the date, shrunk toward the overall rate.
/// </summary>
public static class OpportunityFeatures
{
    public const string Age = "age_days", RecordedStage = "recorded_stage", DaysInStage = "days_in_recorded_stage",
        StageDaysVsWonMedian = "stage_days_vs_won_median", DaysToReachStage = "days_to_reach_stage", StagePace = "stage_pace", Emails = "emails", Meetings = "meetings", Demos = "demos",
        Proposals = "proposals", Emails30 = "emails_30d", Meetings30 = "meetings_30d", MeetingsPerWeek = "meetings_per_week",
        EmailsPerWeek = "emails_per_week", DaysSinceMeeting = "days_since_last_meeting", DaysSinceActivity = "days_since_last_activity",
        Contacts = "contacts", SeniorContacts = "senior_contacts", SeniorShare = "senior_contact_share", TopSeniority = "top_seniority",
        AmountVsRunRate = "amount_vs_run_rate", LogAmount = "log10_amount", RepWinRate = "rep_prior_win_rate",
        SegmentWinRate = "segment_prior_win_rate", StageChanges = "recorded_stage_changes", AgeVsFirstChange = "age_vs_first_stage_change",
        RepSegmentWinRate = "rep_segment_prior_win_rate", AgeVsProposal = "age_vs_proposal_age", DaysSinceProposal = "days_since_proposal", ChangesSinceProposal = "stage_changes_since_proposal";

    /// <summary>Concept groups of opportunity features (reasons merge features of one group).</summary>
    public static class Concepts
    {
        public const string DealAge = "DealAge", StageProgress = "StageProgress", Meetings = "Meetings", Emails = "Emails",
            Demos = "Demos", Proposals = "Proposals", Contacts = "Contacts", DealSize = "DealSize", RepTrackRecord = "RepTrackRecord",
            SegmentTrackRecord = "SegmentTrackRecord";
    }

    static FeatureDefinition F(string name, string concept, string description, string unit, BetterDirection better, string template) =>
        new(name, concept, description, unit, better, template);

    /// <summary>Every opportunity feature with a plain-language description, unit and the direction that favours a win.</summary>
    public static readonly FeatureRegistry Registry = new(
    [
        F(Age, Concepts.DealAge, "Days since the opportunity was created", "days", BetterDirection.Neutral, "The deal is {value} old"),
        F(RecordedStage, Concepts.StageProgress, "Stage the rep had recorded (0 prospecting, 1 qualification, 2 proposal, 3 negotiation)", "stage", BetterDirection.Higher, "Recorded at stage {value}"),
        F(DaysInStage, Concepts.StageProgress, "Days since the rep recorded the current stage", "days", BetterDirection.Lower, "{value} in the recorded stage"),
        F(StageDaysVsWonMedian, Concepts.StageProgress, "Days in the recorded stage minus the median days won deals spent in that stage (deals closed before the date)", "days", BetterDirection.Lower, "{value} against the won-deal median for the stage"),
        F(DaysToReachStage, Concepts.StageProgress, "Days from creation until the rep recorded the current stage", "days", BetterDirection.Neutral, "the stage was reached after {value}"),
        F(StagePace, Concepts.StageProgress, "Days in the recorded stage over the days it took to reach it (how long the deal has sat, relative to its own pace)", "ratio", BetterDirection.Lower, "{value} the time it took to get there spent in the stage"),
        F(Emails, Concepts.Emails, "Emails exchanged on the deal so far", "count", BetterDirection.Higher, "{value} emails so far"),
        F(Meetings, Concepts.Meetings, "Meetings held on the deal so far", "count", BetterDirection.Higher, "{value} meetings so far"),
        F(Demos, Concepts.Demos, "Product demos given so far", "count", BetterDirection.Higher, "{value} demos so far"),
        F(Proposals, Concepts.Proposals, "Proposals sent so far", "count", BetterDirection.Higher, "{value} proposals sent"),
        F(Emails30, Concepts.Emails, "Emails in the last 30 days", "count", BetterDirection.Higher, "{value} emails in the last 30 days"),
        F(Meetings30, Concepts.Meetings, "Meetings in the last 30 days", "count", BetterDirection.Higher, "{value} meetings in the last 30 days"),
        F(MeetingsPerWeek, Concepts.Meetings, "Meetings per week of the deal's life", "per week", BetterDirection.Higher, "{value} meetings a week"),
        F(EmailsPerWeek, Concepts.Emails, "Emails per week of the deal's life", "per week", BetterDirection.Higher, "{value} emails a week"),
        F(DaysSinceMeeting, Concepts.Meetings, "Days since the last meeting (unknown when none yet)", "days", BetterDirection.Lower, "last meeting {value} ago"),
        F(DaysSinceActivity, Concepts.Emails, "Days since the last email, meeting, demo or proposal", "days", BetterDirection.Lower, "last activity {value} ago"),
        F(Contacts, Concepts.Contacts, "Customer contacts involved so far", "count", BetterDirection.Higher, "{value} contacts involved"),
        F(SeniorContacts, Concepts.Contacts, "Contacts with an executive title (C-level, VP, president)", "count", BetterDirection.Higher, "{value} executives involved"),
        F(SeniorShare, Concepts.Contacts, "Share of the contacts with an executive title", "share", BetterDirection.Higher, "{value} of the contacts are executives"),
        F(TopSeniority, Concepts.Contacts, "Most senior title involved (0 staff, 1 manager or lead, 2 director or head, 3 executive)", "level", BetterDirection.Higher, "the most senior contact is at level {value}"),
        F(AmountVsRunRate, Concepts.DealSize, "Deal amount over the account's annual run-rate (last 3 billed months x 12)", "ratio", BetterDirection.Lower, "the deal is {value} of the account's annual spend"),
        F(LogAmount, Concepts.DealSize, "Deal amount, log10", "log10", BetterDirection.Neutral, "deal size 10^{value}"),
        F(RepWinRate, Concepts.RepTrackRecord, "The rep's win rate on deals closed before the date, shrunk toward the overall rate", "share", BetterDirection.Higher, "the rep wins {value} of their deals"),
        F(SegmentWinRate, Concepts.SegmentTrackRecord, "Win rate of deals with accounts of the same revenue band closed before the date, shrunk toward the overall rate", "share", BetterDirection.Higher, "deals in this revenue band win {value}"),
        F(RepSegmentWinRate, Concepts.RepTrackRecord, "The rep's win rate with accounts of the same revenue band on deals closed before the date, shrunk toward the rep's own rate", "share", BetterDirection.Higher, "the rep wins {value} of their deals in this revenue band"),
        F(StageChanges, Concepts.StageProgress, "Stage changes the rep has recorded so far (the first recorded stage included)", "count", BetterDirection.Higher, "{value} stage changes recorded"),
        F(AgeVsFirstChange, Concepts.StageProgress, "The deal's age over its age at the first recorded stage change after creation (how far past its own early pace it is)", "ratio", BetterDirection.Lower, "the deal is {value} as old as when its stage first moved"),
        F(AgeVsProposal, Concepts.Proposals, "The deal's age over its age when the first proposal went out", "ratio", BetterDirection.Lower, "the deal is {value} as old as when the proposal went out"),
        F(DaysSinceProposal, Concepts.Proposals, "Days since the first proposal went out (unknown when none yet)", "days", BetterDirection.Lower, "the proposal went out {value} ago"),
        F(ChangesSinceProposal, Concepts.StageProgress, "Stage changes recorded after the first proposal went out (unknown when none yet)", "count", BetterDirection.Higher, "{value} stage changes since the proposal"),
        .. AccountHealth.Definitions,
    ]);

    /// <summary>
    /// The account's own health features from the prioritizer's feature catalog (account-level ones only, no product or
    /// category codes), computed by the same feature context at the snapshot's month: months before the month holding the
    /// as-of date, so everything they read ended before it.
    /// </summary>
    public static class AccountHealth
    {
        public static readonly IReadOnlyList<string> Names =
        [
            "account_spend_mean_3m", "account_products_active", "meetings_3m", "meetings_12m", "emails_3m", "trainings_6m",
            "survey_score_last", "tickets_3m", "ticket_severity_3m", "champion_change_6m", "account_tenure_months", "employees_log",
        ];

        internal static readonly FeatureCatalog.Spec[] Specs = Names.Select(n => FeatureCatalog.All.FirstOrDefault(s => s.Definition.Name == n)
            ?? throw new InvalidOperationException($"The account feature '{n}' is not in the feature catalog.")).ToArray();

        /// <summary>The catalog's definitions, described as the account's as of the snapshot.</summary>
        public static IEnumerable<FeatureDefinition> Definitions => Specs.Select(s => s.Definition with
        {
            Description = s.Definition.Description + " (the deal's account, months before the snapshot's month)",
        });
    }

    static readonly Dictionary<string, int> IndexOf = Registry.Definitions.Select((d, i) => (d.Name, i)).ToDictionary(x => x.Name, x => x.i);

    /// <summary>Column of a feature.</summary>
    public static int Index(string feature) => IndexOf.TryGetValue(feature, out int i) ? i
        : throw new KeyNotFoundException($"'{feature}' is not an opportunity feature.");

    /// <summary>Seniority of a contact title: 3 executive (chief, C-level acronym, VP, president), 2 director or head,
    /// 1 manager or lead, 0 anything else.</summary>
    public static int Seniority(string? title)
    {
        if (string.IsNullOrWhiteSpace(title)) return 0;
        var t = title.Trim();
        var words = t.Split([' ', '-', ',', '/', '&'], StringSplitOptions.RemoveEmptyEntries);
        foreach (var w in words)
        {
            if (w.Length is 3 or 4 && w[0] == 'C' && w[^1] == 'O' && w.All(char.IsUpper)) return 3; // CIO, CTO, CFO, CMO...
            var lw = w.ToLowerInvariant();
            if (lw is "chief" or "vp" or "svp" or "evp" or "president" || lw.StartsWith("vice", StringComparison.Ordinal)) return 3;
        }
        foreach (var w in words)
        {
            var lw = w.ToLowerInvariant();
            if (lw is "director" or "head") return 2;
        }
        foreach (var w in words)
        {
            var lw = w.ToLowerInvariant();
            if (lw is "manager" or "lead" or "supervisor") return 1;
        }
        return 0;
    }
}
