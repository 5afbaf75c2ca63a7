namespace Workbench.Analytics.Pipeline;

/// <summary>
/// Builds opportunity snapshots and their point-in-time features. Weekly snapshots fall on the created date plus whole
/// weeks (the same days as the planted weekly truth); stage-change snapshots fall on the day after each recorded stage
/// change, the first day the change is in the past. A deal is snapshotted while open: after its created date and
/// before its close date (or up to the data's last day).
/// </summary>
public static class OpportunitySnapshots
{
    /// <summary>Weekly and stage-change snapshots of every opportunity (in opportunity order, then date).</summary>
    public static IReadOnlyList<OpportunitySnapshot> All(PipelineIndex index, bool stageChanges = true)
    {
        ArgumentNullException.ThrowIfNull(index);
        var list = new List<OpportunitySnapshot>();
        for (int i = 0; i < index.Opps.Length; i++)
        {
            var o = index.Opps[i];
            var until = index.OpenUntil(i);
            var dates = new SortedDictionary<DateOnly, SnapshotKind>();
            for (var d = o.CreatedDate.AddDays(7); d <= until; d = d.AddDays(7)) dates[d] = SnapshotKind.Weekly;
            if (stageChanges)
                foreach (var (date, stage) in index.Stages[i])
                {
                    var d = date.AddDays(1);
                    if (stage <= OpportunityStage.Negotiation && d > o.CreatedDate && d <= until) dates.TryAdd(d, SnapshotKind.StageChange);
                }
            foreach (var (d, kind) in dates) list.Add(new OpportunitySnapshot(i, o.OpportunityId, o.RepId, d, kind));
        }
        return list;
    }

    /// <summary>One snapshot per deal open on <paramref name="asOf"/>.</summary>
    public static IReadOnlyList<OpportunitySnapshot> OpenOn(PipelineIndex index, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(index);
        var list = new List<OpportunitySnapshot>();
        for (int i = 0; i < index.Opps.Length; i++)
            if (index.IsOpenOn(i, asOf)) list.Add(new OpportunitySnapshot(i, index.Opps[i].OpportunityId, index.Opps[i].RepId, asOf, SnapshotKind.Requested));
        return list;
    }

    /// <summary>Computes the features of every snapshot from data dated strictly before its as-of date.</summary>
    public static OpportunityFeatureTable Features(PipelineIndex index, IReadOnlyList<OpportunitySnapshot> snapshots, OpportunityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(snapshots);
        options ??= new OpportunityOptions();
        var reg = OpportunityFeatures.Registry;
        int d = reg.Definitions.Count;
        var values = new float[snapshots.Count * d];
        var history = new TrackRecord(index, options.PriorStrength);
        var wonMedians = new WonStageMedians(index);
        Parallel.For(0, snapshots.Count, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, r =>
            Fill(index, snapshots[r], values.AsSpan(r * d, d), history, wonMedians));
        return new OpportunityFeatureTable(snapshots, values, reg);
    }

