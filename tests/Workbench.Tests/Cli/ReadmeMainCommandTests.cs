using System.Text.RegularExpressions;
using Workbench.Tests.Experiments;

namespace Workbench.Tests.Cli;

/// <summary>The README's main command, taken from the README itself and run as a newcomer would: in a folder holding
/// the spec and the sample, with the default store. It must record a run, promote it, score the sample and print
/// where the report is.</summary>
public class ReadmeMainCommandTests
{
    const string Prefix = "dotnet run --project src/Workbench.Cli -c Release -- ";

    [Fact]
    public async Task The_readme_main_command_runs_end_to_end_and_prints_the_report_path()
    {
        var line = File.ReadLines(Path.Combine(TestPaths.RepoRoot, "README.md")).First(l => l.StartsWith(Prefix, StringComparison.Ordinal));
        var args = line[Prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("run", args[0]);

        // A newcomer's checkout, reduced to what the command reads: the spec, the dataset catalog and the sample.
        var work = TestPaths.NewTempDir("readme-main");
        Directory.CreateDirectory(Path.Combine(work, "experiments"));
        File.Copy(Path.Combine(TestPaths.RepoRoot, "experiments", "sample.json"), Path.Combine(work, "experiments", "sample.json"));
        File.Copy(Path.Combine(TestPaths.RepoRoot, "datasets.json"), Path.Combine(work, "datasets.json"));
        var sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");
        foreach (var f in Directory.GetFiles(sample, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(work, "data-samples", "generated", Path.GetRelativePath(sample, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }

        using var process = WorkbenchProcess.Start(work, args);
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10)))
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(true); Assert.Fail("the README main command did not finish in 10 minutes"); }
        var (stdout, stderr) = (await stdoutTask, await stderrTask);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{stderr}");

        var report = Regex.Match(stdout, @"^report: (.+)$", RegexOptions.Multiline);
        Assert.True(report.Success, "no 'report: PATH' line in:\n" + stdout);
        var index = report.Groups[1].Value.Trim();
        Assert.True(File.Exists(index), index);
        Assert.StartsWith(Path.GetFullPath(work), index);
        var pages = Directory.GetFiles(Path.GetDirectoryName(index)!, "rep-*.html");
        Assert.NotEmpty(pages);
        foreach (var page in pages) Assert.Contains(Path.GetFileName(page), File.ReadAllText(index));

        // The run, its promotion and the scored book all landed in the default store and the named output folder.
        var runs = Directory.GetDirectories(Path.Combine(work, ".workbench", "runs"));
        Assert.Single(runs);
        Assert.Contains("\"status\": \"succeeded\"", File.ReadAllText(Path.Combine(runs[0], "run.json")));
        var promoted = Directory.GetDirectories(Path.Combine(work, ".workbench", "models")).Single();
        Assert.Contains(Path.GetFileName(runs[0]), File.ReadAllText(Path.Combine(promoted, "promotion.json")));
        var book = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(index)!)!, "book.csv"));
        Assert.True(book.Length > 100, $"book.csv has {book.Length} lines");
    }
}
