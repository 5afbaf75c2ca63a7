using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace Workbench.Analytics.Pipeline;

/// <summary>Snapshots, features and labels of one dataset, split in time: what the estimator trains on and the evaluation reads.</summary>
public sealed class OpportunityFrame
{
    internal OpportunityFrame(PipelineIndex index, OpportunityFeatureTable table, DateOnly split,
        IReadOnlyDictionary<(string, DateOnly), (OpportunityStage Stage, double Win)>? truth, IReadOnlyDictionary<string, double>? biases)
        => (Index, Table, SplitDate, Truth, PlantedBiases) = (index, table, split, truth, biases);

    /// <summary>Planted stage bias per rep, when the data carries truth.</summary>
    public IReadOnlyDictionary<string, double>? PlantedBiases { get; }

    public PipelineIndex Index { get; }
    /// <summary>Weekly and stage-change snapshots of every opportunity with their features.</summary>
    public OpportunityFeatureTable Table { get; }
    /// <summary>First day of the held-out period.</summary>
    public DateOnly SplitDate { get; }
    /// <summary>Planted weekly truth by (opportunity, week start), when the data carries it.</summary>
    public IReadOnlyDictionary<(string, DateOnly), (OpportunityStage Stage, double Win)>? Truth { get; }

    /// <summary>Builds the frame: snapshots, point-in-time features, the split <paramref name="options"/>.TestMonths before the data's end.</summary>
    public static OpportunityFrame Build(CrmDataset data, OpportunityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options = (options ?? new OpportunityOptions()).Validate();
        if (data.Opportunities.Count == 0) throw new WorkbenchException("The data has no opportunities: the pipeline models need opportunities.csv (with stage_history.csv and opportunity_activities.csv).");
        var index = new PipelineIndex(data);
        var snapshots = OpportunitySnapshots.All(index);
        var table = OpportunitySnapshots.Features(index, snapshots, options);
        var endMonth = new DateOnly(index.DataEnd.Year, index.DataEnd.Month, 1);
        var split = endMonth.AddMonths(-options.TestMonths);
        Dictionary<(string, DateOnly), (OpportunityStage, double)>? truth = null;
        if (data.Truth is { OpportunityWeeks.Count: > 0 } t)
        {
            truth = new Dictionary<(string, DateOnly), (OpportunityStage, double)>(t.OpportunityWeeks.Count);
            foreach (var w in t.OpportunityWeeks) truth[(w.OpportunityId, w.WeekStart)] = (w.TrueStage, w.WinProbability);
        }
        var biases = data.Truth is { RepBiases.Count: > 0 } tb ? tb.RepBiases.ToDictionary(b => b.RepId, b => b.StageBias, StringComparer.Ordinal) : null;
        return new OpportunityFrame(index, table, split, truth, biases);
    }

    public bool IsClosed(int row) => Index.Opps[Table.Snapshots[row].Opportunity].Outcome != OpportunityOutcome.Open;
    public bool IsWon(int row) => Index.Opps[Table.Snapshots[row].Opportunity].Outcome == OpportunityOutcome.Won;
}

/// <summary>
/// Fits the opportunity models on the deals that closed before the split: a calibrated win model and a multiclass
/// stage model. The stage model learns the planted TRUE stage when the data carries truth, so no rep's recorded
/// (biased) stage defines what a stage means; without truth it learns the recorded stage pooled over all reps.
/// </summary>
/// <example><code>
/// var data = CrmGenerator.Generate(600, 30, 7);
/// var model = OpportunityEstimator.Fit(data);
/// var evaluation = OpportunityEvaluation.Evaluate(model, data);
/// </code></example>
public static class OpportunityEstimator
{
    public static OpportunityModel Fit(CrmDataset data) => Fit(data, new OpportunityOptions());

    public static OpportunityModel Fit(CrmDataset data, OpportunityOptions options) => Fit(OpportunityFrame.Build(data, options), options);

