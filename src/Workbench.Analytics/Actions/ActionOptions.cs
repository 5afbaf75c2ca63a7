using Workbench.Analytics.Modeling;

namespace Workbench.Analytics.Actions;

/// <summary>Options of the learned action policy (<see cref="ActionPolicyEstimator.Fit(DecisionFrame, ActionOptions?)"/>)
/// and of its off-policy evaluation (<see cref="ActionEvaluation"/>).</summary>
public sealed record ActionOptions
{
    /// <summary>The FastTree value models (regression of the reward given a response, one per action) of the myopic
    /// policy's reward model and of the logistic x FastTree candidate among the long-term learners (the response models
    /// are logistic regressions): 60 trees of 8 leaves, learning rate 0.08. Its minimum leaf (15 decisions) also sets
    /// how much an action needs: its response model 2x that many responses and non-responses, its value model 2x that many
    /// responses (else the action's mean is used), and the value model's leaves hold half of it (at least 5).</summary>
    public TreeOptions ValueModel { get; init; } = new(Trees: 60, Leaves: 8, MinExamplesPerLeaf: 15, LearningRate: 0.08);
    /// <summary>Share of the learned policy's choices spread uniformly over the actions when it is used live (its
    /// logged propensities: 1 - e + e/K for the recommended action, e/K for the others). Default 0.10.</summary>
    public double Exploration { get; init; } = 0.10;
    /// <summary>Bootstrap resamples for the confidence intervals. Default 300.</summary>
    public int BootstrapSamples { get; init; } = 300;
    /// <summary>How the doubly robust estimate's interval is read. Default <see cref="BootstrapInterval.PercentileOrPooled"/>:
    /// the union of the cluster bootstrap's percentile interval and one from a pooled (model-based) standard error, never
    /// narrower than the percentile one (1-15% wider) and the only kind that covered every policy's true value in at least
    /// 18 of 20 seeds on three seed sets (round 20 of docs/actions.md). The others: percentile alone, studentized
    /// (bootstrap-t), bias-corrected percentile, bias-corrected and accelerated (BCa), see <see cref="ClusterBootstrap"/>, or
    /// the pooled interval alone (<see cref="BootstrapInterval.Pooled"/>).</summary>
    public BootstrapInterval Interval { get; init; } = BootstrapInterval.PercentileOrPooled;
    /// <summary>Folds of the cross-fitted reward model used by the direct-method and doubly robust estimates
    /// (each decision's reward is predicted by a model that did not see it). Default 3.</summary>
    public int CrossFitFolds { get; init; } = 3;
    /// <summary>Importance weights above this are clipped (IPS, SNIPS and DR). Default 50.</summary>
    public double MaxWeight { get; init; } = 50;
    public int Seed { get; init; } = 42;

    internal IEnumerable<string> Problems()
    {
        static string F(double x) => x.ToString(CultureInfo.InvariantCulture);
        if (ValueModel is null) yield return "ValueModel is required.";
        else foreach (var p in ValueModel.Problems(nameof(ValueModel))) yield return p;
        if (!(Exploration >= 0 && Exploration <= 1)) yield return $"Exploration must be in [0, 1], got {F(Exploration)}.";
        if (BootstrapSamples < 20) yield return $"BootstrapSamples must be >= 20, got {BootstrapSamples}.";
        if (!Enum.IsDefined(Interval)) yield return $"Interval must be Percentile, Studentized, BiasCorrected, Accelerated, Pooled or PercentileOrPooled, got {Interval}.";
        if (CrossFitFolds < 2) yield return $"CrossFitFolds must be >= 2, got {CrossFitFolds}.";
        if (!(MaxWeight >= 1)) yield return $"MaxWeight must be >= 1, got {F(MaxWeight)}.";
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    public void Validate()
    {
        var problems = Problems().ToList();
        if (problems.Count > 0) throw new OptionsValidationException("Invalid action options: " + string.Join(" ", problems));
    }
}
