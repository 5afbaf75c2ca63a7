namespace Workbench.Analytics.Explanation;

/// <summary>How often the told top reason is the planted dominant driver, among the top decile of scores.</summary>
public sealed record DriverFidelity(string Target, int Rows, int Matches, IReadOnlyDictionary<string, int> TopConcepts)
{
    public double Rate => Rows == 0 ? double.NaN : (double)Matches / Rows;
}

public sealed record ExplanationReport(ExplanationResult Churn, ExplanationResult Upsell, DriverFidelity? ChurnFidelity, DriverFidelity? UpsellFidelity)
{
    /// <summary>Both targets' top deciles pooled: the number the explain command reports as driver_match_top_decile.</summary>
    public double? DriverMatchTopDecile => ExplanationSummary.Pooled(ChurnFidelity, UpsellFidelity);

    /// <summary>The totals the explanation's files and metrics are written from (what <see cref="ExplanationStage.Stream"/> returns).</summary>
    public ExplanationSummary Summary() => new(Churn.Narratives.Count, Churn.Narratives.Count > 0 ? Churn.Narratives[0].AsOf : null,
        Churn.Importance, Upsell.Importance, ChurnFidelity, UpsellFidelity);
}

/// <summary>What an explanation leaves once its narratives are written: the number of rows explained per model, their
/// as-of date, each model's global importance and the driver match (when the data carries planted truth).</summary>
public sealed record ExplanationSummary(int RowsExplained, DateOnly? AsOf, IReadOnlyList<FeatureImportance> ChurnImportance,
    IReadOnlyList<FeatureImportance> UpsellImportance, DriverFidelity? ChurnFidelity, DriverFidelity? UpsellFidelity)
{
    /// <summary>Both targets' top deciles pooled: the number reported as driver_match_top_decile.</summary>
    public double? DriverMatchTopDecile => Pooled(ChurnFidelity, UpsellFidelity);

    internal static double? Pooled(DriverFidelity? churn, DriverFidelity? upsell) => churn is null || upsell is null ? null
        : (double)(churn.Matches + upsell.Matches) / (churn.Rows + upsell.Rows);
}

/// <summary>One chunk of a streamed explanation: the narratives of the same rows (whole accounts, in account then product
/// order) under the churn and the upsell model.</summary>
public sealed record ExplainedChunk(int Index, IReadOnlyList<int> Rows, IReadOnlyList<Narrative> Churn, IReadOnlyList<Narrative> Upsell);

/// <summary>How a streamed explanation is cut and spread: chunks of at least <see cref="ChunkRows"/> rows (ended at an
/// account's last row), on <see cref="Workers"/> threads (-1: one per core), at most <see cref="Window"/> chunks
/// explained ahead of the one being written. The narratives and every total are the same for any values.</summary>
public sealed record ExplanationChunking(int ChunkRows = 1024, int Workers = -1, int Window = 4)
{
    public ExplanationChunking Validate()
    {
        if (ChunkRows < 1) throw new OptionsValidationException($"ChunkRows must be at least 1, got {ChunkRows}.");
        if (Workers == 0 || Workers < -1) throw new OptionsValidationException($"Workers must be -1 (one per core) or a positive count, got {Workers}.");
        if (Window < 1) throw new OptionsValidationException($"Window must be at least 1, got {Window}.");
        return this;
    }
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
    /// WORKBENCH_TIMINGS=1. Holds every narrative and SHAP value: for a notebook or a test; a batch job streams them
    /// (<see cref="Stream"/>).</summary>
    public static ExplanationReport Run(PropensityModel churnModel, TrainingSet churnBackground, PropensityModel upsellModel, TrainingSet upsellBackground,
        LabeledFeatures lf, int asOfMonth, CrmDataset data, NarrativeOptions? options = null, IProgress<string>? steps = null)
    {
        var table = lf.Features;
        var rows = RowsOf(table, asOfMonth);
        var productName = ProductNames(data);
        steps?.Report("explanation: churn setup (covers, tables, population)");
        var churn = new AccountExplainer(churnModel, churnBackground, options).Explain(table, rows, productName, steps);
        steps?.Report("explanation: upsell setup (covers, tables, population)");
        var upsell = new AccountExplainer(upsellModel, upsellBackground, options).Explain(table, rows, productName, steps);
        if (PlantedRisks(data, table, asOfMonth) is not { } risks) return new ExplanationReport(churn, upsell, null, null);
        steps?.Report("explanation: driver match");
        return new ExplanationReport(churn, upsell,
            Fidelity(churn.Target, table, rows, Facts(churn.Narratives), risks, r => r.ChurnDriver),
            Fidelity(upsell.Target, table, rows, Facts(upsell.Narratives), risks, r => r.UpsellDriver));
    }

