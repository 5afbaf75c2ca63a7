using Workbench.Analytics.Ranking;
using Workbench.Analytics.Tables;
using Workbench.Experiments.Promotion;
using Workbench.Experiments.Tabular;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench table train|score</c>: table tasks on one-row-per-entity data (subscribers, leads, deals with
/// an outcome). <c>train</c> records a run in the store (promote it with <c>workbench promote</c>); <c>score</c> scores
/// new rows with a promoted table model.</summary>
public static class TableCommand
{
    public static Command Create() =>
        CliCommand.Group("table", "Table tasks on one-row-per-entity data: train a yes/no outcome as a recorded run, then promote it and score new rows.",
            Train(), Score());

    const string DataDescription = "A CSV file with a header, or a folder written by 'workbench import' (its account_attributes.csv).";
    static Option<string> DataOption() => CliOptions.Data(DataDescription);
    static Option<string?> IdOption() => new("--id") { Description = "Id column (default: account_id or id when present, else the row number)." };

    static Command Train()
    {
        var data = DataOption();
        var id = IdOption();
        var target = new Option<string>("--target") { Description = "The outcome column (true/false, yes/no or 1/0; else name the positive value with --positive).", Required = true };
        var positive = new Option<string?>("--positive") { Description = "The outcome value that counts as positive (default true, yes, 1)." };
        var exclude = new Option<string[]>("--exclude") { Description = "Columns left out of the features (repeatable).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [] };
        var dateColumn = new Option<string?>("--date-column") { Description = "A yyyy-MM-dd column: the latest rows become the test rows (a time split). Default: a seeded stratified split." };
        var testShare = new Option<double>("--test-share") { Description = "Share of rows held out for the test.", DefaultValueFactory = _ => 0.25 };
        var seed = CliOptions.Seed("Seed of the split and the model.");
        var defaults = new TableTaskOptions { Target = "x" }.Model;
        var algorithm = new Option<PropensityAlgorithm>("--algorithm") { Description = "LightGbm, FastTree or LogisticRegression.", DefaultValueFactory = _ => defaults.Algorithm };
        var minPos = new Option<int>("--min-positives") { Description = "Refuse to train with fewer positive training rows.", DefaultValueFactory = _ => defaults.MinPositives };
        var minNeg = new Option<int>("--min-negatives") { Description = "Refuse to train with fewer negative training rows.", DefaultValueFactory = _ => defaults.MinNegatives };
        var minLeaf = new Option<int>("--min-examples-per-leaf") { Description = "Largest minimum leaf size (scaled down to a twentieth of the training rows on small data).", DefaultValueFactory = _ => defaults.MinExamplesPerLeaf };
        var floors = new Option<string[]>("--floor") { Description = "Promotion floor metric=value recorded with the run (e.g. table.auc=0.8); repeatable.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [] };
        var io = new CommandFlags(store: true);
        return CliCommand.Create("train", "Train and evaluate a table task (split, calibrated trees, test ROC/PR AUC, weak-model flag) and record it as a run; promote it with 'workbench promote RUN --as NAME'.",
            io, [data, id, target, positive, exclude, dateColumn, testShare, seed, algorithm, minPos, minNeg, minLeaf, floors], p =>
        {
            var options = new TableTaskOptions
            {
                Target = p.GetValue(target)!, PositiveValue = p.GetValue(positive), Exclude = p.GetValue(exclude) ?? [], DateColumn = p.GetValue(dateColumn),
                TestShare = p.GetValue(testShare), Seed = p.GetValue(seed),
                Model = defaults with { Algorithm = p.GetValue(algorithm), MinPositives = p.GetValue(minPos), MinNegatives = p.GetValue(minNeg), MinExamplesPerLeaf = p.GetValue(minLeaf) },
            };
            var runStore = io.OpenStore(p);
            var result = CliProgress.Run($"table task {options.Target}", _ =>
                TableTaskJob.Train(p.GetValue(data)!, p.GetValue(id), options, runStore, PromoteCommand.ParseFloors(p.GetValue(floors) ?? [])));
            var m = result.Metrics;
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"run {result.Record.Id} (table:{options.Target}) succeeded: {result.Split.Train.RowCount:N0} train / {result.Split.Test.RowCount:N0} test rows ({result.Split.Method}), {result.Model.Encoder.FeatureNames.Count} encoded features, {m.Trees} trees"));
            Console.WriteLine(string.Create(inv, $"  test ROC AUC {m.RocAuc:F3}, PR AUC {m.PrAuc:F3}, Brier {m.Brier:F3}, positive rate {m.PositiveRate:P1}"));
            if (m.WeakModel)
                Console.WriteLine(string.Create(inv, $"  warning: weak model ({m.Trees} tree(s), test ROC AUC {m.RocAuc:F3}): table.weak_model = 1 and `workbench promote` refuses it without --allow-weak"));
            Console.WriteLine($"  folder: {Path.GetFullPath(runStore.Layout.RunDirectory(result.Record.Id))}");
        });
    }

    static Command Score()
    {
        var io = new CommandFlags(model: "Name of a promoted table model (see 'workbench promote').", data: DataDescription,
            output: "Output folder: scores.csv (id, probability, rank, top reasons).", store: true);
        var id = IdOption();
        var reasons = new Option<int>("--reasons") { Description = "Reasons (largest TreeSHAP contributions) per row.", DefaultValueFactory = _ => 3 };
        return CliCommand.Create("score", "Score new rows with a promoted table model: calibrated probability, rank and the features that moved each score most.",
            io, [id, reasons], p =>
        {
            if (p.GetValue(reasons) is < 0 or > 20) throw new OptionsValidationException($"--reasons: expected 0..20, got {p.GetValue(reasons)}.");
            var result = CliProgress.Run("scoring", _ => TableTaskJob.Score(io.Layout(p), io.ModelArgument(p), io.DataDirectory(p), io.OutDirectory(p), p.GetValue(id), p.GetValue(reasons)));
            Console.WriteLine($"Scored {result.Rows:N0} rows with table model '{result.ModelName}' (run {result.RunId}).");
            CliCommand.Wrote(result.Files.Select(f => Path.Combine(result.OutDir, f)));
        });
    }
}
