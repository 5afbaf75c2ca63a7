namespace Workbench.Analytics.Scoring;

/// <summary>One month of an account's history: spend summed over its products and active users summed over its products
/// (null when no usage was reported that month).</summary>
public sealed record HistoryPoint(DateOnly Month, double Spend, double? ActiveUsers);

/// <summary>An open opportunity on the account at the as-of date.</summary>
public sealed record OpenOpportunity(string OpportunityId, string ProductName, string Stage, double Amount, DateOnly CreatedDate);

/// <summary>What a rep needs beside the scores: the last months of spend and usage, the next renewal, the last touchpoint
/// and the open opportunities, all read from data dated before the as-of date.</summary>
public sealed record AccountContext(
    IReadOnlyList<HistoryPoint> History, DateOnly? RenewalDate, string? RenewalProduct, DateOnly? LastActivity, string? LastActivityType,
    IReadOnlyList<OpenOpportunity> OpenOpportunities)
{
    public static readonly AccountContext Empty = new([], null, null, null, null, []);

    /// <summary>Months of history kept per account.</summary>
    public const int HistoryMonths = 12;

    /// <summary>Builds the context of every account in <paramref name="accountIds"/> as of <paramref name="asOf"/> (first of a month).</summary>
    public static IReadOnlyDictionary<string, AccountContext> Build(CrmDataset data, DateOnly asOf, IReadOnlyCollection<string> accountIds, Func<string, string> productName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var wanted = new HashSet<string>(accountIds, StringComparer.Ordinal);
        var first = asOf.AddMonths(-HistoryMonths);
        // A load that kept only the recent months of usage (scoring's) must have kept the history's months.
        if (data.EarlyFacts is { SummarizedRows: > 0 } early && early.Cutoff > first)
            throw new InvalidOperationException($"The usage rows before {early.Cutoff:yyyy-MM-dd} were summarized when the data was loaded " +
                $"(LoadOptions.KeepRecentMonths); the accounts' history from {first:yyyy-MM-dd} needs them: load every row.");
        // Spend and active users per wanted account and history month, summed in the data's row order (the same sums as a
        // map keyed by account and month, without a tuple key hashed per row: this reads every spend and usage row). Only
        // rows dated exactly on a history month's first day count, as with that map.
        var index = new Dictionary<string, int>(wanted.Count, StringComparer.Ordinal);
        foreach (var id in wanted) index[id] = index.Count;
        var spend = new double[index.Count * HistoryMonths];
        var users = new double[index.Count * HistoryMonths];
        var hasUsers = new bool[index.Count * HistoryMonths];
        string? lastId = null; int lastIndex = -1;
        // Fact rows come grouped by account: remember the last id's index (-1: not a wanted account).
        int IndexOf(string accountId)
        {
            if (!ReferenceEquals(accountId, lastId)) { lastIndex = index.TryGetValue(accountId, out int i) ? i : -1; lastId = accountId; }
            return lastIndex;
        }
        int Slot(string accountId, DateOnly month)
        {
            if (month.Day != 1 || month < first || month >= asOf) return -1;
            int a = IndexOf(accountId);
            return a < 0 ? -1 : a * HistoryMonths + (month.Year - first.Year) * 12 + month.Month - first.Month;
        }
        foreach (var s in data.Spend)
            if (Slot(s.AccountId, s.Month) is int k and >= 0) spend[k] += (double)s.Amount;
        foreach (var u in data.Usage)
            if (u.ActiveUsers is int n && Slot(u.AccountId, u.Month) is int k and >= 0) { users[k] += n; hasUsers[k] = true; }
        var renewals = data.Contracts.Where(c => c.Status == ContractStatus.Active && c.RenewalDate >= asOf && c.StartDate < asOf && wanted.Contains(c.AccountId))
            .GroupBy(c => c.AccountId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(c => c.RenewalDate).ThenBy(c => c.ContractId, StringComparer.Ordinal).First(), StringComparer.Ordinal);
        // Each wanted account's latest touch (latest date, then greatest event id), by the account's index (no hash per event).
        var last = new EngagementEvent?[index.Count];
        // Touches the load summarized (before its cutoff: each account's latest one) first; any later event supersedes them.
        foreach (var e in data.EarlyFacts?.LatestTouches ?? [])
        {
            int a = e.Date < asOf ? IndexOf(e.AccountId) : -1;
            if (a >= 0 && (last[a] is not { } seen || EarlyFacts.IsLater(e, seen))) last[a] = e;
        }
        foreach (var e in data.Engagement)
        {
            if (e.Date >= asOf || !EarlyFacts.IsTouch(e.Type)) continue;
            int a = IndexOf(e.AccountId);
            if (a >= 0 && (last[a] is not { } seen || EarlyFacts.IsLater(e, seen)))
                last[a] = e;
        }
        var open = data.Opportunities.Where(o => wanted.Contains(o.AccountId) && o.CreatedDate < asOf && (o.Outcome == OpportunityOutcome.Open || o.CloseDate is null || o.CloseDate >= asOf))
            .GroupBy(o => o.AccountId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<OpenOpportunity>)g.OrderBy(o => o.CreatedDate).ThenBy(o => o.OpportunityId, StringComparer.Ordinal)
                .Select(o => new OpenOpportunity(o.OpportunityId, productName(o.ProductId), o.DeclaredStage.ToString(), (double)o.Amount, o.CreatedDate)).ToList(), StringComparer.Ordinal);
        var result = new Dictionary<string, AccountContext>(StringComparer.Ordinal);
        var months = Enumerable.Range(0, HistoryMonths).Select(i => first.AddMonths(i)).ToArray();
        foreach (var (id, a) in index)
        {
            var history = new List<HistoryPoint>(HistoryMonths);
            for (int i = 0; i < HistoryMonths; i++)
            {
                int k = a * HistoryMonths + i;
                history.Add(new HistoryPoint(months[i], spend[k], hasUsers[k] ? users[k] : null));
            }
            renewals.TryGetValue(id, out var renewal);
            var activity = last[a];
            result[id] = new AccountContext(history, renewal?.RenewalDate, renewal is null ? null : productName(renewal.ProductId),
                activity?.Date, activity?.Type.ToString().ToLowerInvariant(), open.GetValueOrDefault(id) ?? []);
        }
        return result;
    }
}

