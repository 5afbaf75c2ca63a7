using System.Text.RegularExpressions;

namespace Workbench.Notebooks;

/// <summary>A pattern replaced before outputs are compared (volatile ids, times, paths).</summary>
public sealed record OutputSanitizer(string Pattern, string Replacement);

/// <summary>Options of verify: extra sanitizers on top of the defaults, and the per-cell timeout.</summary>
/// <param name="ExtraSanitizers">Patterns replaced on top of <see cref="NotebookVerifier.DefaultSanitizers"/>.</param>
/// <param name="CellTimeout">Per-cell time limit; null means <see cref="NotebookVerifier.DefaultCellTimeout"/> (verify runs
/// unattended, in CI: a cell that never ends must fail the check, not hang it).</param>
/// <param name="ExecutorCommand">Run the cells in a supervised child process (see <see cref="NotebookRunOptions.ExecutorCommand"/>).</param>
public sealed record NotebookVerifyOptions(IReadOnlyList<OutputSanitizer>? ExtraSanitizers = null, TimeSpan? CellTimeout = null,
    IReadOnlyList<string>? ExecutorCommand = null);

/// <summary>One output that differs between the committed notebook and a fresh run.</summary>
/// <param name="CellIndex">0-based index among all cells.</param>
/// <param name="CellId">The cell id, when the notebook has ids.</param>
/// <param name="Kind">What was compared: stream:stdout, text/plain, text/html, error, or "outputs" for a count mismatch.</param>
/// <param name="Diff">nbval-style lines: "- expected", "+ actual".</param>
public sealed record OutputDifference(int CellIndex, string? CellId, string Kind, string Diff);

/// <summary>The differences found; none means the notebook reproduces.</summary>
public sealed record NotebookVerifyResult(IReadOnlyList<OutputDifference> Differences, NotebookRunResult Run)
{
    /// <summary>True when every compared output matched.</summary>
    public bool Reproduces => Differences.Count == 0;
}

/// <summary>Re-executes a notebook and compares each code cell's outputs with the committed ones (as nbval does):
/// streams, text/plain, errors, charts' application/vnd.plotly.v1+json, and text/html after sanitizers remove GUIDs,
/// timestamps, durations, temp paths and charts' static images (browser-drawn pixels are not compared; the chart data is).
/// Cells tagged <c>nbval-ignore-output</c> or <c>verify-ignore-output</c> are run but not compared.</summary>
public static class NotebookVerifier
{
    const string PlotlyMime = "application/vnd.plotly.v1+json";

    /// <summary>The per-cell timeout of verify when none is given: 10 minutes.</summary>
    public static TimeSpan DefaultCellTimeout { get; } = TimeSpan.FromMinutes(10);

    /// <summary>The sanitizers always applied.</summary>
    public static IReadOnlyList<OutputSanitizer> DefaultSanitizers { get; } =
    [
        new(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "<GUID>"),
        // Not \b: Plotly.NET names its render function renderPlotly_<32 hex>, and "_" is a word character.
        new(@"(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z])", "<ID>"),
        // A chart's element id (DisplayFormatter.ChartElementId): a digest of its figure, compared as data through
        // application/vnd.plotly.v1+json, and its ordinal in the session; outputs committed before ids were
        // deterministic carry a random one instead (the pattern above).
        new(@"wb-chart-[0-9a-f]{12}-[0-9]+", "wb-chart-<ID>"),
        new(@"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?", "<TIMESTAMP>"),
        new(@"\b\d{1,2}:\d{2}:\d{2}\.\d+\b", "<TIMESPAN>"),
        new(@"\b\d+(\.\d+)?\s?(ms|µs|us|ns|sec|seconds|s)\b", "<DURATION>"),
        new(Regex.Escape(Path.GetTempPath().TrimEnd('/', '\\')) + @"[^\s""'<>]*", "<TEMP>"),
        new(@"/tmp/[^\s""'<>]*", "<TEMP>"),
        // A chart's static image is drawn by a browser: its pixels may differ by browser version and fonts. What it
        // shows is compared through the chart's application/vnd.plotly.v1+json (data and layout), not its PNG bytes.
        new(@"<div class=""workbench-chart""[^>]*>.*?</div>", @"<div class=""workbench-chart""><CHART IMAGE></div>"),
    ];

    /// <summary>Verifies with the default sanitizers.</summary>
    public static Task<NotebookVerifyResult> VerifyAsync(NotebookDocument committed, CancellationToken cancellationToken = default) =>
        VerifyAsync(committed, new NotebookVerifyOptions(), cancellationToken);

