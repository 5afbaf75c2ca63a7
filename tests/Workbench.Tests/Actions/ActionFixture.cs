using Workbench.Analytics.Actions;
using Workbench.Data.Generation;
using Workbench.Domain;

namespace Workbench.Tests.Actions;

/// <summary>One generated book (400 accounts x 36 months, seed 7), its decision frame, a fitted policy and its
/// off-policy evaluation, shared by the action tests.</summary>
public sealed class ActionFixture
{
    public CrmDataset Data { get; }
    public DecisionFrame Frame { get; }
    public ActionPolicyModel Model { get; }
    public RuleSet Rules { get; }
    public ActionEvaluationResult Evaluation { get; }

    public ActionFixture()
    {
        Data = CrmGenerator.Generate(new GeneratorOptions { Accounts = 400, Months = 36, Seed = 7 });
        Frame = DecisionFrame.Build(Data);
        Model = ActionPolicyEstimator.Fit(Frame);
        Rules = RuleSet.Parse(RuleSet.DefaultJson, Frame.Actions);
        Evaluation = ActionEvaluation.Evaluate(Frame, Rules);
    }

    /// <summary>A generated book of <paramref name="accounts"/> x 36 months (seed <paramref name="seed"/>) with its decisions as a
    /// run builds them: the run's segmentation as the contexts' observed segment.</summary>
    public static DecisionFrame RunLikeFrame(int accounts, int seed)
    {
        var data = CrmGenerator.Generate(new GeneratorOptions { Accounts = accounts, Months = 36, Seed = seed });
        return DecisionFrame.Build(data, RunSegmentation(data, seed));
    }

    /// <summary>The segmentation a run's default <c>segmentation</c> section fits on <paramref name="data"/> (K-Means, k
    /// chosen in 2..8, profiles as of the data's end), as the action contexts' observed segment.</summary>
    public static ObservedSegments RunSegmentation(CrmDataset data, int seed)
    {
        var profiles = Workbench.Analytics.Segmentation.AccountProfileFeatures.Build(data);
        var result = Workbench.Analytics.Segmentation.Segmenter.Run(profiles.ToSegmentationInput(), profiles.SegmentationOptions(seed));
        return ObservedSegments.From(result, profiles);
    }
}

[CollectionDefinition(Name)]
public sealed class ActionCollection : ICollectionFixture<ActionFixture> { public const string Name = "actions"; }
