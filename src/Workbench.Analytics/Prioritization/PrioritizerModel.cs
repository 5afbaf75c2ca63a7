using System.Buffers.Binary;
using Workbench.Analytics.Scoring;

namespace Workbench.Analytics.Prioritization;

/// <summary>
/// A trained account prioritizer: both calibrated propensity models, the feature schema and the options the features
/// were built with, the expected relative size of an upsell, the priority rules and a seeded background sample of the
/// training rows (TreeSHAP covers and narrative statistics). It scores new data into the reps' ranked books, explains an
/// account, and saves as one file (<see cref="ModelFile"/>, kind <c>prioritizer</c>).
/// </summary>
public sealed class PrioritizerModel : IWorkbenchModel
{
    public const string ModelKind = "prioritizer";
    /// <summary>The newest model file version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    public string Kind => ModelKind;
    public PropensityModel Churn { get; }
    public PropensityModel Upsell { get; }
    /// <summary>Training rows labeled for churn (the same rows as <see cref="UpsellBackground"/>).</summary>
    public TrainingSet ChurnBackground { get; }
    public TrainingSet UpsellBackground { get; }
    /// <summary>Mean upsell amount relative to the run-rate in training.</summary>
    public double UpsellRatio { get; }
    /// <summary>The options the model was trained with (snapshots, labels and features as actually built).</summary>
    public PipelineOptions Options { get; }
    public IReadOnlyList<string> FeatureNames => Churn.FeatureNames;
    /// <summary>The category values (industry, region, revenue band) the training data coded, in code order: scoring codes
    /// categories with them, so data holding other values (one region's accounts, a partition) gets the codes the model
    /// learned, and a value training never saw is missing. Null for model files written before they were kept: scoring then
    /// codes the scored data's own values.</summary>
    public CategoryValues? Categories { get; }

    internal PrioritizerModel(PropensityModel churn, PropensityModel upsell, TrainingSet churnBackground, TrainingSet upsellBackground,
        double upsellRatio, PipelineOptions options, CategoryValues? categories = null)
    {
        Categories = categories;
        if (churn.Target != PropensityTarget.Churn.Name()) throw new WorkbenchException($"The churn model holds a '{churn.Target}' model.");
        if (upsell.Target != PropensityTarget.Upsell.Name()) throw new WorkbenchException($"The upsell model holds a '{upsell.Target}' model.");
        churn.CheckSchema(upsell.FeatureNames, "the upsell model");
        churn.CheckSchema(churnBackground.FeatureNames, "the background rows");
        (Churn, Upsell, ChurnBackground, UpsellBackground, UpsellRatio, Options) = (churn, upsell, churnBackground, upsellBackground, upsellRatio, options);
    }

    /// <summary>What batch scoring needs, under a name used in messages and in the scored book.</summary>
    public ScoringModels ForScoring(string name) => new(name, Churn, ChurnBackground, Upsell, UpsellBackground, UpsellRatio, Options.Ranking.Priority);

    /// <summary>Label-free features of new data as of <paramref name="asOf"/> (default: the month after the data's last
    /// month), built with the options the model was trained with; <paramref name="parts"/>, when given, is told each step's
    /// wall seconds.</summary>
    public ScoringFeatures FeaturesFor(CrmDataset data, DateOnly? asOf = null, IStagePartTimings? parts = null, CategoryValues? categories = null) =>
        ScoringFeatures.Build(data, asOf, Options.Snapshots, Options.Labels, Options.Features, wholeHistory: false, parts, Categories ?? categories);

    /// <summary>How many months before the as-of month scoring reads usage and engagement rows (and spend month by month):
    /// a load for <see cref="Score"/> as of the default date may keep only those months as rows (docs/scale.md, scoreload).</summary>
    public int ScoringLookbackMonths => ScoringFeatures.LookbackMonths(Options.Snapshots, Options.Labels);

