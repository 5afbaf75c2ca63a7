using Workbench.Analytics.Lifetime;
using Workbench.Reporting.Lifetime;
using Workbench.Reporting.Segmentation;

namespace Workbench.Experiments.Pipeline;

/// <summary>What the lifetime stage read and produced.</summary>
public sealed record LifetimeOutput(
    LifetimeModel Model,
    CustomerSummaryTable Summaries,
    IReadOnlyList<CustomerValue> Values,
    LifetimeEvaluationResult Evaluation,
    IReadOnlyList<CohortRetention> Cohorts,
    string PurchaseSource,
    AccountLevelValue? AccountLevel,
    IReadOnlyList<string> Files)
{
    /// <summary>Plain-language notes on which model values the rows and why (a degenerate fit, a purchase pattern the
    /// repeat-purchase models do not describe); also in parameters.json under <c>model_notes</c>.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>CLV by segment (planted segment, else industry); empty when the data has neither.</summary>
    public IReadOnlyList<SegmentClv> BySegment { get; init; } = [];
}

/// <summary>The contractual account-level alternative (monthly spend data): the sBG survival fitted on tenures and,
/// when the data covers the 12 months after the calibration end, its 12-month revenue comparison.</summary>
public sealed record AccountLevelValue(SbgParameters Survival, IReadOnlyDictionary<string, double> Clv, RevenueComparison? Revenue12Months);

/// <summary>The <c>workbench clv</c> stage: purchases (the day-level transactions table, else monthly spend) to
/// customer summaries, BG/NBD, Pareto/NBD and Gamma-Gamma fits, CLV per account, evaluation, charts and files.</summary>
public static class LifetimeStage
{
    public const string ParametersFile = "parameters.json", ClvFile = "clv.csv", ChartsFile = "charts.html",
        MetricsFile = "clv-metrics.json", EvaluationFile = "clv-evaluation.json", ModelFileName = "lifetime-model.zip";

    /// <summary>The lifetime part of a run's (or promoted) model folder: <see cref="ModelFileName"/> when present, else null.</summary>
    public static LifetimeModel? ReadBookModel(string modelDir)
    {
        var path = Path.Combine(modelDir, ModelFileName);
        if (!File.Exists(path)) return null;
        using var stream = File.OpenRead(path);
        return LifetimeModel.Load(stream, path);
    }

    /// <summary>Purchases of a dataset: its transactions table when it has one, else one purchase per account-month of spend.</summary>
    public static (IReadOnlyList<Purchase> Purchases, string Source, DateOnly ObservationEnd) Purchases(CrmDataset data)
    {
        if (data.Transactions.Count > 0)
            return (CustomerSummaries.FromTransactions(data.Transactions), "transactions", data.Transactions.Max(t => t.Date));
        if (data.Spend.Count == 0) throw new WorkbenchException("The dataset has neither a transactions table nor spend: nothing to value.");
        var last = data.Spend.Max(s => s.Month);
        return (CustomerSummaries.FromMonthlySpend(data.Spend), "spend", last.AddMonths(1).AddDays(-1));
    }

