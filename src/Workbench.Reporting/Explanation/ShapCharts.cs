using Workbench.Analytics.Explanation;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace Workbench.Reporting.Explanation;

/// <summary>Plotly charts of global SHAP views. Draws what Analytics computed; computes nothing itself.</summary>
public static class ShapCharts
{
    /// <summary>Bars of mean |SHAP| (raw margin) per feature, most important on top (at most <paramref name="top"/> features).</summary>
    public static GenericChart Importance(IReadOnlyList<FeatureImportance> importance, int top = 20)
    {
        ArgumentNullException.ThrowIfNull(importance);
        if (top <= 0) throw new ArgumentOutOfRangeException(nameof(top), top, "Expected a positive count.");
        // Plotly draws the first bar at the bottom: reverse so the largest ends up on top.
        var shown = importance.Take(top).Reverse().ToArray();
        return CSharpChart.Bar<double, string, string>(
                values: shown.Select(i => i.MeanAbsoluteShap).ToArray(),
                Keys: shown.Select(i => i.FeatureName).ToArray());
    }

    /// <summary>Scatter of a feature's value against its SHAP value, one point per row (rows with NaN are left out of the chart only).</summary>
    public static GenericChart Dependence(DependenceData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var points = data.FeatureValues.Zip(data.ShapValues).Where(p => !float.IsNaN(p.First)).ToArray();
        return CSharpChart.Point<float, double, string>(
                x: points.Select(p => p.First).ToArray(),
                y: points.Select(p => p.Second).ToArray(),
                Name: data.FeatureName);
    }

}
