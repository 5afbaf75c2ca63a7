using Workbench.Analytics.Explanation;
using Workbench.Analytics.Features;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Scoring;
using Workbench.Data;
using Workbench.Data.Io;
using Workbench.Experiments.Artifacts;
using Workbench.Experiments.Promotion;
using Workbench.Experiments.Runs;
using Workbench.Reporting.Book;

using Workbench.Experiments.Pipeline;

namespace Workbench.Experiments.Scoring;

/// <summary>Options of a batch scoring.</summary>
public sealed record ScoringOptions
{
    /// <summary>As-of date (first of a month). Null: the month after the data's last month, so every month is used.</summary>
    public DateOnly? AsOf { get; init; }
    /// <summary>How many reasons each narrative tells; null: what the model was trained with.</summary>
    public NarrativeOptions? Narratives { get; init; }
}

/// <summary>What a scoring wrote: the result, the output folder, its files (relative paths) and the report's index page.</summary>
public sealed record ScoringOutput(ScoringResult Result, string OutDir, IReadOnlyList<string> Files)
{
    public string ReportIndex => Path.Combine(OutDir, BatchScoring.ReportFolder, BookReport.IndexFile);
}

/// <summary>
/// <c>workbench score</c>: scores new data (the latest month(s), labels not needed) with a promoted model and writes
/// book.csv, book.json and report/ (index.html plus one page per rep). The whole output folder is written beside its
/// final place and renamed in at the end, so a failed scoring leaves no half-written output.
/// </summary>
public static class BatchScoring
{
    public const string BookCsvFile = "book.csv", BookJsonFile = "book.json", ReportFolder = "report";

    /// <summary>Scores <paramref name="dataDir"/> with the model promoted as <paramref name="modelName"/> into <paramref name="outDir"/>.</summary>
    public static ScoringOutput Run(StoreLayout store, string modelName, string dataDir, string outDir) => Run(store, modelName, dataDir, outDir, new ScoringOptions());

    public static ScoringOutput Run(StoreLayout store, string modelName, string dataDir, string outDir, ScoringOptions options, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Narratives?.Validate();
        CheckOutputFolder(outDir);
        var modelDir = ModelRegistry.Resolve(store, modelName);
        progress?.Report("loading the model");
        var model = RankingArtifacts.ReadModel(modelDir);
        progress?.Report("loading the data");
        var data = PipelineStages.LoadDataset(dataDir).Dataset;
        progress?.Report("scoring and explaining");
        var narratives = options.Narratives ?? model.Options.Explanation;
        ScoringResult result;
        try { result = model.Score(data, options.AsOf, modelName, narratives); }
        catch (FeatureSchemaException ex)
        {
            throw new WorkbenchException($"{ex.Message} The features were built with the model's feature options " +
                $"({model.Options.Features}); the data lacks what the model needs.", ex);
        }
        if (LifetimeStage.ReadBookModel(modelDir) is { } lifetime)
        {
            // The model has a lifetime part: value each account from the prioritizer's own calibrated churn probabilities.
            int churnHorizon = model.Options.Snapshots.HorizonMonths;
            var clv = result.Books.SelectMany(b => b.Accounts).ToDictionary(a => a.AccountId,
                a => Workbench.Analytics.Lifetime.ChurnHazardValue.Clv(a.Products.Select(p => (p.RunRate, p.PChurn)), churnHorizon, lifetime.Options),
                StringComparer.Ordinal);
            result = result with { Clv = clv, ClvModel = Workbench.Analytics.Lifetime.ChurnHazardValue.ModelName };
        }
        progress?.Report("writing");
        return new ScoringOutput(result, outDir, Write(result, outDir, narratives));
    }

    /// <summary>An existing output folder is replaced only when it holds a previous scoring (book.json); anything else is refused
    /// rather than deleted.</summary>
    static void CheckOutputFolder(string outDir)
    {
        if (string.IsNullOrWhiteSpace(outDir)) throw new OptionsValidationException("The output folder is empty.");
        if (File.Exists(outDir)) throw new WorkbenchException($"{outDir}: is a file; give a folder for the scored book.");
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() && !File.Exists(Path.Combine(outDir, BookJsonFile)))
            throw new WorkbenchException($"{outDir}: exists and does not hold a previous scoring (no {BookJsonFile}); choose a new or empty folder.");
    }

    /// <summary>Writes every output into a staging folder beside <paramref name="outDir"/> and renames it into place.</summary>
    public static IReadOnlyList<string> Write(ScoringResult result, string outDir, NarrativeOptions narratives)
    {
        var staging = AtomicDirectory.StagingFor(outDir);
        var files = new List<string>();
        try
        {
            AtomicFile.WriteText(Path.Combine(staging, BookCsvFile), BookFiles.Csv(result, narratives));
            files.Add(BookCsvFile);
            AtomicFile.WriteText(Path.Combine(staging, BookJsonFile), BookFiles.JsonText(result));
            files.Add(BookJsonFile);
            foreach (var (file, html) in BookReport.Pages(result))
            {
                AtomicFile.WriteText(Path.Combine(staging, ReportFolder, file), html);
                files.Add(Path.Combine(ReportFolder, file));
            }
            AtomicDirectory.Replace(staging, outDir);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return files;
    }
}
