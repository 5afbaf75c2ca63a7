namespace Workbench.Data.Generation;

/// <summary>What the account simulation decided about one opportunity: the dates it truly entered each open stage
/// (up to <paramref name="LastOpenStage"/>), its rep (index), the end of its life (the close date, or the day after the
/// window for open deals; exclusive) and its outcome.</summary>
internal readonly record struct OpportunityPlan(DateOnly[] Entered, int LastOpenStage, int Rep, DateOnly End, OpportunityOutcome Outcome);

/// <summary>
/// The dated pipeline of every opportunity, drawn from the account's own <c>"pipeline"</c> stream (so the account's
/// other tables keep their bytes): activities week by week (emails, meetings, demos, proposals, contacts joining with
/// their titles) whose rates depend on the true stage and, planted, on whether the deal will be won; the stage
/// history as the rep recorded it (the true stage shifted by the rep's planted bias, stochastically rounded once
/// per deal); and, in truth, the true stage and the true win probability at the start of every week.
/// </summary>
/// <remarks>
/// The true win probability is the exact posterior of the generative model given everything dated before the week
/// starts except the timing of stage moves: the prior is the rep's planted win rate for the account's segment (the
/// outcome is drawn with it), the true stage reached multiplies the odds by 4/(4 - stage) (a lost deal stops at a
/// uniformly drawn open stage), and every activity count and contact title multiplies them by its likelihood ratio
/// between won and lost deals.
/// </remarks>
internal static class OpportunitySignals
{
    // Weekly rates per true open stage (prospecting, qualification, proposal, negotiation).
    static readonly double[] EmailRate = [0.8, 1.4, 1.6, 1.8];
    static readonly double[] MeetingRate = [0.15, 0.4, 0.45, 0.55];
    static readonly double[] DemoRate = [0.0, 0.3, 0.08, 0.0];
    static readonly double[] ContactRate = [0.2, 0.3, 0.25, 0.15];
    // Multipliers of the rates for deals that will be won / lost.
    const double EmailWon = 1.2, EmailLost = 0.85, MeetingWon = 1.45, MeetingLost = 0.65, DemoWon = 1.4, DemoLost = 0.7,
        ContactWon = 1.35, ContactLost = 0.75, SeniorWon = 0.45, SeniorLost = 0.2;

    /// <summary>Executive titles (C-level and VPs); the others are drawn when the joining contact is not senior.</summary>
    internal static readonly string[] SeniorTitles = ["CIO", "CTO", "CFO", "VP Sales", "VP Operations"];
    internal static readonly string[] OtherTitles = ["Operations Director", "Head of Data", "IT Manager", "Procurement Manager", "Team Lead"];

    const int Open = (int)OpportunityStage.Negotiation + 1; // number of open stages

