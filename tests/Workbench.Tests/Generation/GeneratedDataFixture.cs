using Workbench.Data.Generation;
using Workbench.Domain;

namespace Workbench.Tests.Generation;

/// <summary>One mid-sized generated dataset shared by the read-only tests (generating it takes a few seconds).</summary>
public sealed class GeneratedDataFixture
{
    public static readonly GeneratorOptions Options = new() { Accounts = 2500, Months = 36, Seed = 11 };
    public CrmDataset Data { get; } = CrmGenerator.Generate(Options);
    public PlantedTruth Truth => Data.Truth!;

    /// <summary>Observed utilization by (account, product, month).</summary>
    public Dictionary<(string, string, DateOnly), UsageRecord> UsageByKey { get; }

    /// <summary>For each planted risk row, whether a churn (cancellation/non-renewal) or add-on booking happened that month.</summary>
    public bool[] Churned { get; }
    public bool[] Upsold { get; }

    public GeneratedDataFixture()
    {
        UsageByKey = Data.Usage.ToDictionary(u => (u.AccountId, u.ProductId, u.Month));
        static DateOnly MonthOf(DateOnly d) => new(d.Year, d.Month, 1);
        var churn = Data.Bookings.Where(b => b.Type is BookingType.Cancellation or BookingType.NonRenewal)
            .Select(b => (b.AccountId, b.ProductId, MonthOf(b.Date))).ToHashSet();
        var upsell = Data.Bookings.Where(b => b.Type == BookingType.AddOn)
            .Select(b => (b.AccountId, b.ProductId, MonthOf(b.Date))).ToHashSet();
        var risks = Truth.Risks;
        Churned = new bool[risks.Count];
        Upsold = new bool[risks.Count];
        for (int i = 0; i < risks.Count; i++)
        {
            var key = (risks[i].AccountId, risks[i].ProductId, risks[i].Month);
            Churned[i] = churn.Contains(key);
            Upsold[i] = upsell.Contains(key);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GeneratedDataCollection : ICollectionFixture<GeneratedDataFixture>
{
    public const string Name = "generated CRM data";
}
