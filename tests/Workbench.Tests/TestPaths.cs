namespace Workbench.Tests;

/// <summary>Finds the repository root and the shared datasets (the same resolver as notebooks and specs:
/// $WORKBENCH_SHARED_DATASETS, else ../shared/datasets beside the repository).</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedDatasets { get; } = Workbench.Experiments.Specs.DatasetCatalog.SharedRoot(RepoRoot);

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
