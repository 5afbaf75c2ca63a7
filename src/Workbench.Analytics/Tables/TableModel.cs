using Microsoft.ML.Trainers.FastTree;

namespace Workbench.Analytics.Tables;

/// <summary>Fits a table task: a calibrated tree model of a yes/no outcome on one-row-per-entity data.
/// <code>
/// var split = TableSplitter.Split(table, options);
/// var model = TableEstimator.Fit(split.Train, options);
/// var metrics = TableEvaluation.Evaluate(model, split.Test);
/// </code></summary>
public static class TableEstimator
{
    /// <summary>Rows kept in the model file as TreeSHAP's background (node covers).</summary>
    public const int BackgroundRows = 500;

    /// <summary>Fits the encoder on <paramref name="train"/> only, holds out a stratified validation share of it for
    /// early stopping and calibration, and trains the tree model. Refuses (naming the counts) when the rows hold fewer
    /// positives or negatives than <see cref="PropensityOptions.MinPositives"/>/<see cref="PropensityOptions.MinNegatives"/>.</summary>
    public static TableModel Fit(EntityTable train, TableTaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var labels = options.Labels(train);
        var features = options.FeatureColumns(train);
        if (features.Count == 0) throw new OptionsValidationException($"{train.Source}: no feature columns are left (target '{options.Target}', excluded: {string.Join(", ", options.Exclude)}).");
        var rows = Rows(train, features);
        var encoder = TabularEncoder.Fit(features, rows);
        var all = encoder.Encode(rows, labels);
        var (fit, valid) = Splits.Stratified(labels, 1 - options.ValidationShare, RunContext.DeriveSeed(options.Seed, "table-validation"));
        var model = PropensityTrainer.Train(options.Target, all.Subset(fit), all.Subset(valid), options.Model with { Seed = options.Seed });
        var rng = new Random(RunContext.DeriveSeed(options.Seed, "table-background"));
        var background = fit.Length <= BackgroundRows ? fit : fit.OrderBy(_ => rng.Next()).Take(BackgroundRows).Order().ToArray();
        return new TableModel(options, encoder, model, all.Subset(background), train.RowCount, labels.Count(l => l));
    }

    internal static IReadOnlyList<IReadOnlyList<string?>> Rows(EntityTable table, IReadOnlyList<string> columns)
    {
        var idx = columns.Select(c => table.ColumnIndex(c, "feature")).ToArray();
        return table.Rows.Select(r => (IReadOnlyList<string?>)idx.Select(j => r[j]).ToArray()).ToList();
    }
}

/// <summary>One scored row: the calibrated probability of the positive outcome and the features that moved it most
/// (TreeSHAP contributions in log-odds, largest magnitude first).</summary>
public sealed record TableScore(string Id, double Probability, IReadOnlyList<(string Feature, double Contribution)> Reasons);

/// <summary>A trained table task: the encoder fitted on the training rows, the calibrated tree model and a sample of
/// training rows for explanations. Saved as one model file of kind <see cref="ModelKind"/>.</summary>
public sealed class TableModel : IWorkbenchModel
{
    public const string ModelKind = "table";
    public const int FormatVersion = 1;

    public TableTaskOptions Options { get; }
    public TabularEncoder Encoder { get; }
    public PropensityModel Propensity { get; }
    public TrainingSet Background { get; }
    public int TrainingRows { get; }
    public int TrainingPositives { get; }
    public string Kind => ModelKind;
    public int TreeCount => Propensity.TreeCount;
    /// <summary>The columns a scored table must carry (the target and the date column need not be there).</summary>
    public IReadOnlyList<string> FeatureColumns => Encoder.Columns;

    internal TableModel(TableTaskOptions options, TabularEncoder encoder, PropensityModel propensity, TrainingSet background, int trainingRows, int trainingPositives)
        => (Options, Encoder, Propensity, Background, TrainingRows, TrainingPositives) = (options, encoder, propensity, background, trainingRows, trainingPositives);

