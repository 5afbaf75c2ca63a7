using System.CommandLine;
using System.Text.Json.Nodes;
using Workbench.Cli.Commands;
using Workbench.Notebooks;
using Workbench.Notebooks.Kernel;

namespace Workbench.Tests.Notebooks;

public sealed class CliTests
{
    static Task<int> Workbench(params string[] args)
    {
        var root = new RootCommand("test") { NotebooksCommand.Create(), KernelCommand.Create() };
        return CliRunner.InvokeAsync(root, args);
    }

    static string WriteNotebook(string dir, string name, params (string Source, string[] Tags)[] cells)
    {
        var notebook = NotebookDocument.CreateNew(name);
        foreach (var (source, tags) in cells) notebook.AddCell("code", source, tags);
        var path = Path.Combine(dir, name);
        notebook.Save(path);
        return path;
    }

    [Fact]
    public async Task Run_with_out_writes_the_executed_notebook_and_verify_accepts_it_then_rejects_a_tampered_copy()
    {
        var dir = TestPaths.NewTempDir("cli-run");
        var path = WriteNotebook(dir, "n.ipynb", ("int seed = 1;", ["parameters"]), ("seed * 10", []));
        var outDir = Path.Combine(dir, "out");

        Assert.Equal(0, await Workbench("notebooks", "run", path, "--out", outDir, "--param", "seed=4"));
        var executed = Path.Combine(outDir, "n.ipynb");
        Assert.Equal("40", ((DisplayOutput)NotebookDocument.Load(executed).Cells[2].ReadOutputs()[0]).Data["text/plain"]);
        Assert.Equal(0, await Workbench("notebooks", "verify", executed));

        File.WriteAllText(executed, File.ReadAllText(executed).Replace("\"40\"", "\"41\""));
        Assert.Equal(1, await Workbench("notebooks", "verify", executed));
    }

    [Fact]
    public async Task Run_exits_1_on_a_failing_cell_and_writes_the_notebook_with_the_error()
    {
        var dir = TestPaths.NewTempDir("cli-fail");
        var path = WriteNotebook(dir, "f.ipynb", ("int seed = 1;", ["parameters"]), ("throw new Exception(\"nope\");", []));

        Assert.Equal(1, await Workbench("notebooks", "run", path, "--inplace"));
        var error = Assert.IsType<ErrorOutput>(NotebookDocument.Load(path).Cells[1].ReadOutputs().Single());
        Assert.Equal("nope", error.Message);
    }

    [Fact]
    public async Task Run_timeout_stops_an_endless_cell()
    {
        var dir = TestPaths.NewTempDir("cli-timeout");
        var path = WriteNotebook(dir, "t.ipynb", ("while (true) { }", []));
        Assert.Equal(1, await Workbench("notebooks", "run", path, "--inplace", "--timeout", "1"));
        Assert.Equal("TimeoutError", Assert.IsType<ErrorOutput>(NotebookDocument.Load(path).Cells[0].ReadOutputs().Single()).Name);
    }

    [Fact]
    public async Task Bad_arguments_exit_2()
    {
        var dir = TestPaths.NewTempDir("cli-bad");
        var path = WriteNotebook(dir, "b.ipynb", ("int seed = 1;", ["parameters"]));
        Assert.Equal(2, await Workbench("notebooks", "run", path, "--param", "seed"));
        Assert.Equal(2, await Workbench("notebooks", "run", path, "--out", dir, "--inplace"));
        Assert.Equal(2, await Workbench("notebooks", "run", Path.Combine(dir, "missing.ipynb")));
    }

    [Fact]
    public async Task Lint_exits_1_on_a_class_in_a_cell()
    {
        var dir = TestPaths.NewTempDir("cli-lint");
        var path = WriteNotebook(dir, "l.ipynb", ("int seed = 1;", ["parameters"]), ("class Helper { }", []));
        Assert.Equal(0, await Workbench("notebooks", "run", path, "--inplace"));
        Assert.Equal(1, await Workbench("notebooks", "lint", path));
    }

    [Fact]
    public void Kernel_install_writes_a_kernelspec_that_starts_the_kernel_with_the_connection_file()
    {
        var prefix = TestPaths.NewTempDir("kernelspec");
        var dir = KernelSpecInstaller.Install(KernelInstallScope.Prefix, prefix, ["/opt/dotnet/dotnet", "/opt/wb/workbench.dll"]);

        Assert.Equal(Path.Combine(prefix, "share", "jupyter", "kernels", "workbench-csharp"), dir);
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "kernel.json")))!;
        Assert.Equal(["/opt/dotnet/dotnet", "/opt/wb/workbench.dll", "kernel", "--connection-file", "{connection_file}"],
            spec["argv"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal("C# (Workbench)", spec["display_name"]!.GetValue<string>());
        Assert.Equal("C#", spec["language"]!.GetValue<string>());
    }

    [Fact]
    public async Task Kernel_refuses_a_connection_file_with_a_public_ip()
    {
        var dir = TestPaths.NewTempDir("conn");
        var file = Path.Combine(dir, "kernel.json");
        File.WriteAllText(file, """{"ip": "0.0.0.0", "transport": "tcp", "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": "k", "signature_scheme": "hmac-sha256"}""");
        Assert.Equal(2, await Workbench("kernel", "--connection-file", file));
    }
}
