using Workbench.Experiments.Promotion;
using Workbench.Experiments.Runs;

namespace Workbench.Tests.Reliability;

/// <summary>Processes killed at any moment leave a store that lists them honestly and outputs that clean up.</summary>
public class RunStoreFaultTests
{
    [Fact]
    public void A_run_killed_before_its_first_record_is_listed_as_unfinished_not_corrupt()
    {
        var store = new RunStore(TestPaths.NewTempDir("killed-early"));
        var handle = store.Begin();
        handle.Dispose(); // killed right after claiming the folder: a lock file, no run.json
        var entry = Assert.Single(store.List());
        Assert.Equal(RunState.Unfinished, entry.State);
        Assert.Contains("died before writing its record", entry.Problem);
    }

    [Fact]
    public void Staging_folders_of_a_killed_score_are_removed_by_the_next_run_and_live_ones_are_kept()
    {
        var parent = TestPaths.NewTempDir("staging");
        var outDir = Path.Combine(parent, "book");
        var dead = Directory.CreateDirectory(Path.Combine(parent, ".book.999999999.0123456789abcdef.tmp")).FullName; // beyond pid_max
        File.WriteAllText(Path.Combine(dead, "ranked-book.csv"), "half");
        var mine = Directory.CreateDirectory(Path.Combine(parent, $".book.{Environment.ProcessId}.fedcba9876543210.tmp")).FullName;
        var other = Directory.CreateDirectory(Path.Combine(parent, ".other.999999999.0123456789abcdef.tmp")).FullName;
        var staging = AtomicDirectory.StagingFor(outDir);
        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(mine), "a staging folder of a live process is kept");
        Assert.True(Directory.Exists(other), "another output's staging is not touched");
        Assert.True(Directory.Exists(staging));
    }
}