    /// <summary>Calibrated probabilities of the positive outcome, one per row of <paramref name="table"/>.</summary>
    public double[] Probabilities(EntityTable table)
    {
        var rows = Encode(table);
        return Propensity.Score(rows, table.Source).Probability;
    }

    TrainingSet Encode(EntityTable table)
    {
        var rows = TableEstimator.Rows(table, FeatureColumns);
        try { return Encoder.Encode(rows, new bool[rows.Count]); }
        catch (WorkbenchException ex) { throw new WorkbenchException($"{table.Source}: {ex.Message}", ex); }
    }

    /// <summary>Scores and explains every row: probability and the <paramref name="reasons"/> largest contributions.</summary>
    public IReadOnlyList<TableScore> Score(EntityTable table, int reasons = 3)
    {
        ArgumentNullException.ThrowIfNull(table);
        var encoded = Encode(table);
        var p = Propensity.Score(encoded, table.Source).Probability;
        ShapBatch? shap = null;
        if (reasons > 0 && Propensity.TreeModel is TreeEnsembleModelParametersBasedOnRegressionTree trees)
        {
            var bg = Enumerable.Range(0, Background.RowCount).Select(i => Background.Row(i).ToArray()).ToList();
            var ensemble = MlNetTreeEnsembles.FromModel(trees, Background.ColumnCount, bg, Background.FeatureNames);
            shap = TreeShap.Explain(ensemble, Enumerable.Range(0, encoded.RowCount).Select(i => encoded.Row(i).ToArray()).ToList());
        }
        var result = new TableScore[table.RowCount];
        for (int i = 0; i < result.Length; i++)
        {
            IReadOnlyList<(string, double)> top = [];
            if (shap is not null)
            {
                var row = shap.Row(i).ToArray();
                top = Enumerable.Range(0, row.Length).Where(j => row[j] != 0).OrderByDescending(j => Math.Abs(row[j])).ThenBy(j => j)
                    .Take(reasons).Select(j => (Encoder.FeatureNames[j], row[j])).ToList();
            }
            result[i] = new TableScore(table.Ids[i], p[i], top);
        }
        return result;
    }