    /// <summary>Runs the stage. Default time unit: weeks for transactions, months for monthly spend. Default calibration
    /// end: 12 months before the end of the data when it carries planted truth (so the 12 months after it can be
    /// compared), else the end of the data.</summary>
    public static LifetimeOutput Run(CrmDataset data, string outDir, DateOnly? calibrationEnd = null, LifetimeTimeUnit? unit = null,
        LifetimeOptions? options = null)
    {
        var (purchases, source, obsEnd) = Purchases(data);
        var timeUnit = unit ?? (source == "transactions" ? LifetimeTimeUnit.Weeks : LifetimeTimeUnit.Months);
        options = (options ?? new LifetimeOptions()) with { TimeUnit = timeUnit };
        options.Validate();
        var calEnd = calibrationEnd ?? (data.Truth is not null
            ? new DateOnly(obsEnd.Year, obsEnd.Month, 1).AddMonths(-11).AddDays(-1)
            : obsEnd);
        var first = purchases.Min(p => p.Date);
        if (calEnd < first || calEnd > obsEnd)
            throw new OptionsValidationException($"--calibration-end {calEnd:yyyy-MM-dd} is outside the purchases ({first:yyyy-MM-dd} to {obsEnd:yyyy-MM-dd}).");
        var summaries = CustomerSummaries.Build(purchases, calEnd, timeUnit, obsEnd);
        var model = LifetimeEstimator.Fit(summaries, options);
        // Monthly spend is valued by run-rate x sBG survival below, so the repeat-purchase rows need no interval there.
        var values = model.Score(summaries, source == "spend" ? 0 : options.IntervalDraws, options.Seed);
        var evaluation = LifetimeEvaluation.Evaluate(model, summaries, purchases);
        var notes = new List<string>();
        foreach (var (name, problems) in model.FitProblems)
            notes.Add($"{name} fit is degenerate: {string.Join("; ", problems)}.");
        AccountLevelValue? accountLevel = null;
        if (source == "spend")
        {
            // Why the repeat-purchase models are not the valuation here: monthly sums cap purchases at one per month and
            // B2B accounts pay every month while under contract, so counts are not Poisson purchases with heterogeneous
            // rates (BG/NBD then runs r and alpha to infinity, its Poisson limit, and Pareto/NBD does the same).
            var repeat = summaries.Customers.Where(c => c.Frequency > 0).ToList();
            double everyMonth = repeat.Count == 0 ? 0 : repeat.Count(c => c.Frequency >= c.T) / (double)repeat.Count;
            notes.Add(string.Create(RunContext.Culture,
                $"monthly spend: {everyMonth:P0} of the {repeat.Count} accounts with repeat purchases paid in every month since their first, ") +
                "a subscription pattern; purchase counts capped at one per month are not the Poisson purchases with heterogeneous rates that " +
                "BG/NBD and Pareto/NBD assume, so clv.csv values accounts by run-rate x sBG survival (sbg_run_rate) and reports the repeat-purchase fits for comparison only.");
            // Subscription-like monthly spend: value accounts by their run-rate and sBG survival (model named per row).
            var (survival, rows) = RunRateSurvivalValue.Estimate(purchases, calEnd, options);
            var byId = rows.ToDictionary(r => r.AccountId, StringComparer.Ordinal);
            var revenue = evaluation.Revenue12Months is null ? null
                : LifetimeEvaluation.CompareRevenue(summaries.Customers.Select(c => c.AccountId).ToList(),
                    summaries.Customers.Select(c => byId[c.AccountId].Revenue12).ToList(), purchases, calEnd);
            accountLevel = new AccountLevelValue(survival, rows.ToDictionary(r => r.AccountId, r => r.Clv, StringComparer.Ordinal), revenue);
            values = values.Select(v =>
            {
                var a = byId[v.AccountId];
                return v with
                {
                    Model = RunRateSurvivalValue.ModelName, Clv = a.Clv, ExpectedRevenue = a.Revenue12, ClvLow = a.ClvLow, ClvHigh = a.ClvHigh,
                    Reason = a.Active
                        ? $"monthly spend (subscription pattern): run-rate x sBG survival, paying in the calibration-end month after {a.Tenure} months"
                        : "monthly spend (subscription pattern): no payment in the calibration-end month, so churned and worth 0",
                };
            }).ToList();
        }
        var cohorts = CohortRetentionAnalysis.Build(purchases, obsEnd, timeUnit == LifetimeTimeUnit.Months ? 3 : 1);
        var (segmentOf, segmentKind) = ClvBySegment.SegmentsOf(data);
        var bySegment = segmentKind is null ? [] : ClvBySegment.Build(values, segmentOf);
        var files = Write(outDir, model, summaries, values, evaluation, cohorts, data.Truth is not null, source, accountLevel, notes, bySegment, segmentKind);
        return new LifetimeOutput(model, summaries, values, evaluation, cohorts, source, accountLevel, files) { Notes = notes, BySegment = bySegment };
    }

