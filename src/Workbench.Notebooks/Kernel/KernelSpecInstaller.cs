namespace Workbench.Notebooks.Kernel;

/// <summary>Where to install the kernelspec.</summary>
public enum KernelInstallScope
{
    /// <summary>The user's Jupyter data folder (JUPYTER_DATA_DIR, or ~/.local/share/jupyter on Linux).</summary>
    User,
    /// <summary>PREFIX/share/jupyter/kernels, e.g. a virtual environment or a temporary folder for tests.</summary>
    Prefix,
}

/// <summary>Writes kernel.json for the workbench C# kernel, whose argv starts the running workbench executable
/// with <c>kernel --connection-file {connection_file}</c>, and the kernel's logos (<see cref="KernelLogo"/>).</summary>
/// <remarks>The spec's <c>env</c> starts the kernel process without tiered compilation: a kernel is short-lived and
/// relays every cell through the same few methods, and with tiering its background recompilation of them (twice each,
/// with PGO) was still running during the first minutes of cells, doubling the kernel's CPU per cell (bench/README.md,
/// "Kernel round trip: ReadyToRun and tiering"). The kernel removes the setting from its environment at start
/// (<see cref="KernelServer.Run"/>), so the executor child and the processes cells start get the usual treatment.</remarks>
public static class KernelSpecInstaller
{
    /// <summary>Installs for the current executable; returns the kernelspec folder.</summary>
    public static string Install(KernelInstallScope scope, string? prefix = null) => Install(scope, prefix, LaunchCommand());

    /// <summary>Installs a kernelspec whose argv starts with <paramref name="launch"/>; returns the kernelspec folder.</summary>
    public static string Install(KernelInstallScope scope, string? prefix, IReadOnlyList<string> launch)
    {
        var kernelsDir = scope switch
        {
            KernelInstallScope.Prefix when string.IsNullOrWhiteSpace(prefix) => throw new WorkbenchException("--prefix needs a folder."),
            KernelInstallScope.Prefix => Path.Combine(Path.GetFullPath(prefix!), "share", "jupyter", "kernels"),
            _ => Path.Combine(UserDataDir(), "kernels"),
        };
        var dir = Path.Combine(kernelsDir, NotebookDocument.KernelName);
        Directory.CreateDirectory(dir);
        var spec = new JsonObject
        {
            ["argv"] = new JsonArray([.. launch.Select(a => (JsonNode?)a), "kernel", "--connection-file", "{connection_file}"]),
            ["display_name"] = "C# (Workbench)",
            ["language"] = "C#",
            ["interrupt_mode"] = "signal",
            ["metadata"] = new JsonObject { ["debugger"] = false },
            ["env"] = new JsonObject
            {
                [ChildProcessSession.TieredCompilationVariable] = "0",
                [ChildProcessSession.JitSetByParentVariable] = "1",
            },
        };
        var path = Path.Combine(dir, "kernel.json");
        var temp = path + ".tmp";
        File.WriteAllText(temp, NotebookJson.Write(spec));
        File.Move(temp, path, overwrite: true);
        KernelLogo.WriteInto(dir); // logo-32x32.png, logo-64x64.png: the launcher and kernel picker show them
        return dir;
    }

    /// <summary>How to start this workbench: the apphost alone, or the dotnet host plus the absolute dll path.</summary>
    public static IReadOnlyList<string> LaunchCommand()
    {
        var process = Environment.ProcessPath ?? throw new WorkbenchException("cannot tell the path of the running executable.");
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        var isDotnetHost = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        if (!isDotnetHost) return [process];
        if (string.IsNullOrEmpty(entry)) throw new WorkbenchException("running under the dotnet host but the entry assembly has no path.");
        return [process, Path.GetFullPath(entry)];
    }

    static string UserDataDir()
    {
        if (Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } fromEnv) return fromEnv;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsWindows()) return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter");
        if (OperatingSystem.IsMacOS()) return Path.Combine(home, "Library", "Jupyter");
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "share") : xdg, "jupyter");
    }
}
