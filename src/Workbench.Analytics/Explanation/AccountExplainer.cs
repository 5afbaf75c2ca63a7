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

    /// <summary>Explains the given rows of a feature table (whose registry names the model's features).</summary>
    public ExplanationResult Explain(FeatureTable table, IReadOnlyList<int> rows, Func<string, string>? productName = null)
    {
        _model.CheckSchema(table.Registry.Names.ToList(), "the explained table");
        var values = rows.Select(r => table.Row(r).ToArray()).ToList();
        var batch = _ensemble is not null ? TreeShap.Explain(_ensemble, values) : _linear!.Explain(values);
        var writer = new SentenceWriter(new FeatureBuilder(table.Panel), productName ?? (id => id));
        var defs = table.Registry.Definitions;
        var narratives = new Narrative[rows.Count];
        Parallel.For(0, rows.Count, k => narratives[k] = Tell(table, rows[k], values[k], batch.Row(k).ToArray(), batch.Margin(k), batch.ExpectedValue, defs, writer));
        return new ExplanationResult(_model.Target, narratives, batch, ShapSummary.Importance(batch), rows);
    }

    Narrative Tell(FeatureTable table, int row, float[] x, double[] phi, double margin, double expected, IReadOnlyList<FeatureDefinition> defs, SentenceWriter writer)
    {
        double total = phi.Sum(Math.Abs);
        var groups = Enumerable.Range(0, phi.Length)
            .GroupBy(j => defs[j].ConceptGroup)
            .Select(g => (Concept: g.Key, Sum: g.Sum(j => phi[j]), Features: g.ToArray()))
            .Where(g => total > 0 && Math.Abs(g.Sum) >= _options.MinShare * total)
            .ToList();
        Reason Build((string Concept, double Sum, int[] Features) g, bool withSupport)
        {
            // The feature that carries the group in its direction speaks for it.
            int lead = g.Features.OrderByDescending(j => Math.Sign(g.Sum) * phi[j]).ThenBy(j => j).First();
            var d = defs[lead];
            string sentence = writer.Sentence(d, table, row, x[lead]);
            string? support = null;
            if (withSupport && !d.IsCategorical)
            {
                bool atOrBelow = x[lead] <= _population.Median(lead);
                if (_population.RateRatio(lead, x[lead], atOrBelow) is { } rr && rr.Ratio > 1.05)
                    support = PopulationStats.Phrase(d.Description, writer.Value(d, x[lead]), atOrBelow, rr.Ratio, _verb);
            }
            var features = g.Features.Where(j => phi[j] != 0).OrderByDescending(j => Math.Abs(phi[j])).ThenBy(j => j)
                .Select(j => new ReasonFeature(defs[j].Name, x[j], phi[j])).ToList();
            return new Reason(g.Concept, g.Sum, sentence, support, features) { Lead = d.Name };
        }
        List<Reason> reasonsFor, reasonsAgainst;
        if (_audience == NarrativeAudience.Rep)
        {
            reasonsFor = RepReasons(groups.Where(g => g.Sum > 0).OrderByDescending(g => g.Sum).ThenBy(g => g.Concept, StringComparer.Ordinal), _options.TopReasonsFor)
                .OrderByDescending(r => r.WhyNow).ToList(); // stable: "why now" first, each part by contribution
            reasonsAgainst = RepReasons(groups.Where(g => g.Sum < 0).OrderBy(g => g.Sum).ThenBy(g => g.Concept, StringComparer.Ordinal), _options.TopReasonsAgainst);
        }
        else
        {
            reasonsFor = groups.Where(g => g.Sum > 0).OrderByDescending(g => g.Sum).ThenBy(g => g.Concept, StringComparer.Ordinal).Take(_options.TopReasonsFor).Select(g => Build(g, true)).ToList();
            reasonsAgainst = groups.Where(g => g.Sum < 0).OrderBy(g => g.Sum).ThenBy(g => g.Concept, StringComparer.Ordinal).Take(_options.TopReasonsAgainst).Select(g => Build(g, false)).ToList();
        }

        // A rep's reason: the strongest feature of the concept, in the concept's direction, that the policy lets a rep see
        // and whose value was observed; context only when the concept dominates; kept only with a supporting statistic.
        List<Reason> RepReasons(IEnumerable<(string Concept, double Sum, int[] Features)> ordered, int take)
        {
            var kept = new List<Reason>();
            foreach (var g in ordered)
            {
                if (kept.Count >= take) break;
                int sign = Math.Sign(g.Sum);
                foreach (int j in g.Features.Where(j => sign * phi[j] > 0).OrderByDescending(j => sign * phi[j]).ThenBy(j => j))
                {
                    var d = defs[j];
                    var use = RepPolicy.Of(d);
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
                    var features = g.Features.Where(k => phi[k] != 0).OrderByDescending(k => Math.Abs(phi[k])).ThenBy(k => k)
                        .Select(k => new ReasonFeature(defs[k].Name, x[k], phi[k])).ToList();
                    kept.Add(new Reason(g.Concept, g.Sum, sentence, support, features) { WhyNow = RepPolicy.IsWhyNow(d), IsContext = use == RepUse.Context, Lead = d.Name });
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
