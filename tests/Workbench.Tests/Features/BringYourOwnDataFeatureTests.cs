using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Data;

namespace Workbench.Tests.Features;

/// <summary>Labels and features on real transaction data: the CDNOW purchase log mapped onto the spend table.</summary>
public class BringYourOwnDataFeatureTests
{
    static LabeledFeatures Cdnow()
    {
        var mapped = DataImporter.Import(Path.Combine(TestPaths.RepoRoot, "data-samples", "mappings", "cdnow.json"),
            new ImportOptions { DataDirectory = TestPaths.Dataset("cdnow-lifetimes") });
        return LabeledFeatures.Build(mapped.Dataset, new SnapshotOptions { HorizonMonths = 3, MinHistoryMonths = 3 });
    }

    [Fact]
    public void Cdnow_transactions_give_purchase_labels_and_features()
    {
        var lf = Cdnow();
        // Without bookings and with irregular orders the labels come from purchases.
        Assert.Equal(LabelSource.Purchases, lf.LabelOptions.Source);
        Assert.Equal(new DateOnly(1997, 1, 1), lf.Panel.FirstMonth);
        Assert.Equal(18, lf.Panel.Months);
        // Every snapshot is a customer who bought in the month before its as-of date.
        Assert.All(Enumerable.Range(0, lf.Features.RowCount), i => Assert.True(lf.Features[i, "spend_mean_1m"] > 0));
        // CDNOW customers mostly lapse: churn dominates, but all three classes occur.
        var o = lf.Report.Overall;
        Assert.True(o.Churn > o.Upsell && o.Upsell > 0 && o.Flat > 0, $"upsell {o.Upsell}, churn {o.Churn}, flat {o.Flat}");
        // Columns CDNOW cannot fill stay missing rather than turning into zeros.
        Assert.All(Enumerable.Range(0, Math.Min(500, lf.Features.RowCount)), i => Assert.True(float.IsNaN(lf.Features[i, "utilization_1m"])));
    }

    [Fact]
    public void A_cdnow_label_matches_the_customer_s_own_purchases()
    {
        var lf = Cdnow();
        var mapped = DataImporter.Import(Path.Combine(TestPaths.RepoRoot, "data-samples", "mappings", "cdnow.json"),
            new ImportOptions { DataDirectory = TestPaths.Dataset("cdnow-lifetimes") });
        // Recompute one snapshot's label by hand from the raw transactions: the run-rate is the 12-month lookback's rate.
        int row = Enumerable.Range(0, lf.Features.RowCount).First(i => lf.Labels[i].Outcome == Outcome.Upsell);
        string customer = lf.Features.AccountId(row);
        var asOf = lf.Features.AsOf(row);
        var tx = mapped.Transactions.Where(t => t.AccountId == customer).ToList();
        decimal runRate = tx.Where(t => t.Date >= asOf.AddMonths(-12) && t.Date < asOf).Sum(t => t.Amount) / 12;
        decimal window = tx.Where(t => t.Date >= asOf && t.Date < asOf.AddMonths(3)).Sum(t => t.Amount) / 3;
        Assert.Equal((double)runRate, lf.Labels[row].RunRate, 6);
        Assert.Equal((double)window, lf.Labels[row].WindowSpend, 6);
        Assert.True(window >= runRate * 1.15m);
        // A churn label: bought in the lookback, nothing in the horizon.
        int churnRow = Enumerable.Range(0, lf.Features.RowCount).First(i => lf.Labels[i].Outcome == Outcome.Churn);
        var c = lf.Features.AccountId(churnRow); var at = lf.Features.AsOf(churnRow);
        var ctx = mapped.Transactions.Where(t => t.AccountId == c).ToList();
        Assert.Contains(ctx, t => t.Date >= at.AddMonths(-12) && t.Date < at);
        Assert.DoesNotContain(ctx, t => t.Date >= at && t.Date < at.AddMonths(3));
    }
}
