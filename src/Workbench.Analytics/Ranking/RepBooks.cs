namespace Workbench.Analytics.Ranking;

/// <summary>Which rep owns which account on a date, from the rep-account book (assignments with from/to dates).</summary>
public sealed class RepBooks
{
    readonly Dictionary<string, List<BookAssignment>> _byAccount;
    public const string Unassigned = "(unassigned)";

    public RepBooks(IEnumerable<BookAssignment> book)
    {
        _byAccount = book.GroupBy(b => b.AccountId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(b => b.FromDate).ThenBy(b => b.RepId, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
    }

    /// <summary>The rep owning the account on the date; the latest assignment wins when two overlap.</summary>
    public string RepOf(string accountId, DateOnly date)
    {
        if (!_byAccount.TryGetValue(accountId, out var list)) return Unassigned;
        string rep = Unassigned;
        foreach (var a in list)
            if (a.FromDate <= date && (a.ToDate is null || a.ToDate > date)) rep = a.RepId;
        return rep;
    }
}