    static void Fill(PipelineIndex index, OpportunitySnapshot s, Span<float> row, TrackRecord history, WonStageMedians medians)
    {
        var o = index.Opps[s.Opportunity];
        var t = s.AsOf;
        int age = t.DayNumber - o.CreatedDate.DayNumber;
        row[OpportunityFeatures.Index(OpportunityFeatures.Age)] = age;

        int stage = index.RecordedStageBefore(s.Opportunity, t, out var since);
        row[OpportunityFeatures.Index(OpportunityFeatures.RecordedStage)] = stage < 0 ? float.NaN : stage;
        int inStage = stage < 0 ? -1 : t.DayNumber - since.DayNumber;
        row[OpportunityFeatures.Index(OpportunityFeatures.DaysInStage)] = stage < 0 ? float.NaN : inStage;
        double median = stage < 0 ? double.NaN : medians.Median(stage, t);
        row[OpportunityFeatures.Index(OpportunityFeatures.StageDaysVsWonMedian)] = double.IsNaN(median) ? float.NaN : (float)(inStage - median);
        int reach = stage < 0 ? -1 : since.DayNumber - o.CreatedDate.DayNumber;
        row[OpportunityFeatures.Index(OpportunityFeatures.DaysToReachStage)] = stage < 0 ? float.NaN : reach;
        row[OpportunityFeatures.Index(OpportunityFeatures.StagePace)] = stage < 0 ? float.NaN : (float)(inStage / Math.Max(1.0, reach));

        // Stage changes so far, the age at the first one after creation, and those after the first proposal.
        int changes = 0, firstChangeAge = -1;
        foreach (var (date, st) in index.Stages[s.Opportunity])
        {
            if (date >= t) break;
            if (st > OpportunityStage.Negotiation) continue;
            changes++;
            if (firstChangeAge < 0 && date > o.CreatedDate) firstChangeAge = date.DayNumber - o.CreatedDate.DayNumber;
        }
        row[OpportunityFeatures.Index(OpportunityFeatures.StageChanges)] = changes;
        row[OpportunityFeatures.Index(OpportunityFeatures.AgeVsFirstChange)] = firstChangeAge <= 0 ? float.NaN : (float)((double)age / firstChangeAge);

        int emails = 0, meetings = 0, demos = 0, proposals = 0, emails30 = 0, meetings30 = 0, contacts = 0, senior = 0, top = -1;
        int lastMeeting = -1, lastActivity = -1;
        DateOnly firstProposal = default;
        int cutoff30 = t.DayNumber - 30;
        foreach (var (date, type, seniority) in index.Activities[s.Opportunity])
        {
            if (date >= t) break;
            int day = date.DayNumber;
            switch (type)
            {
                case ActivityType.Email: emails++; if (day >= cutoff30) emails30++; break;
                case ActivityType.Meeting: meetings++; if (day >= cutoff30) meetings30++; lastMeeting = day; break;
                case ActivityType.Demo: demos++; break;
                case ActivityType.Proposal: if (proposals++ == 0) firstProposal = date; break;
                case ActivityType.ContactJoined:
                    contacts++; if (seniority == 3) senior++; top = Math.Max(top, seniority); break;
            }
            if (type != ActivityType.ContactJoined) lastActivity = day;
        }
        double weeks = Math.Max(1.0, age / 7.0);
        row[OpportunityFeatures.Index(OpportunityFeatures.Emails)] = emails;
        row[OpportunityFeatures.Index(OpportunityFeatures.Meetings)] = meetings;
        row[OpportunityFeatures.Index(OpportunityFeatures.Demos)] = demos;
        row[OpportunityFeatures.Index(OpportunityFeatures.Proposals)] = proposals;
        row[OpportunityFeatures.Index(OpportunityFeatures.Emails30)] = emails30;
        row[OpportunityFeatures.Index(OpportunityFeatures.Meetings30)] = meetings30;
        row[OpportunityFeatures.Index(OpportunityFeatures.MeetingsPerWeek)] = (float)(meetings / weeks);
        row[OpportunityFeatures.Index(OpportunityFeatures.EmailsPerWeek)] = (float)(emails / weeks);
        row[OpportunityFeatures.Index(OpportunityFeatures.DaysSinceMeeting)] = lastMeeting < 0 ? float.NaN : t.DayNumber - lastMeeting;
        row[OpportunityFeatures.Index(OpportunityFeatures.DaysSinceActivity)] = lastActivity < 0 ? float.NaN : t.DayNumber - lastActivity;
        row[OpportunityFeatures.Index(OpportunityFeatures.Contacts)] = contacts;
        row[OpportunityFeatures.Index(OpportunityFeatures.SeniorContacts)] = senior;
        row[OpportunityFeatures.Index(OpportunityFeatures.SeniorShare)] = contacts == 0 ? float.NaN : (float)senior / contacts;
        row[OpportunityFeatures.Index(OpportunityFeatures.TopSeniority)] = top < 0 ? float.NaN : top;

        if (proposals > 0)
        {
            int proposalAge = firstProposal.DayNumber - o.CreatedDate.DayNumber;
            row[OpportunityFeatures.Index(OpportunityFeatures.AgeVsProposal)] = proposalAge <= 0 ? float.NaN : (float)((double)age / proposalAge);
            row[OpportunityFeatures.Index(OpportunityFeatures.DaysSinceProposal)] = t.DayNumber - firstProposal.DayNumber;
            int after = 0;
            foreach (var (date, st) in index.Stages[s.Opportunity])
            {
                if (date >= t) break;
                if (st <= OpportunityStage.Negotiation && date > firstProposal) after++;
            }
            row[OpportunityFeatures.Index(OpportunityFeatures.ChangesSinceProposal)] = after;
        }
        else
        {
            row[OpportunityFeatures.Index(OpportunityFeatures.AgeVsProposal)] = float.NaN;
            row[OpportunityFeatures.Index(OpportunityFeatures.DaysSinceProposal)] = float.NaN;
            row[OpportunityFeatures.Index(OpportunityFeatures.ChangesSinceProposal)] = float.NaN;
        }

        // The account's health, as the prioritizer computes it, at the month holding the as-of date (months before it only).
        AccountHealth(index, s.Opportunity, t, row);

        // Run-rate: the last three billed months that ended before the as-of date.
        double runRate = double.NaN;
        if (index.SpendByAccount.TryGetValue(o.AccountId, out var spend))
        {
            double sum = 0; int n = 0;
            for (int k = spend.Length - 1; k >= 0 && n < 3; k--)
                if (spend[k].Month.AddMonths(1) <= t) { sum += spend[k].Amount; n++; }
            if (n > 0) runRate = sum / n * 12;
        }
        row[OpportunityFeatures.Index(OpportunityFeatures.AmountVsRunRate)] = runRate > 0 ? (float)((double)o.Amount / runRate) : float.NaN;
        row[OpportunityFeatures.Index(OpportunityFeatures.LogAmount)] = (float)Math.Log10(1 + (double)o.Amount);
        row[OpportunityFeatures.Index(OpportunityFeatures.RepWinRate)] = (float)history.RepRate(o.RepId, t);
        var band = index.SegmentOfAccount.GetValueOrDefault(o.AccountId, "");
        row[OpportunityFeatures.Index(OpportunityFeatures.SegmentWinRate)] = (float)history.SegmentRate(band, t);
        row[OpportunityFeatures.Index(OpportunityFeatures.RepSegmentWinRate)] = (float)history.RepSegmentRate(o.RepId, band, t);
    }

