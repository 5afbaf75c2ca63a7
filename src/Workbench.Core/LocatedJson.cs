using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Workbench;

/// <summary>A JSON value with the line and column it starts at, so the readers of hand-written files (experiment
/// specs, import mappings, action rules) can say where a problem is; System.Text.Json's DOM keeps no positions.</summary>
public sealed class LocatedJsonValue
{
    public required JsonValueKind Kind { get; init; }
    /// <summary>1-based line of the value's first character.</summary>
    public required int Line { get; init; }
    /// <summary>1-based column (in UTF-8 bytes from the line start) of the value's first character.</summary>
    public required int Column { get; init; }
    /// <summary>Members of an object in file order: key, the key's line, the value. Keys are unique (a duplicate is a parse error).</summary>
    public List<(string Key, int Line, LocatedJsonValue Value)> Members { get; } = [];
    public List<LocatedJsonValue> Items { get; } = [];
    /// <summary>String value, or the raw text of a number.</summary>
    public string? Text { get; init; }

    /// <summary>The value of an object member, or null when the key is absent.</summary>
    public LocatedJsonValue? Member(string key)
    {
        foreach (var m in Members) if (m.Key == key) return m.Value;
        return null;
    }

    /// <summary>The value of an object member, when the key is present.</summary>
    public bool TryGetMember(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LocatedJsonValue? value) => (value = Member(key)) is not null;

    /// <summary>How the value reads in a message: "the string \"x\"", "the number 3", "an object".</summary>
    public string Describe() => Kind switch
    {
        JsonValueKind.String => $"the string \"{Text}\"",
        JsonValueKind.Number => $"the number {Text}",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => Kind.ToString(),
    };
}

/// <summary>The one reader of hand-written JSON files: comments and trailing commas allowed, duplicate keys and lone
/// surrogates refused, every value located; plus the "did you mean" suggestion every such reader gives for a
/// misspelled name.</summary>
public static class LocatedJson
{
    /// <summary>A parse error: the message names the source and line; <see cref="OptionsValidationException.Line"/>,
    /// Column and Reason locate it for callers that collect problems of their own.</summary>
    static OptionsValidationException Located(string source, int line, int column, string reason, bool showLine = true) =>
        new(showLine ? $"{source}:{line}: {reason}" : $"{source}: {reason}") { Line = line, Column = column, Reason = reason };