    /// <summary>Runs a copy of <paramref name="committed"/> (parameters as committed) and compares outputs.</summary>
    public static async Task<NotebookVerifyResult> VerifyAsync(NotebookDocument committed, NotebookVerifyOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(committed);
        ArgumentNullException.ThrowIfNull(options);
        var sanitizers = DefaultSanitizers.Concat(options.ExtraSanitizers ?? [])
            .Select(s => (Regex: new Regex(s.Pattern, RegexOptions.CultureInvariant), s.Replacement)).ToList();
        var run = await NotebookRunner.RunAsync(committed, new NotebookRunOptions(CellTimeout: options.CellTimeout ?? DefaultCellTimeout, ExecutorCommand: options.ExecutorCommand), null, cancellationToken).ConfigureAwait(false);

        var expectedCells = committed.Cells;
        var actualCells = run.Notebook.Cells;
        var differences = new List<OutputDifference>();
        for (var i = 0; i < expectedCells.Count && i < actualCells.Count; i++)
        {
            var expected = expectedCells[i];
            if (expected.CellType != "code" || expected.HasTag("nbval-ignore-output") || expected.HasTag("verify-ignore-output")) continue;
            if (run.FailedCellIndex is { } failed && i > failed)
            {
                differences.Add(new OutputDifference(i, expected.Id, "outputs", $"  not run: the run stopped at cell {failed + 1}"));
                break;
            }
            var want = Comparable(expected.ReadOutputs(), sanitizers);
            var got = Comparable(actualCells[i].ReadOutputs(), sanitizers);
            if (want.Count != got.Count)
                differences.Add(new OutputDifference(i, expected.Id, "outputs",
                    $"  expected {want.Count} output(s) [{string.Join(", ", want.Select(w => w.Kind))}], got {got.Count} [{string.Join(", ", got.Select(g => g.Kind))}]"));
            for (var o = 0; o < Math.Min(want.Count, got.Count); o++)
            {
                if (want[o].Kind != got[o].Kind)
                    differences.Add(new OutputDifference(i, expected.Id, want[o].Kind, $"  expected a {want[o].Kind} output, got {got[o].Kind}"));
                else if (want[o].Text != got[o].Text)
                    differences.Add(new OutputDifference(i, expected.Id, want[o].Kind, LineDiff(want[o].Text, got[o].Text)));
            }
        }
        return new NotebookVerifyResult(differences, run);
    }

    /// <summary>Outputs flattened to (kind, sanitized text) pairs, adjacent stream chunks merged.</summary>
    static List<(string Kind, string Text)> Comparable(IReadOnlyList<CellOutput> outputs, List<(Regex Regex, string Replacement)> sanitizers)
    {
        string Clean(string text) => sanitizers.Aggregate(text.Replace("\r\n", "\n"), (t, s) => s.Regex.Replace(t, s.Replacement));
        var items = new List<(string Kind, string Text)>();
        foreach (var output in outputs)
        {
            switch (output)
            {
                case StreamOutput s when items.Count > 0 && items[^1].Kind == "stream:" + s.Name:
                    items[^1] = (items[^1].Kind, string.Concat(items[^1].Text, s.Text)); // outputs are merged runs already: rare
                    break;
                case StreamOutput s: items.Add(("stream:" + s.Name, s.Text)); break;
                case ErrorOutput e: items.Add(("error", e.Name + ": " + e.Message)); break;
                case DisplayOutput d:
                    if (d.Data.TryGetValue("text/plain", out var plain)) items.Add(("text/plain", plain));
                    if (d.Data.TryGetValue("text/html", out var html)) items.Add(("text/html", html));
                    if (d.Data.TryGetValue(PlotlyMime, out var figure)) items.Add((PlotlyMime, CanonicalJson(figure)));
                    break;
            }
        }
        return items.Select(i => (i.Kind, Clean(i.Text))).ToList();
    }

    /// <summary>JSON with object keys sorted and only necessary escapes: a saved notebook stores a chart's figure with
    /// sorted keys, a fresh run has Plotly.NET's order; the same figure must compare equal.</summary>
    internal static string CanonicalJson(string json)
    {
        System.Text.Json.Nodes.JsonNode? node;
        try { node = System.Text.Json.Nodes.JsonNode.Parse(json); }
        catch (System.Text.Json.JsonException) { return json; }
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Sorted(node)?.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.ToArray());

        static System.Text.Json.Nodes.JsonNode? Sorted(System.Text.Json.Nodes.JsonNode? n) => n switch
        {
            System.Text.Json.Nodes.JsonObject o => new System.Text.Json.Nodes.JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
            System.Text.Json.Nodes.JsonArray a => new System.Text.Json.Nodes.JsonArray(a.Select(Sorted).ToArray()),
            _ => n?.DeepClone(),
        };
    }

    /// <summary>A line diff (longest common subsequence), "-" for expected-only lines, "+" for actual-only lines.</summary>
    internal static string LineDiff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var sb = new StringBuilder();
        if ((long)a.Length * b.Length > 4_000_000)
        {
            var first = Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(k => a[k] != b[k]);
            sb.Append("  first difference at line ").Append(first + 1).Append('\n')
              .Append("- ").Append(first < a.Length ? a[first] : "").Append('\n')
              .Append("+ ").Append(first < b.Length ? b[first] : "");
            return sb.ToString();
        }
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) { x++; y++; continue; }
            if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y])) sb.Append("+ ").Append(Shorten(b[y++])).Append('\n');
            else sb.Append("- ").Append(Shorten(a[x++])).Append('\n');
        }
        return sb.ToString().TrimEnd('\n');
    }

    static string Shorten(string line) => line.Length <= 300 ? line : line[..300] + $"... ({line.Length} chars)";
}
