using Workbench.Analytics.Segmentation;

namespace Workbench.Reporting.Segmentation;

/// <summary>Segmentation results as <see cref="HtmlTable"/>s (escaped HTML in a notebook, aligned text elsewhere).
/// Formatting only: every number shown is already in the Analytics result objects. Numbers use the invariant culture.</summary>
public static class SegmentationTables
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>One row per segment: id, suggested name, size, share, the mean of every profile column (raw units) and
    /// the outcome rates (e.g. churn_rate per active product-month).</summary>
    public static HtmlTable Profiles(SegmentationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var profiles = result.Profiles.OrderBy(p => p.Segment).ToArray();
        var columns = profiles.SelectMany(p => p.Columns.Select(c => c.Column)).Distinct().ToArray();
        var outcomes = profiles.SelectMany(p => p.OutcomeRates.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new HtmlTable("Segment profiles (means; outcomes are rates the clustering never saw)",
            ["segment", "name", "accounts", "share", .. columns, .. outcomes],
            profiles.Select(p => (IReadOnlyList<string>)
            [
                p.Segment.ToString(Inv), p.Name, p.Size.ToString("N0", Inv), p.Share.ToString("P1", Inv),
                .. columns.Select(c => Number(p.Column(c).Mean)),
                .. outcomes.Select(o => p.OutcomeRates.TryGetValue(o, out var r) ? r.ToString("0.0000", Inv) : ""),
            ]));
    }

    /// <summary>One row per segment: the columns that set it apart most with their standardized mean differences
    /// (segment vs rest, pooled sd), and why it got its name.</summary>
    public static HtmlTable Distinguishing(SegmentationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new HtmlTable("What sets each segment apart (standardized mean difference vs the rest)",
            ["segment", "name", "distinguishing columns (SMD)", "why this name"],
            result.Profiles.OrderBy(p => p.Segment).Select(p => (IReadOnlyList<string>)
            [
                p.Segment.ToString(Inv), p.Name,
                string.Join(", ", p.DistinguishingColumns.Select(c => $"{c} {Signed(p.Column(c).StandardizedMeanDifference)}")),
                p.NameReason,
            ]), [ColumnAlignment.Right, ColumnAlignment.Left, ColumnAlignment.Left, ColumnAlignment.Left]);
    }

    /// <summary>Every k tried: inertia (k = 1..KMax), mean silhouette (KMin..KMax), Gap(k) and s_k (1..KMax+1), the votes
    /// in the caption; blank where a criterion was not computed for that k.</summary>
    public static HtmlTable KSelection(KSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var ks = selection.Ks.Union(selection.Gap.Ks).Order().ToArray();
        var candidates = selection.CandidateKs;
        string At(int[] keys, double[] values, int k, string format) => Array.IndexOf(keys, k) is var i and >= 0 ? values[i].ToString(format, Inv) : "";
        var votes = string.Join("; ", selection.Votes.Select(v => $"{v.Criterion}: {(v.K is int k ? "k=" + k.ToString(Inv) : "abstains")}"));
        return new HtmlTable($"k selection (recommended k={selection.RecommendedK.ToString(Inv)}; {votes})",
            ["k", "inertia", "mean silhouette", "Gap(k)", "s_k"],
            ks.Select(k => (IReadOnlyList<string>)
            [
                k.ToString(Inv), At(selection.Ks, selection.Inertia, k, "0.0"), At(candidates, selection.SilhouetteMeans, k, "0.000"),
                At(selection.Gap.Ks, selection.Gap.Gap, k, "0.000"), At(selection.Gap.Ks, selection.Gap.StandardError, k, "0.000"),
            ]));
    }

    /// <summary>The quality checklist: check, pass/FAIL, measured value against its threshold, and the explanation.</summary>
    public static HtmlTable Quality(SegmentQuality quality)
    {
        ArgumentNullException.ThrowIfNull(quality);
        return new HtmlTable(quality.AllPassed ? "Quality checklist: all checks pass" : "Quality checklist: some checks fail",
            ["check", "result", "value", "threshold", "explanation"],
            quality.Checklist.Select(c => (IReadOnlyList<string>)
                [c.Name, c.Passed ? "pass" : "FAIL", c.Value.ToString("0.000", Inv), c.Threshold.ToString("0.###", Inv), c.Explanation]),
            [ColumnAlignment.Left, ColumnAlignment.Left, ColumnAlignment.Right, ColumnAlignment.Right, ColumnAlignment.Left]);
    }

    /// <summary>Contingency table of found segments (rows, named from <paramref name="found"/> when given) against
    /// known segments (columns, named from <paramref name="knownNames"/> when given), with row and column totals.</summary>
    public static HtmlTable Contingency(ContingencyTable table, SegmentationResult? found = null, IReadOnlyDictionary<int, string>? knownNames = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        string RowName(int s) => found is null ? s.ToString(Inv) : $"{s.ToString(Inv)}: {found.SegmentName(s)}";
        string ColumnName(int s) => knownNames is not null && knownNames.TryGetValue(s, out var n) ? $"{s.ToString(Inv)}: {n}" : s.ToString(Inv);
        var rowSums = table.RowSums;
        var rows = table.RowLabels.Select((label, i) => (IReadOnlyList<string>)
            [RowName(label), .. table.Counts[i].Select(c => c.ToString("N0", Inv)), rowSums[i].ToString("N0", Inv)]).ToList();
        rows.Add(["total", .. table.ColumnSums.Select(c => c.ToString("N0", Inv)), table.Total.ToString("N0", Inv)]);
        return new HtmlTable("Found segments (rows) against known segments (columns)",
            ["found \\ known", .. table.ColumnLabels.Select(ColumnName), "total"], rows);
    }

    // "+0.00;-0.00" would print a tiny negative as "-+0.00".
    static string Signed(double v) => (v < 0 ? "-" : "+") + Math.Abs(v).ToString("0.00", Inv);

    static string Number(double v) => Math.Abs(v) >= 1000 ? v.ToString("N0", Inv) : v.ToString("0.##", Inv);
}
