namespace Workbench.Tests;

/// <summary>Finds the repository root and the shared datasets (the same resolver as notebooks and specs:
/// $WORKBENCH_SHARED_DATASETS, else ../shared/datasets beside the repository).</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedDatasets { get; } = Workbench.Experiments.Specs.DatasetCatalog.SharedRoot(RepoRoot);

    public static string Dataset(params string[] parts) => Path.Combine([SharedDatasets, .. parts]);

    /// <summary>A fresh empty folder under this test process's temp root, unique per call.</summary>
    public static string NewTempDir(string purpose)
    {
        var dir = Path.Combine(RunTempRoot, purpose + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>One folder per test process (workbench-tests/run-PID-XXXX), removed when the process exits and, should that
    /// not finish, by the next test process, so suite runs do not pile up stores, reports and generated data (a whole
    /// suite writes several GB).
    /// WORKBENCH_KEEP_TEST_DIRS=1 keeps it for a look after a failure.</summary>
    public static string RunTempRoot { get; } = CreateRunTempRoot();

    static string CreateRunTempRoot()
    {
        var parent = Path.Combine(Path.GetTempPath(), "workbench-tests");
        RemoveRootsOfEndedProcesses(parent);
        var root = Path.Combine(parent, $"run-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(root);
        if (Environment.GetEnvironmentVariable("WORKBENCH_KEEP_TEST_DIRS") != "1")
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try { Directory.Delete(root, recursive: true); }
                catch (IOException e) { Console.Error.WriteLine($"workbench tests: could not remove {root}: {e.Message}"); }
                catch (UnauthorizedAccessException e) { Console.Error.WriteLine($"workbench tests: could not remove {root}: {e.Message}"); }
            };
        return root;
    }

    /// <summary>The exit handler does not always finish: the test platform ends the test host soon after the last test,
    /// and removing a whole suite's folders takes seconds. So each test process also removes the roots left by test
    /// processes that have ended (their PID no longer runs); roots of test processes still running are kept.</summary>
    static void RemoveRootsOfEndedProcesses(string parent)
    {
        if (!Directory.Exists(parent)) return;
        foreach (var dir in Directory.GetDirectories(parent, "run-*"))
        {
            var parts = Path.GetFileName(dir).Split('-');
            if (parts.Length != 3 || !int.TryParse(parts[1], out var pid) || pid == Environment.ProcessId || ProcessRuns(pid)) continue;
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    static bool ProcessRuns(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workbench.sln"))) return dir.FullName;
        throw new InvalidOperationException("Workbench.sln not found above " + AppContext.BaseDirectory);
    }
}
