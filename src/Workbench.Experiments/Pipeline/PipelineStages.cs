using Workbench.Analytics;
using Workbench.Analytics.Explanation;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Segmentation;
using Workbench.Data;


namespace Workbench.Experiments.Pipeline;

/// <summary>What <see cref="PipelineStages.Train"/> produced: the labeled features (the rows training and evaluation read), the model, its evaluation and the files of the model folder.</summary>
public sealed record TrainOutput(LabeledFeatures Features, PrioritizerModel Model, RankingResult Ranking, IReadOnlyList<string> Files);

/// <summary>What <c>PipelineStages.Explain</c> produced: the explanation's totals (its narratives are in the files, not in
/// memory), the labeled features it explained, the explained as-of month and the files.</summary>
public sealed record ExplainOutput(ExplanationSummary Summary, LabeledFeatures Features, int AsOfMonth, IReadOnlyList<string> Files);

/// <summary>What <see cref="PipelineStages.Segment"/> produced.</summary>
public sealed record SegmentOutput(SegmentationResult Result, AccountProfiles Profiles, IReadOnlyList<int>? TrueSegments, IReadOnlyList<string> Files);

/// <summary>
/// The batch pipeline's stages, each reading its inputs and writing its artifacts to a folder: the same code behind
/// <c>workbench train</c>, <c>explain</c>, <c>segment</c> and <c>run</c>, so a CLI command and an experiment run
/// produce the same files from the same options.
/// </summary>
public static class PipelineStages
{
    /// <summary>Loads a dataset folder: strict by default; lenient keeps good rows and writes rejected ones to
    /// <paramref name="rejectsDirectory"/> (default DATA/rejects). The load report is returned so a rejection is never silent.
    /// <paramref name="tables"/> and <paramref name="truthTables"/> name the only canonical and truth tables read (null: all).</summary>
    public static LoadResult LoadDataset(string dir, bool lenient = false, string? rejectsDirectory = null, IReadOnlyList<string>? requiredTables = null,
        IReadOnlyList<string>? tables = null, IReadOnlyList<string>? truthTables = null) =>
        new CrmCatalog(dir).Load(new LoadOptions
        {
            Mode = lenient ? ValidationMode.Lenient : ValidationMode.Strict,
            RejectsDirectory = rejectsDirectory,
            RequiredTables = requiredTables ?? [],
            Tables = tables,
            TruthTables = truthTables,
        });

    /// <summary>Labels and features, then the prioritizer trained on earlier snapshots and evaluated on later ones; writes
    /// the model folder: the model file (<see cref="RankingArtifacts.ModelFile"/>), metrics.json, ranked-book.csv and
    /// evaluation-curves.json. <paramref name="panel"/>: the dataset's monthly panel when the caller already built it (and
    /// checked <see cref="RequireSpend"/>); then the fact tables of <paramref name="data"/> are not read, and
    /// <c>options.LabelSource</c> must already be resolved (null resolves "auto" from the bookings and spend of
    /// <paramref name="data"/>). <paramref name="steps"/> is told the name of each step of training and evaluation as it
    /// starts ("fitting and scoring the test months", "metrics and books"); the CLI prints their timings with WORKBENCH_TIMINGS=1.</summary>
    public static TrainOutput Train(CrmDataset data, PipelineOptions options, string outDir, IProgress<double>? progress = null, MonthlyPanel? panel = null,
        IProgress<string>? steps = null)
    {
        var (lf, model, result) = Fit(data, options, progress, panel, steps);
        progress?.Report(0.9);
        var files = RankingArtifacts.Write(model, result, outDir);
        progress?.Report(1);
        return new TrainOutput(lf, model, result, files);
    }

    /// <summary><see cref="Train"/> without writing the model folder: the caller writes it (<see cref="RankingArtifacts.Write"/>),
    /// e.g. beside the explanation, which reads the model in memory. <paramref name="progress"/> is told 0.3 when the labeled
    /// features are built.</summary>
    public static (LabeledFeatures Features, PrioritizerModel Model, RankingResult Ranking) Fit(CrmDataset data, PipelineOptions options,
        IProgress<double>? progress = null, MonthlyPanel? panel = null, IProgress<string>? steps = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (panel is null) RequireSpend(data);
        // Only the rows training and evaluation read get features (the training sample, validation and test months).
        var lf = AccountPrioritizer.BuildFeatures(data, options, panel);
        if (lf.Features.RowCount == 0)
            throw new DataValidationException([new DataProblem("spend", 0, null, null,
                $"spend covering at least one as-of month with a full label window (horizon {lf.SnapshotOptions.HorizonMonths}, gap {lf.SnapshotOptions.GapMonths}); none does")]);
        progress?.Report(0.3);
        var (model, result) = PrioritizerEvaluation.FitAndEvaluate(lf, options, data, steps);
        return (lf, model, result);
    }

