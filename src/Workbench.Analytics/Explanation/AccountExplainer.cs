using Microsoft.ML.Trainers.FastTree;
using Workbench.Analytics.Features;
using Workbench.Analytics.Ranking;

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

    /// <param name="model">A LightGBM or FastTree propensity model (TreeSHAP), or a logistic regression (exact linear SHAP).</param>
    /// <param name="background">The training rows: node covers for TreeSHAP and the population for supporting statistics.</param>
    /// <param name="options">How many reasons to tell.</param>
    public AccountExplainer(PropensityModel model, TrainingSet background, NarrativeOptions? options = null)
    {
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
            return new Reason(g.Concept, g.Sum, sentence, support, features);
        }
        var reasonsFor = groups.Where(g => g.Sum > 0).OrderByDescending(g => g.Sum).ThenBy(g => g.Concept, StringComparer.Ordinal).Take(_options.TopReasonsFor).Select(g => Build(g, true)).ToList();
        var reasonsAgainst = groups.Where(g => g.Sum < 0).OrderBy(g => g.Sum).ThenBy(g => g.Concept, StringComparer.Ordinal).Take(_options.TopReasonsAgainst).Select(g => Build(g, false)).ToList();
        return new Narrative(table.AccountId(row), table.ProductId(row), table.AsOf(row), _model.Target, _model.Calibrator.Apply(margin), margin, expected, reasonsFor, reasonsAgainst);
    }
}
