using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Workbench.Analytics.Pipeline;

/// <summary>What the models say about one snapshot.</summary>
/// <param name="WinProbability">Calibrated probability that the deal is won.</param>
/// <param name="WinMargin">The win model's raw margin (log-odds scale; what TreeSHAP splits).</param>
/// <param name="StageProbabilities">Probability of each open stage (prospecting..negotiation) given the signals.</param>
/// <param name="SupportedStage">The most probable stage: the stage the data supports.</param>
/// <param name="ExpectedStage">Probability-weighted stage (0..3), used for gaps.</param>
/// <param name="ExpectedValue">Expected close value: win probability x amount.</param>
public sealed record OpportunityScore(double WinProbability, double WinMargin, IReadOnlyList<double> StageProbabilities, int SupportedStage, double ExpectedStage, double ExpectedValue);

/// <summary>A reason for or against a win: the feature's concept, its SHAP contribution (log-odds), a sentence with the
/// deal's own number, and a supporting statistic from the training deals.</summary>
public sealed record DealReason(string Concept, string Feature, double Contribution, string Sentence, string? Support);

/// <summary>
/// The opportunity models: calibrated win probability (LightGBM + isotonic calibration on later deals), the stage the
/// signals support (LightGBM multiclass), and expected close value. Explains win probabilities with exact TreeSHAP.
/// One file: <see cref="Save"/> / <see cref="Load"/> through <see cref="ModelFile"/> (kind <c>opportunity</c>).
/// </summary>
public sealed class OpportunityModel : IWorkbenchModel
{
    public const string ModelKind = "opportunity";
    public const int FormatVersion = 1;

    readonly MLContext _ml;
    readonly ITransformer _stage;
    readonly TreeEnsemble _ensemble;
    readonly PopulationStats _population;

    internal OpportunityModel(PropensityModel win, MLContext ml, ITransformer stage, float[] background, bool[] backgroundLabels,
        DateOnly splitDate, StageLabelSource stageLabels, OpportunityOptions options)
    {
        Win = win; _ml = ml; _stage = stage; Background = background; BackgroundLabels = backgroundLabels;
        SplitDate = splitDate; StageLabels = stageLabels; Options = options;
        FeatureNames = OpportunityFeatures.Registry.Names.ToArray();
        win.CheckSchema(FeatureNames, "the opportunity features");
        int d = FeatureNames.Count;
        var trees = win.TreeModel as TreeEnsembleModelParametersBasedOnRegressionTree
            ?? throw new WorkbenchException("The win model is not a tree model: explanations need LightGbm or FastTree.");
        var rows = Enumerable.Range(0, backgroundLabels.Length).Select(i => background.AsSpan(i * d, d).ToArray()).ToList();
        _ensemble = MlNetTreeEnsembles.FromModel(trees, d, rows, FeatureNames);
        _population = new PopulationStats(background, d, backgroundLabels);
    }

    public string Kind => ModelKind;
    public PropensityModel Win { get; }
    public IReadOnlyList<string> FeatureNames { get; }
    /// <summary>First day of the held-out period: training deals closed before it.</summary>
    public DateOnly SplitDate { get; }
    /// <summary>Where the stage model's labels came from (Truth or Recorded).</summary>
    public StageLabelSource StageLabels { get; }
    public OpportunityOptions Options { get; }
    internal float[] Background { get; }
    internal bool[] BackgroundLabels { get; }
    public TreeEnsemble Ensemble => _ensemble;

    /// <summary>Scores every row of a feature table.</summary>
    public IReadOnlyList<OpportunityScore> Score(OpportunityFeatureTable table, PipelineIndex index)
    {
        ArgumentNullException.ThrowIfNull(table);
        var set = new TrainingSet(table.Values, table.Registry.Names.ToArray(), new bool[table.RowCount]);
        var (raw, prob) = Win.Score(set, "the opportunity snapshots");
        var stageProbs = StageProbabilities(set);
        var scores = new OpportunityScore[table.RowCount];
        for (int i = 0; i < scores.Length; i++)
        {
            var p = stageProbs[i];
            int best = 0;
            for (int s = 1; s < p.Length; s++) if (p[s] > p[best]) best = s;
            double expected = 0;
            for (int s = 0; s < p.Length; s++) expected += s * p[s];
            double amount = (double)index.Opps[table.Snapshots[i].Opportunity].Amount;
            scores[i] = new OpportunityScore(prob[i], raw[i], p, best, expected, prob[i] * amount);
        }
        return scores;
    }

