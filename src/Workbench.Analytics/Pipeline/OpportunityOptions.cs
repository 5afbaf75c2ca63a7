using Workbench.Analytics.Modeling;

namespace Workbench.Analytics.Pipeline;

/// <summary>Where the stage model's labels come from.</summary>
public enum StageLabelSource
{
    /// <summary>The planted true stage when the data carries truth, the recorded stage otherwise.</summary>
    Auto,
    /// <summary>The planted true stage (truth/opportunity_weeks); fails without truth.</summary>
    Truth,
    /// <summary>The stage reps recorded, pooled over all reps (no rep identity among the features, so one rep's bias
    /// moves the labels by only their share of the deals; the population's average bias remains).</summary>
    Recorded,
}

/// <summary>Options of the opportunity models: the time split, the tree learners, the prior shrinkage, the forecast's
/// stage weights and the stuck-deal rule. Immutable; <see cref="Validate"/> lists every problem.</summary>
public sealed record OpportunityOptions
{
    /// <summary>Months at the end of the data held out for evaluation (snapshots dated in them; training deals closed before them).</summary>
    public int TestMonths { get; init; } = 12;
    /// <summary>Share of the training deals (the latest to close) used for early stopping and calibration.</summary>
    public double ValidationShare { get; init; } = 0.25;
    /// <summary>Trees of the win model (LightGBM with early stopping; calibrated on the validation deals).</summary>
    public PropensityOptions Win { get; init; } = new() { NumberOfLeaves = 15, MinExamplesPerLeaf = 50, NumberOfTrees = 300 };
    /// <summary>Trees of the multiclass stage model (LightGBM): 150 trees of 15 leaves, at least 30 rows a leaf, learning rate 0.1.</summary>
    public TreeOptions StageModel { get; init; } = new(Trees: 150, Leaves: 15, MinExamplesPerLeaf: 30, LearningRate: 0.1);
    public StageLabelSource StageLabels { get; init; } = StageLabelSource.Auto;
    /// <summary>Pseudo-deals of the overall win rate added to a rep's or segment's record (shrinkage strength).</summary>
    public double PriorStrength { get; init; } = 20;
    /// <summary>Standard forecast weights of the declared open stages (prospecting, qualification, proposal, negotiation).</summary>
    public IReadOnlyList<double> StageWeights { get; init; } = [0.10, 0.25, 0.50, 0.80];
    /// <summary>A deal is stuck when it has sat in its recorded stage this many times the won-deal median, and at least <see cref="StuckMinDays"/> longer.</summary>
    public double StuckFactor { get; init; } = 1.5;
    public int StuckMinDays { get; init; } = 14;
    /// <summary>Reasons for and against per opportunity.</summary>
    public int Reasons { get; init; } = 3;
    public int Seed { get; init; } = 42;
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every invalid option.</summary>
    public OpportunityOptions Validate()
    {
        var problems = new List<string>();
        void Check(bool ok, string problem) { if (!ok) problems.Add(problem); }
        Check(TestMonths is >= 1 and <= 120, $"TestMonths must be 1..120; got {TestMonths}.");
        Check(ValidationShare is > 0 and < 1, $"ValidationShare must be in (0, 1); got {ValidationShare}.");
        Check(Win is not null, "Win options are required.");
        try { Win?.Validate(); } catch (OptionsValidationException ex) { problems.Add("Win: " + ex.Message); }
        Check(StageModel is not null, "StageModel options are required.");
        if (StageModel is not null) problems.AddRange(StageModel.Problems(nameof(StageModel)));
        Check(PriorStrength >= 0 && double.IsFinite(PriorStrength), $"PriorStrength must be >= 0; got {PriorStrength}.");
        Check(StageWeights is { Count: 4 } && StageWeights.All(w => w is >= 0 and <= 1),
            $"StageWeights must hold 4 weights in [0, 1] (prospecting, qualification, proposal, negotiation); got [{string.Join(", ", StageWeights ?? [])}].");
        Check(StuckFactor >= 1 && double.IsFinite(StuckFactor), $"StuckFactor must be >= 1; got {StuckFactor}.");
        Check(StuckMinDays >= 0, $"StuckMinDays must be >= 0; got {StuckMinDays}.");
        Check(Reasons is >= 0 and <= 20, $"Reasons must be 0..20; got {Reasons}.");
        Check(MaxDegreeOfParallelism == -1 || MaxDegreeOfParallelism >= 1, $"MaxDegreeOfParallelism must be -1 or >= 1; got {MaxDegreeOfParallelism}.");
        if (problems.Count > 0) throw new OptionsValidationException("Invalid opportunity options:\n  " + string.Join("\n  ", problems));
        return this;
    }
}
