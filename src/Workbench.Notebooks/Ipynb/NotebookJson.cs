using System.Text.Json;

namespace Workbench.Notebooks;

/// <summary>Writes JSON the way nbformat does (json.dumps with indent=1, sort_keys=True, ensure_ascii=False,
/// separators (",", ": ")), so a notebook saved here diffs cleanly against one saved by Jupyter and the same
/// notebook always gives the same bytes.</summary>
internal static class NotebookJson
{
    public static string Write(JsonNode? node)
    {
        var builder = new StringBuilder();
        WriteNode(builder, node, 0);
        builder.Append('\n');
        return builder.ToString();
    }

    static void WriteNode(StringBuilder b, JsonNode? node, int depth)
    {
        switch (node)
        {
            case null: b.Append("null"); break;
            case JsonObject obj:
                if (obj.Count == 0) { b.Append("{}"); break; }
                b.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    b.Append(first ? "\n" : ",\n");
                    first = false;
                    Indent(b, depth + 1);
                    WriteString(b, key);
                    b.Append(": ");
                    WriteNode(b, value, depth + 1);
                }
                b.Append('\n');
                Indent(b, depth);
                b.Append('}');
                break;
            case JsonArray array:
                if (array.Count == 0) { b.Append("[]"); break; }
                b.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    b.Append(i == 0 ? "\n" : ",\n");
                    Indent(b, depth + 1);
                    WriteNode(b, array[i], depth + 1);
                }
                b.Append('\n');
                Indent(b, depth);
                b.Append(']');
                break;
            case JsonValue value:
                WriteValue(b, value);
                break;
        }
    }

    static void WriteValue(StringBuilder b, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String: WriteString(b, value.GetValue<string>()); break;
            case JsonValueKind.True: b.Append("true"); break;
            case JsonValueKind.False: b.Append("false"); break;
            case JsonValueKind.Null: b.Append("null"); break;
            case JsonValueKind.Number:
                // Numbers read from a file keep their original text; numbers we create are integers or invariant doubles.
                if (value.TryGetValue<JsonElement>(out var element)) b.Append(element.GetRawText());
                else if (value.TryGetValue<int>(out var i)) b.Append(i.ToString(CultureInfo.InvariantCulture));
                else if (value.TryGetValue<long>(out var l)) b.Append(l.ToString(CultureInfo.InvariantCulture));
                else if (value.TryGetValue<double>(out var d)) b.Append(d.ToString("R", CultureInfo.InvariantCulture));
                else b.Append(value.ToJsonString());
                break;
            default: b.Append(value.ToJsonString()); break;
        }
    }

    static void Indent(StringBuilder b, int depth) => b.Append(' ', depth);

    /// <summary>Python json string escaping with ensure_ascii=False: only quote, backslash and control characters.</summary>
    static void WriteString(StringBuilder b, string s)
    {
        b.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                case '\b': b.Append("\\b"); break;
                case '\f': b.Append("\\f"); break;
                default:
                    if (c < 0x20) b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else b.Append(c);
                    break;
            }
        }
        b.Append('"');
    }

    /// <summary>Python's str.splitlines(keepends=True), which nbformat uses to store multi-line strings as lists.</summary>
    public static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var isBreak = c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029';
            if (!isBreak) continue;
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            lines.Add(text[start..(i + 1)]);
            start = i + 1;
        }
        if (start < text.Length) lines.Add(text[start..]);
        return lines;
    }

    /// <summary>A multi-line string as nbformat stores it (a list of lines with their line ends).</summary>
    public static JsonArray MultilineNode(string text) => new(SplitLines(text).Select(l => (JsonNode?)JsonValue.Create(l)).ToArray());

    /// <summary>True for MIME types whose nbformat/Jupyter value is a JSON object rather than text (application/json and
    /// any <c>+json</c> type such as application/vnd.plotly.v1+json).</summary>
    public static bool IsJsonMime(string mime) =>
        mime == "application/json" || mime.EndsWith("+json", StringComparison.Ordinal);

    /// <summary>Reads nbformat's "multiline string": a string or a list of strings.</summary>
    public static string ReadMultiline(JsonNode? node) => node switch
    {
        null => "",
        JsonArray parts => string.Concat(parts.Select(p => p?.GetValue<string>() ?? "")),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
