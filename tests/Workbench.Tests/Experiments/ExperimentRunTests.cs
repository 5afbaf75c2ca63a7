using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.Cli.Commands;
using Workbench.Data;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Specs;

namespace Workbench.Tests.Experiments;

/// <summary>A recorded run of experiments/sample.json: what it records, that it reproduces, and how runs compare.</summary>
[Collection(RunCollection.Name)]
public class ExperimentRunTests(RunFixture fx)
{
    static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");

    string RunFile(RunRecord r, string relative) => Path.Combine(fx.Store.Layout.RunDirectory(r.Id), relative);

    [Fact]
    public void A_run_records_spec_metrics_data_code_environment_and_artifacts()
    {
        var r = fx.A;
        Assert.Equal(RunStatus.Succeeded, r.Status);
        Assert.Equal("sample", r.Name);
        Assert.True(r.FinishedUtc > r.StartedUtc);
        Assert.Null(r.Error);

        var spec = ExperimentSpec.Load(RunFixture.SpecPath);
        Assert.Equal(spec.Hash(), r.SpecHash);
        Assert.Equal(64, r.SpecHash!.Length);
        Assert.Equal(400, r.Spec!.Value.GetProperty("ranking").GetProperty("trees").GetInt32());
        Assert.Equal("auto", r.Spec.Value.GetProperty("labels").GetProperty("source").GetString());
        Assert.Equal(42, r.Seed);
        Assert.Equal(File.ReadAllText(RunFixture.SpecPath), File.ReadAllText(RunFile(r, "spec.json")));

        var fp = DatasetFingerprint.Compute(Sample);
        Assert.Equal(fp.Sha256, r.Data!.Sha256);
        Assert.Equal(Path.GetFullPath(Sample), r.Data.Path);
        Assert.Contains("accounts.csv", r.Data.Tables.Keys);
        Assert.Contains("truth/risks.csv", r.Data.Tables.Keys);
        Assert.Equal(fp.Files["spend.csv"], r.Data.Tables["spend.csv"]);

        // The tests run inside the checkout, so the commit is the checkout's HEAD.
        var head = Git("rev-parse", "HEAD");
        if (head is not null) Assert.Equal(head.Trim(), r.Code!.Commit);

        foreach (var key in new[] { "dotnet", "os", "Microsoft.ML", "Microsoft.ML.LightGbm", "Microsoft.Data.Analysis", "MathNet.Numerics", "Plotly.NET" })
        {
            Assert.True(r.Environment.ContainsKey(key), key);
            Assert.NotEqual("not loaded", r.Environment[key]);
        }

        foreach (var m in new[] { "churn.auc", "churn.pr_auc", "churn.ndcg_at_10", "churn.oracle_auc", "upsell.auc", "upsell.pr_auc", "upsell.ndcg_at_10",
                     "explain.driver_match_top_decile", "segment.silhouette", "segment.stability_ari", "segment.ari", "segment.k" })
            Assert.True(r.Metrics.ContainsKey(m), m);
        Assert.InRange(r.Metrics["churn.auc"], 0.6, 1.0);
        Assert.InRange(r.Metrics["upsell.auc"], 0.6, 1.0);
        Assert.InRange(r.Metrics["segment.ari"], 0.5, 1.0);
        // The weak-model flag is in the record (a good model on the sample is not weak; promotion reads this flag).
        Assert.Equal(0, r.Metrics["churn.weak_model"]);
        Assert.Equal(0, r.Metrics["upsell.weak_model"]);
        // Flat metrics are the numbers of the model's metrics.json, not a second computation.
        using (var metrics = JsonDocument.Parse(File.ReadAllText(RunFile(r, "model/metrics.json"))))
        {
            Assert.Equal(metrics.RootElement.GetProperty("churn").GetProperty("auc").GetDouble(), r.Metrics["churn.auc"], 9);
            Assert.Equal(metrics.RootElement.GetProperty("upsell").GetProperty("ndcg_at_10").GetDouble(), r.Metrics["upsell.ndcg_at_10"], 9);
        }
        using (var seg = JsonDocument.Parse(File.ReadAllText(RunFile(r, "segmentation/segment-metrics.json"))))
            Assert.Equal(seg.RootElement.GetProperty("ari").GetDouble(), r.Metrics["segment.ari"], 9);
        Assert.Equal(new Dictionary<string, double> { ["churn.auc"] = 0.7, ["upsell.auc"] = 0.7 }, r.PromotionFloors);

        foreach (var a in new[] { "spec.json", "model/prioritizer.model.zip", "model/metrics.json", "model/ranked-book.csv",
                     "model/evaluation-curves.json", "explanation/narratives.json", "segmentation/assignments.csv", "segmentation/segment-charts.html" })
            Assert.Contains(a, r.Artifacts);
        foreach (var a in r.Artifacts) Assert.True(File.Exists(RunFile(r, a)), a);

        // run.json on disk is the returned record; the lock is gone.
        var onDisk = RunRecord.Read(fx.Store.Layout.RunRecordPath(r.Id));
        Assert.Equal(r.Metrics, onDisk.Metrics);
        Assert.Equal(RunStatus.Succeeded, onDisk.Status);
        Assert.False(File.Exists(RunFile(r, RunStore.LockFile)));
    }

