using System.Diagnostics;
using System.Text.Json;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Specs;

namespace Workbench.Tests.Experiments;

/// <summary>The run store under concurrency and crashes: unique ids, every run listed, a dead run shown as unfinished.</summary>
public class RunStoreTests
{
    static RunRecord Running(string id) => new() { Id = id, Name = "t", Status = RunStatus.Running, StartedUtc = DateTimeOffset.UtcNow };

    [Fact]
    public void Runs_started_in_the_same_millisecond_get_distinct_ids_that_sort_by_time()
    {
        var store = new RunStore(TestPaths.NewTempDir("store"));
        var now = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
        var handles = new RunHandle[16];
        Parallel.For(0, handles.Length, i => handles[i] = store.Begin(now));
        Assert.Equal(handles.Length, handles.Select(h => h.Id).Distinct().Count());
        Assert.All(handles, h => Assert.StartsWith("20260102-030405-678-", h.Id));
        var later = store.Begin(now.AddMilliseconds(1));
        Assert.True(string.CompareOrdinal(later.Id, handles.Max(h => h.Id)) > 0);
        foreach (var h in handles.Append(later)) h.Dispose();
    }

    [Fact]
    public void A_running_record_is_running_while_its_lock_is_held_and_unfinished_once_it_is_not()
    {
        var store = new RunStore(TestPaths.NewTempDir("store"));
        var handle = store.Begin();
        handle.Write(Running(handle.Id));
        Assert.Equal(RunState.Running, store.Entry(handle.Id).State);
        Assert.True(store.IsLocked(handle.Id));
        handle.Dispose(); // the process "dies" without writing the final record
        var entry = Assert.Single(store.List());
        Assert.Equal(RunState.Unfinished, entry.State);
        Assert.Contains("no process holds its lock", entry.Problem);
    }

    [Fact]
    public void An_unreadable_record_is_listed_as_corrupt_with_its_reason_and_nothing_is_skipped()
    {
        var store = new RunStore(TestPaths.NewTempDir("store"));
        using (var ok = store.Begin()) ok.Write(Running(ok.Id) with { Status = RunStatus.Succeeded, FinishedUtc = DateTimeOffset.UtcNow });
        Directory.CreateDirectory(store.Layout.RunDirectory("20260101-000000-000-broken00"));
        File.WriteAllText(store.Layout.RunRecordPath("20260101-000000-000-broken00"), "{ \"id\": \"20260101-000000-000-broken00\", \"status\": ");
        Directory.CreateDirectory(store.Layout.RunDirectory("20260101-000000-000-empty000"));
        var entries = store.List();
        Assert.Equal(3, entries.Count);
        var broken = entries.Single(e => e.Id.EndsWith("broken00", StringComparison.Ordinal));
        Assert.Equal(RunState.Corrupt, broken.State);
        Assert.Contains("run.json: line 1", broken.Problem);
        var empty = entries.Single(e => e.Id.EndsWith("empty000", StringComparison.Ordinal));
        Assert.StartsWith("no run.json in the run folder", empty.Problem);
        Assert.Equal(RunState.Unfinished, empty.State); // a run killed in its first moments did not finish; nothing is corrupt

        var list = WorkbenchProcess.Run(TestPaths.NewTempDir("cwd"), "runs", "list", "--store", store.Layout.Root);
        Assert.True(list.Exit == 0, list.Err);
        Assert.Matches(@"(?m)^20260101-000000-000-broken00\s+-\s+corrupt", list.Out);
        Assert.Contains("20260101-000000-000-broken00: corrupt: ", list.Out);
    }

    [Fact]
    public void A_failed_run_is_recorded_with_its_error_and_the_exception_is_rethrown()
    {
        var store = new RunStore(TestPaths.NewTempDir("store"));
        var sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");
        var spec = ExperimentSpec.Parse("{ \"name\": \"too-long-test\", \"data\": { \"path\": " + System.Text.Json.Nodes.JsonValue.Create(sample).ToJsonString() + " }, \"ranking\": { \"test_months\": 24 } }", TestPaths.RepoRoot);
        var ex = Assert.Throws<OptionsValidationException>(() => ExperimentRunner.Run(spec, store));
        var entry = Assert.Single(store.List());
        Assert.Equal(RunState.Failed, entry.State);
        Assert.Equal($"OptionsValidationException: {ex.Message}", entry.Record!.Error);
        Assert.Contains("Not enough history for a time split", entry.Record.Error);
        Assert.NotNull(entry.Record.Data);
    }