    /// <summary>Parses <paramref name="json"/>; <paramref name="document"/> names what it is in messages ("spec", "mapping").</summary>
    /// <exception cref="OptionsValidationException">Syntax error, duplicate key, lone surrogate, empty text or content after the value.</exception>
    public static LocatedJsonValue Parse(string json, string source, string document = "file")
    {
        if (json.Length > 0 && json[0] == '\uFEFF') json = json[1..];   // a byte order mark left by the caller's decoder
        CheckSurrogates(json, source);
        var bytes = Encoding.UTF8.GetBytes(json);
        var lineStarts = new List<int> { 0 };
        for (int i = 0; i < bytes.Length; i++) if (bytes[i] == (byte)'\n') lineStarts.Add(i + 1);
        (int Line, int Column) At(long offset)
        {
            int idx = lineStarts.BinarySearch((int)offset);
            if (idx < 0) idx = ~idx - 1;
            return (idx + 1, (int)offset - lineStarts[idx] + 1);
        }
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read()) throw Located(source, 1, 1, $"the {document} is empty; expected a JSON object.", showLine: false);
            var root = ReadValue(ref reader, At, source, "$");
            if (reader.Read())
            {
                var (line, column) = At(reader.TokenStartIndex);
                throw Located(source, line, column, $"unexpected content after the {document}'s closing brace.");
            }
            return root;
        }
        catch (JsonException ex)
        {
            int line = (int)(ex.LineNumber ?? 0) + 1, column = (int)(ex.BytePositionInLine ?? 0) + 1;
            throw Located(source, line, column, $"invalid JSON in the {document}: {ex.Message}");
        }
    }

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a file as strict UTF-8: invalid bytes are refused with their byte offset and line instead of being
    /// replaced by U+FFFD. A UTF-8 byte order mark is skipped.</summary>
    public static string ReadFile(string path, string document = "file")
    {
        var bytes = File.ReadAllBytes(path);
        int start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        try { return StrictUtf8.GetString(bytes, start, bytes.Length - start); }
        catch (DecoderFallbackException ex)
        {
            // The decoder reports the index within its own buffer; find the first invalid sequence so the offset is exact.
            int offset = FirstInvalidUtf8(bytes, start);
            int line = 1, lineStart = 0;
            for (int i = 0; i < offset && i < bytes.Length; i++) if (bytes[i] == (byte)'\n') { line++; lineStart = i + 1; }
            string shown = string.Join(" ", bytes.Skip(offset).Take(4).Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));
            throw Located(path, line, offset - lineStart + 1, $"invalid UTF-8 at byte offset {offset.ToString(CultureInfo.InvariantCulture)} (bytes {shown}); " +
                $"a {document} must be UTF-8 text. ({ex.Message})");
        }
    }

    static int FirstInvalidUtf8(byte[] bytes, int start)
    {
        var span = bytes.AsSpan(start);
        while (span.Length > 0)
        {
            var status = Rune.DecodeFromUtf8(span, out _, out int consumed);
            if (status != System.Buffers.OperationStatus.Done) return bytes.Length - span.Length;
            span = span[consumed..];
        }
        return bytes.Length;
    }

    /// <summary>Refuses unpaired UTF-16 surrogates in text given as a string (a file read as UTF-8 cannot hold them; a
    /// caller's string can), with the line and column.</summary>
    static void CheckSurrogates(string json, string source)
    {
        int line = 1, column = 1;
        for (int i = 0; i < json.Length; i++, column++)
        {
            char c = json[i];
            if (c == '\n') { line++; column = 0; continue; }
            if (char.IsHighSurrogate(c) && i + 1 < json.Length && char.IsLowSurrogate(json[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c))
                throw Located(source, line, column, $"column {column}: a lone surrogate (U+{(int)c:X4}) is not valid Unicode text.");
        }
    }

    /// <summary>The current string token (a key or a value); an escaped lone surrogate such as <c>"\ud800"</c> is refused
    /// with the path and line (System.Text.Json would throw an InvalidOperationException).</summary>
    static string ReadString(ref Utf8JsonReader reader, string source, (int Line, int Column) at, string path)
    {
        try { return reader.GetString()!; }
        catch (InvalidOperationException)
        {
            string raw = Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray());
            throw Located(source, at.Line, at.Column, $"{path}: the string \"{raw}\" holds a lone surrogate escape; " +
                "only a high surrogate followed by a low one (\\ud83d\\ude00) is valid Unicode text.");
        }
    }

    static LocatedJsonValue ReadValue(ref Utf8JsonReader reader, Func<long, (int Line, int Column)> at, string source, string path)
    {
        var (line, column) = at(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var node = new LocatedJsonValue { Kind = JsonValueKind.Object, Line = line, Column = column };
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var keyAt = at(reader.TokenStartIndex);
                    var key = ReadString(ref reader, source, keyAt, path + ".<key>");
                    if (!seen.Add(key)) throw Located(source, keyAt.Line, keyAt.Column, $"{path}.{key}: duplicate key.");
                    reader.Read();
                    node.Members.Add((key, keyAt.Line, ReadValue(ref reader, at, source, path + "." + key)));
                }
                return node;
            }
            case JsonTokenType.StartArray:
            {
                var node = new LocatedJsonValue { Kind = JsonValueKind.Array, Line = line, Column = column };
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    node.Items.Add(ReadValue(ref reader, at, source, $"{path}[{node.Items.Count}]"));
                return node;
            }
            case JsonTokenType.String:
                return new LocatedJsonValue { Kind = JsonValueKind.String, Line = line, Column = column, Text = ReadString(ref reader, source, (line, column), path) };
            case JsonTokenType.Number:
                return new LocatedJsonValue { Kind = JsonValueKind.Number, Line = line, Column = column, Text = Encoding.UTF8.GetString(reader.ValueSpan) };
            case JsonTokenType.True: return new LocatedJsonValue { Kind = JsonValueKind.True, Line = line, Column = column };
            case JsonTokenType.False: return new LocatedJsonValue { Kind = JsonValueKind.False, Line = line, Column = column };
            case JsonTokenType.Null: return new LocatedJsonValue { Kind = JsonValueKind.Null, Line = line, Column = column };
            default: throw Located(source, line, column, $"{path}: unexpected token {reader.TokenType}.");
        }
    }

    /// <summary>Edit distance, for "did you mean" suggestions.</summary>
    public static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1]; var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>The candidates closest to <paramref name="word"/>, best first: a prefix or a word inside counts as
    /// exact, otherwise a small edit distance; case and '_' do not matter ("utilisation_3m" finds "utilization_3m").</summary>
    public static IReadOnlyList<string> Closest(string word, IEnumerable<string> candidates, int max = 3)
    {
        static string Norm(string s) => s.ToLowerInvariant().Replace("_", "", StringComparison.Ordinal);
        var w = Norm(word);
        return candidates
            .Select(c => (c, d: Norm(c).StartsWith(w, StringComparison.Ordinal) || (w.Length >= 3 && Norm(c).Contains(w, StringComparison.Ordinal)) ? 0 : EditDistance(w, Norm(c))))
            .Where(x => x.d <= Math.Max(2, w.Length / 3))
            .OrderBy(x => x.d).ThenBy(x => x.c, StringComparer.Ordinal).Take(max).Select(x => x.c).ToList();
    }

    /// <summary>" (did you mean 'x'?)" for the closest candidate, or "" when none is close.</summary>
    public static string DidYouMean(string word, IEnumerable<string> candidates) =>
        Closest(word, candidates, 1) is [var best] ? $" (did you mean '{best}'?)" : "";
}
