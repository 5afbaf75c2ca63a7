namespace Workbench.Analytics.Explanation;

/// <summary>How narratives are cut.</summary>
public sealed record NarrativeOptions
{
    /// <summary>Reasons that push the score up (toward churn, or toward an upsell).</summary>
    public int TopReasonsFor { get; init; } = 3;
    /// <summary>Reasons that hold the score down.</summary>
    public int TopReasonsAgainst { get; init; } = 2;
    /// <summary>Concept groups whose summed contribution is below this share of the row's total |SHAP| are not told.</summary>
    public double MinShare { get; init; } = 0.03;

    public void Validate()
    {
        if (TopReasonsFor is < 0 or > 20 || TopReasonsAgainst is < 0 or > 20) throw new OptionsValidationException("TopReasonsFor and TopReasonsAgainst must be 0..20.");
        if (MinShare is < 0 or >= 1) throw new OptionsValidationException($"MinShare must be in [0, 1), got {MinShare}.");
    }
}

/// <summary>One feature inside a reason: its value and SHAP contribution (raw-margin units).</summary>
public sealed record ReasonFeature(string Feature, double Value, double Contribution);

/// <summary>A reason: one concept group (related features merged), its summed contribution, the sentence with the
/// account's own numbers, and a supporting population statistic.</summary>
public sealed record Reason(string Concept, double Contribution, string Sentence, string? Support, IReadOnlyList<ReasonFeature> Features)
{
    /// <summary>The reason tells what changed recently (rep-facing narratives put these first; see <see cref="RepPolicy"/>).</summary>
    public bool WhyNow { get; init; }
    /// <summary>The feature the sentence speaks for (its value is in the sentence).</summary>
    public string? Lead { get; init; }
    /// <summary>The reason is background the rep cannot change (firmographics, tenure), told because it dominates the score.</summary>
    public bool IsContext { get; init; }
}

/// <summary>Who reads a narrative: an analyst sees every feature's reason; a rep sees only what <see cref="RepPolicy"/>
/// allows (observed values, no transformed units, no calendar month, context only when it dominates), each reason
/// with a supporting statistic, "why now" reasons first.</summary>
public enum NarrativeAudience { Analyst, Rep }

/// <summary>Why one account-product got its score.</summary>
public sealed record Narrative(
    string AccountId, string ProductId, DateOnly AsOf, string Target, double Probability, double Margin, double ExpectedValue,
    IReadOnlyList<Reason> ReasonsFor, IReadOnlyList<Reason> ReasonsAgainst)
{
    public string TopConcept => ReasonsFor.Count > 0 ? ReasonsFor[0].Concept : "";

    /// <summary>The narrative as plain text (what a notebook shows as text/plain).</summary>
    public override string ToString() => ToText().TrimEnd('\n');

    public string ToText() => AppendText(new StringBuilder()).ToString();

    /// <summary>Appends <see cref="ToText"/>'s text to <paramref name="sb"/> (a writer of many narratives reuses one builder
    /// instead of a builder and a string per narrative).</summary>
    public StringBuilder AppendText(StringBuilder sb)
    {
        ArgumentNullException.ThrowIfNull(sb);
        sb.Append(CultureInfo.InvariantCulture, $"{AccountId} / {ProductId} as of {AsOf:yyyy-MM-dd}: {Target} probability {Probability:P0}.\n");
        if (ReasonsFor.Count > 0) sb.Append("Why:\n");
        foreach (var r in ReasonsFor)
        {
            sb.Append("  + ").Append(r.Sentence);
            if (r.Support is not null) sb.Append(" (").Append(r.Support).Append(')');
            sb.Append('\n');
        }
        if (ReasonsAgainst.Count > 0) sb.Append("On the other hand:\n");
        foreach (var r in ReasonsAgainst) sb.Append("  - ").Append(r.Sentence).Append('\n');
        return sb;
    }
}
