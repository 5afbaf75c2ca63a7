using System.CommandLine;
using System.Globalization;
using Workbench.Cli.Commands;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var root = new RootCommand("workbench: B2B account intelligence. Generate or load CRM data, label, build features, rank accounts, explain, segment, and run notebooks.");
// One line per command; each command lives in Commands/<Name>Command.cs.
root.Subcommands.Add(VersionCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(FeaturesCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(SegmentCommand.Create());
return await CliRunner.InvokeAsync(root, args);