    /// <summary>Explains every snapshot of one as-of month as <see cref="Run(PropensityModel, TrainingSet, PropensityModel, TrainingSet, LabeledFeatures, int, CrmDataset, NarrativeOptions?, IProgress{string}?)"/>
    /// does, without holding the narratives: the rows (in account then product order) are cut into chunks of whole
    /// accounts, explained under both models on worker threads, each chunk's narratives passed to <paramref name="format"/>
    /// on the thread that explained them and the result to <paramref name="write"/> on the calling thread in chunk order.
    /// Only each row's probability and top reason's concept are kept (for the driver match), and each model's importance
    /// sums, added in row order, so every total is the same bits as <c>Run</c>'s whatever the chunking.</summary>
    public static ExplanationSummary Stream<T>(PropensityModel churnModel, TrainingSet churnBackground, PropensityModel upsellModel, TrainingSet upsellBackground,
        LabeledFeatures lf, int asOfMonth, CrmDataset data, NarrativeOptions? options, Func<ExplainedChunk, T> format, Action<T> write,
        IProgress<string>? steps = null, ExplanationChunking? chunking = null)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(write);
        chunking = (chunking ?? new ExplanationChunking()).Validate();
        var table = lf.Features;
        var rows = InAccountOrder(table, RowsOf(table, asOfMonth));
        var productName = ProductNames(data);
        steps?.Report("explanation: churn setup (covers, tables, population)");
        var churnExplainer = new AccountExplainer(churnModel, churnBackground, options);
        var churnTeller = churnExplainer.For(table, productName);
        steps?.Report("explanation: upsell setup (covers, tables, population)");
        var upsellExplainer = new AccountExplainer(upsellModel, upsellBackground, options);
        var upsellTeller = upsellExplainer.For(table, productName);

        var starts = ChunkStarts(table, rows, chunking.ChunkRows);
        int workers = chunking.Workers == -1 ? Environment.ProcessorCount : chunking.Workers;
        steps?.Report($"explanation: TreeSHAP, narratives and their files ({starts.Count - 1} chunks on {workers} threads)");
        var churnFacts = new RowFacts(rows.Length);
        var upsellFacts = new RowFacts(rows.Length);
        var churnSums = new ShapSummary.ImportanceSums(table.Registry.Names.ToList());
        var upsellSums = new ShapSummary.ImportanceSums(table.Registry.Names.ToList());
        OrderedChunks.Run(starts.Count - 1, workers, chunking.Window,
            i =>
            {
                var chunkRows = new ArraySegment<int>(rows, starts[i], starts[i + 1] - starts[i]);
                var churn = churnExplainer.ExplainChunk(churnTeller, chunkRows);
                var upsell = upsellExplainer.ExplainChunk(upsellTeller, chunkRows);
                var chunk = new ExplainedChunk(i, chunkRows, churn.Narratives, upsell.Narratives);
                return (Chunk: chunk, ChurnShap: churn.Shap, UpsellShap: upsell.Shap, Formatted: format(chunk));
            },
            (i, done) =>
            {
                churnSums.Add(done.ChurnShap);
                upsellSums.Add(done.UpsellShap);
                churnFacts.Add(starts[i], done.Chunk.Churn);
                upsellFacts.Add(starts[i], done.Chunk.Upsell);
                write(done.Formatted);
            });

