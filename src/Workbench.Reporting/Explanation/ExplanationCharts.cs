using Workbench.Analytics.Explanation;

namespace Workbench.Reporting.Explanation;

/// <summary><see cref="ShapCharts"/> with titles and axis titles, for notebooks and reports. Draws what Analytics
/// computed; computes nothing itself.</summary>
public static class ExplanationCharts
{
    /// <summary>Mean |SHAP| per feature of one target's explanation, most important on top.</summary>
    public static GenericChart Importance(ExplanationResult result, int top = 15)
    {
        ArgumentNullException.ThrowIfNull(result);
        return ChartText.Titled(ShapCharts.Importance(result.Importance, top),
            $"{result.Target}: global importance (mean |SHAP| over {result.Shap.RowCount.ToString("N0", CultureInfo.InvariantCulture)} explained rows, top {Math.Min(top, result.Importance.Count).ToString(CultureInfo.InvariantCulture)})",
            "mean |SHAP| (log-odds of the raw margin)", "");
    }

    /// <summary>A feature's value against its SHAP value, one point per explained row.</summary>
    public static GenericChart Dependence(DependenceData data, string target)
    {
        ArgumentNullException.ThrowIfNull(data);
        return ChartText.Titled(ShapCharts.Dependence(data), $"{target}: SHAP dependence on {data.FeatureName}",
            data.FeatureName, $"SHAP value of {data.FeatureName} (log-odds)");
    }
}
