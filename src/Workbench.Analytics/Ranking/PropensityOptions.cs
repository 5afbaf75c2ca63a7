namespace Workbench.Analytics.Ranking;

public enum PropensityAlgorithm { LightGbm, FastTree, LogisticRegression }

/// <summary>The validation metric early stopping watches (LightGBM): log-loss improves by tiny amounts for hundreds of trees on
/// large validation sets, so it rarely stops; ROC AUC, which is what the model is judged on, plateaus (see docs/scale.md).</summary>
public enum StoppingMetric { LogLoss, Auc }

/// <summary>How a propensity model is trained. Defaults suit tens of thousands to millions of snapshots: small trees
/// with large leaves, because monthly snapshots of the same account are strongly correlated and deep trees memorize them.</summary>
public sealed record PropensityOptions
{
    public PropensityAlgorithm Algorithm { get; init; } = PropensityAlgorithm.LightGbm;
    public int NumberOfTrees { get; init; } = 400;
    public int NumberOfLeaves { get; init; } = 7;
    public double LearningRate { get; init; } = 0.05;
    public int MinExamplesPerLeaf { get; init; } = 200;
    /// <summary>Training refuses below this many positive examples (Dynamics 365 asks for 40): a model cannot learn a
    /// class it has barely seen.</summary>
    public int MinPositives { get; init; } = 40;
    /// <summary>Training refuses below this many negative examples.</summary>
    public int MinNegatives { get; init; } = 40;
    /// <summary>Stop adding trees when the validation loss has not improved for this many rounds (0 = off).</summary>
    public int EarlyStoppingRounds { get; init; } = 30;
    /// <summary>What early stopping watches on the validation rows.</summary>
    public StoppingMetric StoppingMetric { get; init; } = StoppingMetric.LogLoss;
    public CalibrationMethod Calibration { get; init; } = CalibrationMethod.Isotonic;
    public int Seed { get; init; } = 42;
    /// <summary>Threads for tree learning; 1 makes training bit-for-bit repeatable across machines.</summary>
    public int Threads { get; init; } = 1;
    /// <summary>LightGBM: histogram bins per feature (its max_bin; 255 is LightGBM's and ML.NET's default). Fewer bins make
    /// each tree's histograms and split search cheaper (docs/scale.md, "Training options at 100,000 accounts").</summary>
    public int MaxBinCount { get; init; } = 255;
    /// <summary>LightGBM bagging: the share of training rows each tree is grown on (1 = all rows, no bagging).</summary>
    public double SubsampleFraction { get; init; } = 1.0;
    /// <summary>LightGBM bagging: draw a new row sample every this many trees (0 = never; needs <see cref="SubsampleFraction"/> below 1).</summary>
    public int SubsampleFrequency { get; init; } = 0;

    public void Validate()
    {
        if (NumberOfTrees is < 1 or > 10_000) throw new OptionsValidationException($"NumberOfTrees must be 1..10000, got {NumberOfTrees}.");
        if (NumberOfLeaves is < 2 or > 1024) throw new OptionsValidationException($"NumberOfLeaves must be 2..1024, got {NumberOfLeaves}.");
        if (LearningRate is <= 0 or > 1) throw new OptionsValidationException($"LearningRate must be in (0, 1], got {LearningRate}.");
        if (MinExamplesPerLeaf < 1) throw new OptionsValidationException($"MinExamplesPerLeaf must be >= 1, got {MinExamplesPerLeaf}.");
        if (MinPositives < 1) throw new OptionsValidationException($"MinPositives must be >= 1, got {MinPositives}.");
        if (MinNegatives < 1) throw new OptionsValidationException($"MinNegatives must be >= 1, got {MinNegatives}.");
        if (EarlyStoppingRounds < 0) throw new OptionsValidationException($"EarlyStoppingRounds must be >= 0, got {EarlyStoppingRounds}.");
        if (Threads is < 1 or > 256) throw new OptionsValidationException($"Threads must be 1..256, got {Threads}.");
        if (MaxBinCount is < 2 or > 65_535) throw new OptionsValidationException($"MaxBinCount must be 2..65535, got {MaxBinCount}.");
        if (SubsampleFraction is <= 0 or > 1) throw new OptionsValidationException($"SubsampleFraction must be in (0, 1], got {SubsampleFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        if (SubsampleFrequency is < 0 or > 10_000) throw new OptionsValidationException($"SubsampleFrequency must be 0..10000, got {SubsampleFrequency}.");
        if ((SubsampleFraction < 1) != (SubsampleFrequency > 0))
            throw new OptionsValidationException($"SubsampleFraction below 1 and SubsampleFrequency above 0 go together (bagging draws a share of the rows every n trees), got {SubsampleFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)} and {SubsampleFrequency}.");
    }
}

/// <summary>Leaf sizes that follow the data: the configured minimum leaf, but never more than a twentieth of the
/// training rows (at least 5), so a short history does not end in a single leaf that cannot split.</summary>
public static class LeafSizes
{
    public static int Effective(int configured, int trainingRows) => Math.Min(configured, Math.Max(5, trainingRows / 20));
}