    [Fact]
    public void Progress_is_reported_in_order_up_to_done()
    {
        Assert.NotEmpty(fx.Progress);
        Assert.All(fx.Progress, p => Assert.Contains(p.RunId, new[] { fx.A.Id, fx.B.Id }));
        for (int i = 1; i < fx.Progress.Count; i++) Assert.True(fx.Progress[i].Fraction >= fx.Progress[i - 1].Fraction);
        Assert.Equal(("done", 1.0), (fx.Progress[^1].Stage, fx.Progress[^1].Fraction));
    }

    [Fact]
    public async Task The_model_folder_holds_what_workbench_train_writes()
    {
        var train = TestPaths.NewTempDir("train");
        Assert.Equal(0, await CliRunner.InvokeAsync(CliApp.BuildRoot(), ["train", "--data", Sample, "--out", train]));
        var model = fx.Store.Layout.RunModelDirectory(fx.A.Id);
        static IEnumerable<string> Names(string dir) => Directory.GetFiles(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);
        Assert.Equal(Names(train), Names(model));
        foreach (var f in new[] { "metrics.json", "ranked-book.csv", "evaluation-curves.json" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(train, f)), File.ReadAllBytes(Path.Combine(model, f)));
    }

    [Fact]
    public void The_same_spec_twice_gives_the_same_metrics_and_the_same_files()
    {
        Assert.NotEqual(fx.A.Id, fx.B.Id);
        Assert.Equal(fx.A.SpecHash, fx.B.SpecHash);
        Assert.Equal(fx.A.Data!.Sha256, fx.B.Data!.Sha256);
        Assert.Equal(fx.A.Metrics, fx.B.Metrics);
        // Every text artifact is byte-identical. The model zips are compared entry by entry (names and contents):
        // a zip's entry headers carry a write time, so the archive bytes themselves may differ.
        foreach (var a in fx.A.Artifacts.Where(a => !a.EndsWith(".zip", StringComparison.Ordinal)))
            Assert.True(File.ReadAllBytes(RunFile(fx.A, a)).AsSpan().SequenceEqual(File.ReadAllBytes(RunFile(fx.B, a))), a + " differs between the two runs");
        foreach (var zip in new[] { "model/prioritizer.model.zip" })
            AssertSameZipContent(File.ReadAllBytes(RunFile(fx.A, zip)), File.ReadAllBytes(RunFile(fx.B, zip)), zip);
        Assert.Equal(fx.A.Artifacts, fx.B.Artifacts);
    }

