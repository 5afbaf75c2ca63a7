using Workbench.Data;
using Workbench.Data.Partitioning;
using Workbench.Domain;
using Workbench.Experiments.Scoring;

namespace Workbench.Tests.Scoring;

/// <summary><c>workbench partition</c> and scoring a partitioned dataset: every row in exactly one partition (or in every
/// one for the shared tables), each partition a dataset that loads strictly, and the partitions' scoring the same bytes as
/// the whole dataset's.</summary>
[Collection(ScoringCollection.Name)]
public class PartitionedScoringTests(ScoringFixture fx)
{
    /// <summary>An industry that sorts before every real one, given to one account only: partitions without it would code
    /// every other industry one lower unless they code categories with the whole dataset's values.</summary>
    const string RareIndustry = "Aardvark Farming";

    /// <summary>The sample as Parquet with one account in <see cref="RareIndustry"/>, and that account's id.</summary>
    static (string Dir, string RareAccount) SampleAsParquet()
    {
        var data = new CrmCatalog(ScoringFixture.Sample).Load().Dataset;
        var features = Workbench.Analytics.Features.ScoringFeatures.Build(data);
        // An account the default scoring books, so the code matters to a scored row.
        string rare = features.Features.Snapshots.Where(s => s.AsOfMonth == features.AsOfMonth)
            .Select(s => features.Panel.AccountIds[s.Account]).Order(StringComparer.Ordinal).First();
        data = data with { Accounts = data.Accounts.Select(a => a.AccountId == rare ? a with { Industry = RareIndustry } : a).ToList() };
        var dir = TestPaths.NewTempDir("partition-source");
        new CrmCatalog(dir).Write(data, new WriteOptions { Format = DataFormat.Parquet });
        return (dir, rare);
    }

    static IEnumerable<string> FilesUnder(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).Order(StringComparer.Ordinal);

