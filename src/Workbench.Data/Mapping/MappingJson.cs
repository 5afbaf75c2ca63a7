using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Workbench.Data;

/// <summary>A JSON value with the line it starts on, so mapping errors can say where they are
/// (System.Text.Json's DOM keeps no positions).</summary>
internal sealed class MappingNode
{
    public required JsonValueKind Kind { get; init; }
    public required int Line { get; init; }
    /// <summary>Members of an object in file order: key, the key's line, the value.</summary>
    public List<(string Key, int Line, MappingNode Value)> Members { get; } = [];
    public List<MappingNode> Items { get; } = [];
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

/// <summary>Parses a mapping file into line-numbered nodes (comments and trailing commas allowed) and offers the
/// "did you mean" helper the mapping reader uses for misspelled keys.</summary>
internal static class MappingJson
{
    public static MappingNode Parse(string json, string source)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var lineStarts = new List<int> { 0 };
        for (int i = 0; i < bytes.Length; i++) if (bytes[i] == (byte)'\n') lineStarts.Add(i + 1);
        int LineOf(long offset)
        {
            int idx = lineStarts.BinarySearch((int)offset);
            return (idx >= 0 ? idx : ~idx - 1) + 1;
        }
        // Skip a UTF-8 byte order mark.
        var span = bytes.AsSpan();
        int bom = span.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }) ? 3 : 0;
        var reader = new Utf8JsonReader(span[bom..], new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read()) throw new OptionsValidationException($"{source}: the mapping is empty; expected a JSON object.");
            var root = ReadValue(ref reader, o => LineOf(o + bom), source, "$");
            if (reader.Read()) throw new OptionsValidationException($"{source}:{LineOf(reader.TokenStartIndex + bom)}: unexpected content after the mapping's closing brace.");
            return root;
        }
        catch (JsonException ex)
        {
            throw new OptionsValidationException($"{source}:{ex.LineNumber + 1}: invalid JSON in the mapping: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            // A string the reader cannot unescape (a lone surrogate escape such as "\ud800").
            throw new OptionsValidationException($"{source}:{LineOf(reader.TokenStartIndex + bom)}: invalid string in the mapping: {ex.Message}");
        }
    }

    static MappingNode ReadValue(ref Utf8JsonReader reader, Func<long, int> lineOf, string source, string path)
    {
        int line = lineOf(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var node = new MappingNode { Kind = JsonValueKind.Object, Line = line };
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    int keyLine = lineOf(reader.TokenStartIndex);
                    if (!seen.Add(key)) throw new OptionsValidationException($"{source}:{keyLine}: {path}.{key}: duplicate key.");
                    reader.Read();
                    node.Members.Add((key, keyLine, ReadValue(ref reader, lineOf, source, path + "." + key)));
                }
                return node;
            }
            case JsonTokenType.StartArray:
            {
                var node = new MappingNode { Kind = JsonValueKind.Array, Line = line };
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    node.Items.Add(ReadValue(ref reader, lineOf, source, $"{path}[{node.Items.Count}]"));
                return node;
            }
            case JsonTokenType.String: return new MappingNode { Kind = JsonValueKind.String, Line = line, Text = reader.GetString() };
            case JsonTokenType.Number:
                return new MappingNode { Kind = JsonValueKind.Number, Line = line, Text = Encoding.UTF8.GetString(reader.ValueSpan) };
            case JsonTokenType.True: return new MappingNode { Kind = JsonValueKind.True, Line = line };
            case JsonTokenType.False: return new MappingNode { Kind = JsonValueKind.False, Line = line };
            case JsonTokenType.Null: return new MappingNode { Kind = JsonValueKind.Null, Line = line };
            default: throw new OptionsValidationException($"{source}:{line}: {path}: unexpected token {reader.TokenType}.");
        }
    }

    static int Levenshtein(string a, string b)
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

    /// <summary>" (did you mean 'x'?)" for the closest candidate, or "" when none is close.</summary>
    public static string DidYouMean(string word, IEnumerable<string> candidates)
    {
        var w = word.ToLowerInvariant().Replace("_", "", StringComparison.Ordinal);
        var best = candidates
            .Select(c => (c, d: Levenshtein(w, c.ToLowerInvariant().Replace("_", "", StringComparison.Ordinal))))
            .Where(x => x.d <= Math.Max(2, w.Length / 3))
            .OrderBy(x => x.d).ThenBy(x => x.c, StringComparer.Ordinal).Select(x => x.c).FirstOrDefault();
        return best is null ? "" : $" (did you mean '{best}'?)";
    }

    public static string Invariant(long v) => v.ToString(CultureInfo.InvariantCulture);
}