    /// <summary>Writes the model file: manifest, <c>table.json</c> (task, encoder), <c>propensity.zip</c>, <c>background.csv</c>.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelFile.Write(stream, ModelKind, FormatVersion, w =>
        {
            var levels = new JsonArray();
            for (int j = 0; j < Encoder.Columns.Count; j++) levels.Add(new JsonArray(Encoder.Levels(j).Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()));
            var table = Options.AddTo(new JsonObject());
            table["training_rows"] = TrainingRows;
            table["training_positives"] = TrainingPositives;
            table["columns"] = new JsonArray(Encoder.Columns.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
            table["numeric"] = new JsonArray(Enumerable.Range(0, Encoder.Columns.Count).Select(j => (JsonNode?)JsonValue.Create(Encoder.IsNumeric(j))).ToArray());
            table["levels"] = levels;
            w.AddJson("table.json", table);
            using (var s = w.OpenEntry("propensity.zip", System.IO.Compression.CompressionLevel.NoCompression)) Propensity.Save(s);
            var sb = new StringBuilder();
            for (int i = 0; i < Background.RowCount; i++)
            {
                var row = Background.Row(i);
                for (int j = 0; j < row.Length; j++)
                {
                    if (j > 0) sb.Append(',');
                    if (!float.IsNaN(row[j])) sb.Append(row[j].ToString("R", CultureInfo.InvariantCulture));
                }
                sb.Append(Background.Labels[i] ? ",1\n" : ",0\n");
            }
            w.AddText("background.csv", sb.ToString());
        });
    }

    /// <summary>Reads a model file written by <see cref="Save"/>; another kind or a newer version is refused.</summary>
    public static TableModel Load(Stream stream, string source = "the model file")
    {
        using var r = ModelFile.Open(stream, ModelKind, FormatVersion, source);
        var j = r.ReadJson("table.json");
        try
        {
            var columns = j["columns"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
            var numeric = j["numeric"]!.AsArray().Select(n => n!.GetValue<bool>()).ToArray();
            var levels = j["levels"]!.AsArray().Select(a => (IReadOnlyList<string>)a!.AsArray().Select(n => n!.GetValue<string>()).ToArray()).ToArray();
            var encoder = TabularEncoder.FromParts(columns, numeric, levels);
            PropensityModel propensity;
            using (var ms = new MemoryStream(r.ReadBytes("propensity.zip"))) propensity = PropensityModel.Load(ms, source);
            var options = new TableTaskOptions
            {
                Target = j["target"]!.GetValue<string>(),
                PositiveValue = j["positive_value"]?.GetValue<string>(),
                DateColumn = j["date_column"]?.GetValue<string>(),
                Exclude = j["exclude"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray(),
                TestShare = j["test_share"]!.GetValue<double>(),
                ValidationShare = j["validation_share"]!.GetValue<double>(),
                Seed = j["seed"]!.GetValue<int>(),
                Model = propensity.Options,
            };
            int width = encoder.FeatureNames.Count;
            var lines = r.ReadText("background.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var values = new float[lines.Length * width];
            var labels = new bool[lines.Length];
            for (int i = 0; i < lines.Length; i++)
            {
                var cells = lines[i].Split(',');
                if (cells.Length != width + 1) throw new WorkbenchException($"{source}: background.csv line {i + 1} has {cells.Length} cells, expected {width + 1}.");
                for (int k = 0; k < width; k++)
                    values[i * width + k] = cells[k].Length == 0 ? float.NaN : float.Parse(cells[k], NumberStyles.Float, CultureInfo.InvariantCulture);
                labels[i] = cells[width] == "1";
            }
            return new TableModel(options, encoder, propensity, new TrainingSet(values, encoder.FeatureNames, labels),
                j["training_rows"]!.GetValue<int>(), j["training_positives"]!.GetValue<int>());
        }
        catch (Exception ex) when (ex is NullReferenceException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new WorkbenchException($"{source}: table.json or background.csv is incomplete or unreadable ({ex.Message}).", ex);
        }
    }
}

/// <summary>A table task's test metrics: ROC AUC, PR AUC, Brier score, the positive rate, and the weak-model flag
/// (at most one tree, or test ROC AUC at most 0.52 or undefined).</summary>
public sealed record TableMetrics(int TestRows, int TestPositives, double RocAuc, double PrAuc, double Brier, int Trees, bool WeakModel)
{
    public double PositiveRate => TestRows == 0 ? double.NaN : (double)TestPositives / TestRows;

    /// <summary>Flat snake_case metrics ("auc", "pr_auc", "brier", "trees", "weak_model", ...), as the run record keeps them under "table.".</summary>
    public IReadOnlyDictionary<string, double> ToFlat() => new SortedDictionary<string, double>(StringComparer.Ordinal)
    {
        ["auc"] = RocAuc, ["pr_auc"] = PrAuc, ["brier"] = Brier, ["trees"] = Trees, ["weak_model"] = WeakModel ? 1 : 0,
        ["test_rows"] = TestRows, ["test_positives"] = TestPositives, ["positive_rate"] = PositiveRate,
    };
}

/// <summary>Evaluates a table model on held-out rows that carry the outcome.</summary>
public static class TableEvaluation
{
    public static TableMetrics Evaluate(TableModel model, EntityTable test)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        var labels = model.Options.Labels(test);
        var p = model.Probabilities(test);
        int pos = labels.Count(l => l);
        double auc = pos > 0 && pos < labels.Length ? ClassificationMetrics.RocAuc(p, labels) : double.NaN;
        double prAuc = pos > 0 && pos < labels.Length ? ClassificationMetrics.PrAuc(p, labels) : double.NaN;
        bool weak = model.TreeCount <= 1 && model.Propensity.Options.Algorithm != PropensityAlgorithm.LogisticRegression || !(auc > 0.52);
        return new TableMetrics(labels.Length, pos, auc, prAuc, ClassificationMetrics.Brier(p, labels), model.TreeCount, weak);
    }
}
