using Microsoft.Data.Analysis;
using Workbench.Analytics.Features;

namespace Workbench.Tests.Features;

public sealed class DescribeTests
{
    [Fact]
    public void Describe_counts_missing_values_instead_of_propagating_NaN()
    {
        var table = LabeledFeatures.Build(TinyCrm.Random(seed: 6)).Features;
        var summary = table.Describe();

        Assert.Equal(table.ColumnCount, (int)summary.Rows.Count);
        var withMissing = 0;
        for (int j = 0; j < table.ColumnCount; j++)
        {
            var present = Enumerable.Range(0, table.RowCount).Select(i => table.Values[(long)i * table.ColumnCount + j]).Where(v => !float.IsNaN(v)).ToList();
            Assert.Equal((long)present.Count, summary["count"][j]);
            Assert.Equal((long)(table.RowCount - present.Count), summary["missing"][j]);
            if (present.Count == 0) { Assert.Null(summary["mean"][j]); continue; }
            if (present.Count < table.RowCount) withMissing++;
            Assert.Equal(present.Min(), (float)summary["min"][j]!);
            Assert.Equal(present.Max(), (float)summary["max"][j]!);
            Assert.Equal(present.Average(v => (double)v), (double)summary["mean"][j]!, 6);
            Assert.False(double.IsNaN((double)summary["mean"][j]!));
        }
        Assert.True(withMissing > 0, "the tiny CRM should have features with missing values, or this test proves nothing");
    }
}
