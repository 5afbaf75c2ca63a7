using Workbench.Analytics;
using Workbench.Analytics.Labeling;
using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Cli.Commands;

/// <summary>Options shared by the commands that read a dataset and cut snapshots.</summary>
internal sealed class DataOptions
{
    /// <summary>--data, --out and --lenient.</summary>
    public readonly CommandFlags Io = new(data: CliOptions.DataDescription, output: "Output folder.", lenient: true);
    public readonly Option<int> Horizon = new("--horizon") { Description = "Label window in months.", DefaultValueFactory = _ => PipelineOptions.Default.Snapshots.HorizonMonths };
    public readonly Option<int> Gap = new("--gap") { Description = "Months between the as-of date and the label window.", DefaultValueFactory = _ => PipelineOptions.Default.Snapshots.GapMonths };
    public readonly Option<int> Step = new("--step") { Description = "One as-of date every this many months.", DefaultValueFactory = _ => PipelineOptions.Default.Snapshots.StepMonths };

    public void AddTo(Command cmd)
    {
        Io.AddTo(cmd);
        foreach (var o in new Option[] { Horizon, Gap, Step }) cmd.Options.Add(o);
    }

    public SnapshotOptions Snapshots(ParseResult p) => PipelineOptions.Default.Snapshots with { HorizonMonths = p.GetValue(Horizon), GapMonths = p.GetValue(Gap), StepMonths = p.GetValue(Step) };

    public CrmDataset Load(ParseResult p) => Io.LoadData(p);

    /// <summary>Loads a dataset folder the way every command does: strict by default; a lenient load prints its report
    /// when rows were rejected, so a rejection is never silent.</summary>
    public static CrmDataset LoadDataset(string dir, bool lenient = false)
    {
        var result = PipelineStages.LoadDataset(dir, lenient);
        if (result.Report.Tables.Any(t => t.Rejected > 0)) Console.Error.Write(result.Report.ToText());
        return result.Dataset;
    }

    /// <summary>Parses a date option (yyyy-MM-dd, invariant); null when the option was not given.</summary>
    public static DateOnly? ParseDate(string option, string? text) =>
        text is not { Length: > 0 } ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) ? d
        : throw new OptionsValidationException($"{option}: '{text}' is not a date in the form yyyy-MM-dd.");
}
