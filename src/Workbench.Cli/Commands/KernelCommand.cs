using Workbench.Notebooks.Kernel;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench kernel --connection-file F</c> runs the Jupyter kernel; <c>workbench kernel install</c> registers it.</summary>
public static class KernelCommand
{
    public static Command Create()
    {
        var connectionFile = new Option<string?>("--connection-file", "-f") { Description = "The connection file Jupyter passes to the kernel." };
        var cmd = new Command("kernel", "Run the C# Jupyter kernel (Jupyter starts it with --connection-file), or install its kernelspec.");
        cmd.Options.Add(connectionFile);
        cmd.SetAction(parse =>
        {
            var file = parse.GetValue(connectionFile) ?? throw new WorkbenchException("kernel: --connection-file is required (Jupyter passes it; to register the kernel run `workbench kernel install`).");
            using var server = new KernelServer(ConnectionInfo.Load(file), options: new KernelServerOptions(ExecutorCommand()));
            server.Run();
            return 0;
        });
        cmd.Subcommands.Add(InstallCommand());
        cmd.Subcommands.Add(ExecutorSubcommand());
        return cmd;
    }

    /// <summary>How the kernel and the notebook runner start their cell executor child: this workbench with <c>kernel executor</c>.</summary>
    /// <remarks>WORKBENCH_CELLS_IN_PROCESS=1 runs cells in the kernel's or runner's own process instead (no supervision:
    /// a stack overflow then ends it); the kernel benchmark uses it to measure what the child process costs.</remarks>
    internal static IReadOnlyList<string>? ExecutorCommand() =>
        Environment.GetEnvironmentVariable("WORKBENCH_CELLS_IN_PROCESS") == "1" ? null : [.. WorkbenchLaunchCommand(), "kernel", "executor"];

    /// <summary>How to start this workbench CLI. When the commands run inside another host (the test host, a program that
    /// embeds the CLI), the running process is not the workbench, so the child is the workbench assembly under the dotnet host.</summary>
    static IReadOnlyList<string> WorkbenchLaunchCommand()
    {
        var cli = typeof(KernelCommand).Assembly;
        if (System.Reflection.Assembly.GetEntryAssembly() == cli) return KernelSpecInstaller.LaunchCommand();
        var process = Environment.ProcessPath;
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } fromEnv ? fromEnv
            : process is not null && Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? process : "dotnet";
        return [host, Path.GetFullPath(cli.Location)];
    }

    /// <summary>Hidden: the child process that runs cells for the kernel and <c>notebooks run/verify</c> (a line protocol on stdin/stdout).</summary>
    static Command ExecutorSubcommand()
    {
        var cmd = new Command("executor", "Internal: run notebook cells for a supervising kernel or runner (line protocol on stdin/stdout).") { Hidden = true };
        cmd.SetAction(_ => Workbench.Notebooks.CellExecutorHost.Run());
        return cmd;
    }

    static Command InstallCommand()
    {
        var user = new Option<bool>("--user") { Description = "Install for the current user (the default)." };
        var prefix = new Option<string?>("--prefix") { Description = "Install under PREFIX/share/jupyter/kernels (a venv, or a temp folder with JUPYTER_PATH)." };
        var cmd = new Command("install", "Write the workbench-csharp kernelspec (kernel.json) so Jupyter, nbconvert and VS Code can start this kernel.");
        cmd.Options.Add(user);
        cmd.Options.Add(prefix);
        cmd.SetAction(parse =>
        {
            var prefixDir = parse.GetValue(prefix);
            if (prefixDir is not null && parse.GetValue(user)) throw new WorkbenchException("give either --user or --prefix DIR, not both.");
            var dir = prefixDir is null
                ? KernelSpecInstaller.Install(KernelInstallScope.User)
                : KernelSpecInstaller.Install(KernelInstallScope.Prefix, prefixDir);
            Console.WriteLine($"installed kernelspec 'workbench-csharp' in {dir}");
            return 0;
        });
        return cmd;
    }
}