/// <summary>Next best action for an account (filled by the actions analysis when it runs; the book shows it when present).</summary>
public sealed record NextBestAction(string Action, string? Product, string Reason, double ExpectedValue);

/// <summary>Where an account stood in the previous scoring the book is compared with.</summary>
public sealed record PreviousStanding(DateOnly AsOf, string RepId, int Rank, Grade Grade, double Priority);

/// <summary>A previous scoring's standings by account id (read from its book.json by the caller).</summary>
public sealed record PreviousScoring(DateOnly AsOf, IReadOnlyDictionary<string, PreviousStanding> Accounts);

/// <summary>An account whose priority or grade changed since the previous scoring.</summary>
public sealed record Mover(ScoredAccount Account, string RepId, PreviousStanding Previous)
{
    public double Change => Account.Priority.Priority - Previous.Priority;
}

/// <summary>Compares a scoring with a previous one: each account's previous standing, the accounts newly graded A, and the
/// biggest movers by absolute change in priority.</summary>
public static class BookComparison
{
    /// <summary>The result with each account's <see cref="ScoredAccount.Previous"/> filled from <paramref name="previous"/>.</summary>
    public static ScoringResult Apply(ScoringResult result, PreviousScoring? previous)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (previous is null) return result;
        return result with
        {
            Previous = previous.AsOf,
            Books = result.Books.Select(b => b with
            {
                Accounts = b.Accounts.Select(a => a with { Previous = previous.Accounts.GetValueOrDefault(a.AccountId) }).ToList(),
            }).ToList(),
        };
    }

    /// <summary>Accounts graded A now that were not A (or not scored) in the previous scoring, highest priority first.</summary>
    public static IReadOnlyList<(ScoredAccount Account, string RepId)> NewAGrades(ScoringResult result) =>
        result.Previous is null ? [] :
        result.Books.SelectMany(b => b.Accounts.Select(a => (Account: a, b.RepId)))
            .Where(x => x.Account.Priority.Grade == Grade.A && x.Account.Previous?.Grade != Grade.A)
            .OrderByDescending(x => x.Account.Priority.Priority).ThenBy(x => x.Account.AccountId, StringComparer.Ordinal).ToList();

    /// <summary>The <paramref name="count"/> accounts whose priority changed most (either way) since the previous scoring.</summary>
    public static IReadOnlyList<Mover> Movers(ScoringResult result, int count = 10) =>
        result.Books.SelectMany(b => b.Accounts.Where(a => a.Previous is not null).Select(a => new Mover(a, b.RepId, a.Previous!)))
            .Where(m => m.Change != 0 || m.Previous.Grade != m.Account.Priority.Grade)
            .OrderByDescending(m => Math.Abs(m.Change)).ThenBy(m => m.Account.AccountId, StringComparer.Ordinal).Take(count).ToList();
}
