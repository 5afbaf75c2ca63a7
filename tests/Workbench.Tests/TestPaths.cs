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
        if (Environment.GetEnvironmentVariable("WORKBENCH_KEEP_TEST_DIRS") == "1") return root;
        StartRemoverAfterExit(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException e) { Console.Error.WriteLine($"workbench tests: could not remove {root}: {e.Message}"); }
            catch (UnauthorizedAccessException e) { Console.Error.WriteLine($"workbench tests: could not remove {root}: {e.Message}"); }
        };
        return root;
    }

    /// <summary>The last test process of a run has no later one to remove its root, and the test platform may end it before
    /// the exit handler finishes (a CI run left 0.7 GB that way). So a small shell in a session of its own (setsid, as the
    /// chart browser's guard: it outlives the test host and its process group) waits for this process to end and then
    /// removes the root. Without setsid the exit handler and the next test process's sweep remain.</summary>
    static void StartRemoverAfterExit(string root)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("setsid")
            {
                UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            foreach (var a in new[] { "--fork", "sh", "-c", "exec </dev/null >/dev/null 2>&1; while kill -0 \"$1\" 2>/dev/null; do sleep 2; done; rm -rf -- \"$2\"", "sh",
                Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), root })
                start.ArgumentList.Add(a);
            using var p = System.Diagnostics.Process.Start(start);
            p?.WaitForExit(5000); // setsid --fork returns at once; the shell lives on in its own session
        }
        catch (System.ComponentModel.Win32Exception) { }
        catch (InvalidOperationException) { }
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
