using Workbench.Experiments.Runs;

namespace Workbench.Experiments.Promotion;

/// <summary>The promoted models of a store: scoring loads models only through here, by name.</summary>
public static class ModelRegistry
{
    /// <summary>Names promoted in the store, sorted.</summary>
    public static IReadOnlyList<string> Names(StoreLayout store)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!Directory.Exists(store.ModelsDirectory)) return [];
        return Directory.GetDirectories(store.ModelsDirectory)
            .Where(d => !Path.GetFileName(d).StartsWith('.') && File.Exists(Path.Combine(d, StoreLayout.PromotionFile)) && Directory.Exists(Path.Combine(d, StoreLayout.ModelFolder)))
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The model folder promoted as <paramref name="name"/>; throws listing the promoted names when there is none.</summary>
    public static string Resolve(StoreLayout store, string name)
    {
        ArgumentNullException.ThrowIfNull(store);
        Promoter.ValidateName(name);
        var dir = store.PromotedModelDirectory(name);
        if (Directory.Exists(dir) && File.Exists(Path.Combine(store.PromotedDirectory(name), StoreLayout.PromotionFile))) return dir;
        var names = Names(store);
        throw new WorkbenchException($"No promoted model named '{name}' in the store {Path.GetFullPath(store.Root)}. " +
            (names.Count == 0 ? "Nothing is promoted yet" : "Promoted: " + string.Join(", ", names)) +
            ". Promote a run with 'workbench promote RUN --as NAME'.");
    }

    /// <summary>The promotion record of a promoted name.</summary>
    public static PromotionRecord Promotion(StoreLayout store, string name)
    {
        Resolve(store, name);
        return PromotionRecord.Read(Path.Combine(store.PromotedDirectory(name), StoreLayout.PromotionFile));
    }
}
