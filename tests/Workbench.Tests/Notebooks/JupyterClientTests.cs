using System.Diagnostics;

namespace Workbench.Tests.Notebooks;

/// <summary>Runs only where Debian's Python Jupyter client is installed; on CI (CI=true) a missing client is a
/// failure, not a skip, so the kernel is never silently untested there.</summary>
public sealed class JupyterFactAttribute : FactAttribute
{
    public JupyterFactAttribute()
    {
        if (!JupyterEnvironment.Available && !JupyterEnvironment.IsCi)
            Skip = "needs /usr/bin/python3 with jupyter_client, nbclient, nbconvert (apt-get install -y jupyter-client python3-nbclient jupyter-nbconvert)";
    }
}

internal static class JupyterEnvironment
{
    public const string Python = "/usr/bin/python3";

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool Available { get; } = Probe();

    /// <summary>Fails the test with the install hint when the Jupyter packages are missing (JupyterFact only runs then on CI).</summary>
    public static void RequireAvailable() => Assert.True(Available,
        "CI=true but /usr/bin/python3 cannot import jupyter_client/nbclient/nbconvert: install the Debian packages "
        + "jupyter-client python3-nbclient jupyter-nbconvert (.ci/install-deps.sh does).");

    /// <summary>The dotnet host running the tests, and the workbench.dll built beside them: what the kernelspec launches.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    public static string WorkbenchDll => Path.Combine(AppContext.BaseDirectory, "workbench.dll");

    static bool Probe()
    {
        if (!File.Exists(Python)) return false;
        var (code, _) = Run(Python, ["-c", "import jupyter_client, nbclient, nbconvert, nbformat, zmq"], TimeSpan.FromSeconds(30));
        return code == 0;
    }

    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout.TotalSeconds} s\n{stdout.Result}\n{stderr.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}

public sealed class JupyterClientTests
{
    [JupyterFact]
    public void The_kernel_passes_the_real_jupyter_client_checks()
    {
        JupyterEnvironment.RequireAvailable();
        var dotnet = JupyterEnvironment.DotnetHost;
        var workbenchDll = JupyterEnvironment.WorkbenchDll;
        var script = Path.Combine(TestPaths.RepoRoot, "tests", "kernel", "test_kernel.py");

        var (code, output) = JupyterEnvironment.Run(JupyterEnvironment.Python, [script, dotnet, workbenchDll], TimeSpan.FromMinutes(8));

        Assert.True(code == 0, "tests/kernel/test_kernel.py failed:\n" + output);
        Assert.Contains("checks passed", output);
    }
}
