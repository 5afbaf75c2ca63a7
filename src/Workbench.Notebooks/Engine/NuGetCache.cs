using System.IO.Compression;
using System.Xml.Linq;

namespace Workbench.Notebooks;

/// <summary>Resolves <c>#r "nuget: Name, Version"</c> from the local NuGet package folder (NUGET_PACKAGES or
/// ~/.nuget/packages) and from local feed folders (<c>#i "nuget: DIR"</c>, and the local-folder sources of the user's
/// NuGet.Config) without any network access. A version may float (<c>0.1.*</c>, <c>*</c>): the newest match wins.
/// A package found only as a .nupkg in a feed is extracted once into a private cache (never into the global packages
/// folder, which belongs to NuGet). Dependencies listed in the package's nuspec are followed when present.</summary>
public sealed class NuGetCache
{
    readonly List<string> feeds = [];

    /// <summary>Target frameworks this engine can load, most preferred first.</summary>
    static readonly string[] FrameworkPreference =
    [
        "net10.0", "net9.0", "net8.0", "net7.0", "net6.0", "net5.0", "netcoreapp3.1", "netcoreapp3.0",
        "netstandard2.1", "netstandard2.0", "netstandard1.6", "netstandard1.3", "netstandard1.0",
    ];

    /// <summary>The package folder searched.</summary>
    public string Root { get; }

