using System.Diagnostics;
using System.Text.RegularExpressions;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Specs;
using Xunit.Abstractions;

namespace Workbench.Tests.Experiments;

/// <summary>The program at the top of docs/api.md is the notebook-facing contract: compiled and run as a .NET 10
/// file-based app with only a <c>#:project</c> line and <c>using</c> lines added, it must print the same AUCs as
/// <c>workbench run</c> on a spec that names only its data source.</summary>
public class ApiProgramTests(ITestOutputHelper output)
{
    static readonly string[] Usings = ["Workbench.Analytics", "Workbench.Analytics.Features", "Workbench.Analytics.Prioritization", "Workbench.Experiments"];

    static string ProgramFromDocs()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "api.md"));
        var match = Regex.Match(doc, "```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, "docs/api.md opens with a csharp block");
        return match.Groups[1].Value;
    }

    [Fact]
    public async Task The_api_program_runs_as_a_file_based_app_and_matches_workbench_run()
    {
        var dir = TestPaths.NewTempDir("api-program");
        var project = Path.Combine(TestPaths.RepoRoot, "src", "Workbench.Experiments", "Workbench.Experiments.csproj");
        var app = Path.Combine(dir, "app.cs");
        File.WriteAllText(app, $"#:project {project}\n" + string.Concat(Usings.Select(u => $"using {u};\n")) + ProgramFromDocs());

        var psi = new ProcessStartInfo("dotnet", ["run", app]) { WorkingDirectory = TestPaths.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(psi)!;
        var stderrTask = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        var stderr = await stderrTask;
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        Assert.True(process.ExitCode == 0, $"dotnet run app.cs exited {process.ExitCode}: {stdout}\n{stderr}");
        var printed = Regex.Match(stdout, @"churn_auc=(\d\.\d{4}) upsell_auc=(\d\.\d{4}) scored=(\d+) reasons=(\d+)");
        Assert.True(printed.Success, "the program printed its line: " + stdout);

        var specDir = TestPaths.NewTempDir("api-program-spec");
        File.WriteAllText(Path.Combine(specDir, "datasets.json"), File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "datasets.json"))
            .Replace("\"data-samples/generated\"", "\"" + Path.Combine(TestPaths.RepoRoot, "data-samples", "generated").Replace("\\", "\\\\") + "\"", StringComparison.Ordinal));
        var specPath = Path.Combine(specDir, "x.json");
        File.WriteAllText(specPath, """{"name": "x", "data": {"source": "sample"}}""");
        var record = ExperimentRunner.Run(specPath, new RunStore(Path.Combine(specDir, "store")));
        string F(double v) => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(F(record.Metrics["churn.auc"]), printed.Groups[1].Value);
        Assert.Equal(F(record.Metrics["upsell.auc"]), printed.Groups[2].Value);
        Assert.True(int.Parse(printed.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.True(int.Parse(printed.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture) >= 2, "churn and upsell narratives of at least one product");
    }
}
