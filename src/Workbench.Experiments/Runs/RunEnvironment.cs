using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Workbench.Experiments.Runs;

/// <summary>What a run records about the code and machine that produced it.</summary>
public static class RunEnvironment
{
    /// <summary>The version of the code that runs: the git commit and dirty flag of the checkout the workbench assemblies
    /// were built in (found from their folder), else of the checkout containing <paramref name="directory"/> (default: the
    /// current folder), else the commit the build embedded in the assembly's informational version (dirty state unknown,
    /// reported as clean); null when none of these is known.</summary>
    public static CodeVersion? CodeVersion(string? directory = null) =>
        CheckoutVersion(AppContext.BaseDirectory)
        ?? CheckoutVersion(directory ?? Directory.GetCurrentDirectory())
        ?? (EmbeddedCommit(typeof(RunEnvironment).Assembly) is { } embedded ? new CodeVersion(embedded, false) : null);

    /// <summary>The full commit id the SDK appends to the informational version ("1.0.0+&lt;sha&gt;") when it builds in a checkout.</summary>
    static string? EmbeddedCommit(Assembly a)
    {
        var v = a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        int plus = v?.IndexOf('+') ?? -1;
        var sha = plus >= 0 ? v![(plus + 1)..] : null;
        return sha is { Length: 40 } && sha.All(char.IsAsciiHexDigit) ? sha : null;
    }

    static CodeVersion? CheckoutVersion(string directory)
    {
        if (!Directory.Exists(directory)) return null;
        var commit = Git(directory, "rev-parse", "HEAD");
        if (commit is null || commit.Trim().Length != 40) return null;
        var status = Git(directory, "status", "--porcelain");
        if (status is null) return null;
        return new CodeVersion(commit.Trim(), status.Trim().Length > 0);
    }

    /// <summary>The SDK that `dotnet` resolves in the current folder (global.json applies); null where only a runtime is installed.</summary>
    static string? DotnetSdkVersion()
    {
        var v = Tool("dotnet", Directory.GetCurrentDirectory(), "--version")?.Trim();
        return v is { Length: > 0 } && char.IsAsciiDigit(v[0]) ? v : null;
    }

    static string? Git(string directory, params string[] args) => Tool("git", directory, args);

    static string? Tool(string tool, string directory, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(tool) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi);
            if (p is null) return null;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(30_000)) { try { p.Kill(true); } catch (InvalidOperationException) { } return null; }
            return p.ExitCode == 0 ? stdout.Result : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; } // the tool is not installed
        catch (IOException) { return null; }
    }

    /// <summary>The runtime, OS, and the informational versions of the assemblies that compute results.</summary>
    public static IReadOnlyDictionary<string, string> Describe()
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["os"] = RuntimeInformation.OSDescription,
            ["architecture"] = RuntimeInformation.ProcessArchitecture.ToString(),
            ["workbench"] = VersionOf(typeof(RunEnvironment).Assembly),
        };
        if (DotnetSdkVersion() is { } sdk) env["dotnet_sdk"] = sdk;
        // Package name -> an assembly it ships (Microsoft.ML has no assembly of its own name).
        foreach (var (name, assembly) in new[] { ("Microsoft.ML", "Microsoft.ML.Data"), ("Microsoft.ML.FastTree", "Microsoft.ML.FastTree"), ("Microsoft.ML.LightGbm", "Microsoft.ML.LightGbm"),
            ("Microsoft.Data.Analysis", "Microsoft.Data.Analysis"), ("MathNet.Numerics", "MathNet.Numerics"), ("Deedle", "Deedle"), ("Plotly.NET", "Plotly.NET") })
        {
            try { env[name] = VersionOf(Assembly.Load(new AssemblyName(assembly))); }
            catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException) { env[name] = "not loaded"; }
        }
        return new Dictionary<string, string>(env, StringComparer.Ordinal);
    }

    static string VersionOf(Assembly a)
    {
        var v = a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? a.GetName().Version?.ToString() ?? "unknown";
        int plus = v.IndexOf('+');
        // Keep the source commit short: "4.0.2+abcdef..." -> "4.0.2+abcdef12".
        return plus >= 0 && v.Length > plus + 9 ? v[..(plus + 9)] : v;
    }
}