    /// <summary>The fixture's model promoted again as a model file from before models kept their category values (no
    /// <c>categories</c> in prioritizer.json): scoring codes the scored data's own values, so partitions need the whole
    /// dataset's (partitions.json) to score as the whole does.</summary>
    string PromoteWithoutCategories()
    {
        var id = "nocats-" + Guid.NewGuid().ToString("N")[..8];
        fx.WriteRun(id, Workbench.Experiments.Runs.RunStatus.Succeeded);
        var file = Directory.GetFiles(fx.Store.RunModelDirectory(id), "prioritizer.model.zip", SearchOption.AllDirectories).Single();
        using (var zip = System.IO.Compression.ZipFile.Open(file, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("prioritizer.json")!;
            System.Text.Json.Nodes.JsonObject header;
            using (var r = entry.Open()) header = System.Text.Json.Nodes.JsonNode.Parse(r)!.AsObject();
            Assert.True(header.Remove("categories"));
            entry.Delete();
            using var w = zip.CreateEntry("prioritizer.json").Open();
            w.Write(System.Text.Encoding.UTF8.GetBytes(header.ToJsonString()));
        }
        Workbench.Experiments.Promotion.Promoter.Promote(fx.Store, id, id);
        return id;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_partitioned_dataset_scores_to_the_same_bytes_as_the_whole_dataset(bool modelKeepsCategories)
    {
        string model = modelKeepsCategories ? "prod" : PromoteWithoutCategories();
        var (source, rare) = SampleAsParquet();
        var parts = Path.Combine(TestPaths.NewTempDir("partitions"), "parts");
        var manifest = DatasetPartitioner.Split(source, parts, 3);
        Assert.Contains(RareIndustry, manifest.Categories["industry"]);

        var whole = Path.Combine(TestPaths.NewTempDir("whole-out"), "out");
        var split = Path.Combine(TestPaths.NewTempDir("split-out"), "out");
        var wholeOutput = BatchScoring.Run(fx.Store, model, source, whole);
        var splitOutput = BatchScoring.Run(fx.Store, model, parts, split);

        // The merge is exercised: some rep's book holds accounts of more than one partition, and some partition lacks the
        // rare industry (so its own values would code categories differently).
        var partitionOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int p = 0; p < 3; p++)
            foreach (var a in new CrmCatalog(Path.Combine(parts, DatasetPartitioner.PartitionFolder(p))).Load().Dataset.Accounts) partitionOf[a.AccountId] = p;
        Assert.Contains(wholeOutput.Result.Books, b => b.Accounts.Select(a => partitionOf[a.AccountId]).Distinct().Count() > 1);
        Assert.Contains(Enumerable.Range(0, 3), p => p != partitionOf[rare]);
        Assert.True(wholeOutput.Result.AccountCount > 100);

        Assert.Equal(wholeOutput.Result.AccountCount, splitOutput.Result.AccountCount);
        Assert.Equal(FilesUnder(whole), FilesUnder(split));
        foreach (var file in FilesUnder(whole))
            Assert.True(File.ReadAllBytes(Path.Combine(whole, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(split, file))), $"{file} differs");
    }

    [Fact]
    public void Every_row_lands_in_one_partition_with_its_account_and_each_partition_loads_strictly()
    {
        var (source, _) = SampleAsParquet();
        var parts = Path.Combine(TestPaths.NewTempDir("partitions"), "parts");
        var manifest = DatasetPartitioner.Split(source, parts, 4);
        var whole = new CrmCatalog(source).Load(new LoadOptions { Mode = ValidationMode.Strict }).Dataset;
        var loaded = Enumerable.Range(0, 4)
            .Select(p => new CrmCatalog(Path.Combine(parts, DatasetPartitioner.PartitionFolder(p))).Load(new LoadOptions { Mode = ValidationMode.Strict }).Dataset).ToList();

        Assert.Equal(4, manifest.Partitions);
        Assert.Equal(whole.Spend.Max(s => s.Month), manifest.LastSpendMonth);
        Assert.Equal(whole.Accounts.Count, manifest.TotalRows(CrmSchema.Accounts));
        Assert.Equal(whole.Accounts.Select(a => a.AccountId).Order(StringComparer.Ordinal), loaded.SelectMany(d => d.Accounts).Select(a => a.AccountId).Order(StringComparer.Ordinal));
        Assert.All(loaded, d => Assert.True(d.Accounts.Count > 0));
        Assert.Equal(whole.Spend.Count, loaded.Sum(d => d.Spend.Count));
        Assert.Equal(whole.Usage.Count, loaded.Sum(d => d.Usage.Count));
        Assert.Equal(whole.Engagement.Count, loaded.Sum(d => d.Engagement.Count));
        Assert.Equal(whole.Bookings.Count, loaded.Sum(d => d.Bookings.Count));
        Assert.Equal(whole.Contracts.Count, loaded.Sum(d => d.Contracts.Count));
        Assert.Equal(whole.Book.Count, loaded.Sum(d => d.Book.Count));
        Assert.Equal(whole.Opportunities.Count, loaded.Sum(d => d.Opportunities.Count));
        Assert.Equal(whole.StageHistory.Count, loaded.Sum(d => d.StageHistory.Count));
        Assert.Equal(whole.OpportunityActivities.Count, loaded.Sum(d => d.OpportunityActivities.Count));
        Assert.Equal(whole.Actions.Count, loaded.Sum(d => d.Actions.Count));
        // The partitioned folder itself is no dataset: a load says what it is and where its datasets are.
        var root = Assert.Throws<WorkbenchException>(() => new CrmCatalog(parts).Load());
        Assert.Contains("partitioned", root.Message);
        Assert.Contains(DatasetPartitioner.PartitionFolder(0), root.Message);
        // The shared tables are whole in every partition.
        Assert.All(loaded, d => Assert.Equal(whole.Products.Count, d.Products.Count));
        Assert.All(loaded, d => Assert.Equal(whole.Reps.Count, d.Reps.Count));
        // A partition's rows are its accounts' rows, in the source's order.
        for (int p = 0; p < 4; p++)
        {
            var mine = loaded[p].Accounts.Select(a => a.AccountId).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(whole.Spend.Where(s => mine.Contains(s.AccountId)), loaded[p].Spend);
            Assert.All(loaded[p].Opportunities, o => Assert.Contains(o.AccountId, mine));
            var opportunities = loaded[p].Opportunities.Select(o => o.OpportunityId).ToHashSet(StringComparer.Ordinal);
            Assert.All(loaded[p].StageHistory, s => Assert.Contains(s.OpportunityId, opportunities));
            // A parent and its children share a partition (the accounts table's key into itself).
            Assert.All(loaded[p].Accounts, a => Assert.True(a.ParentAccountId is null || mine.Contains(a.ParentAccountId), $"{a.AccountId}'s parent is elsewhere"));
        }
    }

    [Fact]
    public void Partitioning_refuses_csv_data_a_used_output_folder_and_a_bad_count_and_writes_nothing()
    {
        var root = TestPaths.NewTempDir("partition-refusals");
        var outDir = Path.Combine(root, "parts");
        var csv = Assert.Throws<WorkbenchException>(() => DatasetPartitioner.Split(ScoringFixture.Sample, outDir, 2));
        Assert.Contains("Parquet", csv.Message);
        Assert.Contains(ScoringFixture.Sample, csv.Message);
        Assert.False(Directory.Exists(outDir));

        var (source, _) = SampleAsParquet();
        Assert.Throws<OptionsValidationException>(() => DatasetPartitioner.Split(source, outDir, 0));
        Assert.False(Directory.Exists(outDir));
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "keep.txt"), "mine");
        var used = Assert.Throws<WorkbenchException>(() => DatasetPartitioner.Split(source, outDir, 2));
        Assert.Contains("not empty", used.Message);
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(outDir).Select(Path.GetFileName));
        // No staging folder is left beside the output.
        Assert.Equal(["parts"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
    }

    [Fact]
    public void A_damaged_partition_file_fails_the_scoring_naming_the_file_and_writes_nothing()
    {
        var (source, _) = SampleAsParquet();
        var parts = Path.Combine(TestPaths.NewTempDir("partitions"), "parts");
        DatasetPartitioner.Split(source, parts, 2);
        var damaged = Path.Combine(parts, DatasetPartitioner.PartitionFolder(1), "spend.parquet");
        File.WriteAllBytes(damaged, File.ReadAllBytes(damaged).AsSpan(0, 100).ToArray());
        var outDir = Path.Combine(TestPaths.NewTempDir("damaged-out"), "out");
        var ex = Assert.Throws<DataValidationException>(() => BatchScoring.Run(fx.Store, "prod", parts, outDir));
        Assert.Contains("spend.parquet", ex.Message);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void The_partition_command_splits_and_says_how_many_accounts_went_where()
    {
        var (source, _) = SampleAsParquet();
        var parts = Path.Combine(TestPaths.NewTempDir("partition-cli"), "parts");
        var (code, stdout, stderr) = CliCapture.Run("partition", "--data", source, "--out", parts, "--partitions", "2");
        Assert.True(code == 0, stderr);
        var manifest = PartitionManifest.TryRead(parts)!;
        var counts = manifest.Rows[CrmSchema.Accounts];
        Assert.Contains($"Split {counts.Sum():N0} accounts into 2 partitions ({counts.Min():N0}-{counts.Max():N0} accounts each).", stdout);
        var (bad, _, error) = CliCapture.Run("partition", "--data", source, "--out", parts, "--partitions", "2");
        Assert.Equal(2, bad);
        Assert.Contains("not empty", error);
    }
}
