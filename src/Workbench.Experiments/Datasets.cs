using Workbench.Data;
using Workbench.Experiments.Specs;

namespace Workbench.Experiments;

/// <summary>
/// Named datasets: the one resolver over <c>datasets.json</c> that notebooks, the CLI, specs and tests use. The catalog
/// is the nearest <c>datasets.json</c> at or above the current folder (or the folder given); shared public datasets
/// are found through <c>$WORKBENCH_SHARED_DATASETS</c>, else <c>../shared/datasets</c> beside the repository.
/// <code>
/// var data = Datasets.Load("sample");            // the committed generated sample, strict validation
/// var telco = Datasets.Path("telco");            // a folder or file of the shared datasets
/// </code>
/// </summary>
public static class Datasets
{
    /// <summary>The nearest catalog at or above <paramref name="directory"/> (default: the current folder).</summary>
    public static DatasetCatalog Catalog(string? directory = null)
    {
        var start = directory ?? Directory.GetCurrentDirectory();
        return DatasetCatalog.Find(start)
            ?? throw new WorkbenchException($"No {DatasetCatalog.FileName} in {System.IO.Path.GetFullPath(start)} or its parents: run from inside the repository, or pass the folder.");
    }

    /// <summary>The shared public datasets folder for the nearest catalog: <c>$WORKBENCH_SHARED_DATASETS</c>, else
    /// <c>../shared/datasets</c> beside the catalog's folder (see <see cref="DatasetCatalog.SharedRoot"/>).</summary>
    public static string SharedRoot(string? directory = null) =>
        DatasetCatalog.SharedRoot(System.IO.Path.GetDirectoryName(Catalog(directory).File)!);

    /// <summary>The catalog entry of a name; an unknown name lists the known ones and the closest match.</summary>
    public static DatasetEntry Entry(string name, string? directory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var catalog = Catalog(directory);
        if (catalog.Entries.TryGetValue(name, out var entry)) return entry;
        var near = LocatedJson.Closest(name, catalog.Entries.Keys.ToList());
        throw new WorkbenchException($"'{name}' is not in {catalog.File}" + (near.Count > 0 ? $" (did you mean '{near[0]}'?)" : "") +
            $"; it names: {string.Join(", ", catalog.Entries.Keys.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>The full path of a named dataset (a folder, or a file for single-file shared datasets); it must exist.</summary>
    public static string Path(string name, string? directory = null)
    {
        var entry = Entry(name, directory);
        if (!Directory.Exists(entry.FullPath) && !File.Exists(entry.FullPath))
            throw new WorkbenchException($"Dataset '{name}': {entry.FullPath} does not exist" + (entry.Shared
                ? $" (shared datasets are looked up in ${DatasetCatalog.SharedDatasetsVariable}, else ../shared/datasets beside the repository)."
                : "."));
        return entry.FullPath;
    }

    /// <summary>Loads a named dataset as CRM tables, strictly validated: a folder of tables directly, or raw files through
    /// the entry's mapping.</summary>
    public static CrmDataset Load(string name, string? directory = null)
    {
        var entry = Entry(name, directory);
        var path = Path(name, directory);
        if (entry.MappingPath is { } mapping)
            return DataImporter.Import(mapping, new ImportOptions { DataDirectory = path }).Dataset;
        return Pipeline.PipelineStages.LoadDataset(path).Dataset;
    }
}
