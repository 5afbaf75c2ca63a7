namespace Workbench.Analytics.Ranking;

/// <summary>
/// Which as-of months train, validate and test. Test months are the latest; a training snapshot is used only if
/// its label window had closed by the first test month (as-of + gap + horizon &lt;= first test as-of), so no training
/// label peeks at the test period. Validation (early stopping, calibration) is the latest training months.
/// With <c>trainStepMonths</c> &gt; 1 only every n-th training month is kept, counted back from the latest one (validation and
/// test months are unchanged, so the evaluation sees the same rows): consecutive monthly snapshots of one account overlap
/// in most of their history, so a sparser schedule trains on fewer, less redundant rows (see docs/scale.md).
/// </summary>
public sealed record TimeSplit(IReadOnlyList<int> TrainMonths, IReadOnlyList<int> ValidationMonths, IReadOnlyList<int> TestMonths)
{
    public static TimeSplit Make(IReadOnlyList<int> asOfMonths, SnapshotOptions snapshots, int testMonths = 1, int validationMonths = 2, int trainStepMonths = 1)
    {
        var months = asOfMonths.Distinct().Order().ToArray();
        if (testMonths < 1 || validationMonths < 1) throw new OptionsValidationException("Test and validation windows need at least one as-of month each.");
        var test = months[^Math.Min(testMonths, months.Length)..];
        int lastTrainable = test[0] - snapshots.GapMonths - snapshots.HorizonMonths;
        var trainable = months.Where(m => m <= lastTrainable).ToArray();
        if (trainable.Length < validationMonths + 1)
            throw new OptionsValidationException(
                $"Not enough history for a time split: {trainable.Length} as-of month(s) have labels that close before the first test month " +
                $"(horizon {snapshots.HorizonMonths}, gap {snapshots.GapMonths}); need at least {validationMonths + 1}. Use more months of data or a shorter horizon.");
        if (trainStepMonths is < 1 or > 24) throw new OptionsValidationException($"The training step must be 1..24 months, got {trainStepMonths}.");
        var train = trainable[..^validationMonths];
        if (trainStepMonths > 1)
        {
            int latest = train[^1];
            train = train.Where(m => (latest - m) % trainStepMonths == 0).ToArray();
        }
        return new TimeSplit(train, trainable[^validationMonths..], test);
    }
}
