using Microsoft.ML.Trainers.FastTree;

namespace Workbench.Analytics.Explanation;

/// <summary>Narratives for many rows plus the SHAP values behind them and the global importance.</summary>
public sealed record ExplanationResult(string Target, IReadOnlyList<Narrative> Narratives, ShapBatch Shap, IReadOnlyList<FeatureImportance> Importance, IReadOnlyList<int> Rows);

/// <summary>
/// CrystalCandle-style explanations of a propensity model: exact TreeSHAP per row, contributions summed by the
/// registry's concept groups (related features merged into one reason), the strongest groups for and against
/// told in sentences filled with the account's own numbers, each "for" reason backed by a population statistic
/// from the training snapshots.
/// </summary>
public sealed class AccountExplainer
{
    readonly PropensityModel _model;
    readonly TreeEnsemble? _ensemble;
    readonly LinearShap? _linear;
    readonly PopulationStats _population;
    readonly NarrativeOptions _options;
    readonly string _verb;
    readonly NarrativeAudience _audience;

    /// <param name="model">A LightGBM or FastTree propensity model (TreeSHAP), or a logistic regression (exact linear SHAP).</param>
    /// <param name="background">The training rows: node covers for TreeSHAP and the population for supporting statistics.</param>
    /// <param name="options">How many reasons to tell.</param>
    /// <param name="audience">An analyst (every feature) or a rep (the registry's <see cref="RepPolicy"/>).</param>
    public AccountExplainer(PropensityModel model, TrainingSet background, NarrativeOptions? options = null, NarrativeAudience audience = NarrativeAudience.Analyst)
    {
        _audience = audience;
        _options = options ?? new NarrativeOptions();
        _options.Validate();
        _model = model;
        model.CheckSchema(background.FeatureNames, "the background rows");
        if (model.TreeModel is TreeEnsembleModelParametersBasedOnRegressionTree trees)
        {
            var rows = Enumerable.Range(0, background.RowCount).Select(i => background.Row(i).ToArray()).ToList();
            _ensemble = MlNetTreeEnsembles.FromModel(trees, background.ColumnCount, rows, background.FeatureNames);
        }
        else if (model.Options.Algorithm == PropensityAlgorithm.LogisticRegression)
            _linear = new LinearShap(model, background); // exact linear SHAP in log-odds space
        else
            throw new WorkbenchException($"The {model.Target} model is {model.Options.Algorithm} without a readable tree ensemble: it cannot be explained.");
        _population = new PopulationStats(background.Values, background.ColumnCount, background.Labels);
        _verb = model.Target == "churn" ? "churned" : model.Target == "upsell" ? "expanded" : "converted";
    }

    /// <summary>The tree ensemble TreeSHAP walks; null for the linear model (explained by <see cref="LinearShap"/>).</summary>
    public TreeEnsemble? Ensemble => _ensemble;

    /// <summary>Explains the given rows of a feature table (whose registry names the model's features); <c>steps</c> is
    /// told "TreeSHAP" and "narratives" as each starts (for timings).</summary>
    public ExplanationResult Explain(FeatureTable table, IReadOnlyList<int> rows, Func<string, string>? productName = null, IProgress<string>? steps = null)
    {
        steps?.Report($"explanation: {_model.Target} TreeSHAP");
        var teller = For(table, productName);
        var values = Values(table, rows);
        var batch = Shap(values, maxDegreeOfParallelism: -1);
        steps?.Report($"explanation: {_model.Target} narratives");
        var narratives = new Narrative[rows.Count];
        Parallel.For(0, rows.Count, k => narratives[k] = Tell(teller, rows[k], values[k], batch.Row(k).ToArray(), batch.Margin(k), batch.ExpectedValue));
        steps?.Report($"explanation: {_model.Target} importance");
        return new ExplanationResult(_model.Target, narratives, batch, ShapSummary.Importance(batch), rows);
    }

    /// <summary>What telling rows of one table needs once rather than per row or per chunk (the sentence writer reads the
    /// panel's category names); checks the table's columns against the model's.</summary>
    internal Teller For(FeatureTable table, Func<string, string>? productName)
    {
        _model.CheckSchema(table.Registry.Names.ToList(), "the explained table");
        var defs = table.Registry.Definitions;
        // The registry's concept groups in the order of their first feature, computed once rather than grouped per row.
        var concepts = Enumerable.Range(0, defs.Count).GroupBy(j => defs[j].ConceptGroup).Select(g => new ConceptFeatures(g.Key, g.ToArray())).ToArray();
        return new Teller(table, new SentenceWriter(table.Builder ?? new FeatureBuilder(table.Panel), productName ?? (id => id)), defs, concepts);
    }

