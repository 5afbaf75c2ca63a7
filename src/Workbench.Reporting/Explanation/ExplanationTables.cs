using Workbench.Analytics.Explanation;

namespace Workbench.Reporting.Explanation;

/// <summary>Explanation results as <see cref="HtmlTable"/>s (escaped HTML in a notebook, aligned text elsewhere).
/// Formatting only: every number shown is already in the Analytics result objects.</summary>
public static class ExplanationTables
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>One row per told reason of a narrative (for, then against): the concept group, its summed SHAP
    /// contribution (raw margin, log-odds), the sentence, the supporting statistic, and the features inside the group with
    /// their values and own contributions.</summary>
    public static HtmlTable Reasons(Narrative narrative)
    {
        ArgumentNullException.ThrowIfNull(narrative);
        var reasons = narrative.ReasonsFor.Select(r => ("for", r)).Concat(narrative.ReasonsAgainst.Select(r => ("against", r)));
        string Features(Reason r) => string.Join(", ", r.Features.Select(f =>
            $"{f.Feature}={f.Value.ToString("0.###", Inv)} ({Signed(f.Contribution)})"));
        return new HtmlTable($"{narrative.AccountId} / {narrative.ProductId}: {narrative.Target} probability {narrative.Probability.ToString("P0", Inv)}, " +
                $"margin {narrative.Margin.ToString("0.000", Inv)} = expected {narrative.ExpectedValue.ToString("0.000", Inv)} + contributions",
            ["side", "concept", "contribution", "sentence", "supporting statistic", "features in the group (value, SHAP)"],
            reasons.Select(t => (IReadOnlyList<string>)
                [t.Item1, t.r.Concept, Signed(t.r.Contribution), t.r.Sentence, t.r.Support ?? "", Features(t.r)]),
            [ColumnAlignment.Left, ColumnAlignment.Left, ColumnAlignment.Right, ColumnAlignment.Left, ColumnAlignment.Left, ColumnAlignment.Left]);
    }

    /// <summary>Fidelity against the planted drivers, one row per target: top-decile rows with truth, how many narratives
    /// led with the planted driver, the rate, and which concepts the top reasons named.</summary>
    public static HtmlTable Fidelity(ExplanationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = new[] { report.ChurnFidelity, report.UpsellFidelity }.OfType<DriverFidelity>();
        var pooled = report.DriverMatchTopDecile is double d ? $"pooled: {d.ToString("P1", Inv)}" : "no planted truth";
        return new HtmlTable($"Top reason = planted driver, top decile by probability ({pooled})",
            ["target", "top-decile rows", "top reason = planted driver", "rate", "top reasons told (concept: rows)"],
            rows.Select(f => (IReadOnlyList<string>)
            [
                f.Target, f.Rows.ToString("N0", Inv), f.Matches.ToString("N0", Inv), f.Rate.ToString("P1", Inv),
                string.Join(", ", f.TopConcepts.Select(kv => $"{kv.Key}: {kv.Value.ToString(Inv)}")),
            ]),
            [ColumnAlignment.Left, ColumnAlignment.Right, ColumnAlignment.Right, ColumnAlignment.Right, ColumnAlignment.Left]);
    }

    // "+0.000;-0.000" would print a tiny negative as "-+0.000".
    static string Signed(double v) => (v < 0 ? "-" : "+") + Math.Abs(v).ToString("0.000", Inv);
}
