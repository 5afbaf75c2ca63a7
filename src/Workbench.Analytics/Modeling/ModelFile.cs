using System.IO.Compression;
using System.Text.Json;

namespace Workbench.Analytics.Modeling;

/// <summary>
/// A trained model of any analysis (prioritizer, lifetime value, action policy, opportunity models, territory
/// affinity). Every trainable analysis has the same shape: a static estimator <c>X.Fit(data, options)</c> returns a
/// model implementing this interface; the model scores (and explains where it can); <see cref="Save"/> writes one
/// versioned file and the model type's static <c>Load(Stream)</c> reads it back through <see cref="ModelFile"/>;
/// evaluation is a separate static call that also computes the oracle when the data carries planted truth.
/// </summary>
public interface IWorkbenchModel
{
    /// <summary>What kind of model this is ("prioritizer", "lifetime", ...): the manifest's <c>kind</c>.</summary>
    string Kind { get; }

    /// <summary>Writes the whole model as one file (a zip with a versioned manifest, see <see cref="ModelFile"/>).</summary>
    void Save(Stream stream);
}

/// <summary>
/// One model file: a zip whose first entry is <c>manifest.json</c> (<c>{"format": "workbench-model", "kind",
/// "version"}</c>) followed by the model's own entries. Entries carry a fixed timestamp, so the same model writes
/// the same bytes. Reading checks the format, the kind and the version before anything else and refuses a file
/// written by a newer version with a message naming both versions.
/// </summary>
public static class ModelFile
{
    public const string Format = "workbench-model";

    /// <summary>Writes a model file: the manifest, then whatever <paramref name="body"/> adds.</summary>
    public static void Write(Stream stream, string kind, int version, Action<ModelFileWriter> body)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        var writer = new ModelFileWriter(zip);
        var manifest = new JsonObject { ["format"] = Format, ["kind"] = kind, ["version"] = version };
        writer.AddJson("manifest.json", manifest);
        body(writer);
    }

    /// <summary>Opens a model file of the given kind, refusing another kind, another format or a newer version.</summary>
    /// <param name="stream">The file's bytes.</param>
    /// <param name="kind">The kind the caller loads; another kind is refused.</param>
    /// <param name="supportedVersion">The newest format version the caller reads.</param>
    /// <param name="source">How to name the file in messages (a path, or "the model stream").</param>
    public static ModelFileReader Open(Stream stream, string kind, int supportedVersion, string source = "the model file")
    {
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException ex) { throw new WorkbenchException($"{source}: not a Workbench model file (not a zip archive: {ex.Message})."); }
        var reader = new ModelFileReader(zip, source);
        JsonObject manifest;
        try { manifest = reader.ReadJson("manifest.json"); }
        catch (WorkbenchException) { zip.Dispose(); throw; }
        string? format = manifest["format"]?.GetValueKind() == JsonValueKind.String ? manifest["format"]!.GetValue<string>() : null;
        string? fileKind = manifest["kind"]?.GetValueKind() == JsonValueKind.String ? manifest["kind"]!.GetValue<string>() : null;
        int? fileVersion = manifest["version"]?.GetValueKind() == JsonValueKind.Number && manifest["version"]!.AsValue().TryGetValue(out int v) ? v : null;
        string? problem = format != Format ? $"not a Workbench model file (manifest format '{format}', expected '{Format}')"
            : fileKind != kind ? $"a '{fileKind}' model, expected a '{kind}' model"
            : fileVersion is null ? "the manifest has no integer version"
            : fileVersion > supportedVersion ? $"written by a newer Workbench (model format version {fileVersion}); this Workbench reads '{kind}' models up to version {supportedVersion}. Upgrade Workbench or re-train the model"
            : fileVersion < 1 ? $"invalid model format version {fileVersion}"
            : null;
        if (problem is not null) { zip.Dispose(); throw new WorkbenchException($"{source}: {problem}."); }
        reader.Version = fileVersion!.Value;
        return reader;
    }
}

/// <summary>Adds entries to a model file being written.</summary>
public sealed class ModelFileWriter
{
    readonly ZipArchive _zip;
    internal static readonly DateTimeOffset ModelFileTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    internal ModelFileWriter(ZipArchive zip) => _zip = zip;

    public Stream OpenEntry(string name, CompressionLevel level = CompressionLevel.Optimal)
    {
        var entry = _zip.CreateEntry(name, level);
        entry.LastWriteTime = ModelFileTime;
        return entry.Open();
    }

    public void AddBytes(string name, ReadOnlySpan<byte> bytes)
    {
        using var s = OpenEntry(name);
        s.Write(bytes);
    }

    public void AddText(string name, string text) => AddBytes(name, new UTF8Encoding(false).GetBytes(text));

    /// <summary>Adds a JSON document (indented, invariant; no reflection-based serialization).</summary>
    public void AddJson(string name, JsonNode node) =>
        AddText(name, node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
}

/// <summary>Reads entries of an opened model file; every missing or unreadable entry is named in the error.</summary>
public sealed class ModelFileReader : IDisposable
{
    readonly ZipArchive _zip;
    public string Source { get; }
    /// <summary>The format version the file was written with (at most the reader's supported version).</summary>
    public int Version { get; internal set; }

    internal ModelFileReader(ZipArchive zip, string source) => (_zip, Source) = (zip, source);

    public bool Has(string name) => _zip.GetEntry(name) is not null;

    public Stream OpenEntry(string name)
    {
        var entry = _zip.GetEntry(name) ?? throw new WorkbenchException($"{Source}: the model file has no '{name}' entry (incomplete or not this kind of model).");
        return entry.Open();
    }

    public byte[] ReadBytes(string name)
    {
        using var s = OpenEntry(name);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    public string ReadText(string name) => Encoding.UTF8.GetString(ReadBytes(name));

    public JsonObject ReadJson(string name)
    {
        try { return JsonNode.Parse(ReadBytes(name)) as JsonObject ?? throw new WorkbenchException($"{Source}: entry '{name}' is not a JSON object."); }
        catch (JsonException ex) { throw new WorkbenchException($"{Source}: entry '{name}' is not valid JSON ({ex.Message})."); }
        catch (InvalidDataException ex) { throw new WorkbenchException($"{Source}: entry '{name}' is corrupt ({ex.Message})."); }
    }

    public void Dispose() => _zip.Dispose();
}
