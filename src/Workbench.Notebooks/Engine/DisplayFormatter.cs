using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace Workbench.Notebooks;

/// <summary>Turns a value into a MIME bundle: text/plain always; text/html for <see cref="IHtmlDisplay"/>, for types with
/// a rendering registered in <see cref="DisplayRegistry"/> (Workbench.Reporting registers its results' HTML there),
/// Microsoft.Data.Analysis data frames and Plotly.NET charts. The engine does not reference those libraries:
/// it recognizes them by type name and calls them through reflection. Charts become a bundle for every viewer
/// (see <see cref="ChartBundle"/>).</summary>
internal sealed class DisplayFormatter(int htmlTableRows)
{
    const string DataFrameType = "Microsoft.Data.Analysis.DataFrame";
    const string GenericChartType = "Plotly.NET.GenericChart";

    string? ChartBundleHtml(object chart, IDictionary<string, string> bundle)
    {
        ChartBundle(chart, bundle);
        return bundle["text/html"];
    }

    public IReadOnlyDictionary<string, string> Format(object? value)
    {
        var data = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["text/plain"] = PlainText(value) };
        if (value is not null && value is not IHtmlDisplay && RegisteredDisplays(value) is { Count: > 0 } registered)
        {
            foreach (var (mime, text) in registered) data[mime] = text;
            return data;
        }
        var html = value switch
        {
            null => null,
            IHtmlDisplay custom => custom.ToHtml(),
            _ when IsOrDerivesFrom(value.GetType(), DataFrameType) => DataFrameHtml(value, data),
            _ when IsOrDerivesFrom(value.GetType(), GenericChartType) => ChartBundleHtml(value, data),
            _ => null,
        };
        if (html is not null) data["text/html"] = html;
        return data;
    }

    /// <summary>The renderings registered for the value, after running the registrations of every Workbench assembly
    /// beside the engine and of every assembly loaded so far (a cell's #r may have loaded one).</summary>
    static IReadOnlyDictionary<string, string> RegisteredDisplays(object value)
    {
        _ = DisplayProviders.Value;
        DisplayRegistry.EnsureRegistrationsOfLoadedAssemblies();
        return DisplayRegistry.Format(value);
    }

    /// <summary>Loads the Workbench.*.dll files beside the engine once, so their display registrations are found even
    /// when no cell has touched them yet.</summary>
    static readonly Lazy<int> DisplayProviders = new(() =>
    {
        var loaded = 0;
        foreach (var path in Directory.GetFiles(AppContext.BaseDirectory, "Workbench.*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (name.EndsWith(".Tests", StringComparison.Ordinal) || !AssemblyFiles.IsManagedAssembly(path)) continue;
            try { DisplayRegistry.EnsureRegistrations(Assembly.Load(new AssemblyName(name))); loaded++; }
            catch (FileNotFoundException) { }
            catch (FileLoadException) { }
            catch (BadImageFormatException) { }
        }
        return loaded;
    });

    /// <summary>Invariant-culture text; sequences listed (first 20 items) unless the type has its own ToString.</summary>
    public static string PlainText(object? value)
    {
        switch (value)
        {
            case null: return "null";
            case string s: return s;
            case DateTime or DateOnly or DateTimeOffset: return CellText(value);
            case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
            case IEnumerable items when !OverridesToString(value.GetType()):
                const int shown = 20;
                var parts = new List<string>();
                var count = 0;
                foreach (var item in items)
                {
                    if (count++ < shown) parts.Add(PlainText(item));
                }
                var more = count > shown ? $", ... ({count - shown} more)" : "";
                return "[" + string.Join(", ", parts) + more + "]";
            default: return value.ToString() ?? "";
        }
    }

    static bool OverridesToString(Type type) =>
        type.GetMethod(nameof(ToString), Type.EmptyTypes)?.DeclaringType is { } declaring && declaring != typeof(object);

    static bool IsOrDerivesFrom(Type? type, string fullName)
    {
        for (; type is not null; type = type.BaseType)
            if (type.FullName == fullName) return true;
        return false;
    }

    /// <summary>An escaped HTML table of the first rows of a Microsoft.Data.Analysis.DataFrame.</summary>
    /// <summary>Also replaces the bundle's text/plain (DataFrame.ToString) with the same rows as aligned text.</summary>
    string DataFrameHtml(object frame, IDictionary<string, string> bundle)
    {
        var type = frame.GetType();
        var columns = ((IEnumerable)type.GetProperty("Columns")!.GetValue(frame)!).Cast<object>().ToList();
        var rows = Convert.ToInt64(type.GetProperty("Rows")!.GetValue(frame)!.GetType().GetProperty("Count")!
            .GetValue(type.GetProperty("Rows")!.GetValue(frame)), CultureInfo.InvariantCulture);
        var shownRows = Math.Min(rows, htmlTableRows);
        var html = new StringBuilder();
        html.Append("<table class=\"workbench-dataframe\"><thead><tr><th></th>");
        foreach (var column in columns)
            html.Append("<th>").Append(Escape(column.GetType().GetProperty("Name")!.GetValue(column) as string ?? "")).Append("</th>");
        html.Append("</tr></thead><tbody>");
        var indexers = columns.Select(c => c.GetType().GetProperty("Item", [typeof(long)])).ToList();
        var names = columns.Select(c => c.GetType().GetProperty("Name")!.GetValue(c) as string ?? "").ToList();
        var textRows = new List<string[]>();
        for (long row = 0; row < shownRows; row++)
        {
            html.Append("<tr><td>").Append(row.ToString(CultureInfo.InvariantCulture)).Append("</td>");
            var texts = new string[columns.Count];
            for (var c = 0; c < columns.Count; c++)
            {
                var cell = indexers[c]?.GetValue(columns[c], [row]);
                texts[c] = cell is null ? "" : CellText(cell);
                html.Append("<td>").Append(Escape(texts[c])).Append("</td>");
            }
            textRows.Add(texts);
            html.Append("</tr>");
        }
        var widths = names.Select((n, c) => Math.Max(n.Length, textRows.Count == 0 ? 0 : textRows.Max(r => r[c].Length))).ToList();
        var plain = new StringBuilder();
        plain.AppendJoin("  ", names.Select((n, c) => n.PadRight(widths[c]))).Append('\n');
        foreach (var r in textRows) plain.AppendJoin("  ", r.Select((t, c) => t.PadRight(widths[c]))).Append('\n');
        plain.Append(rows.ToString(CultureInfo.InvariantCulture)).Append(" rows x ").Append(columns.Count.ToString(CultureInfo.InvariantCulture)).Append(" columns");
        if (rows > shownRows) plain.Append(" (first ").Append(shownRows.ToString(CultureInfo.InvariantCulture)).Append(" shown)");
        bundle["text/plain"] = plain.ToString();
        html.Append("</tbody></table>");
        html.Append("<p class=\"workbench-dataframe-footer\">")
            .Append(rows.ToString(CultureInfo.InvariantCulture)).Append(" rows × ")
            .Append(columns.Count.ToString(CultureInfo.InvariantCulture)).Append(" columns");
        if (rows > shownRows) html.Append(" (first ").Append(shownRows.ToString(CultureInfo.InvariantCulture)).Append(" shown)");
        html.Append("</p>");
        return html.ToString();
    }

    /// <summary>The plotly.js version Plotly.NET embeds, and where the notebook HTML loads it from (once per page).</summary>
    internal const string PlotlyCdnBase = "https://cdn.plot.ly/plotly-";

    /// <summary>A chart in every viewer: <c>application/vnd.plotly.v1+json</c> (data, layout, config from Plotly.NET's
    /// GenericChart.toJson; VS Code and JupyterLab draw it natively), <c>image/png</c> drawn by plotly.js in a headless
    /// browser (<see cref="ChartImageRenderer"/>; GitHub, nbviewer, untrusted notebooks, PDF), and <c>text/html</c> that
    /// shows the same image until plotly.js is there and then draws the interactive chart in its place. The HTML never
    /// inlines plotly.js (3.6 MB): the first chart of a page loads it from the CDN (through require.js where the page
    /// has it, as classic Notebook does) and every other chart waits for that one load, so outputs rendered in any order
    /// share it. Offline, or where scripts do not run (untrusted), the image stays.</summary>
    void ChartBundle(object chart, IDictionary<string, string> bundle)
    {
        var assembly = FindBaseType(chart.GetType(), GenericChartType)!.Assembly;
        var toJson = assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .FirstOrDefault(m => m.Name == "toJson" && m.DeclaringType?.FullName == GenericChartType && m.GetParameters() is [var p] && p.ParameterType.IsInstanceOfType(chart))
            ?? throw new WorkbenchException($"Plotly.NET {assembly.GetName().Version} has no GenericChart.toJson; cannot render the chart.");
        var figure = JsonNode.Parse((string)toJson.Invoke(null, [chart])!) as JsonObject
            ?? throw new WorkbenchException("Plotly.NET's GenericChart.toJson returned no JSON object.");
        var plotly = new JsonObject { ["data"] = figure["data"]?.DeepClone() ?? new JsonArray(), ["layout"] = figure["layout"]?.DeepClone() ?? new JsonObject() };
        if (figure["config"] is JsonObject config) plotly["config"] = config.DeepClone();
        TrimTemplate(plotly);
        var figureJson = plotly.ToJsonString();
        bundle["application/vnd.plotly.v1+json"] = figureJson;

        var layout = plotly["layout"] as JsonObject;
        var width = Size(layout?["width"], DefaultChartWidth);
        var height = Size(layout?["height"], DefaultChartHeight);
        var title = layout?["title"] switch
        {
            JsonObject t => t["text"]?.GetValue<string>(),
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
            _ => null,
        } ?? "chart";
        var renderer = ChartImageRenderer.Instance;
        var (image, imageMime) = (renderer.Render(figureJson, () => PlotlyScript(assembly), width, height, "png"), "image/png");
        if (image is not null)
        {
            image = PngRecompressor.Recompress(image);
            // Thousands of anti-aliased lines (parallel coordinates) make a PNG of half a megabyte; a JPEG of the
            // same chart is a fraction of it.
            if (image.Length > MaxPngBytes && renderer.Render(figureJson, () => PlotlyScript(assembly), width, height, "jpeg") is { } jpeg && jpeg.Length < image.Length)
                (image, imageMime) = (jpeg, "image/jpeg");
        }
        string? imageBase64 = null;
        if (image is not null)
        {
            imageBase64 = Convert.ToBase64String(image);
            bundle[imageMime] = imageBase64;
        }
        else if (!warnedNoImage)
        {
            warnedNoImage = true;
            // To the process's stderr (the kernel's or runner's log), not into the cell's outputs.
            using var log = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false));
            log.WriteLine("workbench: charts carry no static image: " + ChartImageRenderer.Instance.Unavailable);
        }
        bundle["text/html"] = ChartHtml(ChartElementId(figureJson, ++chartsShown), figureJson, imageBase64 is null ? null : (imageMime, imageBase64), Escape(PlainTitle(title)), width, height, PlotlyVersion(assembly));
    }

    /// <summary>Plotly.NET writes its whole template into every chart: default styles for some 30 trace types. Only the
    /// entries of the trace types the chart draws can have any effect, so the others are dropped (about 8 KB per copy).</summary>
    internal static void TrimTemplate(JsonObject figure)
    {
        if (figure["layout"]?["template"]?["data"] is not JsonObject templateData) return;
        var used = (figure["data"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(t => t["type"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : "scatter")
            .ToHashSet(StringComparer.Ordinal);
        foreach (var name in templateData.Select(p => p.Key).Where(k => !used.Contains(k)).ToList()) templateData.Remove(name);
    }

    const int DefaultChartWidth = 700, DefaultChartHeight = 450, MaxPngBytes = 150_000;
    bool warnedNoImage;
    int chartsShown;

    /// <summary>The chart's element id: from the figure and the chart's ordinal in the session, so re-running a notebook
    /// writes the same outputs (a random id made every run's HTML differ), while two charts of one page never share an id
    /// unless they are the same figure at the same place in two runs of the session.</summary>
    internal static string ChartElementId(string figureJson, int ordinal)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(figureJson));
        return "wb-chart-" + Convert.ToHexStringLower(hash.AsSpan(0, 6)) + "-" + ordinal.ToString(CultureInfo.InvariantCulture);
    }

    static int Size(JsonNode? node, int fallback) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) && d >= 50 && d <= 4000 ? (int)Math.Round(d) : fallback;

    static string PlainTitle(string title) => System.Text.RegularExpressions.Regex.Replace(title, "<[^>]*>", " ").Trim();

    /// <summary>The chart's HTML: a div holding the static image (when there is one), then a script that draws the
    /// interactive chart into the div once plotly.js is loaded. Loading happens once per page, whichever chart asks first.</summary>
    internal static string ChartHtml(string id, string figureJson, (string Mime, string Base64)? image, string escapedTitle, int width, int height, string plotlyVersion)
    {
        var w = width.ToString(CultureInfo.InvariantCulture);
        var h = height.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("<div class=\"workbench-chart\" id=\"").Append(id).Append("\" style=\"max-width:100%;width:").Append(w).Append("px\">");
        if (image is { } img)
            sb.Append("<img src=\"data:").Append(img.Mime).Append(";base64,").Append(img.Base64).Append("\" alt=\"").Append(escapedTitle)
              .Append("\" width=\"").Append(w).Append("\" height=\"").Append(h).Append("\" style=\"max-width:100%;height:auto\"/>");
        else
            sb.Append("<p>").Append(escapedTitle).Append(" (interactive chart: needs JavaScript)</p>");
        sb.Append("</div>\n<script type=\"text/javascript\">\n(function () {\n")
          .Append("  var fig = ").Append(figureJson.Replace("</", "<\\/", StringComparison.Ordinal)).Append(";\n")
          .Append("  var id = '").Append(id).Append("', h = ").Append(h).Append(", src = '").Append(PlotlyCdnBase).Append(plotlyVersion).Append(".min';\n")
          .Append(ChartLoaderScript)
          .Append("})();\n</script>");
        return sb.ToString();
    }

    /// <summary>Shared by every chart: draw now if plotly.js is there; otherwise queue, and let the first chart start the
    /// one load (require.js when the page has it, else a script tag). A failed load leaves every image in place.</summary>
    const string ChartLoaderScript = """
          var w = window;
          function draw(Plotly) {
            var el = document.getElementById(id);
            if (!el || !Plotly || el.getAttribute('data-drawn')) return;
            el.setAttribute('data-drawn', '1');
            el.innerHTML = '';
            el.style.height = h + 'px';
            Plotly.newPlot(el, fig.data, fig.layout, fig.config || {});
          }
          if (w.Plotly && w.Plotly.newPlot) { draw(w.Plotly); return; }
          var queue = w.workbenchPlotlyQueue = w.workbenchPlotlyQueue || [];
          queue.push(draw);
          if (w.workbenchPlotlyLoading) return;
          w.workbenchPlotlyLoading = true;
          function done(Plotly) {
            if (Plotly && !w.Plotly) w.Plotly = Plotly;
            var waiting = w.workbenchPlotlyQueue.splice(0);
            for (var i = 0; i < waiting.length; i++) { try { waiting[i](w.Plotly); } catch (e) { console.error(e); } }
          }
          function failed() { w.workbenchPlotlyLoading = false; }
          if (typeof w.requirejs === 'function' && typeof w.define === 'function' && w.define.amd) {
            var paths = {}; paths['workbench-plotly'] = src;
            w.requirejs.config({ paths: paths });
            w.requirejs(['workbench-plotly'], done, failed);
          } else {
            var s = document.createElement('script');
            s.src = src + '.js';
            s.onload = function () { done(w.Plotly); };
            s.onerror = failed;
            document.head.appendChild(s);
          }

        """;

    /// <summary>The plotly.js version of the bundle Plotly.NET embeds (e.g. 2.28.0), which the HTML loads from the CDN.</summary>
    internal static string PlotlyVersion(Assembly plotly)
    {
        var name = plotly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal).LastOrDefault()
            ?? throw new WorkbenchException($"{plotly.GetName().Name} does not embed plotly.js (resource Plotly.NET.plotly-*.min.js).");
        return name["Plotly.NET.plotly-".Length..^".min.js".Length];
    }

    /// <summary>How a value reads in a table or as a result: ISO dates (no time when it is midnight), numbers rounded to
    /// 4 decimals (float noise such as 2.2E-16 reads 0), missing values as empty cells stay empty.</summary>
    internal static string CellText(object value) => value switch
    {
        DateTime d when d.TimeOfDay == TimeSpan.Zero => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        double v => Rounded(v),
        float f => Rounded(double.Parse(f.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)), // 0.1f reads 0.1, not 0.100000001
        _ => PlainText(value),
    };

    static string Rounded(double v)
    {
        if (!double.IsFinite(v) || Math.Abs(v) >= 1e15) return v.ToString(CultureInfo.InvariantCulture);
        var text = Math.Round(v, 4, MidpointRounding.AwayFromZero).ToString("0.####", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    static Type? FindBaseType(Type? type, string fullName)
    {
        for (; type is not null; type = type.BaseType)
            if (type.FullName == fullName) return type;
        return null;
    }

    internal static string PlotlyScript(Assembly plotly)
    {
        var name = plotly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal).LastOrDefault()
            ?? throw new WorkbenchException($"{plotly.GetName().Name} does not embed plotly.js (resource Plotly.NET.plotly-*.min.js); charts cannot be rendered offline.");
        using var stream = plotly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        // A literal "</script>" inside the bundle would end our script tag early.
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    }

    static string Escape(string text) => WebUtility.HtmlEncode(text);
}
