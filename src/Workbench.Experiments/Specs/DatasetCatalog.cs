namespace Workbench.Experiments.Specs;

/// <summary>Named data sources: a <c>datasets.json</c> file mapping names to dataset folders, so a spec says
/// <c>"data": {"source": "sample"}</c> instead of a path. The catalog used is the nearest <c>datasets.json</c> in the
/// spec's folder or one of its parents; its paths are relative to the catalog file.
/// <code>
/// { "sample": { "path": "data-samples/generated", "description": "500 accounts x 36 months, seed 42, with truth/" },
///   "telco": { "shared": "ibm-telco-customer-churn", "mapping": "data-samples/mappings/telco.json" } }
/// </code>
/// An entry gives either <c>path</c> (relative to the catalog) or <c>shared</c> (relative to the shared datasets folder:
/// <c>$WORKBENCH_SHARED_DATASETS</c>, else <c>../shared/datasets</c> beside the catalog's folder), and optionally a
/// <c>mapping</c> (relative to the catalog) that imports the raw files into CRM tables.</summary>
public sealed record DatasetCatalog(string File, IReadOnlyDictionary<string, DatasetEntry> Entries)
{
    public const string FileName = "datasets.json";

    /// <summary>The environment variable that says where the shared public datasets are.</summary>
    public const string SharedDatasetsVariable = "WORKBENCH_SHARED_DATASETS";

    /// <summary>The shared datasets folder for a catalog in <paramref name="catalogDirectory"/>.</summary>
    public static string SharedRoot(string catalogDirectory) =>
        Environment.GetEnvironmentVariable(SharedDatasetsVariable) is { Length: > 0 } env
            ? Path.GetFullPath(env)
            : Path.GetFullPath(Path.Combine(catalogDirectory, "..", "shared", "datasets"));

    /// <summary>The nearest catalog at or above <paramref name="directory"/>, or null when there is none.</summary>
    public static DatasetCatalog? Find(string directory)
    {
        for (var d = new DirectoryInfo(Path.GetFullPath(directory)); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, FileName);
            if (System.IO.File.Exists(candidate)) return Read(candidate);
        }
        return null;
    }

    /// <summary>Reads a catalog; a malformed one is an error naming the file, the line and the entry.</summary>
    public static DatasetCatalog Read(string file)
    {
        var root = LocatedJson.Parse(LocatedJson.ReadFile(file, "dataset catalog"), file, "dataset catalog");
        if (root.Kind != JsonValueKind.Object) throw new OptionsValidationException($"{file}:{root.Line}: expected an object of named data sources, got {root.Describe()}.");
        var errors = new List<string>();
        var entries = new Dictionary<string, DatasetEntry>(StringComparer.Ordinal);
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        foreach (var (name, line, value) in root.Members)
        {
            if (value.Kind != JsonValueKind.Object) { errors.Add($"{file}:{line}: $.{name}: expected {{\"path\": \"<dataset folder>\"}}, got {value.Describe()}."); continue; }
            var r = new SectionReader(value, "$." + name, file, errors);
            var path = r.String("path", null);
            var shared = r.String("shared", null);
            var mapping = r.String("mapping", null);
            var description = r.String("description", null);
            r.Finish();
            if (path is not null && shared is not null) r.Error(r.LineOf("shared"), $"$.{name}", "give either \"path\" (relative to the catalog) or \"shared\" (relative to the shared datasets folder), not both.");
            else if (path is null && shared is null) r.Error(line, $"$.{name}", "needs \"path\" (a folder relative to the catalog) or \"shared\" (a file or folder in the shared datasets).");
            else if ((path ?? shared) is { Length: 0 }) r.Error(r.LineOf(path is null ? "shared" : "path"), $"$.{name}.{(path is null ? "shared" : "path")}", "must not be empty.");
            else
            {
                var full = path is not null ? Path.GetFullPath(Path.Combine(baseDir, path)) : Path.GetFullPath(Path.Combine(SharedRoot(baseDir), shared!));
                entries[name] = new DatasetEntry(name, path ?? shared!, full, description)
                {
                    Shared = shared is not null,
                    MappingPath = mapping is { Length: > 0 } ? Path.GetFullPath(Path.Combine(baseDir, mapping)) : null,
                };
            }
        }
        if (errors.Count > 0) throw new OptionsValidationException(string.Join("\n", errors));
        return new DatasetCatalog(Path.GetFullPath(file), entries);
    }
}

/// <summary>One named data source.</summary>
/// <param name="Name">The name specs use.</param>
/// <param name="Path">The folder as written in the catalog (relative to it).</param>
/// <param name="FullPath">The resolved folder.</param>
/// <param name="Description">What the data is.</param>
public sealed record DatasetEntry(string Name, string Path, string FullPath, string? Description)
{
    /// <summary>True when the entry lives in the shared datasets folder (<see cref="DatasetCatalog.SharedRoot"/>).</summary>
    public bool Shared { get; init; }
    /// <summary>A mapping that imports the raw files into CRM tables; null when the folder already holds CRM tables.</summary>
    public string? MappingPath { get; init; }
}