    /// <summary>A cache rooted at <paramref name="root"/>, or at NUGET_PACKAGES / ~/.nuget/packages.</summary>
    public NuGetCache(string? root = null)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        Root = root
            ?? (string.IsNullOrEmpty(fromEnvironment)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages")
                : fromEnvironment);
    }

    /// <summary>The local feed folders searched after <see cref="Root"/>, in the order added.</summary>
    public IReadOnlyList<string> Feeds => feeds;

    /// <summary>Where .nupkg files from feeds are extracted (a private cache, one folder per id and version).</summary>
    public string ExtractionRoot { get; init; } = Path.Combine(Path.GetTempPath(), "workbench-nuget");

    /// <summary>Adds a local feed folder (a flat folder of .nupkg files, or NuGet's id/version/ layout).
    /// Throws <see cref="WorkbenchException"/> for a folder that does not exist or a remote source.</summary>
    public void AddFeed(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (folder.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || folder.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            throw new WorkbenchException($"#i \"nuget: {folder}\": this engine does not download packages; give a local feed folder.");
        if (folder.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) folder = new Uri(folder).LocalPath;
        if (!Directory.Exists(folder))
            throw new WorkbenchException($"#i \"nuget: {folder}\": the feed folder {Path.GetFullPath(folder)} does not exist (run `bash tools/pack-local-feed.sh` for the Workbench feed).");
        var full = Path.GetFullPath(folder);
        if (!feeds.Contains(full, StringComparer.Ordinal)) feeds.Add(full);
    }

    /// <summary>The local-folder package sources of the user's NuGet.Config (remote sources are skipped: nothing is downloaded).</summary>
    public static IReadOnlyList<string> ConfiguredLocalFeeds(string? configPath = null)
    {
        configPath ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        if (!File.Exists(configPath)) return [];
        try
        {
            return XDocument.Load(configPath).Descendants("packageSources").Elements("add")
                .Select(e => (string?)e.Attribute("value"))
                .OfType<string>()
                .Where(v => !v.Contains("://", StringComparison.Ordinal) && Directory.Exists(v))
                .Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
        }
        catch (System.Xml.XmlException) { return []; }
    }

    /// <summary>The assembly paths of the package and of the dependencies found in the cache.
    /// Throws <see cref="WorkbenchException"/> naming the package, version and folder when it is absent.</summary>
    public IReadOnlyList<string> Resolve(string id, string? version)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        ResolveInto(id, version, result, seen, required: true);
        return result;
    }

    void ResolveInto(string id, string? version, List<string> result, HashSet<string> seen, bool required)
    {
        if (!seen.Add(id)) return;
        var packageDir = Path.Combine(Root, id.ToLowerInvariant());
        var available = AvailableVersions(id, packageDir);
        if (available.Count == 0)
        {
            if (!required) return;
            throw new WorkbenchException($"#r \"nuget: {id}{(version is null ? "" : ", " + version)}\": package '{id}' is not in the local NuGet cache '{Root}'"
                + (feeds.Count == 0 ? "" : $" nor in the feeds {string.Join(", ", feeds)}") + ". "
                + "This engine does not download packages: restore it first (for example add a PackageReference to a project and run `dotnet restore`), add a local feed with #i \"nuget: DIR\", or set NUGET_PACKAGES.");
        }
        var versions = available.Keys.ToList();
        var chosen = version is null ? versions.OrderBy(v => v, VersionComparer.Instance).LastOrDefault()
            : version.Contains('*', StringComparison.Ordinal) ? versions.Where(v => Matches(v, version)).OrderBy(v => v, VersionComparer.Instance).LastOrDefault()
            : versions.FirstOrDefault(v => string.Equals(v, version, StringComparison.OrdinalIgnoreCase));
        if (chosen is null)
        {
            if (!required)
            {
                // A dependency range's lower bound may be missing while a newer one is present: take the newest.
                chosen = versions.OrderBy(v => v, VersionComparer.Instance).LastOrDefault();
                if (chosen is null) return;
            }
            else
            {
                throw new WorkbenchException($"#r \"nuget: {id}, {version}\": version '{version}' of '{id}' is not in the local NuGet cache '{Root}' "
                    + $"(versions present: {(versions.Count == 0 ? "none" : string.Join(", ", versions.Order(VersionComparer.Instance)))}).");
            }
        }
        var versionDir = available[chosen] ?? Extract(id, chosen, FeedPackage(id, chosen)!);
        var lib = Path.Combine(versionDir, "lib");
        var framework = Directory.Exists(lib)
            ? FrameworkPreference.FirstOrDefault(f => Directory.Exists(Path.Combine(lib, f)))
            : null;
        if (framework is not null)
            result.AddRange(Directory.GetFiles(Path.Combine(lib, framework), "*.dll").Order(StringComparer.Ordinal));
        else if (required && Directory.Exists(lib))
            throw new WorkbenchException($"#r \"nuget: {id}, {chosen}\": the package has no assemblies for a framework this engine can load "
                + $"(looked for {string.Join(", ", FrameworkPreference)} under {lib}).");

        foreach (var (depId, depVersion) in Dependencies(versionDir, id, framework))
            ResolveInto(depId, depVersion, result, seen, required: false);
    }

    /// <summary>Version -> extracted folder (null when the version exists only as a .nupkg in a feed).</summary>
    Dictionary<string, string?> AvailableVersions(string id, string packageDir)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (Directory.Exists(packageDir))
            foreach (var dir in Directory.GetDirectories(packageDir)) result[Path.GetFileName(dir)] = dir;
        foreach (var feed in feeds)
            foreach (var (v, _) in FeedPackages(feed, id))
                result.TryAdd(v, null);
        return result;
    }

    string? FeedPackage(string id, string version) =>
        feeds.SelectMany(f => FeedPackages(f, id)).Where(p => string.Equals(p.Version, version, StringComparison.OrdinalIgnoreCase)).Select(p => p.Path).FirstOrDefault();

    /// <summary>The .nupkg files of <paramref name="id"/> in a feed: flat (<c>Id.Version.nupkg</c>) or hierarchical (<c>id/version/*.nupkg</c>).</summary>
    static IEnumerable<(string Version, string Path)> FeedPackages(string feed, string id)
    {
        var prefix = id + ".";
        foreach (var file in Directory.EnumerateFiles(feed, "*.nupkg"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (!name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            var v = name[prefix.Length..];
            if (v.Length > 0 && char.IsDigit(v[0]) && !v.EndsWith(".symbols", StringComparison.OrdinalIgnoreCase)) yield return (v, file);
        }
        var hierarchical = Path.Combine(feed, id.ToLowerInvariant());
        if (!Directory.Exists(hierarchical)) yield break;
        foreach (var dir in Directory.GetDirectories(hierarchical))
            if (Directory.EnumerateFiles(dir, "*.nupkg").FirstOrDefault() is { } file) yield return (Path.GetFileName(dir), file);
    }

    /// <summary>Extracts a feed's .nupkg once (to a staging folder, then renamed into place).</summary>
    string Extract(string id, string version, string nupkg)
    {
        var target = Path.Combine(ExtractionRoot, id.ToLowerInvariant(), version.ToLowerInvariant());
        var stamp = new FileInfo(nupkg);
        var marker = Path.Combine(target, ".source");
        var expected = $"{stamp.FullName}|{stamp.Length}|{stamp.LastWriteTimeUtc.Ticks}";
        if (File.Exists(marker) && File.ReadAllText(marker) == expected) return target;
        var staging = target + ".staging-" + Guid.NewGuid().ToString("N");
        ZipFile.ExtractToDirectory(nupkg, staging);
        File.WriteAllText(Path.Combine(staging, ".source"), expected);
        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try { Directory.Move(staging, target); }
        catch (IOException) when (Directory.Exists(target)) { Directory.Delete(staging, recursive: true); } // another session won the race
        return target;
    }

    /// <summary>A floating version: <c>*</c> matches any version, <c>0.1.*</c> any version starting with <c>0.1.</c>.</summary>
    static bool Matches(string version, string pattern)
    {
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        return version.StartsWith(pattern[..star], StringComparison.OrdinalIgnoreCase);
    }

    static IEnumerable<(string Id, string? Version)> Dependencies(string versionDir, string id, string? framework)
    {
        var nuspec = Directory.GetFiles(versionDir, "*.nuspec").FirstOrDefault();
        if (nuspec is null) yield break;
        var doc = XDocument.Load(nuspec);
        var groups = doc.Descendants().Where(e => e.Name.LocalName == "group").ToList();
        IEnumerable<XElement> deps;
        if (groups.Count == 0)
            deps = doc.Descendants().Where(e => e.Name.LocalName == "dependency");
        else
        {
            var group = groups.FirstOrDefault(g => NormalizeFramework((string?)g.Attribute("targetFramework")) == framework)
                ?? groups.FirstOrDefault(g => NormalizeFramework((string?)g.Attribute("targetFramework")) is { } f && f.StartsWith("netstandard", StringComparison.Ordinal));
            deps = group?.Elements().Where(e => e.Name.LocalName == "dependency") ?? [];
        }
        foreach (var dep in deps)
        {
            var depId = (string?)dep.Attribute("id");
            if (depId is null) continue;
            var range = ((string?)dep.Attribute("version"))?.Trim('[', '(', ')', ']');
            var lower = range?.Split(',')[0].Trim();
            yield return (depId, string.IsNullOrEmpty(lower) ? null : lower);
        }
    }

    static string? NormalizeFramework(string? tfm) => tfm?.ToLowerInvariant() switch
    {
        null => null,
        var t when t.StartsWith(".netstandard", StringComparison.Ordinal) => "netstandard" + t[".netstandard".Length..],
        var t => t,
    };

    sealed class VersionComparer : IComparer<string>
    {
        public static readonly VersionComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var (vx, px) = Split(x ?? "");
            var (vy, py) = Split(y ?? "");
            var byNumber = vx.CompareTo(vy);
            if (byNumber != 0) return byNumber;
            // A release sorts after its prereleases.
            if (px.Length == 0 && py.Length == 0) return 0;
            if (px.Length == 0) return 1;
            if (py.Length == 0) return -1;
            return string.CompareOrdinal(px, py);
        }

        static (Version Number, string Prerelease) Split(string v)
        {
            var dash = v.IndexOf('-');
            var number = dash < 0 ? v : v[..dash];
            return (Version.TryParse(number, out var parsed) ? parsed : new Version(0, 0), dash < 0 ? "" : v[(dash + 1)..]);
        }
    }
}
