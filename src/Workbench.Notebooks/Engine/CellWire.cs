namespace Workbench.Notebooks;

/// <summary>The line protocol between a <see cref="ChildProcessSession"/> and its <see cref="CellExecutorHost"/>: one JSON
/// object per line (JSON text never holds a raw newline), UTF-8, on the child's stdin and stdout.
/// Parent to child: <c>init</c> (session options), <c>execute</c>, <c>complete</c>, <c>inspect</c>, <c>interrupt</c>,
/// <c>shutdown</c>, <c>input_reply</c> (the answer to an input_request). Child to parent: <c>ready</c>, <c>output</c> (streamed while a cell runs), <c>input_request</c> (a cell waits in Console.ReadLine), <c>done</c> (the cell's
/// status and final outputs), <c>completed</c>, <c>inspected</c>, and <c>fatal</c> (an unhandled exception on some
/// thread, sent just before .NET ends the child).</summary>
internal static class CellWire
{
    public static JsonObject Output(CellOutput output) => output switch
    {
        StreamOutput s => new JsonObject { ["type"] = "stream", ["name"] = Clean(s.Name), ["text"] = Clean(s.Text) },
        DisplayOutput d => new JsonObject
        {
            ["type"] = "display",
            ["data"] = new JsonObject(d.Data.Select(kv => KeyValuePair.Create(Clean(kv.Key), (JsonNode?)JsonValue.Create(Clean(kv.Value))))),
            ["is_result"] = d.IsResult,
            ["display_id"] = d.DisplayId is null ? null : Clean(d.DisplayId),
            ["is_update"] = d.IsUpdate,
        },
        ErrorOutput e => new JsonObject
        {
            ["type"] = "error", ["name"] = Clean(e.Name), ["message"] = Clean(e.Message),
            ["traceback"] = new JsonArray(e.Traceback.Select(t => (JsonNode?)JsonValue.Create(Clean(t))).ToArray()),
        },
        _ => throw new ArgumentException($"unknown output {output.GetType().Name}", nameof(output)),
    };

    public static CellOutput ReadOutput(JsonNode? node)
    {
        var o = node as JsonObject ?? throw new FormatException("an output is not an object");
        return Text(o, "type") switch
        {
            "stream" => new StreamOutput(Text(o, "name"), Text(o, "text")),
            "display" => new DisplayOutput(
                (o["data"] as JsonObject ?? throw new FormatException("display output without data"))
                    .ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "", StringComparer.Ordinal),
                o["is_result"]?.GetValue<bool>() ?? false,
                o["display_id"]?.GetValue<string>(),
                o["is_update"]?.GetValue<bool>() ?? false),
            "error" => new ErrorOutput(Text(o, "name"), Text(o, "message"),
                (o["traceback"] as JsonArray ?? []).Select(t => t?.GetValue<string>() ?? "").ToList()),
            var t => throw new FormatException($"unknown output type '{t}'"),
        };
    }

    public static string Text(JsonObject o, string key) => o[key]?.GetValue<string>() ?? throw new FormatException($"'{key}' is missing");

    public static long Id(JsonObject o) => o["id"]?.GetValue<long>() ?? -1;

    public static int? Millis(TimeSpan? t) => t is { } v ? (int)Math.Min(int.MaxValue, Math.Ceiling(v.TotalMilliseconds)) : null;

    public static TimeSpan? FromMillis(JsonNode? n) => n is null ? null : TimeSpan.FromMilliseconds(n.GetValue<int>());

    /// <summary>A lone UTF-16 surrogate (a cell may print one) cannot be written as JSON text: it becomes U+FFFD.</summary>
    public static string Clean(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            var sb = new StringBuilder(text.Length);
            for (int j = 0; j < text.Length; j++)
            {
                char c = text[j];
                if (char.IsHighSurrogate(c) && j + 1 < text.Length && char.IsLowSurrogate(text[j + 1])) { sb.Append(c).Append(text[++j]); continue; }
                sb.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
            return sb.ToString();
        }
        return text;
    }

    public static JsonObject Options(NotebookSessionOptions options) => new()
    {
        ["op"] = "init",
        ["cell_timeout_ms"] = Millis(options.CellTimeout),
        ["interrupt_grace_ms"] = Millis(options.InterruptGrace),
        ["html_table_rows"] = options.HtmlTableRows,
        ["working_directory"] = options.WorkingDirectory,
        ["nuget_packages_root"] = options.NuGetPackagesRoot,
    };

    public static NotebookSessionOptions ReadOptions(JsonObject o) => new(
        CellTimeout: FromMillis(o["cell_timeout_ms"]),
        InterruptGrace: FromMillis(o["interrupt_grace_ms"]),
        HtmlTableRows: o["html_table_rows"]?.GetValue<int>() ?? 25,
        WorkingDirectory: o["working_directory"]?.GetValue<string>(),
        NuGetPackagesRoot: o["nuget_packages_root"]?.GetValue<string>());

    public static string Invariant(long v) => v.ToString(CultureInfo.InvariantCulture);
}