    /// <summary>Without spend there is no as-of month to train or test on: says so before the time split has nothing to cut.</summary>
    public static void RequireSpend(CrmDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Spend.Count == 0)
            throw new DataValidationException([new DataProblem("spend", 0, null, null,
                "monthly spend rows to train on (the dataset's spend table is empty or absent, so there are no as-of months)")]);
    }

    /// <summary>Explains the latest as-of month with the model of a model folder (what <see cref="Train"/> wrote); writes
    /// narratives.json, narratives.txt, feature-importance.json, explain-metrics.json.</summary>
    public static ExplainOutput Explain(string modelDir, CrmDataset data, NarrativeOptions options, string outDir, IProgress<string>? steps = null) =>
        Explain(RankingArtifacts.ReadModel(modelDir), data, options, outDir, steps: steps);

    /// <summary>Explains the latest as-of month with a model.</summary>
    /// <param name="model">The trained prioritizer.</param>
    /// <param name="data">The dataset to explain.</param>
    /// <param name="options">How many reasons to tell, and the smallest share told.</param>
    /// <param name="outDir">Output folder.</param>
    /// <param name="labeledFeatures">The labeled features built with the model's options, when the caller already has them
    /// (a run that just trained); null builds them.</param>
    /// <param name="steps">Told the name of each step as it starts (features, each model's setup, TreeSHAP and narratives,
    /// writing); the CLI prints their timings with WORKBENCH_TIMINGS=1.</param>
    /// <param name="chunking">How the rows are cut into chunks and spread over threads (default: 1,024 rows, every core);
    /// the files are the same for any value.</param>
    /// <remarks>The narratives are streamed to their files chunk by chunk (<see cref="ExplanationStage.Stream"/>): memory
    /// holds a few chunks of them, not the month's (at 100,000 accounts they were about 2.7 GB).</remarks>
    public static ExplainOutput Explain(PrioritizerModel model, CrmDataset data, NarrativeOptions options, string outDir, LabeledFeatures? labeledFeatures = null,
        IProgress<string>? steps = null, ExplanationChunking? chunking = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (labeledFeatures is null) steps?.Report("explanation: labels and features");
        // Built here, only the latest month gets features: it is the one explained.
        var lf = labeledFeatures ?? LabeledFeatures.Build(data, model.Options.Snapshots, model.Options.Labels, model.Options.Features,
            (snapshots, _, months) => months.Count == 0 ? [] : Enumerable.Range(0, snapshots.Count).Where(i => snapshots[i].AsOfMonth == months[^1]).ToArray());
        if (lf.Features.RowCount == 0) throw new WorkbenchException("No snapshot has a label: the data is too short for the model's snapshot options (history, horizon and gap), or no account-product had recent spend.");
        int latest = ExplainedMonth(lf);
        var (summary, files) = ExplanationArtifacts.WriteStreamed(outDir, narratives => ExplanationStage.Stream(model.Churn, model.ChurnBackground,
            model.Upsell, model.UpsellBackground, lf, latest, data, options, narratives.Format, narratives.Append, steps, chunking), steps);
        return new ExplainOutput(summary, lf, latest, files);
    }

    /// <summary>The as-of month <see cref="Explain(PrioritizerModel, CrmDataset, NarrativeOptions, string, LabeledFeatures?, IProgress{string}?, ExplanationChunking?)"/>
    /// tells: the latest one of the labeled features.</summary>
    internal static int ExplainedMonth(LabeledFeatures lf) => lf.Features.Snapshots.Max(s => s.AsOfMonth);

    /// <summary>Per-account profile features as of <paramref name="asOf"/>, clustering, full profiles; writes
    /// assignments.csv, segment-profiles.json, segment-metrics.json and segment-charts.html (compared with the
    /// planted segments when the data has truth). <paramref name="panel"/>: the dataset's monthly panel when the caller
    /// already built it (a run's features did); the profiles are the same, and only the planted truth of
    /// <paramref name="data"/> is read.</summary>
    public static SegmentOutput Segment(CrmDataset data, SegmentationMethod method, int? k, int seed, string outDir, DateOnly? asOf = null,
        int kMin = 2, int kMax = 8, MonthlyPanel? panel = null)
    {
        var profiles = panel is null ? AccountProfileFeatures.Build(data, asOf) : AccountProfileFeatures.Build(panel, new AccountProfileOptions { AsOf = asOf });
        int n = profiles.AccountIds.Count;
        // Checked against the data before any clustering or file: a k the data cannot support is a clear refusal.
        if (n < 3)
            throw new OptionsValidationException($"Segmentation needs at least 3 accounts with history before {profiles.AsOf:yyyy-MM-dd}; the data has {n}.");
        if (k is { } kk && (kk < 2 || kk >= n))
            throw new OptionsValidationException($"--k {kk}: the number of segments must be between 2 and {n - 1} (one less than the {n} accounts with history).");
        if (k is null && kMax >= n) kMax = n - 1;
        if (kMin > kMax) kMin = kMax;
        var options = profiles.SegmentationOptions(seed) with { Method = method, K = k, KMin = kMin, KMax = kMax };
        var result = profiles.WithFullProfiles(Segmenter.Run(profiles.ToSegmentationInput(), options));
        var truth = profiles.TrueSegments(data.Truth);
        var files = SegmentationArtifacts.Write(result, profiles, outDir, truth);
        return new SegmentOutput(result, profiles, truth, files);
    }
}
