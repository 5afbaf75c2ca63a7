#pragma warning disable CS1573 // records document only the parameters that need explaining

namespace Workbench.Analytics.Territory;

/// <summary>An account to place: its region, its account group and today's owner (null: nobody owns it).</summary>
public sealed record TerritoryAccount(string AccountId, string Name, string Region, int Group, string? CurrentOwner);

/// <summary>A rep who can own accounts.</summary>
public sealed record TerritoryRep(string RepId, string Name, string Region);

/// <summary>The book to plan on a date: every account with its group and current owner, and the reps.</summary>
public sealed record TerritoryBook(DateOnly PlanningDate, IReadOnlyList<TerritoryAccount> Accounts, IReadOnlyList<TerritoryRep> Reps)
{
    /// <summary>Owner of each account on <paramref name="date"/>: the book row with FromDate &lt;= date &lt; ToDate
    /// (open-ended rows have no end); the latest start wins if rows overlap.</summary>
    public static Dictionary<string, string> OwnersOn(CrmDataset data, DateOnly date)
    {
        var best = new Dictionary<string, BookAssignment>(StringComparer.Ordinal);
        foreach (var b in data.Book)
        {
            if (b.FromDate > date || (b.ToDate is { } to && to <= date)) continue;
            if (!best.TryGetValue(b.AccountId, out var cur) || b.FromDate > cur.FromDate
                || (b.FromDate == cur.FromDate && string.CompareOrdinal(b.RepId, cur.RepId) < 0)) best[b.AccountId] = b;
        }
        return best.ToDictionary(kv => kv.Key, kv => kv.Value.RepId, StringComparer.Ordinal);
    }

    /// <summary>The book of <paramref name="data"/> on <paramref name="date"/> for the given accounts (in that order) and groups.</summary>
    public static TerritoryBook From(CrmDataset data, DateOnly date, IReadOnlyList<string> accountIds, IReadOnlyList<int> groups)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (accountIds.Count != groups.Count) throw new OptionsValidationException($"{accountIds.Count} accounts but {groups.Count} groups.");
        var owners = OwnersOn(data, date);
        var byId = data.Accounts.ToDictionary(a => a.AccountId, StringComparer.Ordinal);
        var repIds = data.Reps.Select(r => r.RepId).ToHashSet(StringComparer.Ordinal);
        var accounts = new TerritoryAccount[accountIds.Count];
        for (int i = 0; i < accounts.Length; i++)
        {
            var a = byId.TryGetValue(accountIds[i], out var acc) ? acc : throw new WorkbenchException($"Account '{accountIds[i]}' is not in the accounts table.");
            string? owner = owners.TryGetValue(a.AccountId, out var o) && repIds.Contains(o) ? o : null;
            accounts[i] = new TerritoryAccount(a.AccountId, a.Name, a.Region, groups[i], owner);
        }
        var reps = data.Reps.OrderBy(r => r.RepId, StringComparer.Ordinal).Select(r => new TerritoryRep(r.RepId, r.Name, r.Region)).ToArray();
        return new TerritoryBook(date, accounts, reps);
    }
}
