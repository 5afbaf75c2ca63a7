using Workbench.Experiments.Runs;
using Workbench.Experiments.Specs;

namespace Workbench.Tests.Experiments;

/// <summary>One run of the committed sample with every optional analysis section the section tests read (impact,
/// territory, pipeline) on a small ranking (20 trees): the ranking, explanation and segmentation those tests share are
/// trained once instead of once per test. Tests use it read-only; a test that writes to a store (promotion) copies the
/// run into a store of its own with <see cref="CopyToNewStore"/>.</summary>
public sealed class SectionsRunFixture
{
    public static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");

    /// <summary>The base spec (sample data, 20 trees, k = 3) with <paramref name="sections"/> (JSON members) appended.</summary>
    public static string SpecText(string sections) =>
        "{\n  \"name\": \"sections\",\n  \"data\": { \"path\": " + System.Text.Json.Nodes.JsonValue.Create(Sample).ToJsonString() + " },\n" +
        "  \"ranking\": { \"trees\": 20, \"early_stopping_rounds\": 5 },\n  \"segmentation\": { \"k\": 3 }" +
        (sections.Length > 0 ? ",\n" + sections : "") + "\n}\n";

    public const string Sections =
        "  \"impact\": { \"bootstrap\": 50 },\n" +
        "  \"territory\": { \"groups\": 3, \"max_moves\": 25, \"sensitivity\": false },\n" +
        "  \"pipeline\": { \"test_months\": 12 },\n" +
        "  \"promotion_floors\": { \"impact.power\": 0, \"territory.uplift_recovered\": -100, \"pipeline.win_auc\": 0.6 }";

    public ExperimentSpec Spec { get; } = ExperimentSpec.Parse(SpecText(Sections), TestPaths.RepoRoot);
    public RunStore Store { get; } = new(TestPaths.NewTempDir("sections-run"));
    public RunRecord Record { get; }
    public string RunDirectory => Store.Layout.RunDirectory(Record.Id);

    public SectionsRunFixture() => Record = ExperimentRunner.Run(Spec, Store);

    /// <summary>A new store under <paramref name="root"/> holding a copy of the run (same id), for tests that promote it.</summary>
    public RunStore CopyToNewStore(string root)
    {
        var store = new RunStore(root);
        var target = store.Layout.RunDirectory(Record.Id);
        foreach (var file in Directory.EnumerateFiles(RunDirectory, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(RunDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        return store;
    }
}

/// <summary>The classes reading the sample run with analysis sections share one <see cref="SectionsRunFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SectionsRunCollection : ICollectionFixture<SectionsRunFixture>
{
    public const string Name = "sample run with analysis sections";
}