    /// <summary>One chunk of rows explained on the calling thread alone: the streamed explanation runs chunks on every
    /// core, and a row's SHAP values and narrative do not depend on its chunk or thread.</summary>
    internal (Narrative[] Narratives, ShapBatch Shap) ExplainChunk(Teller teller, IReadOnlyList<int> rows)
    {
        var values = Values(teller.Table, rows);
        var batch = Shap(values, maxDegreeOfParallelism: 1);
        var narratives = new Narrative[rows.Count];
        var phi = new double[batch.FeatureCount];
        for (int k = 0; k < rows.Count; k++)
        {
            batch.Row(k).CopyTo(phi); // Tell reads it and keeps none of it
            narratives[k] = Tell(teller, rows[k], values[k], phi, batch.Margin(k), batch.ExpectedValue);
        }
        return (narratives, batch);
    }

    static List<float[]> Values(FeatureTable table, IReadOnlyList<int> rows)
    {
        var values = new List<float[]>(rows.Count);
        foreach (int r in rows) values.Add(table.Row(r).ToArray());
        return values;
    }

    ShapBatch Shap(List<float[]> values, int maxDegreeOfParallelism) =>
        _ensemble is not null ? TreeShap.Explain(_ensemble, values, new TreeShapOptions(maxDegreeOfParallelism)) : _linear!.Explain(values);

    /// <summary>A table's sentence writer, definitions and concept groups (see <see cref="For"/>).</summary>
    internal sealed record Teller(FeatureTable Table, SentenceWriter Writer, IReadOnlyList<FeatureDefinition> Defs, ConceptFeatures[] Concepts)
    {
        /// <summary>How each feature may be told to a rep (<see cref="RepPolicy.Of"/>: two regular expressions per call), once per
        /// table rather than per feature tried in every row.</summary>
        public RepUse[] Uses { get; } = Defs.Select(RepPolicy.Of).ToArray();
    }

    /// <summary>A concept group of the registry and its features (ascending).</summary>
    internal sealed record ConceptFeatures(string Concept, int[] Features);

    /// <summary>A concept group's summed contribution in one row.</summary>
    readonly record struct ConceptSum(string Concept, double Sum, int[] Features);

    // Strongest first, then by concept name: the order the narratives tell reasons in.
    static readonly Comparison<ConceptSum> Descending = (a, b) => b.Sum.CompareTo(a.Sum) is var c && c != 0 ? c : string.CompareOrdinal(a.Concept, b.Concept);
    static readonly Comparison<ConceptSum> Ascending = (a, b) => a.Sum.CompareTo(b.Sum) is var c && c != 0 ? c : string.CompareOrdinal(a.Concept, b.Concept);

    /// <summary>A group's features with a non-zero contribution, largest |contribution| first, then by index.</summary>
    static ReasonFeature[] FeaturesOf(int[] group, float[] x, double[] phi, IReadOnlyList<FeatureDefinition> defs)
    {
        int count = 0;
        foreach (int j in group) if (phi[j] != 0) count++;
        var order = new int[count];
        count = 0;
        foreach (int j in group)
        {
            if (phi[j] == 0) continue;
            // Insertion sort: a group holds a handful of features.
            int at = count++;
            while (at > 0 && Math.Abs(phi[j]).CompareTo(Math.Abs(phi[order[at - 1]])) > 0) { order[at] = order[at - 1]; at--; }
            order[at] = j;
        }
        var features = new ReasonFeature[count];
        for (int i = 0; i < count; i++) features[i] = new ReasonFeature(defs[order[i]].Name, x[order[i]], phi[order[i]]);
        return features;
    }

