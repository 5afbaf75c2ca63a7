using Plotly.NET;
using CS = Plotly.NET.CSharp;

namespace Workbench.Reporting;

/// <summary>Shared chart finishing: title and axis titles, and the chart as JSON (what tests read).</summary>
public static class ChartText
{
    /// <summary>The chart as Plotly JSON (data and layout).</summary>
    public static string ToJson(GenericChart chart) => GenericChart.toJson(chart);

    internal static GenericChart Titled(GenericChart chart, string title, string x, string y)
    {
        chart = Chart.withTitle(title, null).Invoke(chart);
        if (x.Length > 0) chart = CS.GenericChartExtensions.WithXAxisStyle<double, double, string>(chart, TitleText: x);
        if (y.Length > 0) chart = CS.GenericChartExtensions.WithYAxisStyle<double, double, string>(chart, TitleText: y);
        return chart;
    }
}
