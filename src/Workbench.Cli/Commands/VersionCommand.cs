using System.Reflection;

namespace Workbench.Cli.Commands;

public static class VersionCommand
{
    public static Command Create()
    {
        var cmd = new Command("about", "Print the workbench version and runtime.");
        cmd.SetAction(_ =>
        {
            var v = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            Console.WriteLine($"workbench {v} on .NET {Environment.Version}");
            return 0;
        });
        return cmd;
    }
}
