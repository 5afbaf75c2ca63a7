namespace Workbench.Tests.Notebooks;

/// <summary>The committed walkthroughs stay small enough to open quickly everywhere (GitHub refuses to render large
/// notebooks; each used to carry the 3.6 MB plotly.js): charts are plotly JSON, a static image and a small loader.</summary>
public sealed class NotebookSizeTests
{
    /// <summary>1.5 MB, in bytes (decimal megabytes).</summary>
    public const long MaxNotebookBytes = 1_500_000;

    [Fact]
    public void Every_committed_notebook_is_under_one_and_a_half_megabytes()
    {
        var files = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "notebooks")).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        var tooLarge = files.Select(f => (Name: Path.GetFileName(f), Bytes: new FileInfo(f).Length)).Where(f => f.Bytes >= MaxNotebookBytes).ToList();
        Assert.True(tooLarge.Count == 0, "over 1.5 MB: " + string.Join(", ", tooLarge.Select(f => $"{f.Name} ({f.Bytes:N0} bytes)")));
    }
}