    double[][] StageProbabilities(TrainingSet set)
    {
        var view = OpportunityEstimator.StageView(_ml, set.Values, set.ColumnCount, new float[set.RowCount]);
        var scored = _stage.Transform(view);
        // Copy each row's scores while the cursor is on it: ML.NET reuses the vector buffer between rows.
        var col = scored.GetColumn<VBuffer<float>>("Score").Select(b => b.DenseValues().Select(x => (double)x).ToArray()).ToArray();
        var result = new double[col.Length][];
        for (int i = 0; i < col.Length; i++)
        {
            var v = col[i];
            if (v.Length != 4) throw new WorkbenchException($"The stage model returned {v.Length} class scores; expected 4 open stages.");
            var p = new double[4];
            for (int s = 0; s < 4; s++) p[s] = v[s];
            double sum = p.Sum();
            if (sum > 0) for (int s = 0; s < 4; s++) p[s] /= sum;
            result[i] = p;
        }
        return result;
    }

    /// <summary>Exact TreeSHAP of the win margin for the given rows: reasons for (pushing toward a win) and against.</summary>
    public IReadOnlyList<(IReadOnlyList<DealReason> For, IReadOnlyList<DealReason> Against)> Explain(OpportunityFeatureTable table, IReadOnlyList<int> rows)
    {
        var values = rows.Select(r => table.Row(r).ToArray()).ToList();
        var batch = TreeShap.Explain(_ensemble, values);
        var defs = OpportunityFeatures.Registry.Definitions;
        var result = new (IReadOnlyList<DealReason>, IReadOnlyList<DealReason>)[rows.Count];
        for (int k = 0; k < rows.Count; k++)
        {
            var phi = batch.Row(k).ToArray();
            var x = values[k];
            // Features of one concept merge into one reason, told by the feature that carries it.
            var groups = Enumerable.Range(0, phi.Length).GroupBy(j => defs[j].ConceptGroup)
                .Select(g => (Concept: g.Key, Sum: g.Sum(j => phi[j]), Lead: g.OrderByDescending(j => Math.Sign(g.Sum(f => phi[f])) * phi[j]).ThenBy(j => j).First()))
                .Where(g => g.Sum != 0).ToList();
            DealReason Tell((string Concept, double Sum, int Lead) g)
            {
                var def = defs[g.Lead];
                string value = Format(def.Unit, x[g.Lead]);
                string sentence = def.SentenceTemplate.Replace("{value}", value, StringComparison.Ordinal);
                sentence = char.ToUpperInvariant(sentence[0]) + sentence[1..];
                string? support = null;
                if (!float.IsNaN(x[g.Lead]))
                {
                    bool atOrBelow = x[g.Lead] <= _population.Median(g.Lead);
                    if (_population.RateRatio(g.Lead, x[g.Lead], atOrBelow) is { } rr)
                        support = string.Create(CultureInfo.InvariantCulture,
                            $"deals whose {char.ToLowerInvariant(def.Description[0])}{def.Description[1..]} was {(atOrBelow ? "at or below" : "at or above")} {value} were won {rr.Ratio:0.0}x as often as the rest");
                }
                return new DealReason(g.Concept, def.Name, g.Sum, sentence, support);
            }
            var pros = groups.Where(g => g.Sum > 0).OrderByDescending(g => g.Sum).ThenBy(g => g.Concept, StringComparer.Ordinal).Take(Options.Reasons).Select(Tell).ToList();
            var cons = groups.Where(g => g.Sum < 0).OrderBy(g => g.Sum).ThenBy(g => g.Concept, StringComparer.Ordinal).Take(Options.Reasons).Select(Tell).ToList();
            result[k] = (pros, cons);
        }
        return result;
    }

    internal static string Format(string unit, float v)
    {
        if (float.IsNaN(v)) return "unknown";
        return unit switch
        {
            "days" => string.Create(CultureInfo.InvariantCulture, $"{v:0} days"),
            "share" => string.Create(CultureInfo.InvariantCulture, $"{v:0%}"),
            "ratio" => string.Create(CultureInfo.InvariantCulture, $"{v:0.00}x"),
            "count" or "level" or "stage" => string.Create(CultureInfo.InvariantCulture, $"{v:0}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{v:0.##}"),
        };
    }

