using System.Text.Json.Serialization;

namespace Workbench.Experiments.Artifacts;

/// <summary>The one JSON style of every run-store artifact: snake_case, indented, enums as strings, NaN written as null.
/// Artifacts are many ad-hoc shapes (anonymous report objects), so this resolver is configured explicitly rather than
/// relying on the runtime's reflection default, which .NET file-based apps switch off (see docs/decisions.md).</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new NanAsNullConverter() },
        NumberHandling = JsonNumberHandling.Strict,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options) + "\n";

    /// <summary>Writes atomically (temp file, then rename), serializing straight into the file: a large artifact
    /// (narratives of 100,000 accounts) never becomes one string, which the runtime caps near 1 G characters.</summary>
    public static void Write<T>(string path, T value) => AtomicFile.Write(path, s =>
    {
        JsonSerializer.Serialize(s, value, Options);
        s.WriteByte((byte)'\n');
    });

    sealed class NanAsNullConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(Math.Round(value, 10));
            else writer.WriteNullValue();
        }
    }
}
