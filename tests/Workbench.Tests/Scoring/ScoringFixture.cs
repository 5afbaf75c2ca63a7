using Workbench.Cli.Commands;
using Workbench.Data;
using Workbench.Domain;
using Workbench.Experiments.Promotion;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Scoring;

namespace Workbench.Tests.Scoring;

/// <summary>Trains once on the committed sample (500 accounts) into a run folder of a temporary store, promotes it as
/// "prod", and scores a copy of the sample whose accounts and a rep carry hostile names (script tags, spreadsheet formulas).</summary>
public sealed class ScoringFixture : IDisposable
{
    public static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");
    public const string ScriptName = "<script>alert(1)</script>";
    public const string HyperlinkName = "=HYPERLINK(\"http://example.com/x\",\"click\")";
    public static readonly string[] FormulaNames = [HyperlinkName, "+1", "-2", "@x"];
    public const string RepName = "Rep <b>&</b> \"Quotes\"";

    public StoreLayout Store { get; }
    public string TrainedModelDir { get; }
    /// <summary>The trained model as it came out of training, never saved and loaded (what a notebook scores with).</summary>
    public Workbench.Analytics.Prioritization.PrioritizerModel TrainedModel { get; }
    public string HostileData { get; }
    public string HostileOut { get; }
    public ScoringOutput HostileOutput { get; }
    public IReadOnlyDictionary<string, string> RenamedAccounts { get; }
    /// <summary>The hostile data scored as of 2025-12-01 and then again (default as-of) into the same folder: the second
    /// scoring compares itself with the first.</summary>
    public string TwiceOut => _twice.Value.Dir;
    public ScoringOutput TwiceOutput => _twice.Value.Output;
    readonly Lazy<(string Dir, ScoringOutput Output)> _twice;
    public string RenamedRep { get; }
    readonly string _root;

    public ScoringFixture()
    {
        _root = TestPaths.NewTempDir("scoring");
        Store = new StoreLayout(Path.Combine(_root, "store"));
        TrainedModelDir = Store.RunModelDirectory("trained");
        TrainedModel = Workbench.Experiments.Pipeline.PipelineStages.Train(new CrmCatalog(Sample).Load().Dataset,
            Workbench.Analytics.PipelineOptions.Default, TrainedModelDir).Model;
        WriteRun("trained", RunStatus.Succeeded, withModel: false);
        Promoter.Promote(Store, "trained", "prod");

        // Rename accounts that the default scoring puts in a book, and one rep.
        var data = new CrmCatalog(Sample).Load().Dataset;
        var features = Workbench.Analytics.Features.ScoringFeatures.Build(data);
        var scored = features.Features.Snapshots.Where(s => s.AsOfMonth == features.AsOfMonth).Select(s => features.Panel.AccountIds[s.Account]).Distinct().Take(5).ToList();
        var newNames = new[] { ScriptName }.Concat(FormulaNames).ToArray();
        RenamedAccounts = scored.Zip(newNames).ToDictionary(x => x.First, x => x.Second, StringComparer.Ordinal);
        RenamedRep = data.Reps.OrderBy(r => r.RepId, StringComparer.Ordinal).First().RepId;
        var hostile = data with
        {
            Accounts = data.Accounts.Select(a => RenamedAccounts.TryGetValue(a.AccountId, out var n) ? a with { Name = n } : a).ToList(),
            Reps = data.Reps.Select(r => r.RepId == RenamedRep ? r with { Name = RepName } : r).ToList(),
        };
        HostileData = Path.Combine(_root, "hostile-data");
        new CrmCatalog(HostileData).Write(hostile);
        HostileOut = Path.Combine(_root, "hostile-out");
        HostileOutput = BatchScoring.Run(Store, "prod", HostileData, HostileOut);
        _twice = new(() =>
        {
            var dir = Path.Combine(_root, "twice");
            BatchScoring.Run(Store, "prod", HostileData, dir, new ScoringOptions { AsOf = new DateOnly(2025, 12, 1) });
            return (dir, BatchScoring.Run(Store, "prod", HostileData, dir, new ScoringOptions()));
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Writes a run record (and, when asked, a copy of the trained model folder) under <paramref name="id"/>.</summary>
    public void WriteRun(string id, RunStatus status, bool withModel = true, IReadOnlyDictionary<string, double>? metrics = null,
        IReadOnlyDictionary<string, double>? floors = null, string? error = null)
    {
        if (withModel) CopyDirectory(TrainedModelDir, Store.RunModelDirectory(id));
        Directory.CreateDirectory(Store.RunDirectory(id));
        new RunRecord
        {
            Id = id, Name = "scoring-test", Status = status, StartedUtc = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            FinishedUtc = status == RunStatus.Running ? null : new DateTimeOffset(2026, 1, 1, 0, 5, 0, TimeSpan.Zero),
            Metrics = metrics ?? new Dictionary<string, double> { ["churn.auc"] = 0.75, ["upsell.auc"] = 0.77 },
            PromotionFloors = floors ?? new Dictionary<string, double>(), Error = error, Seed = 42,
        }.Write(Store.RunRecordPath(id));
    }

    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)), overwrite: true);
        foreach (var d in Directory.GetDirectories(from)) CopyDirectory(d, Path.Combine(to, Path.GetFileName(d)));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class ScoringCollection : ICollectionFixture<ScoringFixture>
{
    public const string Name = "scoring";
}
