using System.Xml.Linq;

namespace Workbench.Notebooks;

/// <summary>Resolves <c>#r "nuget: Name, Version"</c> from the local NuGet package folder (NUGET_PACKAGES or
/// ~/.nuget/packages) without any network access: the package must have been restored before.
/// Dependencies listed in the package's nuspec are followed when they are in the cache too.</summary>
public sealed class NuGetCache
{
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
        if (!Directory.Exists(packageDir))
        {
            if (!required) return;
            throw new WorkbenchException($"#r \"nuget: {id}{(version is null ? "" : ", " + version)}\": package '{id}' is not in the local NuGet cache '{Root}'. "
                + "This engine does not download packages: restore it first (for example add a PackageReference to a project and run `dotnet restore`), or set NUGET_PACKAGES.");
        }
        var versions = Directory.GetDirectories(packageDir).Select(Path.GetFileName).OfType<string>().ToList();
        var chosen = version is null ? versions.OrderBy(v => v, VersionComparer.Instance).LastOrDefault()
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
        var versionDir = Path.Combine(packageDir, chosen);
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