    [Fact]
    public void Segmentation_run_beside_training_writes_the_files_and_metrics_of_segmentation_run_on_its_own()
    {
        // The run starts segmentation on its own thread before labels, features and training (it reads no model): its
        // folder must be what the segment stage writes alone, one stage after another, from the whole dataset.
        var spec = ExperimentSpec.Load(RunFixture.SpecPath);
        var seg = spec.Segmentation;
        var data = new CrmCatalog(spec.Data.FullPath).Load().Dataset;
        var alone = Workbench.Experiments.Pipeline.PipelineStages.Segment(data, seg.Method, seg.K, seg.Seed ?? spec.Seed,
            TestPaths.NewTempDir("segment-alone"), seg.AsOf, seg.KMin, seg.KMax);

        var inRun = fx.A.Artifacts.Where(a => a.StartsWith(ExperimentRunner.SegmentationFolder + "/", StringComparison.Ordinal)).ToList();
        Assert.Equal(alone.Files.Select(Path.GetFileName).Order(StringComparer.Ordinal), inRun.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(inRun.Count >= 4, $"{inRun.Count} files");
        foreach (var file in alone.Files)
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(RunFile(fx.A, ExperimentRunner.SegmentationFolder + "/" + Path.GetFileName(file)))),
                Path.GetFileName(file) + " differs from segmentation run on its own");
        Assert.Equal(alone.Result.K, fx.A.Metrics["segment.k"]);
        Assert.Equal(Math.Round(alone.Result.Silhouette.Mean, 10), fx.A.Metrics["segment.silhouette"]);
        Assert.Equal(Math.Round(alone.Result.StabilityAri, 10), fx.A.Metrics["segment.stability_ari"]);
    }

    /// <summary>Same entry names and contents, recursing into nested zips (ML.NET saves its model as a zip inside the zip).</summary>
    static void AssertSameZipContent(byte[] a, byte[] b, string name)
    {
        using var za = new ZipArchive(new MemoryStream(a), ZipArchiveMode.Read);
        using var zb = new ZipArchive(new MemoryStream(b), ZipArchiveMode.Read);
        Assert.Equal(za.Entries.Select(e => e.FullName), zb.Entries.Select(e => e.FullName));
        foreach (var e in za.Entries)
        {
            var (ba, bb) = (Bytes(e), Bytes(zb.GetEntry(e.FullName)!));
            if (e.FullName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)) AssertSameZipContent(ba, bb, name + "/" + e.FullName);
            else Assert.True(ba.AsSpan().SequenceEqual(bb), name + "/" + e.FullName + " differs");
        }
    }

    static byte[] Bytes(ZipArchiveEntry e)
    {
        using var s = e.Open(); using var m = new MemoryStream(); s.CopyTo(m); return m.ToArray();
    }

    [Fact]
    public void Two_runs_on_two_threads_are_both_listed_with_distinct_ids()
    {
        var entries = fx.Store.List().Where(e => e.Id == fx.A.Id || e.Id == fx.B.Id).ToList();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(RunState.Succeeded, e.State));
    }

    [Fact]
    public void Compare_shows_every_metric_with_its_difference_and_the_parameters_that_differ()
    {
        var cwd = TestPaths.NewTempDir("cwd");
        var store = fx.Store.Layout.Root;
        var same = WorkbenchProcess.Run(cwd, "runs", "compare", fx.A.Id, fx.B.Id, "--store", store);
        Assert.True(same.Exit == 0, same.Err);
        Assert.Contains($"A = {fx.A.Id} (sample, succeeded)", same.Out);
        Assert.Matches(@"(?m)^churn\.auc\s+0\.7\d+\s+0\.7\d+\s+0$", same.Out);
        Assert.Contains("Parameters, data and code: identical.", same.Out);

        // A third record: the same run with a different tree count and a better churn AUC.
        var spec = JsonNode.Parse(fx.A.Spec!.Value.GetRawText())!;
        spec["ranking"]!["trees"] = 200;
        var metrics = new Dictionary<string, double>(fx.A.Metrics) { ["churn.auc"] = fx.A.Metrics["churn.auc"] + 0.0125 };
        using var handle = fx.Store.Begin();
        handle.Write(fx.A with { Id = handle.Id, Spec = JsonDocument.Parse(spec.ToJsonString()).RootElement.Clone(), Metrics = metrics });
        handle.Dispose();
        var diff = WorkbenchProcess.Run(cwd, "runs", "compare", fx.A.Id, handle.Id, "--store", store);
        Assert.True(diff.Exit == 0, diff.Err);
        Assert.Matches(@"(?m)^churn\.auc\s+0\.7\d+\s+0\.7\d+\s+\+0\.0125$", diff.Out);
        Assert.Matches(@"(?m)^upsell\.auc\s+0\.7\d+\s+0\.7\d+\s+0$", diff.Out);
        Assert.Matches(@"(?m)^spec\.ranking\.trees\s+400\s+200$", diff.Out);
        Assert.DoesNotContain("spec.ranking.leaves", diff.Out);
    }

    [Fact]
    public void An_unknown_run_id_is_an_error_listing_the_nearest_ids()
    {
        var wrong = fx.A.Id[..^1] + (fx.A.Id[^1] == '0' ? '1' : '0');
        var r = WorkbenchProcess.Run(TestPaths.NewTempDir("cwd"), "runs", "show", wrong, "--store", fx.Store.Layout.Root);
        Assert.Equal(2, r.Exit);
        Assert.Contains($"error: No run '{wrong}' in ", r.Err);
        Assert.Contains("Nearest ids: ", r.Err);
        Assert.Contains(fx.A.Id, r.Err);
    }

    [Fact]
    public void Show_and_list_print_the_recorded_run()
    {
        var cwd = TestPaths.NewTempDir("cwd");
        var show = WorkbenchProcess.Run(cwd, "runs", "show", fx.A.Id, "--store", fx.Store.Layout.Root);
        Assert.True(show.Exit == 0, show.Err);
        Assert.Contains($"spec     sha256 {fx.A.SpecHash}", show.Out);
        Assert.Contains($"data     {fx.A.Data!.Path} sha256 {fx.A.Data.Sha256}", show.Out);
        Assert.Matches(@"(?m)^  churn\.auc >= 0\.7: met|^  churn\.auc\s+>= 0\.7: met", show.Out);
        var list = WorkbenchProcess.Run(cwd, "runs", "list", "--store", fx.Store.Layout.Root);
        Assert.True(list.Exit == 0, list.Err);
        Assert.Matches($@"(?m)^{fx.A.Id}\s+sample\s+succeeded\s+\S+ \S+\s+[0-9.]+ s\s+0\.\d{{3}}\s+0\.\d{{3}}$", list.Out);
    }

    internal static string? Git(params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo("git") { WorkingDirectory = TestPaths.RepoRoot, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}
