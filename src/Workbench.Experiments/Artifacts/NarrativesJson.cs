using System.Buffers;
using System.Text.Json;
using Workbench.Analytics.Explanation;

namespace Workbench.Experiments.Artifacts;

/// <summary>Writes narratives.json in <see cref="Json"/>'s style (snake_case, indented, numbers rounded to 10 decimals, NaN
/// as null): the same bytes the serializer wrote for the per-row objects, without the reflection, the boxing and the
/// object per row. Rows are serialized in chunks (on every core, or on the threads that explained them when streamed) and
/// the chunks written in order; this file is most of a large run's output (1.49 GB at 100,000 accounts).</summary>
internal static class NarrativesJson
{
    const int ChunkRows = 1024;

    static readonly JsonEncodedText AccountId = JsonEncodedText.Encode("account_id"), ProductId = JsonEncodedText.Encode("product_id"),
        AsOf = JsonEncodedText.Encode("as_of"), Target = JsonEncodedText.Encode("target"), Score = JsonEncodedText.Encode("score"),
        Margin = JsonEncodedText.Encode("margin"), ExpectedValue = JsonEncodedText.Encode("expected_value"),
        ReasonsFor = JsonEncodedText.Encode("reasons_for"), ReasonsAgainst = JsonEncodedText.Encode("reasons_against"),
        Concept = JsonEncodedText.Encode("concept"), Contribution = JsonEncodedText.Encode("contribution"), Sentence = JsonEncodedText.Encode("sentence"),
        Support = JsonEncodedText.Encode("support"), Features = JsonEncodedText.Encode("features"), WhyNow = JsonEncodedText.Encode("why_now"),
        Lead = JsonEncodedText.Encode("lead"), IsContext = JsonEncodedText.Encode("is_context"), Feature = JsonEncodedText.Encode("feature"),
        Value = JsonEncodedText.Encode("value");

    static JsonWriterOptions WriterOptions => new()
    {
        Encoder = Json.Options.Encoder, Indented = true, IndentCharacter = Json.Options.IndentCharacter, IndentSize = Json.Options.IndentSize,
        NewLine = Json.Options.NewLine, SkipValidation = true,
    };

    /// <summary>The whole array of <paramref name="rows"/> (in the order given).</summary>
    public static void Write(Stream stream, IReadOnlyList<Narrative> rows)
    {
        var array = new ArrayWriter(stream);
        int chunks = (rows.Count + ChunkRows - 1) / ChunkRows, wave = 2 * Environment.ProcessorCount;
        var buffers = new ArrayBufferWriter<byte>[wave];
        for (int first = 0; first < chunks; first += wave)
        {
            int count = Math.Min(wave, chunks - first);
            Parallel.For(0, count, i =>
            {
                var buffer = buffers[i] ??= new ArrayBufferWriter<byte>(1 << 20);
                buffer.ResetWrittenCount();
                int from = (first + i) * ChunkRows, to = Math.Min(rows.Count, from + ChunkRows);
                WriteChunk(buffer, Enumerable.Range(from, to - from).Select(r => rows[r]));
            });
            for (int i = 0; i < count; i++) array.Append(buffers[i].WrittenSpan);
        }
        array.End();
    }

    /// <summary>One chunk of rows as <see cref="ArrayWriter.Append"/> takes it: an array holding only these rows. After its
    /// "[" the bytes are what one writer of the whole array writes for these rows (each row starts with a new line and its
    /// indent), so chunks join with a comma.</summary>
    public static void WriteChunk(IBufferWriter<byte> buffer, IEnumerable<Narrative> rows)
    {
        using var w = new Utf8JsonWriter(buffer, WriterOptions);
        w.WriteStartArray();
        foreach (var n in rows) WriteRow(w, n);
        w.Flush();
    }

    /// <summary>The array around chunks written by <see cref="WriteChunk"/>, appended in order.</summary>
    public sealed class ArrayWriter(Stream stream)
    {
        bool _any;

        /// <summary>Appends a chunk of at least one row.</summary>
        public void Append(ReadOnlySpan<byte> chunk)
        {
            stream.Write(_any ? ","u8 : "["u8);
            stream.Write(chunk[1..]);
            _any = true;
        }

        public void End()
        {
            if (!_any) stream.Write("[]\n"u8);
            else stream.Write(Json.Options.NewLine == "\n" ? "\n]\n"u8 : System.Text.Encoding.UTF8.GetBytes(Json.Options.NewLine + "]\n"));
        }
    }

    static void WriteRow(Utf8JsonWriter w, Narrative n)
    {
        w.WriteStartObject();
        w.WriteString(AccountId, n.AccountId);
        w.WriteString(ProductId, n.ProductId);
        Span<char> date = stackalloc char[10];
        n.AsOf.TryFormat(date, out int written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        w.WriteString(AsOf, date[..written]);
        w.WriteString(Target, n.Target);
        Number(w, Score, n.Probability);
        Number(w, Margin, n.Margin);
        Number(w, ExpectedValue, n.ExpectedValue);
        Reasons(w, ReasonsFor, n.ReasonsFor);
        Reasons(w, ReasonsAgainst, n.ReasonsAgainst);
        w.WriteEndObject();
    }

    static void Reasons(Utf8JsonWriter w, JsonEncodedText name, IReadOnlyList<Reason> reasons)
    {
        w.WriteStartArray(name);
        foreach (var r in reasons)
        {
            w.WriteStartObject();
            w.WriteString(Concept, r.Concept);
            Number(w, Contribution, r.Contribution);
            w.WriteString(Sentence, r.Sentence);
            if (r.Support is null) w.WriteNull(Support); else w.WriteString(Support, r.Support);
            w.WriteStartArray(Features);
            foreach (var f in r.Features)
            {
                w.WriteStartObject();
                w.WriteString(Feature, f.Feature);
                Number(w, Value, f.Value);
                Number(w, Contribution, f.Contribution);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteBoolean(WhyNow, r.WhyNow);
            if (r.Lead is null) w.WriteNull(Lead); else w.WriteString(Lead, r.Lead);
            w.WriteBoolean(IsContext, r.IsContext);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    // As Json's double converter: rounded to 10 decimals, NaN and infinities as null.
    static void Number(Utf8JsonWriter w, JsonEncodedText name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, Math.Round(value, 10));
        else w.WriteNull(name);
    }
}
