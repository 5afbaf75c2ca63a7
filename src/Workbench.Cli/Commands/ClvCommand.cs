using Workbench.Analytics.Lifetime;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench clv --data DIR --out DIR [--calibration-end yyyy-MM-dd] [--time-unit days|weeks|months]
/// [--horizon MONTHS] [--discount-rate R] [--margin M] [--model auto|bg_nbd|pareto_nbd]</c>: customer lifetime value
/// from repeat purchases (BG/NBD, Pareto/NBD, Gamma-Gamma), with parameters.json, clv.csv, charts.html and, on
/// generated data, clv-metrics.json.</summary>
public static class ClvCommand
{
    static readonly IReadOnlyDictionary<string, LifetimeTimeUnit> Units =
        CliOptions.Choices(("days", LifetimeTimeUnit.Days), ("weeks", LifetimeTimeUnit.Weeks), ("months", LifetimeTimeUnit.Months));
    static readonly IReadOnlyDictionary<string, RepeatPurchaseModel> Models =
        CliOptions.Choices(("auto", RepeatPurchaseModel.Auto), ("bg_nbd", RepeatPurchaseModel.BgNbd), ("pareto_nbd", RepeatPurchaseModel.ParetoNbd));

    public static Command Create()
    {
        var io = new CommandFlags(data: "Dataset folder (transactions table, else monthly spend; optional truth/).", output: "Output folder.", lenient: true);
        var calibrationEnd = CliOptions.DateOption("--calibration-end", "Last day of the calibration period (yyyy-MM-dd). Default: 12 months before the end of generated data, else the end of the data.");
        var unit = new Option<string?>("--time-unit") { Description = "days, weeks or months. Default: weeks for transactions, months for monthly spend." };
        var horizon = new Option<int>("--horizon") { Description = "CLV horizon in months.", DefaultValueFactory = _ => new LifetimeOptions().HorizonMonths };
        var discount = new Option<double>("--discount-rate") { Description = "Annual discount rate (0.10 = 10%).", DefaultValueFactory = _ => new LifetimeOptions().AnnualDiscountRate };
        var margin = new Option<double>("--margin") { Description = "Share of revenue that is margin (0-1].", DefaultValueFactory = _ => new LifetimeOptions().Margin };
        var model = CliOptions.ChoiceOption("--model", "auto (higher likelihood), bg_nbd or pareto_nbd.", Models, "auto");
        var seed = CliOptions.Seed("Seed of the parameter draws behind each row's CLV interval (clv_low, clv_high).");
        return CliCommand.Create("clv", "Customer lifetime value from repeat purchases: BG/NBD, Pareto/NBD and Gamma-Gamma fitted by maximum likelihood; " +
            "writes parameters.json (with standard errors), clv.csv, clv-evaluation.json, charts.html, lifetime-model.zip and, on generated data, clv-metrics.json.",
            io, [calibrationEnd, unit, horizon, discount, margin, model, seed], p =>
        {
            LifetimeTimeUnit? u = p.GetValue(unit) is { Length: > 0 } unitText ? CliOptions.Choice(unit.Name, unitText, Units) : null;
            var m = CliOptions.Choice(model.Name, p.GetValue(model)!, Models);
            var options = new LifetimeOptions
            {
                HorizonMonths = p.GetValue(horizon), AnnualDiscountRate = p.GetValue(discount), Margin = p.GetValue(margin), Model = m, Seed = p.GetValue(seed),
            };
            options.Validate();
            var calEnd = CliOptions.Date(p, calibrationEnd);
            var dataset = io.LoadData(p);
            var result = CliProgress.Run("lifetime value", _ => LifetimeStage.Run(dataset, io.OutDirectory(p), calEnd, u, options));

            var inv = CultureInfo.InvariantCulture;
            var (bg, pn, gg) = (result.Model.BgNbd, result.Model.ParetoNbd, result.Model.GammaGamma);
            Console.WriteLine(string.Create(inv, $"{result.Summaries.Customers.Count:N0} customers from {result.PurchaseSource}, calibration to {result.Summaries.CalibrationEnd:yyyy-MM-dd}, time in {result.Summaries.TimeUnit.ToString().ToLowerInvariant()}"));
            Console.WriteLine(string.Create(inv, $"  BG/NBD     r {bg.R:F4} alpha {bg.Alpha:F4} a {bg.A:F4} b {bg.B:F4} (log-likelihood {result.Model.BgNbdFit.LogLikelihood:F1})"));
            Console.WriteLine(string.Create(inv, $"  Pareto/NBD r {pn.R:F4} alpha {pn.Alpha:F4} s {pn.S:F4} beta {pn.Beta:F4} (log-likelihood {result.Model.ParetoNbdFit.LogLikelihood:F1})"));
            Console.WriteLine(string.Create(inv, $"  Gamma-Gamma p {gg.P:F4} q {gg.Q:F4} v {gg.V:F4} on {result.Model.RepeatBuyers:N0} repeat buyers; frequency/spend correlation {result.Model.FrequencyMonetaryCorrelation:F3}"));
            Console.WriteLine(string.Create(inv, $"  valued with {result.Model.ModelName}; holdout purchases actual {result.Evaluation.ActualHoldoutPurchases:F0}, predicted {result.Evaluation.PredictedHoldoutPurchases:F1}"));
            if (result.AccountLevel is { } acc)
                Console.WriteLine(string.Create(inv, $"  account-level value: run-rate x sBG survival (monthly alpha {acc.Survival.Alpha:F3}, beta {acc.Survival.Beta:F3})"));
            if (result.Evaluation.Revenue12Months is { } r && dataset.Truth is not null)
            {
                var headline = result.AccountLevel?.Revenue12Months ?? r;
                Console.WriteLine(string.Create(inv, $"  12-month revenue rank correlation {headline.Spearman:F3} (baseline last 12 months {headline.BaselineSpearman:F3}; {result.Model.ModelName} {r.Spearman:F3})"));
            }
            foreach (var note in result.Notes) Console.WriteLine("  note: " + note);
            CliCommand.Wrote(result.Files);
        });
    }
}
