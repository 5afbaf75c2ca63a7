using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Workbench.Analytics.Ranking;

/// <summary>
/// A trained propensity model: the ML.NET model (raw score), the calibrator fitted on validation rows, the
/// feature schema it expects, and the options it was trained with. Scores must come from a table with exactly
/// the same feature names in the same order; anything else is refused with the difference spelled out.
/// </summary>
public sealed class PropensityModel
{
    readonly MLContext _ml;
    public string Target { get; }
    public ITransformer Transformer { get; }
    public Calibrator Calibrator { get; }
    public IReadOnlyList<string> FeatureNames { get; }
    public PropensityOptions Options { get; }
    /// <summary>Trees actually kept (after early stopping); 0 for the linear model.</summary>
    public int TreeCount { get; }

    internal PropensityModel(MLContext ml, string target, ITransformer transformer, Calibrator calibrator, IReadOnlyList<string> featureNames, PropensityOptions options, int treeCount)
        => (_ml, Target, Transformer, Calibrator, FeatureNames, Options, TreeCount) = (ml, target, transformer, calibrator, featureNames, options, treeCount);

    /// <summary>The tree ensemble behind a FastTree or LightGBM model (for TreeSHAP); null for the linear model.</summary>
    public TreeEnsembleModelParameters? TreeModel => TreeModelOf(Transformer);

    internal static TreeEnsembleModelParameters? TreeModelOf(ITransformer transformer) => transformer switch
    {
        ISingleFeaturePredictionTransformer<object> t => Unwrap(t.Model),
        _ => null,
    };

    static TreeEnsembleModelParameters? Unwrap(object model) => model switch
    {
        TreeEnsembleModelParameters tree => tree,
        Microsoft.ML.Calibrators.CalibratedModelParametersBase c => Unwrap(c.SubModel),
        _ => null,
    };

    /// <summary>Checks that a set of feature names is exactly the one this model was trained on.</summary>
    public void CheckSchema(IReadOnlyList<string> names, string source)
    {
        if (names.SequenceEqual(FeatureNames)) return;
        var missing = FeatureNames.Except(names).ToList();
        var extra = names.Except(FeatureNames).ToList();
        var msg = $"Feature schema of {source} does not match the {Target} model ({FeatureNames.Count} features expected, {names.Count} given).";
        if (missing.Count > 0) msg += $" Missing: {string.Join(", ", missing)}.";
        if (extra.Count > 0) msg += $" Unexpected: {string.Join(", ", extra)}.";
        if (missing.Count == 0 && extra.Count == 0) msg += " Same names in a different order.";
        throw new FeatureSchemaException(msg, missing, extra);
    }

    /// <summary>Raw margins (log-odds scale for trees) and calibrated probabilities for each row.</summary>
    public (double[] Raw, double[] Probability) Score(TrainingSet rows, string source = "the scored data")
    {
        CheckSchema(rows.FeatureNames, source);
        var scored = Transformer.Transform(rows.ToDataView(_ml));
        var raw = scored.GetColumn<float>("Score").Select(s => (double)s).ToArray();
        return (raw, raw.Select(Calibrator.Apply).ToArray());
    }

    /// <summary>Writes the model as a zip: the ML.NET model and a JSON header (target, features, options, calibrator).</summary>
    public void Save(Stream stream)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        var mlEntry = zip.CreateEntry("mlnet-model.zip", CompressionLevel.NoCompression);
        mlEntry.LastWriteTime = Modeling.ModelFileWriter.ModelFileTime;
        using (var entry = mlEntry.Open())
        {
            var input = SchemaFor(FeatureNames.Count);
            _ml.Model.Save(Transformer, input, entry);
        }
        var headerZipEntry = zip.CreateEntry("propensity.json");
        headerZipEntry.LastWriteTime = Modeling.ModelFileWriter.ModelFileTime;
        using var header = headerZipEntry.Open();
        JsonSerializer.Serialize(header, new PropensityModelHeader(Target, FeatureNames.ToArray(), Options, Calibrator, TreeCount), AnalyticsJson.Default.PropensityModelHeader);
    }

    public static PropensityModel Load(Stream stream, string source)
    {
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var headerEntry = zip.GetEntry("propensity.json") ?? throw new WorkbenchException($"{source}: not a propensity model (no propensity.json inside).");
            PropensityModelHeader header;
            using (var hs = headerEntry.Open()) header = JsonSerializer.Deserialize(hs, AnalyticsJson.Default.PropensityModelHeader) ?? throw new WorkbenchException($"{source}: empty model header.");
            var ml = new MLContext(header.Options.Seed);
            using var ms = new MemoryStream();
            using (var es = (zip.GetEntry("mlnet-model.zip") ?? throw new WorkbenchException($"{source}: the ML.NET model is missing.")).Open()) es.CopyTo(ms);
            ms.Position = 0;
            var transformer = ml.Model.Load(ms, out _);
            return new PropensityModel(ml, header.Target, transformer, header.Calibrator, header.Features, header.Options, header.TreeCount);
        }
        catch (InvalidDataException ex) { throw new WorkbenchException($"{source}: not a readable model file ({ex.Message}).", ex); }
        catch (JsonException ex) { throw new WorkbenchException($"{source}: unreadable model header ({ex.Message}).", ex); }
    }

    internal static DataViewSchema SchemaFor(int features)
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, features));
        b.AddColumn("Label", BooleanDataViewType.Instance);
        return b.ToSchema();
    }

}

/// <summary>The JSON header of a saved propensity model.</summary>
internal sealed record PropensityModelHeader(string Target, string[] Features, PropensityOptions Options, Calibrator Calibrator, int TreeCount);
