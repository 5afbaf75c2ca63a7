using CS = Plotly.NET.CSharp;

namespace Workbench.Reporting;

/// <summary>Shared chart finishing: title and axis titles, and the chart as JSON (what tests read).</summary>
public static class ChartText
{
    /// <summary>The chart as Plotly JSON (data and layout).</summary>
    public static string ToJson(GenericChart chart) => GenericChart.toJson(chart);

    /// <summary>The longest title line, in characters, that fits a default-width (600 px) chart at plotly's title font;
    /// plotly.js does not wrap titles, it cuts them at the chart's edge.</summary>
    public const int TitleLineLength = 52;

    /// <summary>The title broken into lines of at most <see cref="TitleLineLength"/> characters at spaces (plotly's
    /// <c>&lt;br&gt;</c>), so a long title is shown whole; a single longer word stays on its own line.</summary>
    public static string WrapTitle(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        if (title.Length <= TitleLineLength) return title;
        var lines = new List<string>();
        var line = "";
        foreach (var word in title.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > TitleLineLength) { lines.Add(line); line = word; }
            else line = line.Length == 0 ? word : line + " " + word;
        }
        if (line.Length > 0) lines.Add(line);
        return string.Join("<br>", lines);
    }

    internal static GenericChart Titled(GenericChart chart, string title, string x, string y)
    {
        chart = Chart.withTitle(WrapTitle(title), null).Invoke(chart);
        if (x.Length > 0) chart = CS.GenericChartExtensions.WithXAxisStyle<double, double, string>(chart, TitleText: x);
        if (y.Length > 0) chart = CS.GenericChartExtensions.WithYAxisStyle<double, double, string>(chart, TitleText: y);
        return chart;
    }
}
