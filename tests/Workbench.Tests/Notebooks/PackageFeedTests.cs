using System.IO.Compression;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

/// <summary>The engine's <c>#i "nuget: DIR"</c> package sources and <c>#r "nuget: ..."</c> resolution from local feeds
/// (no network): tiny packages are compiled and packed by the test itself.</summary>
public sealed class PackageFeedTests
{
    /// <summary>A .nupkg with one assembly (namespace = id) whose <c>Api.Value()</c> returns <paramref name="body"/>.</summary>
    static void Pack(string feed, string id, string version, string body, (string Id, string Version)? dependency = null, string? dependencyDll = null)
    {
        var references = new List<MetadataReference> { MetadataReference.CreateFromFile(typeof(object).Assembly.Location) };
        references.AddRange(((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is "System.Runtime.dll" or "netstandard.dll").Select(p => MetadataReference.CreateFromFile(p)));
        if (dependencyDll is not null) references.Add(MetadataReference.CreateFromFile(dependencyDll));
        var compilation = CSharpCompilation.Create(id, [CSharpSyntaxTree.ParseText($"namespace {id} {{ public static class Api {{ public static string Value() => {body}; }} }}")],
            references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var dll = new MemoryStream();
        var emitted = compilation.Emit(dll);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        var deps = dependency is { } d ? $"<dependencies><group targetFramework=\"net10.0\"><dependency id=\"{d.Id}\" version=\"{d.Version}\" /></group></dependencies>" : "";
        var nuspec = $"<?xml version=\"1.0\"?><package xmlns=\"http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd\"><metadata><id>{id}</id><version>{version}</version><authors>t</authors><description>t</description>{deps}</metadata></package>";
        Directory.CreateDirectory(feed);
        using var zip = ZipFile.Open(Path.Combine(feed, $"{id}.{version}.nupkg"), ZipArchiveMode.Create);
        using (var w = new StreamWriter(zip.CreateEntry(id + ".nuspec").Open(), Encoding.UTF8)) w.Write(nuspec);
        using (var s = zip.CreateEntry($"lib/net10.0/{id}.dll").Open()) { dll.Position = 0; dll.CopyTo(s); }
    }

    static string UniqueId(string stem) => $"FeedTest{stem}{Guid.NewGuid():N}"[..24];

    [Fact]
    public async Task A_package_in_an_i_feed_is_loaded_with_its_dependency_from_the_same_feed()
    {
        var dir = TestPaths.NewTempDir("feed-notebook");
        var feed = Path.Combine(dir, "feed");
        var (dep, top) = (UniqueId("Dep"), UniqueId("Top"));
        Pack(feed, dep, "1.0.0", "\"from the dependency\"");
        var depDll = Path.Combine(dir, dep + ".dll");
        using (var zip = ZipFile.OpenRead(Path.Combine(feed, $"{dep}.1.0.0.nupkg"))) zip.GetEntry($"lib/net10.0/{dep}.dll")!.ExtractToFile(depDll);
        Pack(feed, top, "1.0.0", $"\"top + \" + {dep}.Api.Value()", (dep, "1.0.0"), depDll);

        using var session = NotebookSession.Create(new NotebookSessionOptions(NuGetPackagesRoot: TestPaths.NewTempDir("empty-cache"), WorkingDirectory: dir));
        var result = await session.ExecuteAsync($"#i \"nuget: feed\"\n#r \"nuget: {top}, 1.0.0\"\n{top}.Api.Value()", new CellRunOptions("cell 1"));

        Assert.True(result.Status == CellStatus.Ok, result.Error?.Message);
        Assert.Equal("top + from the dependency", result.ReturnValue);
    }

    [Fact]
    public void A_floating_version_takes_the_newest_match_across_the_cache_and_the_feeds()
    {
        var feed = TestPaths.NewTempDir("feed-floating");
        var id = UniqueId("Float");
        foreach (var v in new[] { "1.0.0", "1.2.0", "1.10.1", "2.0.0" }) Pack(feed, id, v, $"\"{v}\"");
        var cache = new NuGetCache(TestPaths.NewTempDir("empty-cache")) { ExtractionRoot = TestPaths.NewTempDir("extract") };
        cache.AddFeed(feed);

        Assert.Contains(Path.Combine(id.ToLowerInvariant(), "1.10.1"), cache.Resolve(id, "1.*").Single());
        Assert.Contains(Path.Combine(id.ToLowerInvariant(), "2.0.0"), cache.Resolve(id, null).Single());
        var missing = Assert.Throws<WorkbenchException>(() => cache.Resolve(id, "3.*"));
        Assert.Contains("1.0.0, 1.2.0, 1.10.1, 2.0.0", missing.Message);
    }

    [Fact]
    public async Task An_i_source_that_is_missing_or_remote_is_an_error_naming_it()
    {
        var dir = TestPaths.NewTempDir("feed-missing");
        using var session = NotebookSession.Create(new NotebookSessionOptions(WorkingDirectory: dir));

        var missing = await session.ExecuteAsync("#i \"nuget: no-such-feed\"\n1", new CellRunOptions("cell 1"));
        var remote = await session.ExecuteAsync("#i \"nuget: https://example.invalid/v3/index.json\"\n1", new CellRunOptions("cell 2"));

        Assert.Equal(CellStatus.Error, missing.Status);
        Assert.Contains("cell 1, line 1", missing.Error!.Message);
        Assert.Contains(Path.Combine(dir, "no-such-feed"), missing.Error.Message);
        Assert.Equal(CellStatus.Error, remote.Status);
        Assert.Contains("does not download packages", remote.Error!.Message);
    }

    [Fact]
    public async Task The_walkthrough_setup_cell_is_satisfied_by_the_kernels_own_workbench_assemblies()
    {
        using var session = NotebookSession.Create(new NotebookSessionOptions(NuGetPackagesRoot: TestPaths.NewTempDir("empty-cache")));
        var result = await session.ExecuteAsync("#r \"nuget: Workbench.Interactive, 0.1.*\"\n#r \"nuget: Workbench.Experiments, 0.1.*\"\ntypeof(ExperimentSpec).Assembly.GetName().Name");
        Assert.True(result.Status == CellStatus.Ok, result.Error?.Message);
        Assert.Equal("Workbench.Experiments", result.ReturnValue);
    }

    [Fact]
    public void The_interactive_extension_imports_the_namespaces_the_workbench_kernel_imports()
    {
        var dib = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "src", "Workbench.Interactive", "extension.dib"));
        var imported = dib.Where(l => l.StartsWith("using ", StringComparison.Ordinal)).Select(l => l["using ".Length..].TrimEnd(';')).ToHashSet(StringComparer.Ordinal);
        // The engine's own namespaces (Workbench.Notebooks, Workbench.Notebooks.Kernel) are not part of the packages.
        var expected = NotebookSession.DefaultImports
            .Where(n => n != "Workbench.Notebooks" && !n.StartsWith("Workbench.Notebooks.", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        Assert.True(expected.SetEquals(imported),
            $"extension.dib misses: {string.Join(", ", expected.Except(imported))}; has extra: {string.Join(", ", imported.Except(expected))}");
        Assert.Contains("Workbench.Interactive.WorkbenchFormatters.Register();", dib);
    }
}
