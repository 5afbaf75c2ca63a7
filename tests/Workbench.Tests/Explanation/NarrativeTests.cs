using System.Text.RegularExpressions;
using Workbench.Analytics.Explanation;
using Workbench.Tests.Ranking;
using Xunit.Abstractions;

namespace Workbench.Tests.Explanation;

[Collection("generated ranking")]
public class NarrativeTests(GeneratedRankingFixture fx, ITestOutputHelper output)
{
    ExplanationReport Report => _report ??= ExplanationStage.Run(fx.Result, fx.Features, fx.Data);
    static ExplanationReport? _report;

    [Fact]
    public void The_top_reason_matches_the_planted_driver_for_the_top_decile()
    {
        foreach (var f in new[] { Report.ChurnFidelity!, Report.UpsellFidelity! })
            output.WriteLine($"{f.Target}: {f.Matches}/{f.Rows} = {f.Rate:F3}; top concepts {string.Join(", ", f.TopConcepts.Select(kv => $"{kv.Key} {kv.Value}"))}");
        Assert.True(Report.ChurnFidelity!.Rows >= 100 && Report.UpsellFidelity!.Rows >= 100);
        Assert.True(Report.ChurnFidelity.Rate >= 0.7, $"churn fidelity {Report.ChurnFidelity.Rate:F3}");
        Assert.True(Report.UpsellFidelity.Rate >= 0.7, $"upsell fidelity {Report.UpsellFidelity.Rate:F3}");
    }

    [Fact]
    public void Contributions_add_up_to_the_margin_the_probability_comes_from()
    {
        foreach (var result in new[] { Report.Churn, Report.Upsell })
        {
            var model = result.Target == "churn" ? fx.Result.ChurnModel : fx.Result.UpsellModel;
            var rows = result.Rows.Take(200).ToArray();
            var set = new Workbench.Analytics.Ranking.TrainingSet(rows.SelectMany(r => fx.Features.Features.Row(r).ToArray()).ToArray(),
                fx.Features.Features.Registry.Names.ToArray(), new bool[rows.Length]);
            var (raw, p) = model.Score(set);
            for (int k = 0; k < rows.Length; k++)
            {
                double sum = result.Shap.ExpectedValue;
                foreach (var v in result.Shap.Row(k)) sum += v;
                Assert.Equal(raw[k], sum, 4);              // ML.NET's own raw score (float precision)
                Assert.Equal(model.Calibrator.Apply(sum), result.Narratives[k].Probability, 9); // the told probability is the calibrated margin
                Assert.Equal(p[k], result.Narratives[k].Probability, 3);
            }
        }
    }

    [Fact]
    public void Reasons_are_ordered_grouped_and_signed()
    {
        foreach (var n in Report.Churn.Narratives.Concat(Report.Upsell.Narratives))
        {
            Assert.True(n.ReasonsFor.Count <= 3 && n.ReasonsAgainst.Count <= 2);
            Assert.All(n.ReasonsFor, r => Assert.True(r.Contribution > 0));
            Assert.All(n.ReasonsAgainst, r => Assert.True(r.Contribution < 0));
            for (int i = 1; i < n.ReasonsFor.Count; i++) Assert.True(n.ReasonsFor[i - 1].Contribution >= n.ReasonsFor[i].Contribution);
            Assert.Equal(n.ReasonsFor.Count, n.ReasonsFor.Select(r => r.Concept).Distinct().Count()); // one reason per concept
            foreach (var r in n.ReasonsFor.Concat(n.ReasonsAgainst))
                Assert.Equal(r.Contribution, r.Features.Sum(f => f.Contribution), 9);          // merged features add up
        }
    }

    [Fact]
    public void Sentences_carry_the_account_s_own_numbers_and_no_unfilled_placeholders()
    {
        var all = Report.Churn.Narratives.Concat(Report.Upsell.Narratives).SelectMany(n => n.ReasonsFor.Concat(n.ReasonsAgainst)).ToList();
        Assert.All(all, r => Assert.DoesNotMatch(@"\{\w+\}", r.Sentence));
        // Numbers, except where the lead feature is a category ("The account is in Healthcare").
        var categorical = fx.Features.Features.Registry.Definitions.Where(d => d.IsCategorical).Select(d => d.Name).ToHashSet();
        Assert.All(all.Where(r => !categorical.Contains(r.Features.OrderByDescending(f => Math.Sign(r.Contribution) * f.Contribution).First().Feature)),
            r => Assert.Matches(@"\d|is not recorded$", r.Sentence));
        // A utilization reason quotes both ends of the change as percentages.
        var util = all.First(r => r.Features[0].Feature == "utilization_change_3m" && r.Sentence.StartsWith("Seat utilization", StringComparison.Ordinal));
        Assert.Matches(new Regex(@"from \d+% to \d+%"), util.Sentence);
        // Supporting statistics exist for most "for" reasons and say how much more often.
        var support = Report.Churn.Narratives.SelectMany(n => n.ReasonsFor).Where(r => r.Support is not null).ToList();
        Assert.NotEmpty(support);
        Assert.All(support, r => Assert.Matches(@"churned \d+\.\dx as often", r.Support!));
    }

    [Fact]
    public void Html_escapes_account_text()
    {
        var n = Report.Churn.Narratives[0] with { AccountId = "<script>alert(1)</script>" };
        var html = Workbench.Reporting.ReportingDisplays.NarrativeHtml(n);
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
    }

    [Fact]
    public void Global_importance_ranks_planted_drivers_above_noise()
    {
        var top = Report.Churn.Importance.OrderByDescending(i => i.MeanAbsoluteShap).Take(5).Select(i => i.FeatureName).ToList();
        output.WriteLine("churn top features: " + string.Join(", ", top));
        Assert.Contains(top, f => f.StartsWith("utilization", StringComparison.Ordinal));
    }
}
