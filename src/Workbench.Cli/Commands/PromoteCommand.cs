using Workbench.Experiments.Promotion;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench promote RUN --as NAME [--store DIR] [--floor metric=value ...]</c>: makes a finished run's model the one scoring uses under NAME.</summary>
public static class PromoteCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "Id of the run to promote (a folder under STORE/runs), a unique prefix of it, or 'latest'." };
        var name = new Option<string>("--as") { Description = "Name to promote the model as (letters, digits, '.', '_', '-').", Required = true };
        var io = new CommandFlags(store: true);
        var floors = new Option<string[]>("--floor") { Description = "Extra promotion floor metric=value (e.g. churn.auc=0.7); repeatable.", AllowMultipleArgumentsPerToken = true };
        var allowWeak = new Option<bool>("--allow-weak") { Description = "Promote even when a model is flagged weak (at most one tree, or test ROC AUC at most 0.52); refused by default." };
        var cmd = new Command("promote", "Promote a succeeded run's model under a name, after checking its metrics against the run's promotion floors, the weak-model floor and any --floor given.")
        {
            run, name, floors, allowWeak,
        };
        io.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var layout = io.Layout(p);
            var extra = ParseFloors(p.GetValue(floors) ?? []);
            var runId = new RunStore(layout).Find(p.GetValue(run)!).Id;
            var record = Promoter.Promote(layout, runId, p.GetValue(name)!, extra, p.GetValue(allowWeak));
            var e = record.Current;
            Console.WriteLine($"Promoted run {e.RunId} ({e.RunName}) as '{e.Name}'.");
            foreach (var c in e.FloorsChecked.Where(c => c.Source == "override"))
                Console.WriteLine($"  warning: {c.Metric} = 1: promoted a weak model because --allow-weak was given");
            foreach (var c in e.FloorsChecked.Where(c => c.Source != "override"))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {c.Metric} = {c.Value:0.####} >= {c.Floor:0.####} ({c.Source})"));
            if (record.History.Count > 0) Console.WriteLine($"  replaces run {record.History[0].RunId} (history: {record.History.Count} earlier promotion(s))");
            Console.WriteLine("  model: " + layout.PromotedModelDirectory(e.Name));
            return 0;
        });
        return cmd;
    }

    /// <summary>Parses "metric=value" floors; a malformed one is an error naming it.</summary>
    public static IReadOnlyDictionary<string, double> ParseFloors(IEnumerable<string> floors)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var f in floors)
        {
            int eq = f.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !double.TryParse(f[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw new Workbench.OptionsValidationException($"--floor '{f}': expected metric=value with a number in invariant culture (e.g. churn.auc=0.7).");
            result[f[..eq].Trim()] = v;
        }
        return result;
    }
}
