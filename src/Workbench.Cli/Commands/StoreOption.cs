namespace Workbench.Cli.Commands;

/// <summary>The --store option shared by 'run', 'runs', 'promote' and 'score'.</summary>
internal static class StoreOption
{
    public static Option<string> Create() => new("--store")
    {
        Description = $"Run store folder (default: ${StoreLayout.EnvironmentVariable} or ./{StoreLayout.DefaultRoot}).",
        DefaultValueFactory = _ => StoreLayout.Default().Root,
    };
}
