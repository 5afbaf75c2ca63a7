using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Workbench.Experiments.Specs;

/// <summary>A JSON value with the line it starts on, so spec errors can say where they are
/// (System.Text.Json's DOM keeps no positions).</summary>
internal sealed class SpecNode
{
    public required JsonValueKind Kind { get; init; }
    public required int Line { get; init; }
    /// <summary>Members of an object in file order: key, the key's line, the value.</summary>
    public List<(string Key, int Line, SpecNode Value)> Members { get; } = [];
    public List<SpecNode> Items { get; } = [];
    /// <summary>String value, or the raw text of a number.</summary>
    public string? Text { get; init; }

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

internal static class SpecJson
{
    /// <summary>Parses JSON (comments and trailing commas allowed) into nodes with line numbers.
    /// Syntax errors and duplicate keys throw <see cref="OptionsValidationException"/> naming <paramref name="source"/> and the line.</summary>
    public static SpecNode Parse(string json, string source)
    {
        CheckSurrogates(json, source);
        var bytes = Encoding.UTF8.GetBytes(json);
        var lineStarts = new List<int> { 0 };
        for (int i = 0; i < bytes.Length; i++) if (bytes[i] == (byte)'\n') lineStarts.Add(i + 1);
        int LineOf(long offset)
        {
            int idx = lineStarts.BinarySearch((int)offset);
            return (idx >= 0 ? idx : ~idx - 1) + 1;
        }
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read()) throw new OptionsValidationException($"{source}: the spec is empty; expected a JSON object.");
            var root = ReadValue(ref reader, LineOf, source, "$");
            if (reader.Read()) throw new OptionsValidationException($"{source}:{LineOf(reader.TokenStartIndex)}: unexpected content after the spec's closing brace.");
            return root;
        }
        catch (JsonException ex)
        {
            throw new OptionsValidationException($"{source}:{ex.LineNumber + 1}: invalid JSON: {ex.Message}");
        }
    }

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a spec (or datasets.json) file as strict UTF-8: invalid bytes are refused with their byte offset and
    /// line instead of being replaced by U+FFFD. A UTF-8 byte order mark is skipped.</summary>
    public static string ReadFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        try { return StrictUtf8.GetString(bytes, start, bytes.Length - start); }
        catch (DecoderFallbackException ex)
        {
            // The decoder reports the index within the bytes it was given; find the first invalid sequence ourselves so
            // the offset is exact whatever the decoder's buffering.
            int offset = FirstInvalidUtf8(bytes, start);
            int line = 1;
            for (int i = 0; i < offset && i < bytes.Length; i++) if (bytes[i] == (byte)'\n') line++;
            string shown = string.Join(" ", bytes.Skip(offset).Take(4).Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));
            throw new OptionsValidationException($"{path}:{line}: invalid UTF-8 at byte offset {offset.ToString(CultureInfo.InvariantCulture)} (bytes {shown}); " +
                $"a spec must be UTF-8 text. ({ex.Message})");
        }
    }

    static int FirstInvalidUtf8(byte[] bytes, int start)
    {
        var span = bytes.AsSpan(start);
        while (span.Length > 0)
        {
            var status = System.Text.Rune.DecodeFromUtf8(span, out _, out int consumed);
            if (status != System.Buffers.OperationStatus.Done) return bytes.Length - span.Length;
            span = span[consumed..];
        }
        return bytes.Length;
    }

    /// <summary>Refuses unpaired UTF-16 surrogates in spec text given as a string (a file read as UTF-8 cannot hold them;
    /// a caller's string can), with the line and column.</summary>
    static void CheckSurrogates(string json, string source)
    {
        int line = 1, column = 1;
        for (int i = 0; i < json.Length; i++, column++)
        {
            char c = json[i];
            if (c == '\n') { line++; column = 0; continue; }
            if (char.IsHighSurrogate(c) && i + 1 < json.Length && char.IsLowSurrogate(json[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c))
                throw new OptionsValidationException($"{source}:{line}: column {column}: a lone surrogate (U+{(int)c:X4}) is not valid Unicode text.");
        }
    }

    /// <summary>The current string token (a key or a value); an escaped lone surrogate such as <c>"\ud800"</c> is refused
    /// with the path and line (System.Text.Json would throw an InvalidOperationException).</summary>
    static string ReadString(ref Utf8JsonReader reader, string source, int line, string path)
    {
        try { return reader.GetString()!; }
        catch (InvalidOperationException)
        {
            string raw = Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray());
            throw new OptionsValidationException($"{source}:{line}: {path}: the string \"{raw}\" holds a lone surrogate escape; " +
                "only a high surrogate followed by a low one (\\ud83d\\ude00) is valid Unicode text.");
        }
    }

    static SpecNode ReadValue(ref Utf8JsonReader reader, Func<long, int> lineOf, string source, string path)
    {
        int line = lineOf(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var node = new SpecNode { Kind = JsonValueKind.Object, Line = line };
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    int keyLine = lineOf(reader.TokenStartIndex);
                    var key = ReadString(ref reader, source, keyLine, path + ".<key>");
                    if (!seen.Add(key)) throw new OptionsValidationException($"{source}:{keyLine}: {path}.{key}: duplicate key.");
                    reader.Read();
                    node.Members.Add((key, keyLine, ReadValue(ref reader, lineOf, source, path + "." + key)));
                }
                return node;
            }
            case JsonTokenType.StartArray:
            {
                var node = new SpecNode { Kind = JsonValueKind.Array, Line = line };
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    node.Items.Add(ReadValue(ref reader, lineOf, source, $"{path}[{node.Items.Count}]"));
                return node;
            }
            case JsonTokenType.String: return new SpecNode { Kind = JsonValueKind.String, Line = line, Text = ReadString(ref reader, source, line, path) };
            case JsonTokenType.Number:
                return new SpecNode { Kind = JsonValueKind.Number, Line = line, Text = Encoding.UTF8.GetString(reader.ValueSpan) };
            case JsonTokenType.True: return new SpecNode { Kind = JsonValueKind.True, Line = line };
            case JsonTokenType.False: return new SpecNode { Kind = JsonValueKind.False, Line = line };
            case JsonTokenType.Null: return new SpecNode { Kind = JsonValueKind.Null, Line = line };
            default: throw new OptionsValidationException($"{source}:{line}: {path}: unexpected token {reader.TokenType}.");
        }
    }

    /// <summary>Edit distance, for "did you mean" suggestions.</summary>
    public static int Levenshtein(string a, string b)
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

    /// <summary>The candidates closest to <paramref name="word"/> (a typo, a prefix or a word inside), best first.</summary>
    public static IReadOnlyList<string> Closest(string word, IEnumerable<string> candidates, int max = 3)
    {
        var w = word.ToLowerInvariant();
        return candidates
            .Select(c => (c, d: c.StartsWith(w, StringComparison.OrdinalIgnoreCase) || (w.Length >= 3 && c.Contains(w, StringComparison.OrdinalIgnoreCase)) ? 0 : Levenshtein(w, c.ToLowerInvariant())))
            .Where(x => x.d <= Math.Max(2, w.Length / 3))
            .OrderBy(x => x.d).ThenBy(x => x.c, StringComparer.Ordinal).Take(max).Select(x => x.c).ToList();
    }

    public static string Invariant(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Reads the keys of one spec object with their expected types, collecting every problem (path and line)
/// instead of stopping at the first; <see cref="Finish"/> reports the keys nobody asked for.</summary>
internal sealed class SectionReader(SpecNode node, string path, string source, List<string> errors)
{
    readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public string Path => path;

    public void Error(int line, string keyPath, string message) => errors.Add($"{source}:{line}: {keyPath}: {message}");

    public int LineOf(string key) => node.Members.FirstOrDefault(m => m.Key == key) is { Value: not null } m ? m.Line : node.Line;

    SpecNode? Get(string key)
    {
        _known.Add(key);
        foreach (var m in node.Members) if (m.Key == key) return m.Value;
        return null;
    }

    bool Present(string key, out SpecNode value, bool allowNull = false)
    {
        value = Get(key)!;
        return value is not null && (allowNull || value.Kind != JsonValueKind.Null);
    }

    /// <summary>One rule for null, for every key type: null is accepted only where the key's default is null (it then
    /// means the same as leaving the key out); a key with a non-null default refuses null with its path.</summary>
    void TypeError(string key, SpecNode v, string expected) => Error(v.Line, $"{path}.{key}", $"expected {expected}, got {v.Describe()}" +
        (v.Kind == JsonValueKind.Null ? " (null is accepted only by keys whose default is null; leave the key out for its default)." : "."));

    /// <summary>The value of a non-nullable key: absent gives null (the caller's default), present null is refused.</summary>
    bool NonNull(string key, out SpecNode value, string expected)
    {
        value = Get(key)!;
        if (value is null) return false;
        if (value.Kind != JsonValueKind.Null) return true;
        TypeError(key, value, expected);
        return false;
    }

    /// <summary>A string. When <paramref name="fallback"/> is null and the key is optional, null is accepted (as absent);
    /// otherwise null is refused like any other wrong type.</summary>
    public string? String(string key, string? fallback, bool required = false)
    {
        var v = Get(key);
        if (v is null) { if (required) Error(node.Line, $"{path}.{key}", "missing; it is required."); return fallback; }
        if (v.Kind == JsonValueKind.Null && fallback is null && !required) return null;
        if (v.Kind != JsonValueKind.String) { TypeError(key, v, "a string"); return fallback; }
        return v.Text;
    }

    public bool Bool(string key, bool fallback)
    {
        if (!NonNull(key, out var v, "true or false")) return fallback;
        if (v.Kind is JsonValueKind.True or JsonValueKind.False) return v.Kind == JsonValueKind.True;
        TypeError(key, v, "true or false");
        return fallback;
    }

    public int Int(string key, int fallback) => NullableInt(key, fallback, allowNull: false) ?? fallback;

    public int? NullableInt(string key, int? fallback, bool allowNull = true)
    {
        var v = Get(key);
        if (v is null) return fallback;
        if (v.Kind == JsonValueKind.Null) { if (allowNull) return null; TypeError(key, v, "an integer"); return fallback; }
        if (v.Kind == JsonValueKind.Number && int.TryParse(v.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) return i;
        TypeError(key, v, allowNull ? "an integer or null" : "an integer");
        return fallback;
    }

    public double Double(string key, double fallback) => NullableDouble(key, fallback, allowNull: false) ?? fallback;

    public double? NullableDouble(string key, double? fallback, bool allowNull = true)
    {
        var v = Get(key);
        if (v is null) return fallback;
        if (v.Kind == JsonValueKind.Null) { if (allowNull) return null; TypeError(key, v, "a number"); return fallback; }
        if (v.Kind == JsonValueKind.Number && double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
        TypeError(key, v, allowNull ? "a number or null" : "a number");
        return fallback;
    }

    public IReadOnlyList<double> Doubles(string key, IReadOnlyList<double> fallback)
    {
        if (!NonNull(key, out var v, "an array of numbers")) return fallback;
        if (v.Kind != JsonValueKind.Array) { TypeError(key, v, "an array of numbers"); return fallback; }
        var list = new List<double>();
        for (int i = 0; i < v.Items.Count; i++)
        {
            var item = v.Items[i];
            if (item.Kind == JsonValueKind.Number && double.TryParse(item.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) list.Add(d);
            else { Error(item.Line, $"{path}.{key}[{i}]", $"expected a number, got {item.Describe()}."); return fallback; }
        }
        return list;
    }

    /// <summary>An enum by name: case, '_' and '-' do not matter ("light_gbm", "LightGbm"); <paramref name="aliases"/> add short names.</summary>
    public T Enum<T>(string key, T fallback, IReadOnlyDictionary<string, T>? aliases = null) where T : struct, System.Enum
    {
        var names = System.Enum.GetValues<T>().Select(SpecText.EnumName).Concat(aliases?.Keys ?? []).ToList();
        if (!NonNull(key, out var v, "one of " + string.Join(", ", names))) return fallback;
        if (v.Kind != JsonValueKind.String) { TypeError(key, v, "one of " + string.Join(", ", names)); return fallback; }
        static string Norm(string s) => s.Replace("_", "").Replace("-", "").ToLowerInvariant();
        if (aliases is not null)
            foreach (var (alias, value) in aliases) if (Norm(alias) == Norm(v.Text!)) return value;
        foreach (var e in System.Enum.GetValues<T>()) if (Norm(e.ToString()) == Norm(v.Text!)) return e;
        var near = SpecJson.Closest(v.Text!, names);
        Error(v.Line, $"{path}.{key}", $"unknown value \"{v.Text}\"; expected one of {string.Join(", ", names)}" + (near.Count > 0 ? $" (did you mean \"{near[0]}\"?)" : "") + ".");
        return fallback;
    }

    /// <summary>An enum or the word <paramref name="nullName"/> (for example "auto"), which reads as null.</summary>
    public T? OptionalEnum<T>(string key, string nullName) where T : struct, System.Enum
    {
        if (Present(key, out var v) && v.Kind == JsonValueKind.String && string.Equals(v.Text, nullName, StringComparison.OrdinalIgnoreCase)) return null;
        if (v is null || v.Kind == JsonValueKind.Null) return null;
        var before = errors.Count;
        var value = Enum(key, default(T));
        if (errors.Count > before) errors[^1] = errors[^1].TrimEnd('.') + $" or \"{nullName}\".";
        return errors.Count > before ? null : value;
    }

    /// <summary>An object of name -> number (promotion floors), in file order.</summary>
    public IReadOnlyList<(string Name, int Line, double Value)> NumberMap(string key)
    {
        if (!NonNull(key, out var v, "an object of metric name -> number")) return [];
        if (v.Kind != JsonValueKind.Object) { TypeError(key, v, "an object of metric name -> number"); return []; }
        var list = new List<(string, int, double)>();
        foreach (var (name, line, value) in v.Members)
        {
            if (value.Kind == JsonValueKind.Number && double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                list.Add((name, line, d));
            else Error(value.Line, $"{path}.{key}.{name}", $"expected a number, got {value.Describe()}.");
        }
        return list;
    }

    /// <summary>A nested object; null (with no error) when absent, so its defaults apply. A null value is refused unless
    /// <paramref name="nullable"/> (an optional analysis whose default is "not run": null then reads as absent).</summary>
    public SectionReader? Section(string key, bool nullable = false)
    {
        if (nullable ? !Present(key, out var v) : !NonNull(key, out v, "an object")) return null;
        if (v.Kind != JsonValueKind.Object) { TypeError(key, v, "an object"); return null; }
        return new SectionReader(v, $"{path}.{key}", source, errors);
    }

    /// <summary>Reports every key that no read asked for, with the closest known key.</summary>
    public void Finish()
    {
        foreach (var (key, line, _) in node.Members)
        {
            if (_known.Contains(key)) continue;
            var near = SpecJson.Closest(key, _known);
            Error(line, $"{path}.{key}", "unknown key" + (near.Count > 0 ? $"; did you mean '{near[0]}'?" : ".") +
                $" Known keys here: {string.Join(", ", _known.Order(StringComparer.Ordinal))}.");
        }
    }
}

internal static class SpecText
{
    /// <summary>snake_case enum name ("LightGbm" -> "light_gbm", "KeepNaN" -> "keep_nan").</summary>
    public static string EnumName<T>(T value) where T : struct, System.Enum =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString().Replace("NaN", "Nan", StringComparison.Ordinal));
}