    public static void Generate(GenerationPlan plan, int accountIndex, int segment, AccountOutput output)
    {
        var rng = Rng.For(plan.Options.Seed, "pipeline", accountIndex);
        var weeks = output.OpportunityWeeks;
        for (int k = 0; k < output.Opportunities.Count; k++)
        {
            var o = output.Opportunities[k];
            var op = output.OpportunityPlans[k];
            double prior = plan.WinRate[op.Rep][segment];
            // Open deals have no outcome yet; their signals follow the one they are headed for.
            bool won = op.Outcome == OpportunityOutcome.Won || (op.Outcome == OpportunityOutcome.Open && rng.Chance(prior));
            double bias = plan.StageBias[op.Rep];
            double floor = Math.Floor(bias);
            int shift = (int)floor + (rng.Chance(bias - floor) ? 1 : 0);

            // Recorded history: the rep's stage (true stage + shift, kept among the open stages) on the days it changes.
            int recorded = -1;
            for (int s = 0; s <= op.LastOpenStage; s++)
            {
                int r = Math.Clamp(s + shift, 0, Open - 1);
                if (r > recorded) { output.Stages.Add(new StageChange(o.OpportunityId, (OpportunityStage)r, op.Entered[s])); recorded = r; }
            }
            if (op.Outcome != OpportunityOutcome.Open)
                output.Stages.Add(new StageChange(o.OpportunityId, won ? OpportunityStage.ClosedWon : OpportunityStage.ClosedLost, op.End));

            // Week by week: the truth at the week's start (from the weeks before), then the week's activities.
            int first = output.Activities.Count;
            double logOdds = Logit(prior), evidence = 0;
            int contacts = 0;
            var titles = new List<string>(4);
            for (var start = o.CreatedDate; start < op.End; start = start.AddDays(7))
            {
                int stage = StageAt(op, start);
                double path = op.Outcome == OpportunityOutcome.Open ? 0 : PathEvidence(op, o.CreatedDate, start.DayNumber - o.CreatedDate.DayNumber, stage);
                double p = 1 / (1 + Math.Exp(-(logOdds + path + evidence)));
                weeks.Add(new TrueOpportunityWeek(o.OpportunityId, start, (OpportunityStage)stage, Math.Round(p, 4)));
                int days = Math.Min(7, op.End.DayNumber - start.DayNumber);
                double exposure = days / 7.0;
                evidence += Counts(rng, output, o.OpportunityId, start, days, ActivityType.Email, EmailRate[stage] * exposure, won, EmailWon, EmailLost);
                evidence += Counts(rng, output, o.OpportunityId, start, days, ActivityType.Meeting, MeetingRate[stage] * exposure, won, MeetingWon, MeetingLost);
                evidence += Counts(rng, output, o.OpportunityId, start, days, ActivityType.Demo, DemoRate[stage] * exposure, won, DemoWon, DemoLost);
                // Contacts: the first joins on the created day, the others at a stage-dependent rate.
                int joining = (start == o.CreatedDate ? 1 : 0) + rng.Poisson(ContactRate[stage] * exposure * (won ? ContactWon : ContactLost));
                evidence += (joining - (start == o.CreatedDate ? 1 : 0)) * Math.Log(ContactWon / ContactLost) - ContactRate[stage] * exposure * (ContactWon - ContactLost);
                for (int j = 0; j < joining; j++)
                {
                    bool senior = rng.Chance(won ? SeniorWon : SeniorLost);
                    evidence += senior ? Math.Log(SeniorWon / SeniorLost) : Math.Log((1 - SeniorWon) / (1 - SeniorLost));
                    string title = senior ? rng.Pick(SeniorTitles) : rng.Pick(OtherTitles);
                    var day = start == o.CreatedDate && j == 0 ? start : start.AddDays(rng.NextInt(days));
                    output.Activities.Add(new OpportunityActivity("", o.OpportunityId, day, ActivityType.ContactJoined, title));
                    contacts++;
                    if (!titles.Contains(title)) titles.Add(title);
                }
            }
            // A proposal goes out the day the deal truly reaches the proposal stage.
            if (op.LastOpenStage >= (int)OpportunityStage.Proposal && op.Entered[(int)OpportunityStage.Proposal] < op.End)
                output.Activities.Add(new OpportunityActivity("", o.OpportunityId, op.Entered[(int)OpportunityStage.Proposal], ActivityType.Proposal, null));

            // Date order, then numbered.
            int count = output.Activities.Count - first;
            output.Activities.Sort(first, count, ActivityOrder.Instance);
            for (int a = 0; a < count; a++)
                output.Activities[first + a] = output.Activities[first + a] with
                {
                    ActivityId = o.OpportunityId + "-V" + (a + 1).ToString("D3", CultureInfo.InvariantCulture),
                };

            // The opportunity row agrees with its activities; the declared stage is the recorded one at the last review
            // (14 days before close, or the window end for open deals).
            var review = op.Outcome == OpportunityOutcome.Open ? op.End.AddDays(-1)
                : op.End.AddDays(-14) < o.CreatedDate ? o.CreatedDate : op.End.AddDays(-14);
            int declared = Math.Clamp(StageAt(op, review) + shift, 0, Open - 1);
            output.Opportunities[k] = o with
            {
                ActivityCount = count - contacts,
                ContactsInvolved = contacts,
                // The account stream decided whether the titles are missing from the CRM export.
                ContactTitles = o.ContactTitles.Length == 0 ? "" : string.Join("; ", titles),
                DeclaredStage = (OpportunityStage)declared,
            };
        }
    }

