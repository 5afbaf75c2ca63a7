namespace Workbench.Analytics.Ranking;

/// <summary>Which rep owns which account on a date, from the rep-account book (assignments with from/to dates).</summary>
public sealed class RepBooks
{
    readonly Dictionary<string, List<BookAssignment>> _byAccount;
    public const string Unassigned = "(unassigned)";

    public RepBooks(IEnumerable<BookAssignment> book)
    {
        // Each account's assignments in the book's order, then stably sorted by start date and rep id (insertion: an account
        // holds a handful), which is the order a LINQ OrderBy / ThenBy gives; one dictionary pass, no grouping's lists.
        _byAccount = new Dictionary<string, List<BookAssignment>>(StringComparer.Ordinal);
        foreach (var b in book)
        {
            if (!_byAccount.TryGetValue(b.AccountId, out var list)) _byAccount.Add(b.AccountId, list = new List<BookAssignment>(1));
            int at = list.Count;
            list.Add(b);
            while (at > 0 && Before(b, list[at - 1])) { list[at] = list[at - 1]; at--; }
            list[at] = b;
        }
    }

    static bool Before(BookAssignment x, BookAssignment y)
    {
        int c = x.FromDate.CompareTo(y.FromDate);
        return c < 0 || (c == 0 && string.CompareOrdinal(x.RepId, y.RepId) < 0);
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
