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
        // The kernel process runs without tiered compilation, marked as Workbench's choice (the kernel removes both at start).
        Assert.Equal("0", spec["env"]!["DOTNET_TieredCompilation"]!.GetValue<string>());
        Assert.Equal("1", spec["env"]!["WORKBENCH_EXECUTOR_JIT_SET"]!.GetValue<string>());
    }

    [Fact]
    public void Kernel_install_draws_the_32_and_64_pixel_logos_as_valid_pngs_the_same_every_time()
    {
        var first = KernelSpecInstaller.Install(KernelInstallScope.Prefix, TestPaths.NewTempDir("logo-a"), ["/opt/wb/workbench"]);
        var second = KernelSpecInstaller.Install(KernelInstallScope.Prefix, TestPaths.NewTempDir("logo-b"), ["/opt/wb/workbench"]);
        foreach (var (file, size) in new[] { ("logo-32x32.png", 32), ("logo-64x64.png", 64) })
        {
            var png = File.ReadAllBytes(Path.Combine(first, file));
            Assert.Equal(png, File.ReadAllBytes(Path.Combine(second, file)));
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
            // Walk the chunks: every CRC must verify; IHDR says size x size RGBA; IDAT inflates to the filtered rows.
            int at = 8, width = 0, height = 0;
            var idat = new MemoryStream();
            var types = new List<string>();
            while (at < png.Length)
            {
                int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
                var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
                var data = png.AsSpan(at + 8, length);
                Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)), KernelLogo.Crc32(png.AsSpan(at + 4, 4), data));
                if (type == "IHDR") { width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data); height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data[4..]); Assert.Equal(6, data[9]); }
                if (type == "IDAT") idat.Write(data);
                types.Add(type);
                at += 12 + length;
            }
            Assert.Equal(["IHDR", "IDAT", "IEND"], types);
            Assert.Equal((size, size), (width, height));
            idat.Position = 0;
            using var inflated = new MemoryStream();
            using (var z = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress)) z.CopyTo(inflated);
            var rows = inflated.ToArray();
            Assert.Equal(size * (1 + size * 4), rows.Length);
            byte Alpha(int x, int y) => rows[y * (1 + size * 4) + 1 + x * 4 + 3];
            Assert.Equal(0, Alpha(0, 0));                  // rounded corner: transparent
            Assert.Equal(255, Alpha(size / 2, size / 8));  // inside the tile: opaque
        }
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
