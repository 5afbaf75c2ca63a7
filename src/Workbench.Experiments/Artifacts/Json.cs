using System.Text.Json;
using System.Text.Json.Serialization;
using Workbench.Data.Io;

namespace Workbench.Experiments.Artifacts;

/// <summary>The one JSON style of every artifact: snake_case, indented, enums as strings, NaN written as null.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new NanAsNullConverter() },
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options) + "\n";

    /// <summary>Writes atomically (temp file, then rename).</summary>
    public static void Write<T>(string path, T value) => AtomicFile.WriteText(path, Serialize(value));

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
