namespace Workbench.Analytics.Features;

/// <summary>How a feature may speak to a sales rep in the scored book.</summary>
public enum RepUse
{
    /// <summary>Something the rep can act on or talk about with the customer (usage, spend, engagement, support, renewal).</summary>
    Actionable,
    /// <summary>Background the rep cannot change (firmographics, tenure, contract term): told only when it dominates the
    /// score, and then phrased as context.</summary>
    Context,
    /// <summary>Never told to a rep: transformed units (log10), the calendar month, shares that only mean something to a
    /// modeler.</summary>
    Hidden,
}

/// <summary>
/// The rep-facing reason policy of the feature registry: for every registered feature, whether a rep's book may cite it
/// (<see cref="RepUse"/>) and whether it says what changed recently (a "why now" reason, told first). Missing values are
/// never cited (a reason needs an observed value) whatever the feature. A feature not listed here falls back on rules:
/// a unit naming a transformation (log) or the calendar is hidden, firmographics and tenure are context, anything else is
/// actionable. Analyst-facing explanations (<c>workbench explain</c>) ignore the policy and tell every feature.
/// </summary>
public static class RepPolicy
{
    static readonly Dictionary<string, RepUse> Declared = new(StringComparer.Ordinal)
    {
        ["calendar_month"] = RepUse.Hidden,
        ["employees_log"] = RepUse.Hidden,
        ["product_share_of_account"] = RepUse.Hidden,
        ["spend_volatility_6m"] = RepUse.Hidden,
        ["company_age_years"] = RepUse.Context,
        ["revenue_band"] = RepUse.Context,
        ["industry"] = RepUse.Context,
        ["region"] = RepUse.Context,
        ["account_tenure_months"] = RepUse.Context,
        ["product_tenure_months"] = RepUse.Context,
        ["term_months"] = RepUse.Context,
    };

    /// <summary>Features that describe a recent change (the last 1-3 months against before, a contact change, an
    /// upcoming renewal): the "why now" of an account, told before standing conditions.</summary>
    static readonly HashSet<string> WhyNowFeatures = new(StringComparer.Ordinal)
    {
        "spend_mean_1m", "spend_trend_3v12", "utilization_1m", "utilization_change_3m", "active_users_growth_3m",
        "key_actions_trend_3v12", "meetings_change_3v3", "champion_change_6m", "price_change_6m", "months_to_renewal",
        "tickets_3m", "ticket_severity_3m", "ticket_severity_sum_3m", "seats_change_6m",
    };

    static readonly System.Text.RegularExpressions.Regex Transformed = new(@"\b(log|log10|log1p|log2|ln|sqrt|z-score|standardi[sz]ed)\b",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>How the feature may be told to a rep.</summary>
    public static RepUse Of(FeatureDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (Declared.TryGetValue(definition.Name, out var use)) return use;
        if (Transformed.IsMatch(definition.Unit) || Transformed.IsMatch(definition.Description)
            || definition.Unit == "month" || definition.Name.Contains("calendar", StringComparison.Ordinal) || definition.Name.EndsWith("_missing", StringComparison.Ordinal))
            return RepUse.Hidden;
        if (definition.ConceptGroup is ConceptGroups.Firmographics or ConceptGroups.Tenure) return RepUse.Context;
        return RepUse.Actionable;
    }

    /// <summary>Whether the feature tells what changed recently (see <see cref="WhyNowFeatures"/>).</summary>
    public static bool IsWhyNow(FeatureDefinition definition) => WhyNowFeatures.Contains(definition.Name);

    /// <summary>A context reason is told only when its concept carries at least this share of the row's total |SHAP|.</summary>
    public const double ContextDominance = 0.4;
}
