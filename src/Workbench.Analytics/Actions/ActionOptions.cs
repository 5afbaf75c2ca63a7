namespace Workbench.Analytics.Actions;

/// <summary>Options of the learned action policy (<see cref="ActionPolicyEstimator.Fit(DecisionFrame, ActionOptions?)"/>)
/// and of its off-policy evaluation (<see cref="ActionEvaluation"/>).</summary>
public sealed record ActionOptions
{
    /// <summary>Trees per value model (ML.NET FastTree regression of the reward given a response, one per action; the
    /// response models are logistic regressions). Default 60.</summary>
    public int Trees { get; init; } = 60;
    /// <summary>Leaves per tree. Default 8.</summary>
    public int Leaves { get; init; } = 8;
    /// <summary>Minimum decisions per leaf. An action's response model needs 2x this many responses and non-responses
    /// (else its mean response rate is used). Default 15.</summary>
    public int MinLeafCount { get; init; } = 15;
    public double LearningRate { get; init; } = 0.08;
    /// <summary>Share of the learned policy's choices spread uniformly over the actions when it is used live (its
    /// logged propensities: 1 - e + e/K for the recommended action, e/K for the others). Default 0.10.</summary>
    public double Exploration { get; init; } = 0.10;
    /// <summary>Bootstrap resamples for the confidence intervals. Default 300.</summary>
    public int BootstrapSamples { get; init; } = 300;
    /// <summary>Folds of the cross-fitted reward model used by the direct-method and doubly robust estimates
    /// (each decision's reward is predicted by a model that did not see it). Default 3.</summary>
    public int CrossFitFolds { get; init; } = 3;
    /// <summary>Importance weights above this are clipped (IPS, SNIPS and DR). Default 50.</summary>
    public double MaxWeight { get; init; } = 50;
    public int Seed { get; init; } = 42;

    internal IEnumerable<string> Problems()
    {
        static string F(double x) => x.ToString(CultureInfo.InvariantCulture);
        if (Trees < 1) yield return $"Trees must be >= 1, got {Trees}.";
        if (Leaves < 2) yield return $"Leaves must be >= 2, got {Leaves}.";
        if (MinLeafCount < 1) yield return $"MinLeafCount must be >= 1, got {MinLeafCount}.";
        if (!(LearningRate > 0 && LearningRate <= 1)) yield return $"LearningRate must be in (0, 1], got {F(LearningRate)}.";
        if (!(Exploration >= 0 && Exploration <= 1)) yield return $"Exploration must be in [0, 1], got {F(Exploration)}.";
        if (BootstrapSamples < 20) yield return $"BootstrapSamples must be >= 20, got {BootstrapSamples}.";
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