    static IReadOnlyList<string> Write(string outDir, LifetimeModel model, CustomerSummaryTable summaries, IReadOnlyList<CustomerValue> values,
        LifetimeEvaluationResult evaluation, IReadOnlyList<CohortRetention> cohorts, bool truth, string source, AccountLevelValue? accountLevel,
        IReadOnlyList<string> notes, IReadOnlyList<SegmentClv> bySegment, string? segmentKind)
    {
        // Everything is computed before the first file is written; each file is written atomically.
        var unit = summaries.TimeUnit.ToString().ToLowerInvariant();
        var parameters = model.ParametersJson();
        parameters["purchase_source"] = source;
        parameters["customers"] = summaries.Customers.Count;
        if (accountLevel is not null)
            parameters["sbg_run_rate"] = new JsonObject { ["alpha"] = N(accountLevel.Survival.Alpha), ["beta"] = N(accountLevel.Survival.Beta), ["period"] = "month" };
        parameters["clv_model"] = accountLevel is null ? model.ModelName : RunRateSurvivalValue.ModelName;
        parameters["model_notes"] = new JsonArray(notes.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
        var charts = new List<(string, Plotly.NET.GenericChart)>
        {
            ("p-alive", LifetimeCharts.FrequencyRecency(FrequencyRecencyMatrix.Build(model, summaries), true, unit)),
            ("expected-purchases", LifetimeCharts.FrequencyRecency(FrequencyRecencyMatrix.Build(model, summaries), false, unit)),
            ("calibration-holdout", LifetimeCharts.CalibrationHoldout(evaluation)),
            ("tracking", LifetimeCharts.CumulativeTracking(evaluation, summaries.CalibrationEnd)),
            ("retention", LifetimeCharts.Retention(cohorts)),
        };
        if (segmentKind is not null) charts.Add(("clv-by-segment", LifetimeCharts.ClvDistributionBySegment(bySegment, segmentKind)));
        var outputs = new List<(string Name, string Text)>
        {
            (ParametersFile, JsonText(parameters)),
            (ClvFile, ClvCsv(values)),
            (EvaluationFile, JsonText(EvaluationJson(evaluation, cohorts))),
            (ChartsFile, SegmentationCharts.ToStandaloneHtml($"Customer lifetime value: {model.ModelName}, calibration to {summaries.CalibrationEnd:yyyy-MM-dd}", charts)),
        };
        if (truth && evaluation.Revenue12Months is { } bgRevenue)
        {
            // The account-level value (the model of clv.csv) is the headline; the repeat-purchase model is reported beside it.
            var r = accountLevel?.Revenue12Months ?? bgRevenue;
            outputs.Add((MetricsFile, JsonText(new JsonObject
            {
                ["spearman_12m"] = N(r.Spearman), ["baseline_spearman_12m"] = N(r.BaselineSpearman),
                ["mae_12m"] = N(r.MeanAbsoluteError), ["baseline_mae_12m"] = N(r.BaselineMeanAbsoluteError),
                ["realized_revenue_12m"] = N(r.RealizedTotal), ["predicted_revenue_12m"] = N(r.PredictedTotal),
                ["accounts"] = r.Accounts, ["model"] = accountLevel is null ? model.ModelName : RunRateSurvivalValue.ModelName,
                ["repeat_purchase_model"] = model.ModelName,
                ["repeat_purchase_spearman_12m"] = N(bgRevenue.Spearman), ["repeat_purchase_mae_12m"] = N(bgRevenue.MeanAbsoluteError),
            })));
        }
        var written = AtomicFile.WriteTexts(outDir, outputs);
        var modelPath = Path.Combine(outDir, ModelFileName);
        AtomicFile.Write(modelPath, model.Save);
        written.Add(modelPath);
        return written;
    }

    static JsonNode? N(double v) => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 10)) : null;

    static string JsonText(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    public static string ClvCsv(IReadOnlyList<CustomerValue> values) =>
        CsvText.Table(["account_id", "clv", "clv_low", "clv_high", "model", "model_reason", "p_alive", "expected_purchases", "expected_value_per_purchase", "expected_revenue", "frequency", "recency", "t"],
            values.Select(v => new[]
            {
                CsvText.Cell(v.AccountId), CsvText.Number(Math.Round(v.Clv, 6)),
                v.ClvLow is { } lo ? CsvText.Number(Math.Round(lo, 6)) : "", v.ClvHigh is { } hi ? CsvText.Number(Math.Round(hi, 6)) : "",
                CsvText.Cell(v.Model), CsvText.Cell(v.Reason), CsvText.Number(Math.Round(v.ProbabilityAlive, 6)),
                CsvText.Number(Math.Round(v.ExpectedPurchases, 6)), CsvText.Number(Math.Round(v.ExpectedValuePerPurchase, 6)),
                CsvText.Number(Math.Round(v.ExpectedRevenue, 6)), v.Frequency.ToString(CultureInfo.InvariantCulture),
                CsvText.Number(Math.Round(v.Recency, 6)), CsvText.Number(Math.Round(v.T, 6)),
            }));

    static JsonObject EvaluationJson(LifetimeEvaluationResult e, IReadOnlyList<CohortRetention> cohorts)
    {
        var buckets = new JsonArray();
        foreach (var b in e.ByFrequency)
            buckets.Add(new JsonObject { ["frequency"] = b.Label, ["customers"] = b.Customers, ["actual_mean"] = N(b.ActualMean), ["predicted_mean"] = N(b.PredictedMean) });
        var tracking = new JsonArray();
        foreach (var t in e.Tracking)
            tracking.Add(new JsonObject { ["step"] = t.Step, ["end"] = t.End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["actual"] = N(t.Actual), ["predicted"] = N(t.Predicted) });
        var cohortArray = new JsonArray();
        foreach (var c in cohorts)
        {
            var alive = new JsonArray();
            foreach (var a in c.Alive) alive.Add(JsonValue.Create(a));
            cohortArray.Add(new JsonObject
            {
                ["cohort"] = c.Cohort, ["period_months"] = c.PeriodMonths, ["alive"] = alive,
                ["sbg_alpha"] = c.Fit is null ? null : N(c.Fit.Alpha), ["sbg_beta"] = c.Fit is null ? null : N(c.Fit.Beta),
                ["sbg_log_likelihood"] = c.LogLikelihood is { } ll ? N(ll) : null,
            });
        }
        var o = new JsonObject
        {
            ["holdout_duration"] = N(e.HoldoutDuration), ["actual_holdout_purchases"] = N(e.ActualHoldoutPurchases),
            ["predicted_holdout_purchases"] = N(e.PredictedHoldoutPurchases), ["by_frequency"] = buckets, ["tracking"] = tracking,
            ["cohorts"] = cohortArray,
        };
        if (e.Revenue12Months is { } r)
            o["revenue_12m"] = new JsonObject
            {
                ["spearman"] = N(r.Spearman), ["baseline_spearman"] = N(r.BaselineSpearman), ["mae"] = N(r.MeanAbsoluteError),
                ["baseline_mae"] = N(r.BaselineMeanAbsoluteError),
            };
        return o;
    }
}
