using Workbench.Analytics;
using Workbench.Experiments.Pipeline;
using Workbench.Tests.Data;

namespace Workbench.Tests.Reliability;

public class TrainFaultTests
{
    [Fact]
    public void Training_on_data_without_spend_is_a_located_refusal_not_an_index_error()
    {
        var data = CrmFixture.Small() with { Spend = [] };
        var ex = Assert.Throws<DataValidationException>(() =>
            PipelineStages.Train(data, new PipelineOptions(), TestPaths.NewTempDir("train-nospend")));
        Assert.Contains("spend", ex.Message);
        Assert.Contains("no as-of months", ex.Message);
    }
}