    public static OpportunityModel Fit(OpportunityFrame frame, OpportunityOptions options)
    {
        ArgumentNullException.ThrowIfNull(frame);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        var table = frame.Table;
        var split = frame.SplitDate;
        var index = frame.Index;

        // Win: snapshots before the split of deals that closed before the split. The latest-closing share validates.
        var closedBefore = Enumerable.Range(0, index.Opps.Length)
            .Where(i => index.Opps[i].Outcome != OpportunityOutcome.Open && index.Opps[i].CloseDate < split)
            .OrderBy(i => index.Opps[i].CloseDate).ThenBy(i => i).ToArray();
        if (closedBefore.Length < 20)
            throw new WorkbenchException($"Only {closedBefore.Length} opportunities closed before {split:yyyy-MM-dd} (the split, {options.TestMonths} months before the data's end): too few to train. Lower TestMonths or bring more history.");
        int validFrom = (int)Math.Floor(closedBefore.Length * (1 - options.ValidationShare));
        var isValid = new Dictionary<int, bool>();
        for (int k = 0; k < closedBefore.Length; k++) isValid[closedBefore[k]] = k >= validFrom;
        var trainRows = new List<int>(); var validRows = new List<int>();
        for (int r = 0; r < table.RowCount; r++)
        {
            var s = table.Snapshots[r];
            if (s.AsOf >= split || !isValid.TryGetValue(s.Opportunity, out bool v)) continue;
            (v ? validRows : trainRows).Add(r);
        }
        var names = table.Registry.Names.ToArray();
        TrainingSet Set(List<int> rows) => new(Gather(table, rows), names, rows.Select(r => frame.IsWon(r)).ToArray());
        var train = Set(trainRows); var valid = Set(validRows);
        var win = PropensityTrainer.Train("win", train, valid, options.Win with { Seed = options.Seed });

        // Stage: weekly snapshots before the split, labelled with the true stage (or the recorded one).
        var source = options.StageLabels switch
        {
            StageLabelSource.Auto => frame.Truth is null ? StageLabelSource.Recorded : StageLabelSource.Truth,
            StageLabelSource.Truth when frame.Truth is null => throw new WorkbenchException("StageLabels is Truth but the data carries no truth/opportunity_weeks."),
            var s => s,
        };
        var stageRows = new List<int>(); var stageLabels = new List<float>();
        int stageCol = OpportunityFeatures.Index(OpportunityFeatures.RecordedStage);
        for (int r = 0; r < table.RowCount; r++)
        {
            var s = table.Snapshots[r];
            if (s.AsOf >= split) continue;
            int label;
            if (source == StageLabelSource.Truth)
            {
                if (s.Kind != SnapshotKind.Weekly || !frame.Truth!.TryGetValue((s.OpportunityId, s.AsOf), out var t)) continue;
                label = (int)t.Stage;
            }
            else
            {
                float recorded = table.Values[r * table.ColumnCount + stageCol];
                if (float.IsNaN(recorded)) continue;
                label = (int)recorded;
            }
            stageRows.Add(r); stageLabels.Add(label);
        }
        var ml = new MLContext(options.Seed);
        var stageView = StageView(ml, Gather(table, stageRows), table.ColumnCount, stageLabels.ToArray());
        var present = stageLabels.Distinct().Count();
        if (present < 4)
            throw new WorkbenchException($"The stage model's training snapshots hold only {present} of the 4 open stages; it needs deals in every stage before the split.");
        // Classes are keyed by value (0..3), so the score vector is in stage order.
        var trainer = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Append(ml.MulticlassClassification.Trainers.LightGbm(options.StageModel.LightGbmMulticlass(options.Seed)));
        var stage = trainer.Fit(stageView);

        // Background for TreeSHAP covers and supporting statistics: the training rows (at most 4,000, evenly spaced).
        int step = Math.Max(1, train.RowCount / 4000);
        var bg = Enumerable.Range(0, train.RowCount).Where(i => i % step == 0).ToList();
        var subset = train.Subset(bg);
        return new OpportunityModel(win, ml, stage, subset.Values, subset.Labels, split, source, options);
    }

    static float[] Gather(OpportunityFeatureTable table, IReadOnlyList<int> rows)
    {
        int d = table.ColumnCount;
        var v = new float[rows.Count * d];
        for (int k = 0; k < rows.Count; k++) table.Row(rows[k]).CopyTo(v.AsSpan(k * d, d));
        return v;
    }

    internal static DataViewSchema StageSchema(int features)
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, features));
        b.AddColumn("Label", NumberDataViewType.Single);
        return b.ToSchema();
    }

    /// <summary>Features and a numeric stage label (0..3) as an ML.NET view (no emitted code: works in file-based apps).</summary>
    internal static IDataView StageView(MLContext ml, float[] values, int d, float[] labels) =>
        new Modeling.DenseDataView(values, OpportunityFeatures.Registry.Names.Take(d).ToArray(), labels);
}
