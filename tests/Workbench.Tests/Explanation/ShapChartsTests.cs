using Plotly.NET;
using Workbench.Analytics.Explanation;
using Workbench.Reporting.Explanation;

namespace Workbench.Tests.Explanation;

public class ShapChartsTests
{
    [Fact]
    public void Importance_and_dependence_charts_carry_the_computed_values()
    {
        var importance = new[] { new FeatureImportance(2, "seats", 0.75, 0.1), new FeatureImportance(0, "spend", 0.5, -0.2) };
        var json = GenericChart.toFigureJson(ShapCharts.Importance(importance));
        Assert.Contains("\"seats\"", json);
        Assert.Contains("0.75", json);
        Assert.True(json.IndexOf("\"spend\"", StringComparison.Ordinal) < json.IndexOf("\"seats\"", StringComparison.Ordinal), "largest bar should be listed last (drawn on top)");

        var dependence = new DependenceData(1, "usage", [1.5f, float.NaN, 3.25f], [0.125, 9.0, -0.5]);
        var scatter = GenericChart.toFigureJson(ShapCharts.Dependence(dependence));
        Assert.Contains("3.25", scatter);
        Assert.Contains("-0.5", scatter);
        Assert.DoesNotContain("9.0", scatter); // the NaN row is not drawn
    }
}