        DriverFidelity? churnFidelity = null, upsellFidelity = null;
        if (PlantedRisks(data, table, asOfMonth) is { } risks)
        {
            steps?.Report("explanation: driver match");
            churnFidelity = Fidelity(churnModel.Target, table, rows, churnFacts, risks, r => r.ChurnDriver);
            upsellFidelity = Fidelity(upsellModel.Target, table, rows, upsellFacts, risks, r => r.UpsellDriver);
        }
        return new ExplanationSummary(rows.Length, table.AsOf(rows[0]), churnSums.Importance(), upsellSums.Importance(), churnFidelity, upsellFidelity);
    }

    static int[] RowsOf(FeatureTable table, int asOfMonth)
    {
        var rows = Enumerable.Range(0, table.RowCount).Where(i => table.Snapshots[i].AsOfMonth == asOfMonth).ToArray();
        if (rows.Length == 0) throw new WorkbenchException($"No snapshots at {table.Panel.MonthAt(asOfMonth):yyyy-MM-dd} to explain.");
        return rows;
    }

    /// <summary>The rows by account id, then product id (ordinal): the order narratives.json lists them in. A table built on
    /// a monthly panel already has one month's rows in this order (its pairs are sorted so), so this only checks.</summary>
    static int[] InAccountOrder(FeatureTable table, int[] rows)
    {
        int Compare(int a, int b) => string.CompareOrdinal(table.AccountId(a), table.AccountId(b)) is var c && c != 0 ? c
            : string.CompareOrdinal(table.ProductId(a), table.ProductId(b));
        for (int k = 1; k < rows.Length; k++)
            if (Compare(rows[k - 1], rows[k]) > 0)
                return rows.Order(Comparer<int>.Create(Compare)).ToArray();
        return rows;
    }

    /// <summary>Where each chunk starts in <paramref name="rows"/> (the last entry is the end): at least
    /// <paramref name="chunkRows"/> rows each, ended where the account changes, so a chunk holds whole accounts.</summary>
    static List<int> ChunkStarts(FeatureTable table, int[] rows, int chunkRows)
    {
        var starts = new List<int> { 0 };
        for (int k = chunkRows; k < rows.Length; k++)
        {
            if (k - starts[^1] < chunkRows) continue;
            if (string.Equals(table.AccountId(rows[k - 1]), table.AccountId(rows[k]), StringComparison.Ordinal)) continue;
            starts.Add(k);
        }
        starts.Add(rows.Length);
        return starts;
    }

    static Func<string, string> ProductNames(CrmDataset data)
    {
        var names = data.Products.ToDictionary(p => p.ProductId, p => p.Name, StringComparer.Ordinal);
        return id => names.GetValueOrDefault(id, id);
    }

    static Dictionary<(string, string), TrueRisk>? PlantedRisks(CrmDataset data, FeatureTable table, int asOfMonth)
    {
        if (data.Truth is not { Risks.Count: > 0 } truth) return null;
        var month = table.Panel.MonthAt(asOfMonth);
        return truth.Risks.Where(r => r.Month == month).ToDictionary(r => (r.AccountId, r.ProductId), r => r);
    }

    /// <summary>What the driver match reads of each explained row's narrative: its probability and its top reason's concept
    /// (a reference to the registry's string; "" without a reason for).</summary>
    sealed class RowFacts(int rows)
    {
        public readonly double[] Probability = new double[rows];
        public readonly string[] TopConcept = new string[rows];

        public void Add(int first, IReadOnlyList<Narrative> narratives)
        {
            for (int k = 0; k < narratives.Count; k++)
            {
                Probability[first + k] = narratives[k].Probability;
                TopConcept[first + k] = narratives[k].TopConcept;
            }
        }
    }

    static RowFacts Facts(IReadOnlyList<Narrative> narratives)
    {
        var facts = new RowFacts(narratives.Count);
        facts.Add(0, narratives);
        return facts;
    }

    /// <summary>Among rows with planted truth, the top decile by probability (ties by account, then product): how often the
    /// top reason stands for the planted driver, and which concepts led.</summary>
    static DriverFidelity Fidelity(string target, FeatureTable table, int[] rows, RowFacts facts, Dictionary<(string, string), TrueRisk> risks,
        Func<TrueRisk, Driver> plantedDriver)
    {
        var withTruth = Enumerable.Range(0, rows.Length).Where(k => risks.ContainsKey((table.AccountId(rows[k]), table.ProductId(rows[k])))).ToList();
        int top = Math.Max(1, withTruth.Count / 10);
        var decile = withTruth.OrderByDescending(k => facts.Probability[k]).ThenBy(k => table.AccountId(rows[k]), StringComparer.Ordinal)
            .ThenBy(k => table.ProductId(rows[k]), StringComparer.Ordinal).Take(top).ToList();
        int matches = decile.Count(k => DriverOf(facts.TopConcept[k]) == plantedDriver(risks[(table.AccountId(rows[k]), table.ProductId(rows[k]))])
            && DriverOf(facts.TopConcept[k]) != Driver.None);
        var concepts = decile.GroupBy(k => facts.TopConcept[k]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        return new DriverFidelity(target, decile.Count, matches, concepts);
    }
}
