using Workbench.Domain;

namespace Workbench.Tests.Features;

/// <summary>Small hand-made and random CRM datasets for labeling and feature tests.</summary>
internal static class TinyCrm
{
    public static readonly DateOnly Start = new(2024, 1, 1);
    public static DateOnly M(int i) => Start.AddMonths(i);

    public static Account Account(string id, int? employees = 250) =>
        new(id, "Acme " + id, "Software", "EMEA", employees, "10M-50M", 2001, null, new DateOnly(2023, 7, 1));

    public static readonly Product[] Products =
    [
        new("P1", "Analytics", "Core", 100m, BillingUnit.Seat),
        new("P2", "Insights", "Addon", 50m, BillingUnit.Seat),
    ];

    /// <summary>Monthly spend rows for one account-product from a list of amounts starting at month 0.</summary>
    public static IEnumerable<SpendRecord> SpendSeries(string account, string product, params double[] amounts) =>
        amounts.Select((a, i) => new SpendRecord(account, product, M(i), (decimal)a));

    /// <summary>A random but valid dataset: every draw from the seed.</summary>
    public static CrmDataset Random(int seed, int accounts = 20, int months = 24)
    {
        var rng = new Random(seed);
        var accs = Enumerable.Range(0, accounts).Select(i => Account($"A{i:000}", rng.Next(4) == 0 ? null : rng.Next(10, 5000))).ToList();
        var spend = new List<SpendRecord>(); var usage = new List<UsageRecord>(); var engagement = new List<EngagementEvent>();
        var bookings = new List<Booking>(); var contracts = new List<Contract>();
        int ev = 0, bk = 0, ct = 0;
        foreach (var a in accs)
            foreach (var p in Products)
            {
                if (rng.Next(3) == 0 && p.ProductId == "P2") continue;
                int startMonth = rng.Next(0, 6), end = rng.Next(12, months + 6);
                double level = 500 + rng.NextDouble() * 5000;
                int seats = rng.Next(5, 100);
                contracts.Add(new Contract($"C{ct++}", a.AccountId, p.ProductId, M(startMonth), M(startMonth + 12), 12, seats, 10m, ContractStatus.Active));
                contracts.Add(new Contract($"C{ct++}", a.AccountId, p.ProductId, M(startMonth + 12), M(startMonth + 24), 12, seats, 10m, ContractStatus.Active));
                for (int m = startMonth; m < Math.Min(end, months); m++)
                {
                    level *= 1 + (rng.NextDouble() - 0.5) * 0.2;
                    spend.Add(new SpendRecord(a.AccountId, p.ProductId, M(m), Math.Round((decimal)level, 2)));
                    int used = rng.Next(0, seats + 1);
                    bool missing = rng.Next(10) == 0;
                    usage.Add(new UsageRecord(a.AccountId, p.ProductId, M(m), seats, missing ? null : used, missing ? null : used + rng.Next(3),
                        missing ? null : (double)used / seats, missing ? null : rng.Next(0, 1000)));
                    if (rng.Next(6) == 0) bookings.Add(new Booking($"B{bk++}", a.AccountId, p.ProductId, M(m).AddDays(rng.Next(28)),
                        (BookingType)rng.Next(0, 7), rng.Next(-5, 6), (decimal)(rng.NextDouble() * 400 - 200)));
                }
            }
        foreach (var a in accs)
            for (int m = 0; m < months; m++)
                for (int k = rng.Next(0, 4); k > 0; k--)
                {
                    var type = (EngagementType)rng.Next(0, 6);
                    double? score = type switch { EngagementType.Survey => rng.Next(0, 11), EngagementType.SupportTicket => rng.Next(1, 5), _ => null };
                    engagement.Add(new EngagementEvent($"E{ev++}", a.AccountId, M(m).AddDays(rng.Next(28)), type, score));
                }
        return new CrmDataset
        {
            Accounts = accs, Products = Products, Spend = spend, Usage = usage, Engagement = engagement,
            Bookings = bookings, Contracts = contracts,
        };
    }
}
