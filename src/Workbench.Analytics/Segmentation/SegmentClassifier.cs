using Microsoft.ML;
using Microsoft.ML.Data;
namespace Workbench.Analytics.Segmentation;

/// <summary>Which ML.NET multiclass trainer learns the segment labels.</summary>
public enum SegmentClassifierTrainer
{
    /// <summary>Linear softmax (SdcaMaximumEntropy): fast, deterministic with one thread.</summary>
    SdcaMaximumEntropy,
    /// <summary>Gradient-boosted trees (LightGbm).</summary>
    LightGbm,
}

/// <summary>A classifier trained on cluster labels that places new rows into existing segments (the "mixed"
/// approach: clustering defines segments, supervised learning assigns accounts later).</summary>
public sealed class SegmentClassifier
{
    readonly MLContext ml;
    readonly ITransformer model;
    readonly int columns;

    SegmentClassifier(MLContext ml, ITransformer model, int columns) { this.ml = ml; this.model = model; this.columns = columns; }

    sealed class Row
    {
        public uint Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    /// <summary>Trains on <paramref name="x"/> (use the same scaling as the clustering) and segment labels &gt;= 0.</summary>
    public static SegmentClassifier Train(FeatureMatrix x, IReadOnlyList<int> labels, int seed,
        SegmentClassifierTrainer trainer = SegmentClassifierTrainer.SdcaMaximumEntropy)
    {
        if (labels.Count != x.Rows) throw new OptionsValidationException($"Classifier: {labels.Count} labels for {x.Rows} rows.");
        if (labels.Any(l => l < 0)) throw new OptionsValidationException("Classifier labels must be segment ids >= 0 (drop DBSCAN noise rows first).");
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, x.Columns);
        var data = ml.Data.LoadFromEnumerable(ToRows(x, labels), schema);
        IEstimator<ITransformer> est = trainer switch
        {
            SegmentClassifierTrainer.SdcaMaximumEntropy => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(
                new Microsoft.ML.Trainers.SdcaMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = 1, MaximumNumberOfIterations = 50 }),
            SegmentClassifierTrainer.LightGbm => ml.MulticlassClassification.Trainers.LightGbm(
                new Microsoft.ML.Trainers.LightGbm.LightGbmMulticlassTrainer.Options { NumberOfThreads = 1, Seed = seed, Verbose = false, Silent = true }),
            _ => throw new OptionsValidationException($"Unknown trainer {trainer}."),
        };
        // Mean-variance normalisation first: SDCA converges poorly on raw spend-scale features.
        // Segment ids become ML.NET keys for training and are mapped back to ids on the way out.
        var pipeline = ml.Transforms.Conversion.MapValueToKey(nameof(Row.Label))
            .Append(ml.Transforms.NormalizeMeanVariance(nameof(Row.Features)))
            .Append(est)
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedSegment", "PredictedLabel"));
        return new SegmentClassifier(ml, pipeline.Fit(data), x.Columns);
    }

    /// <summary>Segment of each row.</summary>
    public int[] Predict(FeatureMatrix x)
    {
        if (x.Columns != columns) throw new OptionsValidationException($"Classifier was trained on {columns} columns, got {x.Columns}.");
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, x.Columns);
        var data = ml.Data.LoadFromEnumerable(ToRows(x, null), schema);
        var scored = model.Transform(data);
        return scored.GetColumn<uint>(scored.Schema["PredictedSegment"]).Select(p => (int)p).ToArray();
    }

    static IEnumerable<Row> ToRows(FeatureMatrix x, IReadOnlyList<int>? labels)
    {
        for (int i = 0; i < x.Rows; i++)
        {
            var f = new float[x.Columns];
            for (int j = 0; j < x.Columns; j++) f[j] = (float)x[i, j];
            yield return new Row { Label = labels is null ? 0u : (uint)labels[i], Features = f };
        }
    }

    /// <summary>Accuracy of predicted against true labels.</summary>
    public static double Accuracy(IReadOnlyList<int> predicted, IReadOnlyList<int> truth)
        => Enumerable.Range(0, truth.Count).Count(i => predicted[i] == truth[i]) / (double)truth.Count;

    /// <summary>Shows the bias of training the segment classifier on a non-random subset: trains once on the rows
    /// where <paramref name="biasedSubset"/> is true (e.g. complete rows only, top spenders) and once on a seeded
    /// random subset of the same size, then scores both on the full population.</summary>
    public static SelectionBiasReport DemonstrateSelectionBias(FeatureMatrix x, IReadOnlyList<int> labels, IReadOnlyList<bool> biasedSubset, int seed,
        SegmentClassifierTrainer trainer = SegmentClassifierTrainer.SdcaMaximumEntropy)
    {
        if (biasedSubset.Count != x.Rows) throw new OptionsValidationException($"Subset mask has {biasedSubset.Count} entries for {x.Rows} rows.");
        var biased = Enumerable.Range(0, x.Rows).Where(i => biasedSubset[i]).ToArray();
        if (biased.Length < 2 || biased.Length == x.Rows) throw new OptionsValidationException($"Biased subset must hold between 2 and {x.Rows - 1} rows, got {biased.Length}.");
        var rng = new Random(RunContext.DeriveSeed(seed, "selection-bias-random-subset"));
        var all = Enumerable.Range(0, x.Rows).ToArray();
        rng.Shuffle(all);
        var random = all.Take(biased.Length).Order().ToArray();

        (double acc, int[] seen) Score(int[] rows)
        {
            var sub = rows.Select(i => labels[i]).ToArray();
            // Trainers need every label they may predict; remap seen labels to 0..m-1 and back.
            var seen = sub.Distinct().Order().ToArray();
            var toLocal = seen.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i);
            if (seen.Length < 2) return (Accuracy(Enumerable.Repeat(seen[0], x.Rows).ToArray(), labels), seen);
            var clf = Train(x.SelectRows(rows), sub.Select(l => toLocal[l]).ToArray(), seed, trainer);
            var pred = clf.Predict(x).Select(p => seen[p]).ToArray();
            return (Accuracy(pred, labels), seen);
        }
        var (biasedAcc, biasedSeen) = Score(biased);
        var (randomAcc, _) = Score(random);
        var allSegments = labels.Distinct().Order().ToArray();
        var share = allSegments.ToDictionary(s => s, s => biased.Count(i => labels[i] == s) / (double)biased.Length);
        var popShare = allSegments.ToDictionary(s => s, s => labels.Count(l => l == s) / (double)labels.Count);
        return new SelectionBiasReport(biased.Length, biasedAcc, randomAcc, allSegments.Except(biasedSeen).ToArray(), share, popShare);
    }
}

/// <summary>Accuracy on the full population of a classifier trained on a biased subset versus a random subset of the same size.</summary>
/// <param name="SubsetSize">Rows in each training subset.</param>
/// <param name="BiasedAccuracy">Full-population accuracy when trained on the biased subset.</param>
/// <param name="RandomAccuracy">Full-population accuracy when trained on the random subset.</param>
/// <param name="SegmentsMissingFromBiased">Segments the biased subset never shows the classifier (it cannot predict them).</param>
/// <param name="BiasedSegmentShares">Segment shares inside the biased subset.</param>
/// <param name="PopulationSegmentShares">Segment shares in the full population.</param>
public sealed record SelectionBiasReport(int SubsetSize, double BiasedAccuracy, double RandomAccuracy, int[] SegmentsMissingFromBiased,
    IReadOnlyDictionary<int, double> BiasedSegmentShares, IReadOnlyDictionary<int, double> PopulationSegmentShares)
{
    /// <summary>RandomAccuracy - BiasedAccuracy: how much the non-random training subset costs.</summary>
    public double AccuracyLoss => RandomAccuracy - BiasedAccuracy;
}