    /// <summary>Scores every eligible account of <paramref name="data"/>: priorities, grades, trends and probabilities
    /// per product, in each rep's ranked book, with narratives.</summary>
    /// <param name="data">The data to score (labels not needed).</param>
    /// <param name="asOf">As-of date (first of a month); null: the month after the data's last month.</param>
    /// <param name="name">The model's name in the result (a promoted name, or "model").</param>
    /// <param name="narratives">How many reasons to tell; null: the model's own explanation options.</param>
    /// <param name="progress">Told each step (building the features, scoring, explaining, ...) as it starts; null: silent.</param>
    /// <param name="explainers">Explainers started with <see cref="StartExplainers"/> for the same name and narratives (built
    /// while the data was loaded); null: built when the explaining starts.</param>
    /// <param name="categories">The category values of the whole dataset when <paramref name="data"/> is one partition of
    /// it (the features then code categories as the whole dataset's would); null: the data's own.</param>
    public ScoringResult Score(CrmDataset data, DateOnly? asOf = null, string name = "model", NarrativeOptions? narratives = null,
        IProgress<string>? progress = null, ScoringExplainers? explainers = null, CategoryValues? categories = null)
    {
        progress?.Report("building the features");
        var features = FeaturesFor(data, asOf, progress as IStagePartTimings, categories);
        progress?.Report("scoring");
        return BatchScorer.Score(ForScoring(name), features, data, narratives ?? Options.Explanation, progress, explainers);
    }

    /// <summary>Starts building, in the background, the explainers <see cref="Score"/> tells narratives with (they read only
    /// the model), so a batch job builds them while it loads its data.</summary>
    public ScoringExplainers StartExplainers(string name, NarrativeOptions? narratives = null) =>
        ScoringExplainers.Start(ForScoring(name), narratives ?? Options.Explanation);

