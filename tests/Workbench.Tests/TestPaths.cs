namespace Workbench.Tests;

/// <summary>Finds the repository root and the shared datasets that sit beside it (../shared/datasets).</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedDatasets { get; } = Environment.GetEnvironmentVariable("WORKBENCH_SHARED_DATASETS")
        ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "datasets"));

    public static string Dataset(params string[] parts) => Path.Combine([SharedDatasets, .. parts]);

    /// <summary>A fresh empty folder under the system temp dir, unique per call.</summary>
    public static string NewTempDir(string purpose)
    {
        var dir = Path.Combine(Path.GetTempPath(), "workbench-tests", purpose + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workbench.sln"))) return dir.FullName;
        throw new InvalidOperationException("Workbench.sln not found above " + AppContext.BaseDirectory);
    }
}
