using Workbench.Domain;

namespace Workbench.Tests.Generation;

[Collection(GeneratedDataCollection.Name)]
public sealed class GeneratedDataShapeTests(GeneratedDataFixture fixture)
{
    readonly CrmDataset _data = fixture.Data;

    [Fact]
    public void Every_table_is_populated()
    {
        Assert.Equal(GeneratedDataFixture.Options.Accounts, _data.Accounts.Count);
        Assert.Equal(GeneratedDataFixture.Options.Products, _data.Products.Count);
        Assert.NotEmpty(_data.Contracts); Assert.NotEmpty(_data.Spend); Assert.NotEmpty(_data.Usage);
        Assert.NotEmpty(_data.Engagement); Assert.NotEmpty(_data.Bookings); Assert.NotEmpty(_data.Reps);
        Assert.NotEmpty(_data.Book); Assert.NotEmpty(_data.Opportunities); Assert.NotEmpty(_data.StageHistory);
        Assert.NotEmpty(_data.Actions);
        Assert.Equal(_data.Accounts.Count, fixture.Truth.Segments.Count);
        Assert.NotEmpty(fixture.Truth.Risks);
        Assert.Equal(_data.Reps.Count * GeneratedDataFixture.Options.Segments, fixture.Truth.RepSkills.Count);
    }

    [Fact]
    public void Events_and_bookings_of_every_kind_occur_in_every_calendar_month()
    {
        var allMonths = Enumerable.Range(1, 12).ToHashSet();
        Assert.Equal(allMonths, _data.Engagement.Select(e => e.Date.Month).ToHashSet());
        foreach (var type in new[] { BookingType.AddOn, BookingType.Cancellation, BookingType.Downgrade, BookingType.New, BookingType.PriceChange, BookingType.Renewal })
            Assert.True(allMonths.SetEquals(_data.Bookings.Where(b => b.Type == type).Select(b => b.Date.Month)), $"{type} bookings in every calendar month");
        foreach (var type in Enum.GetValues<EngagementType>())
            Assert.Contains(_data.Engagement, e => e.Type == type);
        // Spend exists in every month of the window.
        var months = _data.Spend.Select(s => s.Month).Distinct().Order().ToList();
        Assert.Equal(GeneratedDataFixture.Options.Months, months.Count);
        Assert.Equal(GeneratedDataFixture.Options.FirstMonth, months[0]);
    }

    [Fact]
    public void Seasonality_shows_a_fourth_quarter_bump_in_add_ons()
    {
        var addOns = _data.Bookings.Where(b => b.Type == BookingType.AddOn).ToList();
        double q4 = addOns.Count(b => b.Date.Month >= 10) / 3.0, q2q3 = addOns.Count(b => b.Date.Month is >= 4 and <= 9) / 6.0;
        Assert.True(q4 > 1.1 * q2q3, $"add-ons per Q4 month {q4:F0} vs per mid-year month {q2q3:F0}");
    }

    [Fact]
    public void Missing_values_appear_in_the_documented_columns_only()
    {
        static void Share(double share, string column) => Assert.True(share is > 0.005 and < 0.3, $"{column} missing share {share:P2}");
        Share(_data.Accounts.Average(a => a.Employees is null ? 1.0 : 0), "employees");
        Share(_data.Accounts.Average(a => a.FoundedYear is null ? 1.0 : 0), "founded_year");
        Share(_data.Usage.Average(u => u.SeatsUsed is null ? 1.0 : 0), "seats_used");
        Share(_data.Usage.Average(u => u.ActiveUsers is null ? 1.0 : 0), "active_users");
        Share(_data.Usage.Average(u => u.KeyActions is null ? 1.0 : 0), "key_actions");
        var surveys = _data.Engagement.Where(e => e.Type == EngagementType.Survey).ToList();
        Share(surveys.Average(e => e.Score is null ? 1.0 : 0), "survey score");
        Share(_data.Opportunities.Average(o => o.ContactTitles.Length == 0 ? 1.0 : 0), "contact_titles");
        // Utilization is missing exactly when seats_used is.
        Assert.All(_data.Usage, u => Assert.Equal(u.SeatsUsed is null, u.Utilization is null));
        // Scores only on surveys (0-10) and tickets (severity 1-4).
        Assert.All(_data.Engagement.Where(e => e.Score is not null), e =>
        {
            Assert.Contains(e.Type, new[] { EngagementType.Survey, EngagementType.SupportTicket });
            Assert.InRange(e.Score!.Value, e.Type == EngagementType.Survey ? 0 : 1, e.Type == EngagementType.Survey ? 10 : 4);
        });
        Assert.All(_data.Engagement.Where(e => e.Type == EngagementType.SupportTicket), e => Assert.NotNull(e.Score));
    }

