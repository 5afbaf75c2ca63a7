using Workbench.Domain;
using Workbench.Analytics;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Features;
using Workbench.Analytics.Ranking;
using Workbench.Data.Generation;
using Xunit.Abstractions;

namespace Workbench.Tests.Ranking;

/// <summary>Shared across the ranking tests: one generated dataset, labeled, featured and ranked once.</summary>
public sealed class GeneratedRankingFixture
{
    public Workbench.Domain.CrmDataset Data { get; } = CrmGenerator.Generate(new GeneratorOptions { Accounts = 3000, Months = 36, Seed = 11 });
    public LabeledFeatures Features { get; }
    public RankingResult Result { get; }

    public GeneratedRankingFixture()
    {
        Features = LabeledFeatures.Build(Data);
        Result = PrioritizerEvaluation.Evaluate(AccountPrioritizer.Fit(Features, PipelineOptions.Default with { Seed = 42 }), Features, Data);
    }
}

[CollectionDefinition("generated ranking")]
public sealed class GeneratedRankingCollection : ICollectionFixture<GeneratedRankingFixture>;

[Collection("generated ranking")]
public class GeneratedRankingTests(GeneratedRankingFixture fx, ITestOutputHelper output)
{
    void Print(TargetMetrics m) => output.WriteLine(
        $"{m.Target.Name()}: rows {m.Rows}, positives {m.Positives}, AUC {m.Auc:F4}, oracle AUC {m.OracleAuc:F4}, PR AUC {m.PrAuc:F4}, Brier {m.Brier:F4}, " +
        $"NDCG@10 {m.NdcgAtK:F4} (oracle {m.OracleNdcgAtK:F4}), baselines {string.Join(", ", m.BaselineNdcgAtK.Select(kv => $"{kv.Key} {kv.Value:F4}"))}, trees {m.TreeCount}");

    [Theory]
    [InlineData("churn")]
    [InlineData("upsell")]
    public void Auc_lands_within_003_of_the_oracle(string target)
    {
        var m = target == "churn" ? fx.Result.Churn : fx.Result.Upsell;
        Print(m);
        Assert.NotNull(m.OracleAuc);
        Assert.True(m.Auc <= m.OracleAuc + 0.01, $"model AUC {m.Auc:F4} above the oracle {m.OracleAuc:F4}: the oracle or the split is wrong");
        Assert.True(m.Auc >= m.OracleAuc - 0.03, $"{target} AUC {m.Auc:F4} is more than 0.03 below the oracle {m.OracleAuc:F4}");
    }

    [Theory]
    [InlineData("churn")]
    [InlineData("upsell")]
    public void Ndcg_inside_books_beats_the_best_baseline(string target)
    {
        var m = target == "churn" ? fx.Result.Churn : fx.Result.Upsell;
        Print(m);
        // "Clearly above": at least a quarter of the way from the best baseline to the oracle's NDCG.
        double margin = 0.25 * (m.OracleNdcgAtK!.Value - m.BestBaselineNdcgAtK);
        Assert.True(margin > 0, "the oracle must beat the baselines, or the planted signal is missing");
        Assert.True(m.NdcgAtK >= m.BestBaselineNdcgAtK + margin,
            $"{target} NDCG@10 {m.NdcgAtK:F4} is not clearly above the best baseline {m.BestBaseline} {m.BestBaselineNdcgAtK:F4} (oracle {m.OracleNdcgAtK:F4})");
    }
}
