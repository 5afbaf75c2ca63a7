using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Domain;
using static Workbench.Tests.Features.TinyCrm;

namespace Workbench.Tests.Features;

public class FeatureTests
{
    /// <summary>One account, one product, 9 months of hand-written history; features at as-of month 8.</summary>
    static (FeatureTable Table, MonthlyPanel Panel) HandComputed(FeatureOptions? options = null)
    {
        int[] seats = [10, 10, 10, 10, 10, 10, 20, 20, 20];
        int?[] used = [9, 9, 8, 8, 8, 8, 12, 10, null];
        var usage = Enumerable.Range(0, 9).Select(m => new UsageRecord("A", "P1", M(m), seats[m], used[m], used[m], used[m] is int u ? (double)u / seats[m] : null, 100 * m)).ToList();
        var data = new CrmDataset
        {
            Accounts = [Account("A", employees: 1000)],
            Products = Products,
            Spend = [.. SpendSeries("A", "P1", 100, 100, 100, 100, 100, 200, 200, 300, 400)],
            Usage = usage,
            Engagement =
            [
                new("e1", "A", M(5).AddDays(3), EngagementType.Meeting, null),
                new("e2", "A", M(7).AddDays(3), EngagementType.Meeting, null),
                new("e3", "A", M(4).AddDays(1), EngagementType.Meeting, null),   // outside 3 months
                new("e4", "A", M(8).AddDays(1), EngagementType.Meeting, null),   // at the as-of month: invisible
                new("e5", "A", M(3), EngagementType.ChampionChange, null),
                new("e6", "A", M(6), EngagementType.SupportTicket, 4),
                new("e7", "A", M(7), EngagementType.SupportTicket, 2),
                new("e8", "A", M(2), EngagementType.Survey, 7),
                new("e9", "A", M(6), EngagementType.Survey, 9),
            ],
            Contracts = [new("c1", "A", "P1", M(0), M(12), 12, 10, 10m, ContractStatus.Active)],
            Bookings = [new("b1", "A", "P1", M(6), BookingType.AddOn, 10, 100m)],
        };
        var panel = new MonthlyPanel(data);
        // The history ends at month 8, so the as-of date must be the end (no label window): build snapshots by hand.
        var snaps = new[] { new Snapshot(0, 0, 0, 8) };
        return (new FeatureBuilder(panel).Build(snaps, options ?? new FeatureOptions()), panel);
    }

    [Fact]
    public void Spend_windows_match_hand_computed_values()
    {
        var (t, _) = HandComputed();
        Assert.Equal(300f, t[0, "spend_mean_1m"]);
        Assert.Equal((200 + 200 + 300) / 3f, t[0, "spend_mean_3m"], 4);
        Assert.Equal((100 + 100 + 100 + 100 + 100 + 200 + 200 + 300) / 8f, t[0, "spend_mean_12m"], 4); // only 8 months exist
        Assert.Equal((700 / 3f) / (1200 / 8f) - 1, t[0, "spend_trend_3v12"], 4);
        Assert.Equal(1f, t[0, "addons_12m"]);
        Assert.Equal(8f, t[0, "product_tenure_months"]);
    }

    [Fact]
    public void Utilization_and_seat_changes_match_hand_computed_values()
    {
        var (t, _) = HandComputed();
        Assert.Equal(0.5f, t[0, "utilization_1m"]);                    // month 7: 10 of 20
        Assert.Equal(0.5f - 0.8f, t[0, "utilization_change_3m"], 5);     // month 7 vs month 4 (8 of 10)
        Assert.Equal((0.8f + 0.6f + 0.5f) / 3, t[0, "utilization_mean_3m"], 5);
        Assert.Equal(10f, t[0, "seats_change_6m"]);                      // 20 at month 7 vs 10 at month 1
        Assert.Equal(10f / 8 - 1, t[0, "active_users_growth_3m"], 5);    // 10 vs 8
    }

    [Fact]
    public void Engagement_support_and_renewal_match_hand_computed_values()
    {
        var (t, _) = HandComputed();
        Assert.Equal(2f, t[0, "meetings_3m"]);            // months 5..7: e1, e2 (e3 is month 4, e4 is the as-of month)
        Assert.Equal(1f, t[0, "champion_change_6m"]);     // month 3 is inside [2, 8)
        Assert.Equal(2f, t[0, "tickets_3m"]);
        Assert.Equal(3f, t[0, "ticket_severity_3m"]);     // (4 + 2) / 2
        Assert.Equal(9f, t[0, "survey_score_last"]);
        Assert.Equal(4f, t[0, "months_to_renewal"]);      // renews at month 12, as-of month 8
        Assert.Equal(3f, t[0, "employees_log"], 5);
        Assert.Equal(1f, t[0, "account_products_active"]);
    }

