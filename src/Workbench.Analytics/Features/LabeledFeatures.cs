namespace Workbench.Analytics.Features;

/// <summary>Everything the labeling and feature stages produce for one dataset.</summary>
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
    /// <summary>Snapshots, labels and features of a dataset with the pipeline's options (label source "auto": bookings
    /// when the data has them, else spend).</summary>
    public static LabeledFeatures Build(CrmDataset data, PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        return Build(data, options.Snapshots, options.LabelsFor(data), options.Features);
    }

    /// <summary>Snapshots, labels and features of a dataset in one call. Labels come from bookings
    /// when the data has them and from spend otherwise, unless <paramref name="labels"/> says which.</summary>
    public static LabeledFeatures Build(CrmDataset data, SnapshotOptions? snapshots = null, LabelOptions? labels = null, FeatureOptions? features = null)
    {
        snapshots ??= new SnapshotOptions();
        labels ??= new LabelOptions { Source = Labeler.AutoSource(data) };
        features ??= new FeatureOptions();
        var panel = new MonthlyPanel(data);
        var snaps = Snapshots.Build(panel, snapshots);
        var labelRows = Labeler.Label(panel, snaps, snapshots, labels);
        var table = new FeatureBuilder(panel).Build(snaps, features);
        Func<string, string?>? segmentOf = null;
        if (data.Truth is { Segments.Count: > 0 } truth)
        {
            var seg = truth.Segments.ToDictionary(s => s.AccountId, s => s.SegmentName, StringComparer.Ordinal);
            segmentOf = id => seg.GetValueOrDefault(id);
        }
        var report = LabelReport.Build(panel, labelRows, segmentOf);
        return new LabeledFeatures(panel, table, labelRows, Labeler.ByAccount(labelRows, labels), report, snapshots, labels, features);
    }
}
