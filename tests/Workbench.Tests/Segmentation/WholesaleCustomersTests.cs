using Workbench.Analytics.Segmentation;
using Xunit.Abstractions;

namespace Workbench.Tests.Segmentation;

/// <summary>UCI Wholesale customers (440 clients of a Portuguese distributor; annual spend in six categories).</summary>
public class WholesaleCustomersTests(ITestOutputHelper output)
{
    static readonly string[] Spend = ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"];

    static (FeatureMatrix Features, double[] Retail) Load()
    {
        var (header, rows) = SegmentationTestData.ReadWholesale();
        var idx = Spend.Select(c => Array.IndexOf(header, c)).ToArray();
        Assert.DoesNotContain(-1, idx);
        int channel = Array.IndexOf(header, "Channel");
        var features = FeatureMatrix.FromRows(rows.Select(r => idx.Select(j => r[j]).ToArray()).ToArray(), Spend);
        return (features, rows.Select(r => r[channel] == 2 ? 1.0 : 0.0).ToArray()); // Channel 2 = Retail, 1 = Horeca
    }

    [Fact]
    public void Column_means_match_the_published_values()
    {
        var (x, _) = Load();
        Assert.Equal(440, x.Rows);
        double[] published = [12000.30, 5796.27, 7951.28, 3071.93, 2881.49, 1524.87];
        for (int j = 0; j < Spend.Length; j++) Assert.Equal(published[j], x.Column(j).Average(), tolerance: 0.01);
    }

    [Fact]
    public void Segmentation_on_log_spend_recommends_a_small_k_and_separates_retail_from_horeca()
    {
        var (x, retail) = Load();
        var input = new SegmentationInput(x) { Outcomes = new Dictionary<string, double[]> { ["retail"] = retail } };
        var options = new SegmentationOptions { Seed = 2026, Log1pColumns = Spend, KMax = 8 };
        var result = Segmenter.Run(input, options);
        output.WriteLine(result.KSelection!.Reason);
        foreach (var p in result.Profiles)
            output.WriteLine($"{p.Segment} {p.Name}: n={p.Size} retail={p.OutcomeRates["retail"]:F2} top={string.Join(",", p.DistinguishingColumns)}");
        foreach (var c in result.Quality.Checklist) output.WriteLine($"{c.Name}: {c.Passed} {c.Value:F3} ({c.Explanation})");

        Assert.InRange(result.K, 2, 6);
        Assert.Equal(result.K, result.Profiles.Count);
        Assert.Contains("silhouette", result.KSelection.Reason);
        Assert.Contains("gap", result.KSelection.Reason);
        Assert.Contains("elbow", result.KSelection.Reason);
        Assert.Equal(440, result.Profiles.Sum(p => p.Size));
        Assert.Equal(1.0, result.Profiles.Sum(p => p.Share), 9);

        // The segment whose spend leans most to Grocery + Detergents_Paper holds the highest Retail share,
        // well above the population's 142 / 440.
        double GroceryShare(SegmentProfile p) =>
            (p.Column("Grocery").Mean + p.Column("Detergents_Paper").Mean) / Spend.Sum(c => p.Column(c).Mean);
        var grocerySegment = result.Profiles.MaxBy(GroceryShare)!;
        var mostRetail = result.Profiles.MaxBy(p => p.OutcomeRates["retail"])!;
        Assert.Equal(grocerySegment.Segment, mostRetail.Segment);
        Assert.True(mostRetail.OutcomeRates["retail"] > 0.6, $"retail share {mostRetail.OutcomeRates["retail"]}");
        Assert.Contains(grocerySegment.DistinguishingColumns, c => c is "Grocery" or "Detergents_Paper" or "Milk");
        Assert.True(grocerySegment.Column("Detergents_Paper").StandardizedMeanDifference > 0.8);

        // Same seed, same answer.
        var again = Segmenter.Run(input, options);
        Assert.Equal(result.Assignments, again.Assignments);
        Assert.Equal(result.KSelection.Reason, again.KSelection!.Reason);
    }
}