    static readonly int AccountHealthColumn = OpportunityFeatures.Index(OpportunityFeatures.AccountHealth.Names[0]);

    static void AccountHealth(PipelineIndex index, int opp, DateOnly asOf, Span<float> row)
    {
        var specs = OpportunityFeatures.AccountHealth.Specs;
        var cells = row.Slice(AccountHealthColumn, specs.Length);
        int account = index.AccountOfOpp[opp];
        if (index.Panel is not { } panel || index.AccountFeatures is not { } builder || account < 0) { cells.Fill(float.NaN); return; }
        // Months [.., t) ended before the first day of the as-of date's month; beyond the panel's end the window stops there.
        int t = Math.Clamp(panel.MonthIndexOf(new DateOnly(asOf.Year, asOf.Month, 1)), 0, panel.Months);
        var ctx = new Workbench.Analytics.Features.FeatureContext(builder, panel, -1, account, t); // account-level features: no product pair
        for (int j = 0; j < specs.Length; j++) cells[j] = (float)specs[j].Compute(ctx);
    }

    /// <summary>Win rates on deals closed before a date, per rep and per segment, shrunk toward the overall rate:
    /// (wins + k x overall) / (deals + k).</summary>
    sealed class TrackRecord
    {
        readonly PipelineIndex _index;
        readonly double _k;
        readonly int[] _cumWins;
        readonly Dictionary<string, (DateOnly[] Dates, int[] CumWins)> _byRep, _bySegment, _byRepSegment;

        public TrackRecord(PipelineIndex index, double strength)
        {
            _index = index; _k = strength;
            var closed = index.ClosedByDate;
            _cumWins = new int[closed.Length + 1];
            for (int j = 0; j < closed.Length; j++) _cumWins[j + 1] = _cumWins[j] + (index.Opps[closed[j]].Outcome == OpportunityOutcome.Won ? 1 : 0);
            _byRep = Group(index, o => o.RepId);
            _bySegment = Group(index, o => index.SegmentOfAccount.GetValueOrDefault(o.AccountId, ""));
            _byRepSegment = Group(index, o => RepSegmentKey(o.RepId, index.SegmentOfAccount.GetValueOrDefault(o.AccountId, "")));
        }

