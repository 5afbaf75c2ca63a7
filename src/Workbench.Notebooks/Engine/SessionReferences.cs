using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;

namespace Workbench.Notebooks;

/// <summary>The references and namespace imports every session starts with: the runtime's trusted platform
/// assemblies (the framework plus everything the workbench executable ships: ML.NET, Microsoft.Data.Analysis,
/// Plotly.NET, Deedle, MathNet), every managed dll beside the executable, and the public Workbench.*
/// namespaces found in the Workbench.*.dll files there. Computed once per process.</summary>
internal static class SessionReferences
{
    static readonly string[] AlwaysImported =
        ["System", "System.IO", "System.Linq", "System.Collections.Generic", "System.Threading", "System.Threading.Tasks"];

    static readonly Lazy<(IReadOnlyList<MetadataReference> References, IReadOnlyList<string> Imports)> Defaults = new(Build);

    public static IReadOnlyList<MetadataReference> References => Defaults.Value.References;
    public static IReadOnlyList<string> Imports => Defaults.Value.Imports;

    /// <summary>True when every session already references an assembly named <paramref name="name"/> (a Workbench
    /// assembly or one the engine ships with), so <c>#r "nuget: name"</c> is satisfied by the engine's own copy.</summary>
    public static bool IsBuiltIn(string name) =>
        References.Any(r => string.Equals(Path.GetFileNameWithoutExtension(r.Display), name, StringComparison.OrdinalIgnoreCase));

    static (IReadOnlyList<MetadataReference>, IReadOnlyList<string>) Build()
    {
        var paths = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase); // simple name -> path
        var trusted = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var path in trusted) paths.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        foreach (var path in Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (!paths.ContainsKey(name) && AssemblyFiles.IsManagedAssembly(path)) paths.Add(name, path);
        }
        // The engine's own assembly (CellInterrupt, NotebookGlobals) must always be visible to cells.
        paths.TryAdd(typeof(CellInterrupt).Assembly.GetName().Name!, typeof(CellInterrupt).Assembly.Location);

        var references = paths.Values.Select(CreateReference).ToList();

        var imports = new SortedSet<string>(AlwaysImported, StringComparer.Ordinal);
        foreach (var (name, path) in paths)
        {
            if (!name.StartsWith("Workbench.", StringComparison.Ordinal) || name.EndsWith(".Tests", StringComparison.Ordinal)) continue;
            foreach (var ns in PublicNamespaces(path))
                if ((ns == "Workbench" || ns.StartsWith("Workbench.", StringComparison.Ordinal)) && !ns.StartsWith("Workbench.Tests", StringComparison.Ordinal))
                    imports.Add(ns);
        }
        return (references, imports.ToList());
    }

    /// <summary>A reference with the XML documentation beside it when there is one (inspect shows summaries).</summary>
    internal static MetadataReference CreateReference(string path)
    {
        var xml = Path.ChangeExtension(path, ".xml");
        var docs = File.Exists(xml) ? new XmlDocFile(xml) : null;
        return MetadataReference.CreateFromFile(path, documentation: docs);
    }

    /// <summary>Namespaces that hold at least one public top-level type, read from metadata without loading the assembly.</summary>
    static IEnumerable<string> PublicNamespaces(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) return [];
        var reader = pe.GetMetadataReader();
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(handle);
            if ((type.Attributes & TypeAttributes.VisibilityMask) != TypeAttributes.Public) continue;
            var ns = reader.GetString(type.Namespace);
            if (ns.Length > 0) result.Add(ns);
        }
        return result;
    }
}

/// <summary>Reads a compiler-generated XML documentation file on first use (member id -> member element).</summary>
internal sealed class XmlDocFile(string path) : DocumentationProvider
{
    string FilePath { get; } = path;

    readonly Lazy<Dictionary<string, string>> members = new(() =>
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var member in System.Xml.Linq.XDocument.Load(path).Descendants("member"))
                if (member.Attribute("name")?.Value is { } name) result[name] = member.ToString();
        }
        catch (System.Xml.XmlException) { } // unreadable docs only cost the summaries
        return result;
    });

    protected override string? GetDocumentationForSymbol(string documentationMemberID, System.Globalization.CultureInfo preferredCulture, CancellationToken cancellationToken = default) =>
        members.Value.TryGetValue(documentationMemberID, out var xml) ? xml : null;

    public override bool Equals(object? obj) => obj is XmlDocFile other && other.FilePath == FilePath;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(FilePath);
}
