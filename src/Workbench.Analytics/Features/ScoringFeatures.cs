namespace Workbench.Analytics.Features;

/// <summary>
/// Features of new data, where labels do not exist yet: every eligible account-product at one as-of month and at the
/// month before it (for trends), with the run-rate each row carries into the expected values. Nothing here reads a
/// month at or after the as-of date, so the default as-of date is the month right after the data's last month.
/// </summary>
/// <param name="Panel">The dataset as monthly arrays.</param>
/// <param name="Features">One row per snapshot, both months, ordered by as-of month then pair.</param>
/// <param name="RunRates">Monthly run-rate per row of <paramref name="Features"/> (mean spend of the months before the as-of date).</param>
/// <param name="AsOfMonth">The month scored (panel index; may equal <see cref="MonthlyPanel.Months"/>).</param>
/// <param name="PreviousMonth">The month before, scored only for trends.</param>
/// <param name="SnapshotOptions">Eligibility and history rules used.</param>
/// <param name="LabelOptions">Options whose run-rate window was used.</param>
/// <param name="FeatureOptions">Feature post-processing used.</param>
public sealed record ScoringFeatures(
    MonthlyPanel Panel, FeatureTable Features, IReadOnlyList<double> RunRates, int AsOfMonth, int PreviousMonth,
    SnapshotOptions SnapshotOptions, LabelOptions LabelOptions, FeatureOptions FeatureOptions)
{
    public DateOnly AsOf => Panel.MonthAt(AsOfMonth);
    public DateOnly PreviousAsOf => Panel.MonthAt(PreviousMonth);

    /// <summary>Label-free features as of <paramref name="asOf"/> (first of a month; default: the month after the last
    /// month in the data, so all data is used) and the month before.</summary>
    /// <param name="data">The dataset to score.</param>
    /// <param name="asOf">As-of date; null for the month after the data's last month.</param>
    /// <param name="snapshots">Eligibility and history rules (the label window is not used).</param>
    /// <param name="labels">Only <see cref="LabelOptions.RunRateMonths"/> is used, for the run-rate.</param>
    /// <param name="features">How features are post-processed; must be what the model was trained with.</param>
    public static ScoringFeatures Build(CrmDataset data, DateOnly? asOf = null, SnapshotOptions? snapshots = null, LabelOptions? labels = null, FeatureOptions? features = null)
        => Build(data, asOf, snapshots, labels, features, wholeHistory: false);

    /// <summary>As <see cref="Build(CrmDataset, DateOnly?, SnapshotOptions?, LabelOptions?, FeatureOptions?)"/>; with
    /// <paramref name="wholeHistory"/> the panel lays out every month of the data instead of only the look-back months
    /// scoring reads (the tests compare the two). <paramref name="parts"/>, when given, is told the wall seconds of each
    /// step (the panel, the snapshots, the builder, the rows, the run-rates).</summary>
    internal static ScoringFeatures Build(CrmDataset data, DateOnly? asOf, SnapshotOptions? snapshots, LabelOptions? labels, FeatureOptions? features, bool wholeHistory,
        IStagePartTimings? parts = null, CategoryValues? categories = null)
    {
        var clock = new StagePartClock(parts);
        ArgumentNullException.ThrowIfNull(data);
        snapshots ??= new SnapshotOptions();
        labels ??= new LabelOptions();
        features ??= new FeatureOptions();
        labels.Validate();
        if (asOf is { Day: not 1 } bad) throw new OptionsValidationException($"The as-of date must be the first day of a month, got {bad:yyyy-MM-dd}.");
        // Scoring reads the as-of month's and the month before's windows only: the panel starts that many months back, so
        // the rows of earlier months are not laid out (a third of the arrays at 36 months; docs/scale.md, scorefast5).
        var panel = wholeHistory ? new MonthlyPanel(data) : MonthlyPanel.ForScoring(data, asOf, LookbackMonths(snapshots, labels));
        clock.Lap("the monthly panel");
        int t = asOf is DateOnly d ? panel.MonthIndexOf(d) : panel.Months;
        CheckExtent(data, panel, asOf, t);
        var snaps = Snapshots.ForScoring(panel, [t - 1, t], snapshots);
        clock.Lap("the extent check and the snapshots");
        if (!snaps.Any(s => s.AsOfMonth == t))
            throw new NothingToScoreException($"No account-product is eligible ({snapshots.Eligibility}) as of {panel.MonthAt(t):yyyy-MM-dd}: nothing to score.");
        var builder = new FeatureBuilder(panel, categories);
        clock.Lap("the feature builder (account sums)");
        var built = builder.Build(snaps, features);
        clock.Lap(FormattableString.Invariant($"the features of {snaps.Count:N0} rows"));
        // The explainers' sentence writers need this very builder (account spend prefixes, tenure, category names): kept
        // with the table so the two explainers do not build it again from the panel (docs/scale.md, scorefast4).
        var table = new FeatureTable(built.Panel, built.Snapshots, built.Registry, built.Values) { Builder = builder };
        var runRates = snaps.Select(s => Labeler.RunRate(panel, s, labels)).ToArray();
        clock.Lap("the run-rates");
        return new ScoringFeatures(panel, table, runRates, t, t - 1, snapshots, labels, features);
    }

    /// <summary>How many months before the as-of month a scoring reads: the longest feature window, plus the month a change
    /// feature reads before its window and the month before the as-of month (scored for trends), plus two months of margin;
    /// at least the run-rate's and the purchase look-back's months, and more than the history the snapshots require (so the
    /// history check sees the same months).</summary>
    internal static int LookbackMonths(SnapshotOptions snapshots, LabelOptions labels)
    {
        int longestWindow = FeatureCatalog.All.Max(s => s.Definition.WindowMonths);
        int read = Math.Max(longestWindow + 1, Math.Max(labels.RunRateMonths, labels.PurchaseLookbackMonths));
        return Math.Max(read + 1 + 2, snapshots.MinHistoryMonths + 1);
    }

    /// <summary>Spend plus usage rows of each month of the data (what <see cref="MonthlyPanel.RowsPerMonth"/> holds for a
    /// scoring panel), counted on two threads (each table into its own array; counts add exactly).</summary>
    static int[] RowsPerMonth(CrmDataset data, MonthlyPanel panel, int offset, int wholeMonths)
    {
        var populated = new int[wholeMonths];
        var usagePerMonth = new int[wholeMonths];
        MonthlyPanel.Both(
            () => { foreach (var s in data.Spend) populated[panel.MonthIndexOf(s.Month) + offset]++; },
            () => { foreach (var u in data.Usage) usagePerMonth[panel.MonthIndexOf(u.Month) + offset]++; });
        for (int m = 0; m < populated.Length; m++) populated[m] += usagePerMonth[m];
        return populated;
    }

    /// <summary>The data-extent check made before any row is scored. An explicit as-of date must fall inside the data
    /// (from the month after its first month to the month after its last month). With the default as-of date, the
    /// data's last month must follow the rest without a gap: a few stray rows far after the bulk of the data (one
    /// 2099-01 spend row) would otherwise move the as-of date past every other account and silently shrink the scored
    /// population to the accounts of those rows.</summary>
    static void CheckExtent(CrmDataset data, MonthlyPanel panel, DateOnly? asOf, int t)
    {
        // Indexes of the whole data: a scoring panel may start after the data's first month (HistoryOffset months later).
        int offset = panel.HistoryOffset, wholeMonths = panel.Months + offset;
        DateOnly MonthAt(int index) => panel.MonthAt(index - offset);
        t += offset;
        var last = MonthAt(wholeMonths - 1);
        string range = $"the data's spend and usage months run from {MonthAt(0):yyyy-MM} to {last:yyyy-MM}, so the earliest as-of date is " +
            $"{MonthAt(1):yyyy-MM-dd} and the latest as-of date is {MonthAt(wholeMonths):yyyy-MM-dd}";
        if (asOf is DateOnly d && (t < 1 || t > wholeMonths))
            throw new OptionsValidationException($"The as-of date {d:yyyy-MM-dd} is outside the data: {range}.");
        if (asOf is not null) return;
        // Spend and usage rows per month of the data (the panel spans exactly the spend and usage months, so every index is
        // in range): counted by a scoring panel while it read the rows; counted here for a panel built otherwise.
        var populated = panel.RowsPerMonth ?? RowsPerMonth(data, panel, offset, wholeMonths);
        var months = Enumerable.Range(0, populated.Length).Where(m => populated[m] > 0).ToArray();
        if (months.Length < 2) return;
        int lastIndex = months[^1], before = months[^2];
        if (lastIndex - before <= 1) return;
        int stray = populated[lastIndex];
        throw new WorkbenchException(
            $"The data's last month {last:yyyy-MM} ({stray} spend/usage row(s)) comes after {lastIndex - before - 1} month(s) with no rows at all " +
            $"(the rest of the data ends {MonthAt(before):yyyy-MM}): scoring as of {MonthAt(wholeMonths):yyyy-MM-dd} would score only the accounts " +
            $"of those rows. Fix or remove the stray rows, or give the as-of date explicitly (--as-of {MonthAt(before + 1):yyyy-MM-dd}); {range}.");
    }
}