    /// <summary>Writes the model as one file: manifest, the win model, the stage model, the background rows, a header.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelFile.Write(stream, ModelKind, FormatVersion, w =>
        {
            var header = new JsonObject
            {
                ["features"] = new JsonArray(FeatureNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                ["split_date"] = SplitDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["stage_labels"] = StageLabels.ToString(),
                ["options"] = OptionsJson(Options),
            };
            w.AddJson("opportunity.json", header);
            using (var ms = new MemoryStream())
            {
                Win.Save(ms);
                w.AddBytes("win-model.zip", FixedTimes(ms.ToArray()));
            }
            using (var ms = new MemoryStream())
            {
                _ml.Model.Save(_stage, OpportunityEstimator.StageSchema(FeatureNames.Count), ms);
                w.AddBytes("stage-model.zip", FixedTimes(ms.ToArray()));
            }
            var sb = new StringBuilder();
            int d = FeatureNames.Count;
            for (int i = 0; i < BackgroundLabels.Length; i++)
            {
                sb.Append(BackgroundLabels[i] ? '1' : '0');
                for (int j = 0; j < d; j++) sb.Append(',').Append(Background[i * d + j].ToString("R", CultureInfo.InvariantCulture));
                sb.Append('\n');
            }
            w.AddText("background.csv", sb.ToString());
        });
    }

    /// <summary>Rewrites a zip (and the zips inside it) with the model file's fixed entry time, so the same model gives the same bytes.</summary>
    static byte[] FixedTimes(byte[] zipBytes)
    {
        using var input = new System.IO.Compression.ZipArchive(new MemoryStream(zipBytes), System.IO.Compression.ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(output, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            foreach (var entry in input.Entries)
            {
                using var ms = new MemoryStream();
                using (var es = entry.Open()) es.CopyTo(ms);
                var bytes = entry.FullName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? FixedTimes(ms.ToArray()) : ms.ToArray();
                var copy = zip.CreateEntry(entry.FullName, System.IO.Compression.CompressionLevel.Optimal);
                copy.LastWriteTime = ModelFileWriter.ModelFileTime;
                using var cs = copy.Open();
                cs.Write(bytes);
            }
        return output.ToArray();
    }

    /// <summary>Reads a model written by <see cref="Save"/>; refuses other kinds and newer versions by name.</summary>
    public static OpportunityModel Load(Stream stream, string source = "the model file")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = ModelFile.Open(stream, ModelKind, FormatVersion, source);
        var header = reader.ReadJson("opportunity.json");
        var names = header["features"]?.AsArray().Select(n => n!.GetValue<string>()).ToArray() ?? [];
        if (!names.SequenceEqual(OpportunityFeatures.Registry.Names))
            throw new WorkbenchException($"{source}: the model was trained on features [{string.Join(", ", names)}], this Workbench computes [{string.Join(", ", OpportunityFeatures.Registry.Names)}]. Re-train the model.");
        var split = DateOnly.ParseExact(header["split_date"]!.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var labels = Enum.Parse<StageLabelSource>(header["stage_labels"]!.GetValue<string>());
        var options = OptionsFromJson(header["options"] as JsonObject);
        PropensityModel win;
        using (var ms = new MemoryStream(reader.ReadBytes("win-model.zip"))) win = PropensityModel.Load(ms, source + " (win model)");
        var ml = new MLContext(options.Seed);
        ITransformer stage;
        using (var ms = new MemoryStream(reader.ReadBytes("stage-model.zip"))) stage = ml.Model.Load(ms, out _);
        var text = Encoding.UTF8.GetString(reader.ReadBytes("background.csv"));
        int d = names.Length;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var values = new float[lines.Length * d];
        var y = new bool[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != d + 1) throw new WorkbenchException($"{source}: background.csv line {i + 1} has {cells.Length} cells, expected {d + 1}.");
            y[i] = cells[0] == "1";
            for (int j = 0; j < d; j++) values[i * d + j] = float.Parse(cells[j + 1], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return new OpportunityModel(win, ml, stage, values, y, split, labels, options);
    }

    static JsonObject OptionsJson(OpportunityOptions o) => new()
    {
        ["test_months"] = o.TestMonths, ["validation_share"] = o.ValidationShare, ["prior_strength"] = o.PriorStrength,
        ["stage_weights"] = new JsonArray(o.StageWeights.Select(w => (JsonNode)JsonValue.Create(w)!).ToArray()),
        ["stuck_factor"] = o.StuckFactor, ["stuck_min_days"] = o.StuckMinDays, ["reasons"] = o.Reasons, ["seed"] = o.Seed,
        ["stage_trees"] = o.StageModel.Trees, ["stage_leaves"] = o.StageModel.Leaves, ["stage_labels"] = o.StageLabels.ToString(),
    };

    static OpportunityOptions OptionsFromJson(JsonObject? j)
    {
        var o = new OpportunityOptions();
        if (j is null) return o;
        return o with
        {
            TestMonths = j["test_months"]?.GetValue<int>() ?? o.TestMonths,
            ValidationShare = j["validation_share"]?.GetValue<double>() ?? o.ValidationShare,
            PriorStrength = j["prior_strength"]?.GetValue<double>() ?? o.PriorStrength,
            StageWeights = j["stage_weights"]?.AsArray().Select(n => n!.GetValue<double>()).ToArray() ?? o.StageWeights,
            StuckFactor = j["stuck_factor"]?.GetValue<double>() ?? o.StuckFactor,
            StuckMinDays = j["stuck_min_days"]?.GetValue<int>() ?? o.StuckMinDays,
            Reasons = j["reasons"]?.GetValue<int>() ?? o.Reasons,
            Seed = j["seed"]?.GetValue<int>() ?? o.Seed,
            StageModel = o.StageModel with
            {
                Trees = j["stage_trees"]?.GetValue<int>() ?? o.StageModel.Trees,
                Leaves = j["stage_leaves"]?.GetValue<int>() ?? o.StageModel.Leaves,
            },
            StageLabels = j["stage_labels"] is { } s ? Enum.Parse<StageLabelSource>(s.GetValue<string>()) : o.StageLabels,
        };
    }
}
