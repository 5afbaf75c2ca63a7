namespace Workbench.Analytics.Features;

/// <summary>Which way is healthy for the account. Explanation uses it to phrase a change as good or bad news.</summary>
public enum BetterDirection { Higher, Lower, Neutral }

/// <summary>
/// Metadata that turns a feature column back into language: the concept group it belongs to (used to
/// merge related features into one reason), a plain description, the unit, which direction is healthy,
/// and a sentence template. Templates use {value} (the current value), {before}/{after} (the two ends of
/// a change) and {window} (the period), formatted with the unit.
/// </summary>
public sealed record FeatureDefinition(
    string Name,
    string ConceptGroup,
    string Description,
    string Unit,
    BetterDirection Better,
    string SentenceTemplate,
    int WindowMonths = 0,
    bool IsCategorical = false);

/// <summary>Concept groups. Names match the generator's planted drivers where one exists
/// (UtilizationTrend, HeadcountGrowth, Engagement, SupportLoad, ChampionChange, PriceChange, Segment).</summary>
public static class ConceptGroups
{
    public const string Spend = "Spend", Utilization = "UtilizationTrend", Headcount = "HeadcountGrowth", Usage = "Usage",
        Engagement = "Engagement", Support = "SupportLoad", Champion = "ChampionChange", Price = "PriceChange",
        PurchaseHistory = "PurchaseHistory", Tenure = "Tenure", Renewal = "Renewal", Firmographics = "Firmographics",
        ProductMix = "ProductMix", Roi = "Roi";
}

/// <summary>The set of features a table carries, in column order. Every produced column has an entry.</summary>
public sealed class FeatureRegistry
{
    readonly Dictionary<string, FeatureDefinition> _byName;
    public IReadOnlyList<FeatureDefinition> Definitions { get; }

    public FeatureRegistry(IEnumerable<FeatureDefinition> definitions)
    {
        Definitions = definitions.ToArray();
        _byName = new Dictionary<string, FeatureDefinition>(StringComparer.Ordinal);
        foreach (var d in Definitions)
            if (!_byName.TryAdd(d.Name, d)) throw new ArgumentException($"Feature '{d.Name}' is registered twice.");
    }

    public FeatureDefinition this[string name] => _byName.TryGetValue(name, out var d) ? d
        : throw new KeyNotFoundException($"Feature '{name}' is not in the registry.");

    public bool Contains(string name) => _byName.ContainsKey(name);
    public IEnumerable<string> Names => Definitions.Select(d => d.Name);
    public IEnumerable<IGrouping<string, FeatureDefinition>> ByConcept => Definitions.GroupBy(d => d.ConceptGroup);
}
