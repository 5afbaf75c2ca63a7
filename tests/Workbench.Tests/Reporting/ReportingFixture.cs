using Workbench.Analytics;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Features;
using Workbench.Analytics.Ranking;
using Workbench.Data.Generation;
using Workbench.Domain;

namespace Workbench.Tests.Reporting;

/// <summary>One small generated dataset, labeled, featured and ranked once for all reporting tests.</summary>
public sealed class ReportingFixture
{
    public CrmDataset Data { get; } = CrmGenerator.Generate(new GeneratorOptions { Accounts = 400, Months = 24, Seed = 5 });
    public LabeledFeatures Labeled { get; }
    public RankingResult Ranking { get; }

    public ReportingFixture()
    {
        Labeled = LabeledFeatures.Build(Data);
        var fast = new PropensityOptions { NumberOfTrees = 60, MinExamplesPerLeaf = 50 };
        var options = PipelineOptions.Default with { Ranking = PipelineOptions.Default.Ranking with { Churn = fast, Upsell = fast, TestMonths = 2 } };
        Ranking = PrioritizerEvaluation.Evaluate(AccountPrioritizer.Fit(Labeled, options), Labeled, Data);
    }
}

/// <summary>The reporting test classes share one <see cref="ReportingFixture"/> (one fit instead of one per class).</summary>
[CollectionDefinition(Name)]
public sealed class ReportingCollection : ICollectionFixture<ReportingFixture>
{
    public const string Name = "reporting fixture";
}
