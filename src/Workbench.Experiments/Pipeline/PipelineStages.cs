using Workbench.Analytics.Explanation;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Segmentation;
using Workbench.Data;
using Workbench.Domain;
using Workbench.Experiments.Artifacts;

using Workbench.Experiments.Scoring;

namespace Workbench.Experiments.Pipeline;

/// <summary>What <see cref="PipelineStages.Train"/> produced: the labeled features, the ranking and the files of the model folder.</summary>
public sealed record TrainOutput(LabeledFeatures Features, RankingResult Ranking, IReadOnlyList<string> Files);

/// <summary>What <see cref="PipelineStages.Explain"/> produced.</summary>
public sealed record ExplainOutput(ExplanationReport Report, LabeledFeatures Features, int AsOfMonth, IReadOnlyList<string> Files);

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
    /// <paramref name="rejectsDirectory"/> (default DATA/rejects). The load report is returned so a rejection is never silent.</summary>
    public static LoadResult LoadDataset(string dir, bool lenient = false, string? rejectsDirectory = null, IReadOnlyList<string>? requiredTables = null) =>
        new CrmCatalog(dir).Load(new LoadOptions
        {
            Mode = lenient ? ValidationMode.Lenient : ValidationMode.Strict,
            RejectsDirectory = rejectsDirectory,
            RequiredTables = requiredTables ?? [],
        });

    /// <summary>Labels and features, then churn and upsell models trained on earlier snapshots and evaluated on later
    /// ones; writes the model folder: both models, metrics.json, ranked-book.csv, evaluation-curves.json,
    /// background.csv and training.json.</summary>
    public static TrainOutput Train(CrmDataset data, SnapshotOptions snapshots, LabelOptions? labels, FeatureOptions? features,
        RankingOptions ranking, string outDir, IProgress<double>? progress = null)
    {
        // Without spend there is no as-of month to train or test on: say so here, before the split has nothing to cut.
        if (data.Spend.Count == 0)
            throw new DataValidationException([new DataProblem("spend", 0, null, null,
                "monthly spend rows to train on (the dataset's spend table is empty or absent, so there are no as-of months)")]);
        var lf = LabeledFeatures.Build(data, snapshots, labels, features);
        if (lf.Features.RowCount == 0)
            throw new DataValidationException([new DataProblem("spend", 0, null, null,
                $"spend covering at least one as-of month with a full label window (horizon {lf.SnapshotOptions.HorizonMonths}, gap {lf.SnapshotOptions.GapMonths}); none does")]);
        progress?.Report(0.3);
        var result = RankingStage.Run(lf, data, ranking);
        progress?.Report(0.9);
        var files = RankingArtifacts.Write(result, outDir).ToList();
        files.Add(BackgroundRows.Write(lf, result.Split.TrainMonths, outDir, ranking.Seed));
        files.Add(TrainingSpec.Write(outDir, lf.SnapshotOptions, lf.LabelOptions, ranking, lf.FeatureOptions));
        progress?.Report(1);
        return new TrainOutput(lf, result, files);
    }

    /// <summary>Explains the latest as-of month with the models, background rows and options of a model folder
    /// (what <see cref="Train"/> wrote); writes narratives.json, narratives.txt, feature-importance.json, explain-metrics.json.</summary>
    /// <param name="modelDir">A folder written by <see cref="Train"/>.</param>
    /// <param name="data">The dataset to explain.</param>
    /// <param name="options">How many reasons to tell, and the smallest share told.</param>
    /// <param name="outDir">Output folder.</param>
    /// <param name="labeledFeatures">The labeled features built with the folder's training.json options, when the caller
    /// already has them (a run that just trained); null builds them.</param>
    public static ExplainOutput Explain(string modelDir, CrmDataset data, NarrativeOptions options, string outDir, LabeledFeatures? labeledFeatures = null)
    {
        // The same loader scoring uses: it also checks each file holds its target and the background matches the models.
        var (models, spec, _) = BatchScoring.LoadModel(modelDir, Path.GetFileName(Path.GetFullPath(modelDir).TrimEnd(Path.DirectorySeparatorChar)));
        var lf = labeledFeatures ?? LabeledFeatures.Build(data, spec.Snapshots, spec.Labels, spec.FeatureOptions);
        int latest = lf.Features.Snapshots.Max(s => s.AsOfMonth);
        var report = ExplanationStage.Run(models.Churn, models.ChurnBackground, models.Upsell, models.UpsellBackground, lf, latest, data, options);
        var files = ExplanationArtifacts.Write(report, outDir);
        return new ExplainOutput(report, lf, latest, files);
    }

    /// <summary>Per-account profile features as of <paramref name="asOf"/>, clustering, full profiles; writes
    /// assignments.csv, segment-profiles.json, segment-metrics.json and segment-charts.html (compared with the
    /// planted segments when the data has truth).</summary>
    public static SegmentOutput Segment(CrmDataset data, SegmentationMethod method, int? k, int seed, string outDir, DateOnly? asOf = null,
        int kMin = 2, int kMax = 8)
    {
        var profiles = AccountProfileFeatures.Build(data, asOf);
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
