using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Ranking;
using Workbench.Domain;

namespace Workbench.Reporting;

/// <summary>Which breakdown of a <see cref="LabelReport"/> to show.</summary>
public enum LabelGrouping { Overall, ByMonth, ByProduct, BySegment }

/// <summary>
/// Result objects as <see cref="HtmlTable"/>s, so a notebook cell that ends with <c>ReportTables.X(result)</c>
/// shows an escaped HTML table (and an aligned text table in text/plain). Formatting only: every number shown is
/// already in the result object. Numbers use the invariant culture.
/// </summary>
public static class ReportTables
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Row counts of every table of a dataset (and of the planted truth when present).</summary>
    public static HtmlTable Dataset(CrmDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var rows = new List<IReadOnlyList<string>>
        {
            Row("accounts", data.Accounts.Count), Row("products", data.Products.Count), Row("contracts", data.Contracts.Count),
            Row("spend", data.Spend.Count), Row("usage", data.Usage.Count), Row("engagement", data.Engagement.Count),
            Row("bookings", data.Bookings.Count), Row("reps", data.Reps.Count), Row("book", data.Book.Count),
            Row("opportunities", data.Opportunities.Count), Row("stage_history", data.StageHistory.Count), Row("actions", data.Actions.Count),
            Row("opportunity_activities", data.OpportunityActivities.Count),
        };
        if (data.Truth is { } t)
        {
            rows.Add(Row("truth/risks", t.Risks.Count)); rows.Add(Row("truth/segments", t.Segments.Count));
            rows.Add(Row("truth/rep_skills", t.RepSkills.Count)); rows.Add(Row("truth/rep_biases", t.RepBiases.Count));
            rows.Add(Row("truth/action_responses", t.ActionResponses.Count)); rows.Add(Row("truth/opportunity_weeks", t.OpportunityWeeks.Count));
        }
        return new HtmlTable("Rows per table", ["table", "rows"], rows);

        static IReadOnlyList<string> Row(string name, int count) => [name, count.ToString("N0", Inv)];
    }

    /// <summary>The first <paramref name="top"/> items of any record list, one column per public property
    /// (dates as yyyy-MM-dd, numbers in the invariant culture), with the total count in the caption.</summary>
    public static HtmlTable Rows<T>(IEnumerable<T> items, int top = 10, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (top < 1) throw new OptionsValidationException($"top must be at least 1, got {top}.");
        var props = typeof(T).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0).ToArray();
        var list = items.ToList();
        return new HtmlTable(caption ?? $"{typeof(T).Name}: first {Math.Min(top, list.Count)} of {list.Count.ToString("N0", Inv)}",
            props.Select(p => p.Name).ToArray(),
            list.Take(top).Select(item => (IReadOnlyList<string>)props.Select(p => Cell(p.GetValue(item))).ToArray()));
    }

    static string Cell(object? value) => value switch
    {
        null => "",
        DateOnly d => d.ToString("yyyy-MM-dd", Inv),
        DateTime t => t.ToString("yyyy-MM-dd", Inv),
        double v => v.ToString("0.####", Inv),
        float v => v.ToString("0.####", Inv),
        decimal v => v.ToString("0.##", Inv),
        IFormattable f => f.ToString(null, Inv),
        _ => value.ToString() ?? "",
    };

    /// <summary>A table of counts with their share of <paramref name="total"/> (default: the sum of the counts), in the order given.</summary>
    public static HtmlTable Counts<TKey>(string caption, string keyHeader, IEnumerable<KeyValuePair<TKey, int>> counts, int? total = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var list = counts.ToList();
        double totalCount = total ?? list.Sum(kv => (double)kv.Value);
        return new HtmlTable(caption, [keyHeader, "count", "share"], list.Select(kv => (IReadOnlyList<string>)
            [Convert.ToString(kv.Key, Inv) ?? "", kv.Value.ToString("N0", Inv), totalCount > 0 ? (kv.Value / totalCount).ToString("P1", Inv) : "-"]));
    }

    /// <summary>Class balance of a label report: snapshots, upsell/churn/flat counts and rates per group.</summary>
    public static HtmlTable LabelBalance(LabelReport report, LabelGrouping grouping = LabelGrouping.ByMonth)
    {
        ArgumentNullException.ThrowIfNull(report);
        var (rows, header, caption) = grouping switch
        {
            LabelGrouping.Overall => ((IReadOnlyList<LabelBalance>)[report.Overall], "group", "Label balance, all snapshots"),
            LabelGrouping.ByMonth => (report.ByMonth, "as-of", "Label balance by as-of date"),
            LabelGrouping.ByProduct => (report.ByProduct, "product", "Label balance by product"),
            LabelGrouping.BySegment => (report.BySegment, "segment", "Label balance by segment"),
            _ => throw new ArgumentOutOfRangeException(nameof(grouping)),
        };
        return new HtmlTable(caption, [header, "snapshots", "upsell", "churn", "flat", "upsell rate", "churn rate"],
            rows.Select(b => (IReadOnlyList<string>)[b.Group, N(b.Count), N(b.Upsell), N(b.Churn), N(b.Flat), P(b.UpsellRate), P(b.ChurnRate)]));
    }

    /// <summary>The feature registry: name, concept group, description, unit, better direction and sentence template.</summary>
    public static HtmlTable Registry(FeatureRegistry registry, string? conceptGroup = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var defs = registry.Definitions.Where(d => conceptGroup is null || d.ConceptGroup == conceptGroup).ToList();
        if (defs.Count == 0)
            throw new WorkbenchException($"No feature in concept group '{conceptGroup}'. Groups: {string.Join(", ", registry.ByConcept.Select(g => g.Key))}");
        return new HtmlTable(conceptGroup is null ? $"Feature registry ({defs.Count} features)" : $"Features in {conceptGroup}",
            ["feature", "concept", "description", "unit", "better", "window", "sentence template"],
            defs.Select(d => (IReadOnlyList<string>)[d.Name, d.ConceptGroup, d.Description, d.Unit, d.Better.ToString().ToLowerInvariant(),
                d.WindowMonths > 0 ? d.WindowMonths.ToString(Inv) + " m" : "-", d.SentenceTemplate]),
            [ColumnAlignment.Left, ColumnAlignment.Left, ColumnAlignment.Left, ColumnAlignment.Left, ColumnAlignment.Left, ColumnAlignment.Right, ColumnAlignment.Left]);
    }

    /// <summary>Evaluation of both targets: each metric for the model, the oracle (planted truth) and the best baseline.</summary>
    public static HtmlTable Metrics(RankingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var m in new[] { result.Churn, result.Upsell })
        {
            string k = result.K.ToString(Inv);
            rows.Add([m.Target.Name(), "test rows (positives)", $"{N(m.Rows)} ({N(m.Positives)})", "", ""]);
            rows.Add([m.Target.Name(), "ROC AUC", F(m.Auc), F(m.OracleAuc), "0.500 (random)"]);
            rows.Add([m.Target.Name(), "PR AUC (average precision)", F(m.PrAuc), "", F((double)m.Positives / m.Rows) + " (random)"]);
            rows.Add([m.Target.Name(), "Brier score (lower is better)", F(m.Brier), "", ""]);
            rows.Add([m.Target.Name(), $"NDCG@{k} in rep books", F(m.NdcgAtK), F(m.OracleNdcgAtK), $"{F(m.BestBaselineNdcgAtK)} ({m.BestBaseline})"]);
            rows.Add([m.Target.Name(), $"precision@{k}", F(m.PrecisionAtK), "", ""]);
            rows.Add([m.Target.Name(), $"recall@{k}", F(m.RecallAtK), "", ""]);
        }
        return new HtmlTable("Model against oracle and baselines (test months)", ["target", "metric", "model", "oracle", "best baseline"], rows,
            [ColumnAlignment.Left, ColumnAlignment.Left, ColumnAlignment.Right, ColumnAlignment.Right, ColumnAlignment.Right]);
    }

    /// <summary>The top of one rep's ranked book at one as-of date (default: the latest date of that rep).</summary>
    public static HtmlTable Book(IReadOnlyList<AccountPriority> books, string repId, DateOnly? asOf = null, int top = 10)
    {
        ArgumentNullException.ThrowIfNull(books);
        if (top < 1) throw new OptionsValidationException($"top must be at least 1, got {top}.");
        var mine = books.Where(b => b.RepId == repId).ToList();
        if (mine.Count == 0)
            throw new WorkbenchException($"Rep '{repId}' has no ranked book. Reps: {string.Join(", ", books.Select(b => b.RepId).Distinct().Order(StringComparer.Ordinal))}");
        var date = asOf ?? mine.Max(b => b.AsOf);
        var lines = mine.Where(b => b.AsOf == date).OrderBy(b => b.Rank).ToList();
        if (lines.Count == 0)
            throw new WorkbenchException($"Rep '{repId}' has no book at {date:yyyy-MM-dd}. Dates: {string.Join(", ", mine.Select(b => b.AsOf).Distinct().Order().Select(d => d.ToString("yyyy-MM-dd", Inv)))}");
        return new HtmlTable($"Ranked book of {repId} at {date.ToString("yyyy-MM-dd", Inv)} (top {Math.Min(top, lines.Count)} of {lines.Count})",
            ["rank", "account", "grade", "trend", "priority", "expected upsell", "revenue at risk", "P(upsell)", "P(churn)", "top product", "focus"],
            lines.Take(top).Select(b => (IReadOnlyList<string>)[N(b.Rank), b.AccountId, b.Grade.ToString(), b.Trend.ToString().ToLowerInvariant(),
                Money(b.Priority), Money(b.ExpectedUpsell), Money(b.RevenueAtRisk), P(b.MaxPUpsell), P(b.MaxPChurn), b.TopProduct, b.Focus.Name()]));
    }

    static string N(int v) => v.ToString("N0", Inv);
    static string P(double v) => v.ToString("P1", Inv);
    static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("0.000", Inv);
    static string F(double? v) => v is double d ? F(d) : "-";
    static string Money(double v) => v.ToString("N0", Inv);
}