    [Fact]
    public void A_missing_data_folder_fails_the_run_with_the_fingerprint_error_though_loading_runs_beside_it()
    {
        // Fingerprinting runs beside loading; both fail on a missing folder, and the fingerprint's error (first in a sequential
        // run) is the one raised and recorded.
        var store = new RunStore(TestPaths.NewTempDir("store"));
        var missing = Path.Combine(TestPaths.NewTempDir("data"), "absent");
        var spec = ExperimentSpec.Parse("{ \"name\": \"no-data\", \"data\": { \"path\": " + System.Text.Json.Nodes.JsonValue.Create(missing).ToJsonString() + " } }",
            TestPaths.RepoRoot, checkData: false);
        var ex = Assert.Throws<WorkbenchException>(() => ExperimentRunner.Run(spec, store));
        Assert.Equal($"Dataset folder not found: {missing}", ex.Message);
        var entry = Assert.Single(store.List());
        Assert.Equal(RunState.Failed, entry.State);
        Assert.Equal($"WorkbenchException: {ex.Message}", entry.Record!.Error);
        Assert.Null(entry.Record.Data);
    }

    [Fact]
    public async Task Two_processes_running_at_once_are_both_recorded()
    {
        var store = TestPaths.NewTempDir("store");
        var cwd = TestPaths.NewTempDir("cwd"); // outside any git checkout: the code version still comes from where workbench.dll was built
        using var a = WorkbenchProcess.Start(cwd, "run", RunFixture.SpecPath, "--store", store);
        using var b = WorkbenchProcess.Start(cwd, "run", RunFixture.SpecPath, "--store", store);
        var outA = a.StandardOutput.ReadToEndAsync(); var errA = a.StandardError.ReadToEndAsync();
        var outB = b.StandardOutput.ReadToEndAsync(); var errB = b.StandardError.ReadToEndAsync();
        Assert.True(a.WaitForExit(180_000) && b.WaitForExit(180_000), "the runs did not finish in three minutes");
        a.WaitForExit(); b.WaitForExit();
        Assert.True(a.ExitCode == 0, await errA);
        Assert.True(b.ExitCode == 0, await errB);

        var entries = new RunStore(store).List();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(RunState.Succeeded, e.State));
        Assert.NotEqual(entries[0].Id, entries[1].Id);
        Assert.Equal(entries[0].Record!.Metrics, entries[1].Record!.Metrics);
        var head = ExperimentRunTests.Git("rev-parse", "HEAD")?.Trim();
        Assert.NotNull(head);
        Assert.All(entries, e => Assert.Equal(head, e.Record!.Code!.Commit));
        foreach (var output in new[] { await outA, await outB })
        {
            Assert.Matches(@"(?m)^run \d{8}-\d{6}-\d{3}-[0-9a-f]{8} \(sample\) succeeded in [0-9.]+ s$", output);
            Assert.Matches(@"(?m)^  churn\.auc\s+0\.\d+$", output);
            Assert.Contains("  floor churn.auc >= 0.7: met", output);
            Assert.Contains("  folder: " + Path.GetFullPath(Path.Combine(store, "runs")), output);
        }
    }

    [Fact]
    public void A_killed_run_is_shown_as_unfinished_and_listing_still_works()
    {
        var store = new RunStore(TestPaths.NewTempDir("store"));
        var cwd = TestPaths.NewTempDir("cwd");
        using var p = WorkbenchProcess.Start(cwd, "run", RunFixture.SpecPath, "--store", store.Layout.Root);
        _ = p.StandardOutput.ReadToEndAsync(); _ = p.StandardError.ReadToEndAsync();
        var watch = Stopwatch.StartNew();
        RunEntry? running = null;
        while (watch.Elapsed < TimeSpan.FromSeconds(60) && !p.HasExited)
        {
            running = store.List().FirstOrDefault(e => e is { State: RunState.Running, Record: not null });
            if (running is not null) break;
            Thread.Sleep(20);
        }
        Assert.NotNull(running);
        p.Kill(entireProcessTree: true);
        p.WaitForExit();

        var entry = store.Entry(running.Id);
        Assert.Equal(RunState.Unfinished, entry.State);
        Assert.Equal(RunStatus.Running, entry.Record!.Status);
        var list = WorkbenchProcess.Run(cwd, "runs", "list", "--store", store.Layout.Root);
        Assert.True(list.Exit == 0, list.Err);
        Assert.Matches($@"(?m)^{running.Id}\s+sample\s+unfinished\s", list.Out);
    }
}

/// <summary>The run command on a bad spec: a clear error and exit code 2, and no run is recorded.</summary>
public class RunCommandErrorTests
{
    [Fact]
    public void A_bad_spec_stops_with_the_validation_message_and_records_nothing()
    {
        var dir = TestPaths.NewTempDir("bad-spec");
        var spec = Path.Combine(dir, "bad.json");
        File.WriteAllText(spec, "{\n  \"name\": \"bad\",\n  \"data\": { \"path\": \"missing-folder\" },\n  \"ranking\": { \"tress\": 10 }\n}\n");
        var store = Path.Combine(dir, "store");
        var r = WorkbenchProcess.Run(dir, "run", spec, "--store", store);
        Assert.Equal(2, r.Exit);
        Assert.StartsWith("error: 2 problems in the spec:", r.Err);
        Assert.Contains($"{spec}:3: $.data.path: dataset folder not found: ", r.Err);
        Assert.Contains($"{spec}:4: $.ranking.tress: unknown key; did you mean 'trees'?", r.Err);
        Assert.Empty(new RunStore(store).List());
    }
}
