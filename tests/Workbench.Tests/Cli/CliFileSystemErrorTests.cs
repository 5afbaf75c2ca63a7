using Workbench.Tests.Experiments;

namespace Workbench.Tests.Cli;

/// <summary>The file system's refusals reach the user as one line naming the path, not as a stack trace.</summary>
public class CliFileSystemErrorTests
{
    [Fact]
    public void An_output_folder_under_a_file_is_a_clear_error_with_exit_code_3()
    {
        var dir = TestPaths.NewTempDir("cli-io");
        var file = Path.Combine(dir, "a-file");
        File.WriteAllText(file, "not a folder");
        var (exit, _, err) = WorkbenchProcess.Run(dir, "generate", "--accounts", "20", "--months", "12", "--seed", "1",
            "--out", Path.Combine(file, "out"));
        Assert.True(exit == 3, $"exit {exit}, stderr: {err}");
        Assert.StartsWith("error: ", err);
        Assert.Contains("a-file", err);
        Assert.DoesNotContain("   at ", err);
        Assert.Equal("not a folder", File.ReadAllText(file));
    }
}