    /// <summary>
    /// Log-likelihood ratio (won against lost) of a closed deal's true stage path up to <paramref name="age"/> days: the
    /// simulation draws the duration uniformly in [20, 100) days, enters stage s at (int)(duration x fraction[s]) days, and
    /// a lost deal stops at a uniformly drawn open stage. The path seen so far (the days each stage was entered, the
    /// current stage, still open) is summed over the durations and stopping stages consistent with it. Open deals follow
    /// the same path whatever their outcome (ratio 1).
    /// </summary>
    static double PathEvidence(in OpportunityPlan op, DateOnly created, int age, int stage)
    {
        double won = 0, lost = 0;
        for (int d = MinDuration; d < MaxDuration; d++)
        {
            if (age >= d) continue; // closed already
            bool consistent = true;
            for (int s = 1; s <= stage && consistent; s++)
                consistent = (int)(d * StageFractionsOf[s]) == op.Entered[s].DayNumber - created.DayNumber;
            if (!consistent) continue;
            bool notMovedOn = stage == Open - 1 || (int)(d * StageFractionsOf[stage + 1]) > age;
            if (notMovedOn) won += 1;
            // Lost: stopped at this stage (any later move impossible), or stops later and has not moved on yet.
            lost += 1.0 / Open + (notMovedOn ? (Open - 1 - stage) / (double)Open : 0);
        }
        if (won == 0 && lost == 0) return 0;
        if (won == 0) return -20;
        if (lost == 0) return 20;
        return Math.Log(won / lost);
    }

    // Must match AccountSimulator: durations NextInt(20, 100), stage fractions 0/15/40/70%.
    const int MinDuration = 20, MaxDuration = 100;
    static readonly double[] StageFractionsOf = [0, 0.15, 0.40, 0.70];

    /// <summary>Draws one activity type's count for a week, adds the events, returns the count's log-likelihood ratio won/lost.</summary>
    static double Counts(Rng rng, AccountOutput output, string id, DateOnly start, int days, ActivityType type,
        double rate, bool won, double wonFactor, double lostFactor)
    {
        if (rate <= 0) return 0;
        int n = rng.Poisson(rate * (won ? wonFactor : lostFactor));
        for (int i = 0; i < n; i++) output.Activities.Add(new OpportunityActivity("", id, start.AddDays(rng.NextInt(days)), type, null));
        return n * Math.Log(wonFactor / lostFactor) - rate * (wonFactor - lostFactor);
    }

    static int StageAt(in OpportunityPlan op, DateOnly date)
    {
        int stage = 0;
        for (int s = 0; s <= op.LastOpenStage; s++) if (op.Entered[s] <= date) stage = s;
        return stage;
    }

    static double Logit(double p)
    {
        p = Math.Clamp(p, 1e-6, 1 - 1e-6);
        return Math.Log(p / (1 - p));
    }

    sealed class ActivityOrder : IComparer<OpportunityActivity>
    {
        public static readonly ActivityOrder Instance = new();
        public int Compare(OpportunityActivity? x, OpportunityActivity? y)
        {
            int c = x!.Date.CompareTo(y!.Date);
            if (c != 0) return c;
            c = ((int)x.Type).CompareTo((int)y.Type);
            return c != 0 ? c : string.CompareOrdinal(x.ContactTitle, y.ContactTitle);
        }
    }
}