    [Fact]
    public void Missing_values_stay_NaN_or_are_imputed_with_an_indicator_column()
    {
        var data = TinyCrm.Random(seed: 3);
        var panel = new MonthlyPanel(data);
        var snaps = Snapshots.Build(panel, new SnapshotOptions());
        var raw = new FeatureBuilder(panel).Build(snaps, new FeatureOptions());
        int col = raw.ColumnIndex("employees_log");
        Assert.Contains(Enumerable.Range(0, raw.RowCount), i => float.IsNaN(raw.Values[i * raw.ColumnCount + col]));

        var imputed = new FeatureBuilder(panel).Build(snaps, new FeatureOptions { Missing = MissingValuePolicy.MedianWithIndicator });
        Assert.DoesNotContain(imputed.Values, float.IsNaN);
        Assert.True(imputed.Registry.Contains("employees_log_missing"));
        for (int i = 0; i < raw.RowCount; i++)
            Assert.Equal(float.IsNaN(raw.Values[i * raw.ColumnCount + col]) ? 1f : 0f, imputed[i, "employees_log_missing"]);
    }

    [Fact]
    public void Winsorizing_clips_within_each_as_of_date_and_log_scales_money()
    {
        var data = TinyCrm.Random(seed: 4, accounts: 60);
        var panel = new MonthlyPanel(data);
        var snaps = Snapshots.Build(panel, new SnapshotOptions());
        var raw = FeatureBuilder.Build(panel, snaps);
        var clipped = FeatureBuilder.Build(panel, snaps, new FeatureOptions { WinsorizeQuantile = 0.05 });
        int j = raw.ColumnIndex("spend_mean_3m");
        var month = snaps[0].AsOfMonth;
        var rows = Enumerable.Range(0, raw.RowCount).Where(i => snaps[i].AsOfMonth == month).ToArray();
        Assert.True(rows.Max(i => clipped.Values[i * raw.ColumnCount + j]) < rows.Max(i => raw.Values[i * raw.ColumnCount + j]));
        var logged = FeatureBuilder.Build(panel, snaps, new FeatureOptions { SpendScale = SpendScale.Log1p });
        Assert.Equal(MathF.Log(1 + raw.Values[j]), logged.Values[j], 4);
        Assert.StartsWith("log1p", logged.Registry["spend_mean_3m"].Unit);
    }

    [Fact]
    public void Registry_covers_every_produced_column_with_metadata()
    {
        var data = TinyCrm.Random(seed: 5);
        foreach (var options in new[] { new FeatureOptions(), new FeatureOptions { Missing = MissingValuePolicy.MedianWithIndicator } })
        {
            var lf = LabeledFeatures.Build(data, features: options);
            var df = lf.Features.ToDataFrame();
            var featureColumns = df.Columns.Select(c => c.Name).Skip(3).ToArray();
            Assert.Equal(lf.Features.Registry.Names, featureColumns);
            foreach (var d in lf.Features.Registry.Definitions)
            {
                Assert.False(string.IsNullOrWhiteSpace(d.Description), d.Name);
                Assert.False(string.IsNullOrWhiteSpace(d.Unit), d.Name);
                Assert.False(string.IsNullOrWhiteSpace(d.ConceptGroup), d.Name);
                Assert.False(string.IsNullOrWhiteSpace(d.SentenceTemplate), d.Name);
            }
        }
    }

    [Fact]
    public void Features_reach_MLNET_as_a_vector_column_with_slot_names()
    {
        var lf = LabeledFeatures.Build(TinyCrm.Random(seed: 6));
        var ml = new Microsoft.ML.MLContext(seed: 1);
        var view = lf.Features.ToDataView(ml, lf.Labels, Outcome.Churn);
        var col = view.Schema["Features"];
        Assert.Equal(lf.Features.ColumnCount, ((Microsoft.ML.Data.VectorDataViewType)col.Type).Size);
        Microsoft.ML.Data.VBuffer<ReadOnlyMemory<char>> names = default;
        col.Annotations.GetValue("SlotNames", ref names);
        Assert.Equal(lf.Features.Registry.Names, names.DenseValues().Select(n => n.ToString()));
        var labels = ml.Data.CreateEnumerable<LabelOnly>(view, reuseRowObject: false).Select(r => r.Label).ToArray();
        Assert.Equal(lf.Labels.Count(l => l.Outcome == Outcome.Churn), labels.Count(b => b));
    }

    sealed class LabelOnly { public bool Label { get; set; } }

    [Fact]
    public void Same_data_gives_the_same_features()
    {
        var a = LabeledFeatures.Build(TinyCrm.Random(seed: 7));
        var b = LabeledFeatures.Build(TinyCrm.Random(seed: 7));
        Assert.Equal(a.Features.Values, b.Features.Values);
        Assert.Equal(a.Labels, b.Labels);
    }
}
