using Workbench.Analytics.Labeling;

namespace Workbench.Analytics.Ranking;

/// <summary>
/// Which as-of months train, validate and test. Test months are the latest; a training snapshot is used only if
/// its label window had closed by the first test month (as-of + gap + horizon &lt;= first test as-of), so no training
/// label peeks at the test period. Validation (early stopping, calibration) is the latest training months.
/// </summary>
public sealed record TimeSplit(IReadOnlyList<int> TrainMonths, IReadOnlyList<int> ValidationMonths, IReadOnlyList<int> TestMonths)
{
    public static TimeSplit Make(IReadOnlyList<int> asOfMonths, SnapshotOptions snapshots, int testMonths = 1, int validationMonths = 2)
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
        return new TimeSplit(trainable[..^validationMonths], trainable[^validationMonths..], test);
    }
}
