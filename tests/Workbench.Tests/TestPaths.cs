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

    /// <summary>One folder per test process (workbench-tests/run-PID-XXXX), removed when the process exits, so a
    /// suite run leaves no stores, reports or generated data behind (the whole suite writes several GB).
    /// WORKBENCH_KEEP_TEST_DIRS=1 keeps it for a look after a failure.</summary>
    public static string RunTempRoot { get; } = CreateRunTempRoot();

    static string CreateRunTempRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "workbench-tests", $"run-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
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

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workbench.sln"))) return dir.FullName;
        throw new InvalidOperationException("Workbench.sln not found above " + AppContext.BaseDirectory);
    }
}
