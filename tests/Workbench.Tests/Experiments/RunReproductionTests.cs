using System.Text.Json.Nodes;
using Workbench.Experiments.Runs;

namespace Workbench.Tests.Experiments;

/// <summary>A reviewer's reproduction: a recorded run re-executed from its spec.json and compared bit for bit.</summary>
[Collection(RunCollection.Name)]
public class RunReproductionTests(RunFixture fx)
{
    [Fact]
    public void A_recorded_run_reproduces_exactly_and_a_tampered_original_is_caught()
    {
        // A store of its own holding a copy of a fixture run, so tampering touches nothing shared.
        var store = new RunStore(TestPaths.NewTempDir("reproduce-store"));
        var source = fx.Store.Layout.RunDirectory(fx.A.Id);
        foreach (var f in Directory.GetFiles(source, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != RunStore.LockFile))
        {
            var target = Path.Combine(store.Layout.RunDirectory(fx.A.Id), Path.GetRelativePath(source, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }

        var r = RunReproduction.Of(store, fx.A.Id);
        Assert.NotEqual(fx.A.Id, r.Reproduction.Id);
        Assert.Equal(RunState.Succeeded, store.Entry(r.Reproduction.Id).State);
        Assert.True(r.Identical, string.Join("; ", r.MetricsThatDiffer.Select(m => m.Metric)) + string.Join("; ", r.Artifacts.Where(a => a.Identical == false).Select(a => a.Path)));
        Assert.True(r.SameData);
        Assert.Equal(fx.A.SpecHash, r.Reproduction.SpecHash);
        Assert.True(r.Comparison.Metrics.Count >= 30, $"{r.Comparison.Metrics.Count} metrics compared");
        Assert.Contains(r.Artifacts, a => a.Path == "model/ranked-book.csv" && a.Identical == true);
        Assert.Contains(r.Artifacts, a => a.Path == "model/prioritizer.model.zip" && a.Identical is null);
        Assert.True(r.Artifacts.Count(a => a.Identical == true) >= 10);

        // Tamper with the original: one score in the book and one metric (in its last bit).
        var originalDir = store.Layout.RunDirectory(fx.A.Id);
        var book = Path.Combine(originalDir, "model", "ranked-book.csv");
        var lines = File.ReadAllLines(book);
        lines[1] = lines[1] + " ";
        File.WriteAllLines(book, lines);
        var recordPath = store.Layout.RunRecordPath(fx.A.Id);
        var json = JsonNode.Parse(File.ReadAllText(recordPath))!;
        double auc = json["metrics"]!["churn.auc"]!.GetValue<double>();
        json["metrics"]!["churn.auc"] = Math.BitIncrement(auc);
        File.WriteAllText(recordPath, json.ToJsonString());

        var tampered = RunReproduction.Compare(store, RunRecord.Read(recordPath), r.Reproduction);
        Assert.False(tampered.Identical);
        Assert.Equal(["churn.auc"], tampered.MetricsThatDiffer.Select(m => m.Metric));
        Assert.Equal(["model/ranked-book.csv"], tampered.Artifacts.Where(a => a.Identical == false).Select(a => a.Path));
    }

    [Fact]
    public void Only_a_succeeded_run_is_reproduced()
    {
        var store = new RunStore(TestPaths.NewTempDir("reproduce-failed"));
        using (var handle = store.Begin())
            handle.Write(new RunRecord { Id = handle.Id, Name = "x", Status = RunStatus.Failed, StartedUtc = handle.StartedUtc, Error = "boom" });
        var id = store.List().Single().Id;
        var ex = Assert.Throws<WorkbenchException>(() => RunReproduction.Of(store, id));
        Assert.Equal($"Run {id} is failed; only a succeeded run can be reproduced.", ex.Message);
    }
}
