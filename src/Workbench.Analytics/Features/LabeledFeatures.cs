namespace Workbench.Analytics.Features;

/// <summary>Everything the labeling and feature stages produce for one dataset. <see cref="Features"/> and
/// <see cref="Labels"/> hold the same rows in the same order: every labeled snapshot, or only the rows a consumer
/// selected (see <see cref="Build(CrmDataset, SnapshotOptions?, LabelOptions?, FeatureOptions?, RowSelector?, MonthlyPanel?)"/>);
/// <see cref="Report"/>, <see cref="AccountLabels"/>, <see cref="AsOfMonths"/> and <see cref="SnapshotCount"/> always
/// describe every labeled snapshot (the account labels are built when first read).</summary>
public sealed record LabeledFeatures(
    MonthlyPanel Panel,
    FeatureTable Features,
    IReadOnlyList<Label> Labels,
    IReadOnlyList<AccountLabel> AccountLabels,
    LabelReport Report,
    SnapshotOptions SnapshotOptions,
    LabelOptions LabelOptions,
    FeatureOptions FeatureOptions)
{
    /// <summary>Every labeled as-of month (sorted), also those none of whose rows were selected.</summary>
    public IReadOnlyList<int> AsOfMonths { get; init; } = Features.Snapshots.Select(s => s.AsOfMonth).Distinct().Order().ToArray();

    /// <summary>Labeled snapshots before any row selection (equal to <c>Features.RowCount</c> when every row is kept).</summary>
    public int SnapshotCount { get; init; } = Features.RowCount;

    /// <summary>Which rows of the labeled snapshots to keep (indexes into <paramref name="snapshots"/>, ascending), given
    /// the snapshots, their labels and the sorted labeled as-of months.</summary>
    public delegate int[] RowSelector(IReadOnlyList<Snapshot> snapshots, IReadOnlyList<Label> labels, IReadOnlyList<int> asOfMonths);

    /// <summary>Snapshots, labels and features of a dataset with the pipeline's options (label source "auto": bookings
    /// when the data has them, else spend).</summary>
    public static LabeledFeatures Build(CrmDataset data, PipelineOptions options, RowSelector? selectRows = null, MonthlyPanel? panel = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        return Build(data, options.Snapshots, options.LabelsFor(data), options.Features, selectRows, panel);
    }

    /// <summary>Snapshots, labels and features of a dataset in one call. Labels come from bookings
    /// when the data has them and from spend otherwise, unless <paramref name="labels"/> says which. With
    /// <paramref name="selectRows"/>, only the selected rows get features and are kept (training at scale needs a
    /// sample of the training months plus the validation and test months, not every snapshot: see docs/scale.md); the
    /// kept rows' values are the same as in the full table: with feature options whose post-processing reads the whole
    /// column (winsorizing, median imputation) the full table is built first and then cut. <paramref name="panel"/> is the
    /// dataset's monthly panel when the caller already built it (null builds it): then the fact tables of
    /// <paramref name="data"/> are not read, only its planted segments (for the label report), so a caller may have
    /// released them.</summary>
    public static LabeledFeatures Build(CrmDataset data, SnapshotOptions? snapshots = null, LabelOptions? labels = null, FeatureOptions? features = null,
        RowSelector? selectRows = null, MonthlyPanel? panel = null)
    {
        snapshots ??= new SnapshotOptions();
        labels ??= new LabelOptions { Source = Labeler.AutoSource(data) };
        features ??= new FeatureOptions();
        panel ??= new MonthlyPanel(data);
        var snaps = Snapshots.Build(panel, snapshots);
        var labelRows = Labeler.Label(panel, snaps, snapshots, labels);
        var asOfMonths = snaps.Select(s => s.AsOfMonth).Distinct().Order().ToArray();
        Func<string, string?>? segmentOf = null;
        if (data.Truth is { Segments.Count: > 0 } truth)
        {
            var seg = truth.Segments.ToDictionary(s => s.AccountId, s => s.SegmentName, StringComparer.Ordinal);
            segmentOf = id => seg.GetValueOrDefault(id);
        }
        // The label report and the feature builder's account arrays are independent passes: two at a time. The account
        // labels are built when first read (nothing in a run reads them; at 100,000 accounts they were about 0.2 GB kept
        // through the fits, where the run's memory peak is: docs/scale.md).
        LabelReport report = null!;
        FeatureBuilder builder = null!;
        MonthlyPanel.Both(
            () => report = LabelReport.Build(panel, labelRows, segmentOf),
            () => builder = new FeatureBuilder(panel));
        FeatureTable table;
        IReadOnlyList<Label> keptLabels = labelRows;
        if (selectRows is null) table = builder.Build(snaps, features);
        else
        {
            var rows = selectRows(snaps, labelRows, asOfMonths);
            for (int k = 1; k < rows.Length; k++)
                if (rows[k] <= rows[k - 1]) throw new ArgumentException("Selected rows must be ascending and distinct.", nameof(selectRows));
            keptLabels = rows.Select(r => labelRows[r]).ToArray();
            if (FeaturePostprocessing.IsRowLocal(features))
                table = builder.Build(rows.Select(r => snaps[r]).ToArray(), features);
            else
                table = builder.Build(snaps, features).Rows(rows);
        }
        var accountLabels = selectRows is null ? new AccountLabelList(() => Labeler.ByAccount(labelRows, labels))
            : AccountLabelList.Relabeled(panel, snapshots, labels);
        return new LabeledFeatures(panel, table, keptLabels, accountLabels, report, snapshots, labels, features)
        {
            AsOfMonths = asOfMonths,
            SnapshotCount = snaps.Count,
        };
    }
}

/// <summary>Account labels built on first read: from the snapshot labels when every row is kept (they are kept anyway),
/// else by labeling the panel's snapshots again (the same labels: <see cref="Labeler.Label"/> reads only the panel and
/// the options), so a row selection never keeps every snapshot's label alive to build them.</summary>
internal sealed class AccountLabelList(Func<IReadOnlyList<AccountLabel>> build) : IReadOnlyList<AccountLabel>
{
    readonly Lazy<IReadOnlyList<AccountLabel>> _labels = new(build, LazyThreadSafetyMode.ExecutionAndPublication);

    public static AccountLabelList Relabeled(MonthlyPanel panel, SnapshotOptions snapshots, LabelOptions labels) =>
        new(() => Labeler.ByAccount(Labeler.Label(panel, Snapshots.Build(panel, snapshots), snapshots, labels), labels));

    /// <summary>Whether the labels were built (read) yet.</summary>
    public bool IsBuilt => _labels.IsValueCreated;

    public AccountLabel this[int index] => _labels.Value[index];
    public int Count => _labels.Value.Count;
    public IEnumerator<AccountLabel> GetEnumerator() => _labels.Value.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
