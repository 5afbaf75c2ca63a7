using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Domain;
using static Workbench.Tests.Features.TinyCrm;

namespace Workbench.Tests.Features;

public class LabelingTests
{
    static CrmDataset ThreeAccounts(IEnumerable<Booking>? bookings = null) => new()
    {
        Accounts = [Account("GROW"), Account("DROP"), Account("SAME")],
        Products = Products,
        // Months 0-5 at 100/month, then months 6-11 at the level that decides the label.
        Spend = [.. SpendSeries("GROW", "P1", 100, 100, 100, 100, 100, 100, 130, 130, 130, 130, 130, 130),
                 .. SpendSeries("DROP", "P1", 100, 100, 100, 100, 100, 100, 100, 0, 0, 0, 0, 0),
                 .. SpendSeries("SAME", "P1", 100, 100, 100, 100, 100, 100, 105, 95, 100, 100, 110, 90)],
        Bookings = bookings?.ToList() ?? [],
    };

    static readonly SnapshotOptions AtMonth6 = new() { HorizonMonths = 6, MinHistoryMonths = 6, AsOfDates = [M(6)] };

    static Dictionary<string, Label> LabelsAt6(CrmDataset data, LabelOptions options)
    {
        var panel = new MonthlyPanel(data);
        var snaps = Snapshots.Build(panel, AtMonth6);
        return Labeler.Label(panel, snaps, AtMonth6, options).ToDictionary(l => panel.AccountIds[l.Snapshot.Account]);
    }

    [Fact]
    public void Spend_labels_compare_the_next_horizon_with_the_run_rate()
    {
        var labels = LabelsAt6(ThreeAccounts(), new LabelOptions { Source = LabelSource.Spend });
        // GROW: 130 vs 100 = +30% >= 15% -> upsell. DROP: mean (100+0*5)/6 = 16.7 <= 50 -> churn. SAME: mean 100 -> flat.
        Assert.Equal(Outcome.Upsell, labels["GROW"].Outcome);
        Assert.Equal(Outcome.Churn, labels["DROP"].Outcome);
        Assert.Equal(Outcome.Flat, labels["SAME"].Outcome);
        Assert.Equal(100, labels["GROW"].RunRate, 9);
        Assert.Equal(130, labels["GROW"].WindowSpend, 9);
        Assert.Equal(100.0 / 6, labels["DROP"].WindowSpend, 9);
        Assert.Equal(30, labels["GROW"].UpsellAmount, 9);
    }

    [Fact]
    public void Thresholds_are_options()
    {
        var strict = LabelsAt6(ThreeAccounts(), new LabelOptions { Source = LabelSource.Spend, UpsellThreshold = 0.5, ChurnThreshold = 0.9 });
        Assert.Equal(Outcome.Flat, strict["GROW"].Outcome);   // +30% < +50%
        Assert.Equal(Outcome.Flat, strict["DROP"].Outcome);   // 16.7 > 100 * (1 - 0.9) = 10: not churn
    }

    [Fact]
    public void Booking_labels_count_events_anywhere_inside_the_window_only()
    {
        Booking B(string id, string acc, int month, int day, BookingType type) => new(id, acc, "P1", M(month).AddDays(day), type, 1, type == BookingType.AddOn ? 20m : -100m);
        var bookings = new[]
        {
            B("b1", "SAME", 5, 27, BookingType.AddOn),        // the day before the window: not counted
            B("b2", "SAME", 12, 0, BookingType.Cancellation), // the first day after the window: not counted
            B("b3", "GROW", 8, 14, BookingType.AddOn),        // mid-cycle add-on, August-ish: upsell
            B("b4", "DROP", 11, 27, BookingType.NonRenewal),  // last day of the window: churn
        };
        var labels = LabelsAt6(ThreeAccounts(bookings), new LabelOptions { Source = LabelSource.Bookings });
        Assert.Equal(Outcome.Upsell, labels["GROW"].Outcome);
        Assert.Equal(Outcome.Churn, labels["DROP"].Outcome);
        Assert.Equal(Outcome.Flat, labels["SAME"].Outcome);
        Assert.Equal(20, labels["GROW"].UpsellAmount, 9);
    }

    [Fact]
    public void A_gap_moves_the_label_window_later()
    {
        var bookings = new[] { new Booking("b", "SAME", "P1", M(6), BookingType.Cancellation, -1, -100m) };
        var data = ThreeAccounts(bookings);
        var panel = new MonthlyPanel(data);
        var withGap = AtMonth6 with { GapMonths = 1, AsOfDates = [M(5)], MinHistoryMonths = 5 };
        var noGap = AtMonth6 with { AsOfDates = [M(5)], MinHistoryMonths = 5, HorizonMonths = 1 };
        var opts = new LabelOptions { Source = LabelSource.Bookings };
        Outcome At(SnapshotOptions so) => Labeler.Label(panel, Snapshots.Build(panel, so), so, opts).Single(l => panel.AccountIds[l.Snapshot.Account] == "SAME").Outcome;
        Assert.Equal(Outcome.Flat, At(noGap));                                // window [5, 6): the cancellation is later
        Assert.Equal(Outcome.Churn, At(withGap with { HorizonMonths = 1 })); // window [6, 7): includes it
    }

    [Fact]
    public void Account_labels_churn_when_churned_products_carry_the_threshold_share_of_run_rate()
    {
        var label = (string acc, int prod, Outcome o, double rr) => new Label(new Snapshot(0, acc == "A" ? 0 : 1, prod, 6), o, rr, 0, 0, 0);
        var product = new[]
        {
            label("A", 0, Outcome.Churn, 80), label("A", 1, Outcome.Upsell, 20),  // 80% of run-rate churned -> churn
            label("B", 0, Outcome.Churn, 20), label("B", 1, Outcome.Upsell, 80),  // 20% churned, an upsell -> upsell
        };
        var accounts = Labeler.ByAccount(product, new LabelOptions { ChurnThreshold = 0.5 });
        Assert.Equal(Outcome.Churn, accounts.Single(a => a.Account == 0).Outcome);
        Assert.Equal(Outcome.Upsell, accounts.Single(a => a.Account == 1).Outcome);
    }

    [Fact]
    public void Options_are_validated_up_front()
    {
        Assert.Throws<OptionsValidationException>(() => new SnapshotOptions { HorizonMonths = 0 }.Validate());
        Assert.Throws<OptionsValidationException>(() => new LabelOptions { ChurnThreshold = 1.5 }.Validate());
        var ex = Assert.Throws<OptionsValidationException>(() => Snapshots.Build(new MonthlyPanel(ThreeAccounts()), new SnapshotOptions { HorizonMonths = 12, MinHistoryMonths = 6 }));
        Assert.Contains("12 months", ex.Message);
    }

    [Fact]
    public void Label_report_counts_classes_by_month_and_product()
    {
        var data = ThreeAccounts();
        var panel = new MonthlyPanel(data);
        var snaps = Snapshots.Build(panel, AtMonth6);
        var labels = Labeler.Label(panel, snaps, AtMonth6, new LabelOptions { Source = LabelSource.Spend });
        var report = LabelReport.Build(panel, labels, id => id == "GROW" ? "growers" : "others");
        Assert.Equal(3, report.Overall.Count);
        Assert.Equal((1, 1, 1), (report.Overall.Upsell, report.Overall.Churn, report.Overall.Flat));
        Assert.Equal("2024-07-01", Assert.Single(report.ByMonth).Group);
        Assert.Equal("P1", Assert.Single(report.ByProduct).Group);
        Assert.Equal(1.0, report.BySegment.Single(b => b.Group == "growers").UpsellRate);
    }
}
