namespace Workbench.Data;

/// <summary>Column vocabulary of the planted-truth tables the generator writes to <c>truth/</c>,
/// in the same terms as <see cref="CrmSchema"/> so the same readers, writers and checks apply.</summary>
public static class TruthSchema
{
    public const string Risks = "risks", Segments = "segments", RepSkills = "rep_skills", RepBiases = "rep_biases",
        ActionResponses = "action_responses", OpportunityWeeks = "opportunity_weeks",
        ActionValues = "action_values";

    /// <summary>File name of the JSON manifest (GeneratorManifest and TrueRolloutEffect) in <c>truth/</c>.</summary>
    public const string ManifestFile = "manifest.json";

    static ColumnSpec S(string n) => new(n, ColumnType.String);
    static ColumnSpec I(string n, double? min = null) => new(n, ColumnType.Int, Min: min);
    static ColumnSpec F(string n, double? min = null, double? max = null) => new(n, ColumnType.Double, Min: min, Max: max);
    static ColumnSpec D(string n) => new(n, ColumnType.Date);
    static ColumnSpec E<T>(string n) where T : struct, Enum => new(n, ColumnType.Enum, EnumType: typeof(T));

    public static readonly IReadOnlyList<TableSchema> Tables =
    [
        new(Risks, [S("account_id"), S("product_id"), D("month"), F("p_upsell", 0, 1), F("p_churn", 0, 1),
            E<Driver>("upsell_driver"), E<Driver>("churn_driver")], ["account_id", "product_id", "month"], []),
        new(Segments, [S("account_id"), I("segment", 0), S("segment_name")], ["account_id"], []),
        new(RepSkills, [S("rep_id"), I("segment", 0), F("win_rate", 0, 1)], ["rep_id", "segment"], []),
        new(RepBiases, [S("rep_id"), F("stage_bias")], ["rep_id"], []),
        new(ActionResponses, [S("action"), I("segment", 0), F("response_rate", 0, 1)], ["action", "segment"], []),
        new(OpportunityWeeks, [S("opportunity_id"), D("week_start"), E<OpportunityStage>("true_stage"), F("win_probability", 0, 1)],
            ["opportunity_id", "week_start"], []),
        new(ActionValues, [S("action_id"), S("action"), F("logging_propensity", 0, 1), F("response_rate", 0, 1), F("expected_immediate"), F("expected_value")],
            ["action_id", "action"], []),
    ];

    public static TableSchema Table(string name) =>
        Tables.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"Unknown truth table '{name}'. Known: {string.Join(", ", Tables.Select(t => t.Name))}");
}
