using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;

namespace Workbench.Notebooks;

/// <summary>Turns a value into a MIME bundle: text/plain always; text/html for <see cref="IHtmlDisplay"/>, for types with
/// a rendering registered in <see cref="DisplayRegistry"/> (Workbench.Reporting registers its results' HTML there),
/// Microsoft.Data.Analysis data frames and Plotly.NET charts. The engine does not reference those libraries:
/// it recognizes them by type name and calls them through reflection. One formatter per session, because
/// plotly.js is inlined only with the first chart of a notebook.</summary>
internal sealed class DisplayFormatter(int htmlTableRows)
{
    const string DataFrameType = "Microsoft.Data.Analysis.DataFrame";
    const string GenericChartType = "Plotly.NET.GenericChart";

    bool plotlyScriptEmitted;

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
            _ when IsOrDerivesFrom(value.GetType(), GenericChartType) => ChartHtml(value),
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
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies()) DisplayRegistry.EnsureRegistrations(assembly);
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
            if (name.EndsWith(".Tests", StringComparison.Ordinal) || !SessionReferences.IsManagedAssembly(path)) continue;
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

    /// <summary>The chart's div and script from Plotly.NET's GenericChart.toChartHTML, preceded the first time by
    /// the plotly.js bundle that Plotly.NET embeds as a resource, so the notebook renders offline.</summary>
    string ChartHtml(object chart)
    {
        var assembly = FindBaseType(chart.GetType(), GenericChartType)!.Assembly;
        var toHtml = assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .FirstOrDefault(m => m.Name == "toChartHTML" && m.GetParameters() is [var p] && p.ParameterType.IsInstanceOfType(chart))
            ?? throw new WorkbenchException($"Plotly.NET {assembly.GetName().Version} has no GenericChart.toChartHTML; cannot render the chart.");
        var chartHtml = (string)toHtml.Invoke(null, [chart])!;
        if (plotlyScriptEmitted) return chartHtml;
        var script = PlotlyScript(assembly);
        plotlyScriptEmitted = true;
        return "<script type=\"text/javascript\">" + script + "</script>\n" + chartHtml;
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