    /// <summary>Why an account scores as it does: for each of its products at the as-of date, the churn and the upsell
    /// narrative (reasons for and against, in sentences with the account's own numbers).</summary>
    public IReadOnlyList<Narrative> Explain(CrmDataset data, string accountId, DateOnly? asOf = null)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        var features = FeaturesFor(data, asOf);
        var table = features.Features;
        var rows = Enumerable.Range(0, table.RowCount)
            .Where(r => table.Snapshots[r].AsOfMonth == features.AsOfMonth && table.AccountId(r) == accountId).ToArray();
        if (rows.Length == 0)
            throw new WorkbenchException($"Account '{accountId}' has no product eligible for scoring as of {features.AsOf:yyyy-MM-dd} " +
                "(unknown account, or no recent spend).");
        var productNames = data.Products.ToDictionary(p => p.ProductId, p => p.Name, StringComparer.Ordinal);
        string ProductName(string id) => productNames.GetValueOrDefault(id, id);
        var churn = new AccountExplainer(Churn, ChurnBackground, Options.Explanation).Explain(table, rows, ProductName);
        var upsell = new AccountExplainer(Upsell, UpsellBackground, Options.Explanation).Explain(table, rows, ProductName);
        return churn.Narratives.Zip(upsell.Narratives, (c, u) => new[] { c, u }).SelectMany(x => x).ToList();
    }

    /// <summary>Writes the model as one file: manifest, options, both propensity models and the background rows.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelFile.Write(stream, ModelKind, FormatVersion, w =>
        {
            w.AddText("options.json", Options.ToJson() + "\n");
            w.AddJson("prioritizer.json", new JsonObject
            {
                ["upsell_ratio"] = UpsellRatio,
                ["features"] = new JsonArray(FeatureNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                ["background_rows"] = ChurnBackground.RowCount,
                ["categories"] = Categories is not { } c ? null : new JsonObject
                {
                    ["industry"] = Texts(c.Industries), ["region"] = Texts(c.Regions), ["revenue_band"] = Texts(c.RevenueBands),
                },
            });
            using (var s = w.OpenEntry("churn.model.zip", System.IO.Compression.CompressionLevel.NoCompression)) SaveSeekable(Churn, s);
            using (var s = w.OpenEntry("upsell.model.zip", System.IO.Compression.CompressionLevel.NoCompression)) SaveSeekable(Upsell, s);
            using (var s = w.OpenEntry("background.bin")) WriteBackground(s);
        });
    }

    /// <summary>Reads a model file written by <see cref="Save"/>; another kind, a newer version or a damaged file is refused
    /// with a message naming <paramref name="source"/>.</summary>
    public static PrioritizerModel Load(Stream stream, string source = "the model file")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var file = ModelFile.Open(stream, ModelKind, FormatVersion, source);
        var options = PipelineOptions.FromJson(file.ReadText("options.json"), $"{source}: options.json");
        var header = file.ReadJson("prioritizer.json");
        double ratio = header["upsell_ratio"] is JsonValue v && v.TryGetValue(out double d) ? d
            : throw new WorkbenchException($"{source}: prioritizer.json has no numeric upsell_ratio.");
        CategoryValues? categories = null;
        if (header["categories"] is JsonObject cats)
        {
            IReadOnlyList<string> List(string name) => cats[name] is JsonArray a && a.All(x => x is JsonValue v && v.TryGetValue(out string? _))
                ? a.Select(x => x!.GetValue<string>()).ToArray()
                : throw new WorkbenchException($"{source}: prioritizer.json's categories.{name} is not a list of texts.");
            categories = new CategoryValues(List("industry"), List("region"), List("revenue_band"));
        }
        var churn = LoadPropensity(file, "churn.model.zip", PropensityTarget.Churn.Name(), source);
        var upsell = LoadPropensity(file, "upsell.model.zip", PropensityTarget.Upsell.Name(), source);
        var (churnBackground, upsellBackground) = ReadBackground(file.ReadBytes("background.bin"), churn.FeatureNames, source);
        try { return new PrioritizerModel(churn, upsell, churnBackground, upsellBackground, ratio, options, categories); }
        catch (WorkbenchException ex) { throw new WorkbenchException($"{source}: {ex.Message}", ex); }
    }

    static JsonArray Texts(IReadOnlyList<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());

    static void SaveSeekable(PropensityModel model, Stream target)
    {
        // A zip entry stream cannot seek; the propensity model writes a zip of its own.
        using var ms = new MemoryStream();
        model.Save(ms);
        ms.Position = 0;
        ms.CopyTo(target);
    }

    static PropensityModel LoadPropensity(ModelFileReader file, string entry, string target, string source)
    {
        using var ms = new MemoryStream(file.ReadBytes(entry));
        var model = PropensityModel.Load(ms, $"{source}: {entry}");
        if (model.Target != target) throw new WorkbenchException($"{source}: {entry} holds a '{model.Target}' model, expected '{target}'.");
        return model;
    }

    // background.bin: int32 rows, int32 columns, rows x columns float32 values, then one byte per row (bit 0 churn, bit 1 upsell); little endian.
    void WriteBackground(Stream s)
    {
        var b = ChurnBackground;
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(head, b.RowCount);
        BinaryPrimitives.WriteInt32LittleEndian(head[4..], b.ColumnCount);
        s.Write(head);
        var buffer = new byte[b.Values.Length * 4];
        for (int i = 0; i < b.Values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), b.Values[i]);
        s.Write(buffer);
        var labels = new byte[b.RowCount];
        for (int i = 0; i < labels.Length; i++) labels[i] = (byte)((ChurnBackground.Labels[i] ? 1 : 0) | (UpsellBackground.Labels[i] ? 2 : 0));
        s.Write(labels);
    }

    static (TrainingSet Churn, TrainingSet Upsell) ReadBackground(byte[] bytes, IReadOnlyList<string> names, string source)
    {
        if (bytes.Length < 8) throw new WorkbenchException($"{source}: background.bin is truncated ({bytes.Length} bytes).");
        int rows = BinaryPrimitives.ReadInt32LittleEndian(bytes), columns = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        long expected = 8 + (long)rows * columns * 4 + rows;
        if (rows < 0 || columns != names.Count || bytes.Length != expected)
            throw new WorkbenchException($"{source}: background.bin holds {bytes.Length} bytes for {rows} rows x {columns} columns; expected {expected} bytes and {names.Count} columns.");
        var values = new float[rows * columns];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + i * 4));
        var churn = new bool[rows];
        var upsell = new bool[rows];
        int offset = 8 + values.Length * 4;
        for (int i = 0; i < rows; i++) { churn[i] = (bytes[offset + i] & 1) != 0; upsell[i] = (bytes[offset + i] & 2) != 0; }
        return (new TrainingSet(values, names, churn), new TrainingSet(values, names, upsell));
    }
}