    [Fact]
    public void Values_respect_the_schema_bounds()
    {
        Assert.All(_data.Spend, s => Assert.True(s.Amount > 0));
        Assert.All(_data.Usage, u =>
        {
            Assert.True(u.SeatsPurchased >= 1);
            Assert.True(u.SeatsUsed is null or >= 0 && u.ActiveUsers is null or >= 0 && u.KeyActions is null or >= 0);
            Assert.True(u.Utilization is null or >= 0 and <= 1.25);
        });
        Assert.All(_data.Contracts, c => { Assert.Contains(c.TermMonths, new[] { 12, 24, 36 }); Assert.Equal(c.StartDate.AddMonths(c.TermMonths), c.RenewalDate); });
        Assert.All(_data.Accounts, a => Assert.True(a.FoundedYear is null || a.FoundedYear <= a.CreatedDate.Year));
        Assert.All(fixture.Truth.Risks, r => Assert.True(r.PChurn is > 0 and < 1 && r.PUpsell is > 0 and < 1));
        Assert.All(fixture.Truth.RepSkills, s => Assert.InRange(s.WinRate, 0.05, 0.95));
    }

    [Fact]
    public void Keys_are_unique_and_every_reference_resolves()
    {
        var accounts = _data.Accounts.Select(a => a.AccountId).ToHashSet();
        var products = _data.Products.Select(p => p.ProductId).ToHashSet();
        var reps = _data.Reps.Select(r => r.RepId).ToHashSet();
        Assert.Equal(_data.Accounts.Count, accounts.Count);
        Assert.Equal(_data.Spend.Count, _data.Spend.Select(s => (s.AccountId, s.ProductId, s.Month)).Distinct().Count());
        Assert.Equal(_data.Usage.Count, _data.Usage.Select(s => (s.AccountId, s.ProductId, s.Month)).Distinct().Count());
        Assert.Equal(_data.Bookings.Count, _data.Bookings.Select(b => b.BookingId).Distinct().Count());
        Assert.Equal(_data.Engagement.Count, _data.Engagement.Select(b => b.EventId).Distinct().Count());
        Assert.Equal(_data.Contracts.Count, _data.Contracts.Select(b => b.ContractId).Distinct().Count());
        Assert.Equal(_data.Opportunities.Count, _data.Opportunities.Select(b => b.OpportunityId).Distinct().Count());
        Assert.Equal(_data.Actions.Count, _data.Actions.Select(b => b.ActionId).Distinct().Count());
        Assert.Equal(_data.StageHistory.Count, _data.StageHistory.Select(s => (s.OpportunityId, s.Stage)).Distinct().Count());

        Assert.All(_data.Spend, s => Assert.True(accounts.Contains(s.AccountId) && products.Contains(s.ProductId)));
        Assert.All(_data.Usage, s => Assert.True(accounts.Contains(s.AccountId) && products.Contains(s.ProductId)));
        Assert.All(_data.Contracts, s => Assert.True(accounts.Contains(s.AccountId) && products.Contains(s.ProductId)));
        Assert.All(_data.Bookings, s => Assert.True(accounts.Contains(s.AccountId) && products.Contains(s.ProductId)));
        Assert.All(_data.Engagement, s => Assert.Contains(s.AccountId, accounts));
        Assert.All(_data.Actions, s => Assert.Contains(s.AccountId, accounts));
        Assert.All(_data.Opportunities, o => Assert.True(accounts.Contains(o.AccountId) && products.Contains(o.ProductId) && reps.Contains(o.RepId)));
        var opportunities = _data.Opportunities.Select(o => o.OpportunityId).ToHashSet();
        Assert.All(_data.StageHistory, s => Assert.Contains(s.OpportunityId, opportunities));
        Assert.All(_data.Accounts.Where(a => a.ParentAccountId is not null), a =>
        {
            Assert.Contains(a.ParentAccountId!, accounts);
            Assert.NotEqual(a.AccountId, a.ParentAccountId);
        });
        Assert.Contains(_data.Accounts, a => a.ParentAccountId is not null);

        // The book covers every account, with owners from the account's region.
        Assert.Equal(accounts, _data.Book.Select(b => b.AccountId).ToHashSet());
        var regionOf = _data.Reps.ToDictionary(r => r.RepId, r => r.Region);
        var accountRegion = _data.Accounts.ToDictionary(a => a.AccountId, a => a.Region);
        Assert.All(_data.Book, b => { Assert.Contains(b.RepId, reps); Assert.Equal(accountRegion[b.AccountId], regionOf[b.RepId]); });
        Assert.All(_data.Book.Where(b => b.ToDate is not null), b => Assert.True(b.ToDate > b.FromDate));

        // Every planted risk row is an observed account-product-month.
        Assert.All(fixture.Truth.Risks, r => Assert.True(fixture.UsageByKey.ContainsKey((r.AccountId, r.ProductId, r.Month))));
        Assert.Equal(accounts, fixture.Truth.Segments.Select(s => s.AccountId).ToHashSet());
    }

