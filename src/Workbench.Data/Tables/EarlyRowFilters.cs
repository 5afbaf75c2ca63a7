using System.Runtime.InteropServices;

namespace Workbench.Data.Tables;

/// <summary>Keeps the usage rows dated from <paramref name="cutoff"/> on; of the earlier ones keeps only what scoring reads
/// (their account-product pairs and their count per month: <see cref="EarlyFacts"/>).</summary>
internal sealed class EarlyUsageFilter(DateOnly cutoff) : IRowFilter<UsageRecord>
{
    readonly List<(string, string)> pairs = new();
    readonly HashSet<(string, string)> seen = new();
    readonly Dictionary<DateOnly, int> perMonth = new();
    // Rows come grouped by account (pooled ids: one instance per text): an account's products are remembered by reference,
    // so the pair set is probed once per pair, not per row. A file in another order only probes the set more often.
    string? lastAccount;
    readonly List<string> lastProducts = new();

    public DateOnly Cutoff => cutoff;
    public long Summarized { get; private set; }

    public bool Keep(in UsageRecord row)
    {
        if (row.Month >= cutoff) return true;
        Summarized++;
        CollectionsMarshal.GetValueRefOrAddDefault(perMonth, row.Month, out _)++;
        if (!ReferenceEquals(row.AccountId, lastAccount)) { lastAccount = row.AccountId; lastProducts.Clear(); }
        foreach (var p in lastProducts) if (ReferenceEquals(p, row.ProductId)) return false;
        if (lastProducts.Count < 64) lastProducts.Add(row.ProductId);
        if (seen.Add((row.AccountId, row.ProductId))) pairs.Add((row.AccountId, row.ProductId));
        return false;
    }

    public IReadOnlyList<(string AccountId, string ProductId)> Pairs => pairs;
    public IReadOnlyDictionary<DateOnly, int> RowsPerMonth => perMonth;
}

/// <summary>Keeps the engagement events dated from <paramref name="cutoff"/> on; of the earlier ones keeps only each
/// account's latest touch (<see cref="EarlyFacts.LatestTouches"/>).</summary>
internal sealed class EarlyEngagementFilter(DateOnly cutoff) : IRowFilter<EngagementEvent>
{
    readonly Dictionary<string, int> slotOf = new(StringComparer.Ordinal);
    readonly List<EngagementEvent> latest = new();
    string? lastAccount;
    int lastSlot = -1;

    public DateOnly Cutoff => cutoff;
    public long Summarized { get; private set; }

    public bool Keep(in EngagementEvent row)
    {
        if (row.Date >= cutoff) return true;
        Summarized++;
        if (!EarlyFacts.IsTouch(row.Type)) return false;
        if (!ReferenceEquals(row.AccountId, lastAccount))
        {
            lastAccount = row.AccountId;
            if (!slotOf.TryGetValue(row.AccountId, out lastSlot))
            {
                lastSlot = latest.Count;
                slotOf[row.AccountId] = lastSlot;
                latest.Add(row);
                return false;
            }
        }
        if (EarlyFacts.IsLater(row, latest[lastSlot])) latest[lastSlot] = row;
        return false;
    }

    public IReadOnlyList<EngagementEvent> LatestTouches => latest;
}
