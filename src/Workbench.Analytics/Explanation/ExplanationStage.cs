namespace Workbench.Analytics.Explanation;

/// <summary>How often the told top reason is the planted dominant driver, among the top decile of scores.</summary>
public sealed record DriverFidelity(string Target, int Rows, int Matches, IReadOnlyDictionary<string, int> TopConcepts)
{
    public double Rate => Rows == 0 ? double.NaN : (double)Matches / Rows;
}

public sealed record ExplanationReport(ExplanationResult Churn, ExplanationResult Upsell, DriverFidelity? ChurnFidelity, DriverFidelity? UpsellFidelity)
{
    /// <summary>Both targets' top deciles pooled: the number the explain command reports as driver_match_top_decile.</summary>
    public double? DriverMatchTopDecile => ChurnFidelity is null || UpsellFidelity is null ? null
        : (double)(ChurnFidelity.Matches + UpsellFidelity.Matches) / (ChurnFidelity.Rows + UpsellFidelity.Rows);
}

/// <summary>Explains the latest test month of a ranking run, and measures fidelity against planted drivers when the data carries truth.</summary>
public static class ExplanationStage
{
    /// <summary>Which planted driver a concept group stands for. Spend, usage, product mix and firmographics are how a
    /// segment shows in the data, so they stand for the Segment driver; groups with no planted counterpart map to None.</summary>
    public static Driver DriverOf(string concept) => concept switch
    {
        ConceptGroups.Utilization => Driver.UtilizationTrend,
        ConceptGroups.Headcount => Driver.HeadcountGrowth,
        ConceptGroups.Engagement => Driver.Engagement,
        ConceptGroups.Support => Driver.SupportLoad,
        ConceptGroups.Champion => Driver.ChampionChange,
        ConceptGroups.Price => Driver.PriceChange,
        ConceptGroups.Spend or ConceptGroups.ProductMix or ConceptGroups.Firmographics or ConceptGroups.Usage => Driver.Segment,
        _ => Driver.None,
    };

    /// <summary>Explains the latest test month of a ranking run, with its training rows as background.</summary>
    public static ExplanationReport Run(RankingResult ranking, LabeledFeatures lf, CrmDataset data, NarrativeOptions? options = null)
    {
        var table = lf.Features;
        var trainMonths = ranking.Split.TrainMonths.ToHashSet();
        var trainRows = Enumerable.Range(0, table.RowCount).Where(i => trainMonths.Contains(table.Snapshots[i].AsOfMonth)).ToArray();
        var background = TrainingSet.ChurnAndUpsell(table, trainRows, lf.Labels);
        return Run(ranking.ChurnModel, background.Churn, ranking.UpsellModel, background.Upsell, lf, ranking.Split.TestMonths[^1], data, options);
    }

    /// <summary>Explains every snapshot of one as-of month with saved models and their background rows; <c>steps</c> is told
    /// the name of each step as it starts (setup, TreeSHAP, narratives per model, driver match), which the CLI times with
    /// WORKBENCH_TIMINGS=1.</summary>
    public static ExplanationReport Run(PropensityModel churnModel, TrainingSet churnBackground, PropensityModel upsellModel, TrainingSet upsellBackground,
        LabeledFeatures lf, int asOfMonth, CrmDataset data, NarrativeOptions? options = null, IProgress<string>? steps = null)
    {
        var table = lf.Features;
        var rows = Enumerable.Range(0, table.RowCount).Where(i => table.Snapshots[i].AsOfMonth == asOfMonth).ToArray();
        if (rows.Length == 0) throw new WorkbenchException($"No snapshots at {table.Panel.MonthAt(asOfMonth):yyyy-MM-dd} to explain.");
        var names = data.Products.ToDictionary(p => p.ProductId, p => p.Name, StringComparer.Ordinal);
        string ProductName(string id) => names.GetValueOrDefault(id, id);
        steps?.Report("explanation: churn setup (covers, tables, population)");
        var churn = new AccountExplainer(churnModel, churnBackground, options).Explain(table, rows, ProductName, steps);
        steps?.Report("explanation: upsell setup (covers, tables, population)");
        var upsell = new AccountExplainer(upsellModel, upsellBackground, options).Explain(table, rows, ProductName, steps);
        if (data.Truth is not { Risks.Count: > 0 } truth) return new ExplanationReport(churn, upsell, null, null);
        steps?.Report("explanation: driver match");
        var month = table.Panel.MonthAt(asOfMonth);
        var risks = truth.Risks.Where(r => r.Month == month).ToDictionary(r => (r.AccountId, r.ProductId), r => r);
        return new ExplanationReport(churn, upsell,
            Fidelity(churn, risks, r => r.ChurnDriver), Fidelity(upsell, risks, r => r.UpsellDriver));
    }

    static DriverFidelity Fidelity(ExplanationResult result, Dictionary<(string, string), TrueRisk> risks, Func<TrueRisk, Driver> plantedDriver)
    {
        var withTruth = result.Narratives.Where(n => risks.ContainsKey((n.AccountId, n.ProductId))).ToList();
        int top = Math.Max(1, withTruth.Count / 10);
        var decile = withTruth.OrderByDescending(n => n.Probability).ThenBy(n => n.AccountId, StringComparer.Ordinal).ThenBy(n => n.ProductId, StringComparer.Ordinal).Take(top).ToList();
        int matches = decile.Count(n => DriverOf(n.TopConcept) == plantedDriver(risks[(n.AccountId, n.ProductId)]) && DriverOf(n.TopConcept) != Driver.None);
        var concepts = decile.GroupBy(n => n.TopConcept).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return new DriverFidelity(result.Target, decile.Count, matches, concepts);
    }
}
