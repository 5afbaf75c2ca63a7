using System.Buffers;
using System.Text.Json;

namespace Workbench.Reporting.Book;

/// <summary>
/// The two small bar charts of each book page as plotly.js figure JSON (data + a short layout), written directly with
/// <see cref="Utf8JsonWriter"/>. Building them through Plotly.NET cost about 0.2 s of CPU per page (its default template
/// alone is 8 KB of JSON per chart), which dominated <c>workbench score</c> on large books; plotly.js draws the same
/// figure from these few hundred bytes with its own defaults. The shared book.js renders them with the shared
/// plotly.min.js, so pages stay offline-capable and run no inline script.
/// </summary>
public static class BookCharts
{
    /// <summary>A one-trace bar chart: categories, values, hover/label texts and one colour per bar.</summary>
    public static string Bar(string title, string xTitle, string yTitle, string name, IReadOnlyList<string> keys, IReadOnlyList<double> values,
        IReadOnlyList<string> texts, IReadOnlyList<string> colors)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(values);
        if (keys.Count != values.Count || texts.Count != values.Count || colors.Count != values.Count)
            throw new ArgumentException("Bar chart: keys, values, texts and colors must have the same length.");
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("data");
            w.WriteStartObject();
            w.WriteString("type", "bar");
            w.WriteString("name", name);
            w.WriteStartArray("x"); foreach (var k in keys) w.WriteStringValue(k); w.WriteEndArray();
            w.WriteStartArray("y"); foreach (var v in values) { if (double.IsFinite(v)) w.WriteNumberValue(Math.Round(v, 2)); else w.WriteNullValue(); } w.WriteEndArray();
            w.WriteStartArray("text"); foreach (var t in texts) w.WriteStringValue(t); w.WriteEndArray();
            w.WriteString("textposition", "none");
            w.WriteString("hoverinfo", "x+text");
            w.WriteStartObject("marker"); w.WriteStartArray("color"); foreach (var c in colors) w.WriteStringValue(c); w.WriteEndArray(); w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("layout");
            w.WriteStartObject("title"); w.WriteString("text", title); w.WriteNumber("x", 0.05); w.WriteEndObject();
            Axis(w, "xaxis", xTitle);
            Axis(w, "yaxis", yTitle);
            w.WriteStartObject("margin"); w.WriteNumber("l", 70); w.WriteNumber("r", 20); w.WriteNumber("t", 50); w.WriteNumber("b", 60); w.WriteEndObject();
            w.WriteString("plot_bgcolor", "#e5ecf6");
            w.WriteBoolean("showlegend", false);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    static void Axis(Utf8JsonWriter w, string name, string title)
    {
        w.WriteStartObject(name);
        if (title.Length > 0) { w.WriteStartObject("title"); w.WriteString("text", title); w.WriteEndObject(); }
        w.WriteString("gridcolor", "#ffffff");
        w.WriteBoolean("automargin", true);
        w.WriteEndObject();
    }
}