        static Dictionary<string, (DateOnly[], int[])> Group(PipelineIndex index, Func<Opportunity, string> key) =>
            index.ClosedByDate.GroupBy(i => key(index.Opps[i]), StringComparer.Ordinal).ToDictionary(g => g.Key, g =>
            {
                var ids = g.ToArray(); // already in close-date order
                var cum = new int[ids.Length + 1];
                for (int j = 0; j < ids.Length; j++) cum[j + 1] = cum[j] + (index.Opps[ids[j]].Outcome == OpportunityOutcome.Won ? 1 : 0);
                return (ids.Select(i => index.Opps[i].CloseDate!.Value).ToArray(), cum);
            }, StringComparer.Ordinal);

        /// <summary>Number of dates strictly before <paramref name="t"/>.</summary>
        static int CountBefore(DateOnly[] dates, DateOnly t)
        {
            int lo = 0, hi = dates.Length;
            while (lo < hi) { int mid = (lo + hi) >>> 1; if (dates[mid] < t) lo = mid + 1; else hi = mid; }
            return lo;
        }

        double Overall(DateOnly t)
        {
            int n = CountBefore(_index.CloseDates, t);
            return n == 0 ? 0.5 : (_cumWins[n] + 1.0) / (n + 2.0);
        }

        static string RepSegmentKey(string rep, string segment) => rep + "\u0001" + segment;

        double Rate(Dictionary<string, (DateOnly[] Dates, int[] CumWins)> groups, string key, DateOnly t, double? prior = null)
        {
            double overall = prior ?? Overall(t);
            if (!groups.TryGetValue(key, out var g)) return overall;
            int n = CountBefore(g.Dates, t);
            return (g.CumWins[n] + _k * overall) / (n + _k);
        }

        public double RepRate(string rep, DateOnly t) => Rate(_byRep, rep, t);
        public double SegmentRate(string segment, DateOnly t) => Rate(_bySegment, segment, t);
        /// <summary>The rep's win rate with accounts of one revenue band, shrunk toward the rep's own rate.</summary>
        public double RepSegmentRate(string rep, string segment, DateOnly t) => Rate(_byRepSegment, RepSegmentKey(rep, segment), t, RepRate(rep, t));
    }

    /// <summary>Median days won deals spent in each recorded open stage, over won deals closed before a date
    /// (cached per month: the medians of the month's first day, which is on or before any date in the month).</summary>
    sealed class WonStageMedians
    {
        readonly (DateOnly Close, int Stage, int Days)[] _spells;
        readonly System.Collections.Concurrent.ConcurrentDictionary<DateOnly, double[]> _cache = new();

        public WonStageMedians(PipelineIndex index)
        {
            var spells = new List<(DateOnly, int, int)>();
            foreach (int i in index.ClosedByDate)
            {
                var o = index.Opps[i];
                if (o.Outcome != OpportunityOutcome.Won) continue;
                var st = index.Stages[i];
                for (int k = 0; k < st.Length; k++)
                {
                    if (st[k].Stage > OpportunityStage.Negotiation) continue;
                    var next = k + 1 < st.Length ? st[k + 1].Date : o.CloseDate!.Value;
                    spells.Add((o.CloseDate!.Value, (int)st[k].Stage, next.DayNumber - st[k].Date.DayNumber));
                }
            }
            _spells = spells.ToArray();
        }

        public double Median(int stage, DateOnly t)
        {
            var month = new DateOnly(t.Year, t.Month, 1);
            var medians = _cache.GetOrAdd(month, m =>
            {
                var result = new double[4];
                for (int s = 0; s < 4; s++)
                {
                    var days = _spells.Where(x => x.Stage == s && x.Close < m).Select(x => (double)x.Days).OrderBy(x => x).ToArray();
                    result[s] = days.Length < 5 ? double.NaN : days.Length % 2 == 1 ? days[days.Length / 2] : (days[days.Length / 2 - 1] + days[days.Length / 2]) / 2;
                }
                return result;
            });
            return medians[stage];
        }
    }
}