    Narrative Tell(Teller teller, int row, float[] x, double[] phi, double margin, double expected)
    {
        var (table, writer, defs, concepts) = teller;
        double total = 0;
        foreach (double p in phi) total += Math.Abs(p);
        // Sized once: growing them row after row was a visible share of the narratives' allocations.
        var positive = new List<ConceptSum>(concepts.Length); var negative = new List<ConceptSum>(concepts.Length);
        foreach (var c in concepts)
        {
            double sum = 0;
            foreach (int j in c.Features) sum += phi[j];
            if (!(total > 0 && Math.Abs(sum) >= _options.MinShare * total)) continue;
            if (sum > 0) positive.Add(new ConceptSum(c.Concept, sum, c.Features));
            else if (sum < 0) negative.Add(new ConceptSum(c.Concept, sum, c.Features));
        }
        positive.Sort(Descending);
        negative.Sort(Ascending);
        Reason Build(ConceptSum g, bool withSupport)
        {
            // The feature that carries the group in its direction speaks for it (ties: the first).
            int sign = Math.Sign(g.Sum), lead = -1;
            double best = 0;
            foreach (int j in g.Features)
                if (lead < 0 || (sign * phi[j]).CompareTo(best) > 0) { lead = j; best = sign * phi[j]; }
            var d = defs[lead];
            string sentence = writer.Sentence(d, table, row, x[lead]);
            string? support = null;
            if (withSupport && !d.IsCategorical)
            {
                bool atOrBelow = x[lead] <= _population.Median(lead);
                if (_population.RateRatio(lead, x[lead], atOrBelow) is { } rr && rr.Ratio > 1.05)
                    support = PopulationStats.Phrase(d.Description, writer.Value(d, x[lead]), atOrBelow, rr.Ratio, _verb);
            }
            return new Reason(g.Concept, g.Sum, sentence, support, FeaturesOf(g.Features, x, phi, defs)) { Lead = d.Name };
        }
        List<Reason> reasonsFor, reasonsAgainst;
        if (_audience == NarrativeAudience.Rep)
        {
            reasonsFor = RepReasons(positive, _options.TopReasonsFor)
                .OrderByDescending(r => r.WhyNow).ToList(); // stable: "why now" first, each part by contribution
            reasonsAgainst = RepReasons(negative, _options.TopReasonsAgainst);
        }
        else
        {
            reasonsFor = new List<Reason>(Math.Min(positive.Count, _options.TopReasonsFor));
            for (int i = 0; i < positive.Count && i < _options.TopReasonsFor; i++) reasonsFor.Add(Build(positive[i], true));
            reasonsAgainst = new List<Reason>(Math.Min(negative.Count, _options.TopReasonsAgainst));
            for (int i = 0; i < negative.Count && i < _options.TopReasonsAgainst; i++) reasonsAgainst.Add(Build(negative[i], false));
        }

        // A rep's reason: the strongest feature of the concept, in the concept's direction, that the policy lets a rep see
        // and whose value was observed; context only when the concept dominates; kept only with a supporting statistic.
        List<Reason> RepReasons(List<ConceptSum> ordered, int take)
        {
            var kept = new List<Reason>();
            Span<int> tried = stackalloc int[defs.Count];
            foreach (var g in ordered)
            {
                if (kept.Count >= take) break;
                int sign = Math.Sign(g.Sum);
                // The group's features pulling its way, strongest first, then by index (what a stable sort by strength gives),
                // by insertion: a group holds a handful of features.
                int count = 0;
                foreach (int j in g.Features)
                {
                    double key = sign * phi[j];
                    if (!(key > 0)) continue;
                    int at = count++;
                    while (at > 0 && key.CompareTo(sign * phi[tried[at - 1]]) > 0) { tried[at] = tried[at - 1]; at--; }
                    tried[at] = j;
                }
                foreach (int j in tried[..count])
                {
                    var d = defs[j];
                    var use = teller.Uses[j];
                    if (use == RepUse.Hidden || float.IsNaN(x[j])) continue;
                    if (use == RepUse.Context && Math.Abs(g.Sum) < RepPolicy.ContextDominance * total) continue;
                    string valueText = writer.Value(d, x[j]);
                    string? support = null;
                    if (d.IsCategorical)
                    {
                        if (_population.RateRatioEqual(j, x[j]) is { } eq && (sign > 0 ? eq.Ratio > 1.05 : eq.Ratio < 1 / 1.05))
                            support = PopulationStats.PhraseSame(d.Description, valueText, eq.Ratio, _verb);
                    }
                    else
                    {
                        bool atOrBelow = x[j] <= _population.Median(j);
                        if (_population.RateRatio(j, x[j], atOrBelow) is { } rr && (sign > 0 ? rr.Ratio > 1.05 : rr.Ratio < 1 / 1.05))
                            support = PopulationStats.Phrase(d.Description, valueText, atOrBelow, rr.Ratio, _verb);
                    }
                    if (support is null) continue;
                    string sentence = writer.Sentence(d, table, row, x[j]);
                    if (use == RepUse.Context) sentence = "Context: " + sentence;
                    kept.Add(new Reason(g.Concept, g.Sum, sentence, support, FeaturesOf(g.Features, x, phi, defs)) { WhyNow = RepPolicy.IsWhyNow(d), IsContext = use == RepUse.Context, Lead = d.Name });
                    break;
                }
            }
            return kept;
        }
        double probability = _model.Calibrator.Apply(margin);
        if (_audience == NarrativeAudience.Rep) probability = ProbabilityBounds.Apply(probability);
        return new Narrative(table.AccountId(row), table.ProductId(row), table.AsOf(row), _model.Target, probability, margin, expected, reasonsFor, reasonsAgainst);
    }
}
