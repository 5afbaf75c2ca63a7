using Workbench.Experiments.Promotion;
using Workbench.Experiments.Runs;
using Workbench.Tests.Scoring;

namespace Workbench.Tests.Reliability;

/// <summary>Promotions of one name at the same time are serialized: none fails, none is lost from the history.</summary>
[Collection(ScoringCollection.Name)]
public class PromotionConcurrencyTests(ScoringFixture fx)
{
    /// <summary>24 in the suite; WORKBENCH_FUZZ_LONG=1 runs the 90 of the issue.</summary>
    static int Count => Environment.GetEnvironmentVariable("WORKBENCH_FUZZ_LONG") == "1" ? 90 : 24;

    [Fact]
    public void Concurrent_promotions_of_one_name_all_succeed_and_all_are_kept_in_the_history()
    {
        var id = "concurrent-" + Guid.NewGuid().ToString("N")[..8];
        var name = "busy-" + Guid.NewGuid().ToString("N")[..8];
        fx.WriteRun(id, RunStatus.Succeeded);
        int n = Count;
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, n).Select(_ => new Thread(() =>
        {
            try { Promoter.Promote(fx.Store, id, name); }
            catch (Exception ex) { failures.Add(ex); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
        var record = PromotionRecord.Read(Path.Combine(fx.Store.PromotedDirectory(name), StoreLayout.PromotionFile));
        Assert.Equal(n, 1 + record.History.Count);
        Assert.Empty(Directory.GetDirectories(fx.Store.ModelsDirectory, ".promoting-*"));
        Assert.Empty(Directory.GetDirectories(fx.Store.ModelsDirectory, ".replaced-*"));
    }
}
