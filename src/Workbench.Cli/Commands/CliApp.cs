namespace Workbench.Cli.Commands;

/// <summary>The <c>workbench</c> command tree. Tests build the same tree to run commands in-process.</summary>
public static class CliApp
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("workbench: B2B account intelligence. Generate or load CRM data, label, build features, rank accounts, explain, segment, record and promote runs, score new data, and run notebooks.");
        // One line per command; each command lives in Commands/<Name>Command.cs.
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(FeaturesCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(ExplainCommand.Create());
        root.Subcommands.Add(SegmentCommand.Create());
        root.Subcommands.Add(AbTestCommand.Create());
        root.Subcommands.Add(TerritoryCommand.Create());
        root.Subcommands.Add(ActionsCommand.Create());
        root.Subcommands.Add(ClvCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(TableCommand.Create());
        root.Subcommands.Add(PipelineCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(PromoteCommand.Create());
        root.Subcommands.Add(PartitionCommand.Create());
        root.Subcommands.Add(ScoreCommand.Create());
        root.Subcommands.Add(NotebooksCommand.Create());
        root.Subcommands.Add(KernelCommand.Create());
        return root;
    }
}
