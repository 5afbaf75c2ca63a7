using Workbench.Analytics.Pipeline;
using Workbench.Data.Generation;
using Workbench.Domain;

namespace Workbench.Tests.Pipeline;

/// <summary>One generated pipeline (800 accounts x 30 months, 16 reps, seed 5), fitted once and evaluated once,
/// shared by the pipeline tests.</summary>
public sealed class PipelineFixture
{
    public static readonly GeneratorOptions Generator = new() { Accounts = 800, Months = 30, Seed = 5, Reps = 16 };
    public static readonly OpportunityOptions Options = new() { TestMonths = 12 };
    public CrmDataset Data { get; } = CrmGenerator.Generate(Generator);
    public OpportunityFrame Frame { get; }
    public OpportunityModel Model { get; }
    public OpportunityEvaluationResult Evaluation { get; }

    public PipelineFixture()
    {
        Frame = OpportunityFrame.Build(Data, Options);
        Model = OpportunityEstimator.Fit(Frame, Options);
        Evaluation = OpportunityEvaluation.Evaluate(Model, Frame);
    }
}

[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "pipeline";
}

/// <summary>One <c>workbench pipeline</c> run on the committed sample, shared by the CLI and browser tests.</summary>
public sealed class PipelineCliFixture
{
    public static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");
    public string Out { get; } = TestPaths.NewTempDir("pipeline-cli");
    public int ExitCode { get; }

    public PipelineCliFixture() =>
        ExitCode = Workbench.Cli.Commands.CliRunner.InvokeAsync(Workbench.Cli.Commands.CliApp.BuildRoot(), ["pipeline", "--data", Sample, "--out", Out]).GetAwaiter().GetResult();
}