    [Fact]
    public void Churned_products_stop_spending_and_add_ons_raise_the_run_rate()
    {
        var spend = _data.Spend.ToDictionary(s => (s.AccountId, s.ProductId, s.Month), s => s.Amount);
        static DateOnly MonthOf(DateOnly d) => new(d.Year, d.Month, 1);
        var lastMonth = GeneratedDataFixture.Options.FirstMonth.AddMonths(GeneratedDataFixture.Options.Months - 1);
        var churns = _data.Bookings.Where(b => b.Type is BookingType.Cancellation or BookingType.NonRenewal).ToList();
        Assert.NotEmpty(churns);
        Assert.All(churns, b =>
        {
            for (var m = MonthOf(b.Date).AddMonths(1); m <= lastMonth; m = m.AddMonths(1))
                Assert.False(spend.ContainsKey((b.AccountId, b.ProductId, m)), $"{b.BookingId}: spend after churn in {m}");
        });
        var addOns = _data.Bookings.Where(b => b.Type == BookingType.AddOn && MonthOf(b.Date) < lastMonth).ToList();
        Assert.All(addOns, b => Assert.True(b.AmountDelta > 0 && b.SeatsDelta > 0));
        var downgrades = _data.Bookings.Where(b => b.Type == BookingType.Downgrade).ToList();
        Assert.All(downgrades, b => Assert.True(b.AmountDelta <= 0 && b.SeatsDelta < 0));
        // Spend the month after an add-on is above the month before it, for most seat-billed add-ons.
        var seatProducts = _data.Products.Where(p => p.BillingUnit == BillingUnit.Seat).Select(p => p.ProductId).ToHashSet();
        var comparable = addOns.Where(b => seatProducts.Contains(b.ProductId)
            && spend.ContainsKey((b.AccountId, b.ProductId, MonthOf(b.Date).AddMonths(-1)))
            && spend.ContainsKey((b.AccountId, b.ProductId, MonthOf(b.Date).AddMonths(1)))).ToList();
        double raised = comparable.Average(b => spend[(b.AccountId, b.ProductId, MonthOf(b.Date).AddMonths(1))] > spend[(b.AccountId, b.ProductId, MonthOf(b.Date).AddMonths(-1))] ? 1.0 : 0);
        Assert.True(raised > 0.95, $"share of add-ons followed by higher spend: {raised:P1}");
    }

    [Fact]
    public void Spend_is_heavy_tailed()
    {
        var perAccount = _data.Spend.GroupBy(s => s.AccountId).Select(g => (double)g.Sum(s => s.Amount)).Order().ToArray();
        double median = perAccount[perAccount.Length / 2], p99 = perAccount[(int)(perAccount.Length * 0.99)];
        double mean = perAccount.Average();
        Assert.True(mean > 1.5 * median, $"mean {mean:F0} vs median {median:F0}");
        Assert.True(p99 > 20 * median, $"p99 {p99:F0} vs median {median:F0}");
    }
}
