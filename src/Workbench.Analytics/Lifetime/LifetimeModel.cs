using System.Text.Json;

namespace Workbench.Analytics.Lifetime;

/// <summary>One customer's value: the model that valued it (and why), P(alive), expected purchases and spend per purchase
/// over the horizon, the discounted expected margin (CLV) and, where the model gives one, its parameter-uncertainty
/// interval (<see cref="ClvLow"/> to <see cref="ClvHigh"/>, null without one).</summary>
public sealed record CustomerValue(
    string AccountId,
    string Model,
    int Frequency,
    double Recency,
    double T,
    double ProbabilityAlive,
    double ExpectedPurchases,
    double ExpectedValuePerPurchase,
    double ExpectedRevenue,
    double Clv,
    double? ClvLow = null,
    double? ClvHigh = null,
    string Reason = "");

/// <summary>Fits the non-contractual lifetime models on customer summaries: BG/NBD and Pareto/NBD for purchase counts,
/// Gamma-Gamma for spend, and the frequency/monetary correlation that Gamma-Gamma assumes to be near zero.</summary>
public static class LifetimeEstimator
{
    public static LifetimeModel Fit(CustomerSummaryTable summaries) => Fit(summaries, new LifetimeOptions { TimeUnit = summaries.TimeUnit });

    public static LifetimeModel Fit(CustomerSummaryTable summaries, LifetimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        options.Validate();
        if (options.TimeUnit != summaries.TimeUnit)
            throw new OptionsValidationException($"The summaries are in {summaries.TimeUnit} but the options ask for {options.TimeUnit}.");
        var rfm = RfmData.From(summaries);
        if (summaries.Customers.Count(c => c.Frequency > 0) < 3)
            throw new WorkbenchException($"Lifetime models need repeat buyers: {summaries.Customers.Count(c => c.Frequency > 0)} of {summaries.Customers.Count} customers bought again before {summaries.CalibrationEnd:yyyy-MM-dd}.");
        var (bg, bgFit) = BgNbd.Fit(rfm);
        var (pn, pnFit) = ParetoNbd.Fit(rfm);
        var repeat = summaries.Customers.Where(c => c.Frequency > 0 && c.MonetaryValue > 0).ToList();
        var (gg, ggFit) = GammaGamma.Fit(repeat.Select(c => (double)c.Frequency).ToList(), repeat.Select(c => c.MonetaryValue).ToList());
        var corr = repeat.Count > 2
            ? MathNet.Numerics.Statistics.Correlation.Pearson(repeat.Select(c => (double)c.Frequency), repeat.Select(c => c.MonetaryValue))
            : double.NaN;
        var chosen = options.Model switch
        {
            RepeatPurchaseModel.BgNbd => RepeatPurchaseModel.BgNbd,
            RepeatPurchaseModel.ParetoNbd => RepeatPurchaseModel.ParetoNbd,
            _ => bgFit.LogLikelihood >= pnFit.LogLikelihood ? RepeatPurchaseModel.BgNbd : RepeatPurchaseModel.ParetoNbd,
        };
        return new LifetimeModel(options, summaries.CalibrationEnd, bg, bgFit, pn, pnFit, gg, ggFit, corr, repeat.Count, chosen);
    }
}

/// <summary>A fitted lifetime model (kind "lifetime"): values customers from their summaries and saves to one file.</summary>
public sealed class LifetimeModel : IWorkbenchModel
{
    public const string ModelKind = "lifetime";
    public const int FormatVersion = 1;

    internal LifetimeModel(LifetimeOptions options, DateOnly calibrationEnd, BgNbdParameters bg, MaximumLikelihoodFit bgFit,
        ParetoNbdParameters pn, MaximumLikelihoodFit pnFit, GammaGammaParameters gg, MaximumLikelihoodFit ggFit,
        double corr, int repeatBuyers, RepeatPurchaseModel chosen)
    {
        Options = options; CalibrationEnd = calibrationEnd; BgNbd = bg; BgNbdFit = bgFit; ParetoNbd = pn; ParetoNbdFit = pnFit;
        GammaGamma = gg; GammaGammaFit = ggFit; FrequencyMonetaryCorrelation = corr; RepeatBuyers = repeatBuyers; Chosen = chosen;
    }

    public string Kind => ModelKind;
    public LifetimeOptions Options { get; }
    public DateOnly CalibrationEnd { get; }
    public BgNbdParameters BgNbd { get; }
    public MaximumLikelihoodFit BgNbdFit { get; }
    public ParetoNbdParameters ParetoNbd { get; }
    public MaximumLikelihoodFit ParetoNbdFit { get; }
    public GammaGammaParameters GammaGamma { get; }
    public MaximumLikelihoodFit GammaGammaFit { get; }
    /// <summary>Pearson correlation of frequency and mean spend among repeat buyers: Gamma-Gamma assumes they are
    /// independent, so a value far from zero (|r| above about 0.3) says its spend predictions are suspect.</summary>
    public double FrequencyMonetaryCorrelation { get; }
    public int RepeatBuyers { get; }
    /// <summary>The repeat-purchase model that values customers.</summary>
    public RepeatPurchaseModel Chosen { get; }

    public string ModelName => (Chosen == RepeatPurchaseModel.BgNbd ? "bg_nbd" : "pareto_nbd") + "+gamma_gamma";

    /// <summary>Expected purchases in the next <paramref name="t"/> time units under the chosen model.</summary>
    public double ExpectedPurchases(double t, double x, double tx, double bigT) => Chosen == RepeatPurchaseModel.BgNbd
        ? BgNbd.ConditionalExpectedPurchases(t, x, tx, bigT) : ParetoNbd.ConditionalExpectedPurchases(t, x, tx, bigT);

    public double ProbabilityAlive(double x, double tx, double bigT) => Chosen == RepeatPurchaseModel.BgNbd
        ? BgNbd.ProbabilityAlive(x, tx, bigT) : ParetoNbd.ProbabilityAlive(x, tx, bigT);

    /// <summary>E[X(t)] of a customer just acquired under the chosen model (for cumulative tracking).</summary>
    public double UnconditionalExpectedPurchases(double t) => t <= 0 ? 0 : Chosen == RepeatPurchaseModel.BgNbd
        ? BgNbd.ExpectedPurchases(t) : ParetoNbd.ExpectedPurchases(t);

    /// <summary>Problems of the fitted repeat-purchase models (parameters at the optimizer's bounds, no standard errors),
    /// per model name; empty when both fits are sound.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> FitProblems => new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["bg_nbd"] = FitDiagnostics.Problems(BgNbdFit), ["pareto_nbd"] = FitDiagnostics.Problems(ParetoNbdFit),
        ["gamma_gamma"] = FitDiagnostics.Problems(GammaGammaFit),
    }.Where(kv => kv.Value.Count > 0).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>Why the chosen model values the customers (options or likelihood).</summary>
    public string ChoiceReason => Options.Model != RepeatPurchaseModel.Auto
        ? $"{ModelName} as the options ask"
        : string.Create(Workbench.RunContext.Culture, $"{ModelName}: the higher log-likelihood ({BgNbdFit.LogLikelihood:F1} BG/NBD, {ParetoNbdFit.LogLikelihood:F1} Pareto/NBD)");

    /// <summary>Discounted expected purchases over the horizon: the expected purchases of each month discounted monthly.</summary>
    static double DiscountedPurchases(Func<double, double> cumulative, double perMonth, double monthlyDiscount, int horizon, out double total)
    {
        double previous = 0, discounted = 0;
        for (int m = 1; m <= horizon; m++)
        {
            double c = cumulative(m * perMonth);
            discounted += (c - previous) / Math.Pow(1 + monthlyDiscount, m);
            previous = c;
        }
        total = previous;
        return discounted;
    }

    /// <summary>Values every customer: CLV = margin x E[spend per purchase] x sum over the horizon's months of the
    /// expected purchases in that month discounted monthly at the annual rate. The interval: the same CLV under
    /// <see cref="LifetimeOptions.IntervalDraws"/> parameter draws of the repeat-purchase model and of Gamma-Gamma (each
    /// from its fit's asymptotic covariance, seeded by <see cref="LifetimeOptions.Seed"/>), their percentiles at
    /// <see cref="LifetimeOptions.IntervalLevel"/>; none when a fit has no covariance.</summary>
    public IReadOnlyList<CustomerValue> Score(CustomerSummaryTable summaries) => Score(summaries, Options.IntervalDraws, Options.Seed);

    /// <summary>As <see cref="Score(CustomerSummaryTable)"/> with <paramref name="intervalDraws"/> parameter draws (0: no
    /// interval) seeded by <paramref name="seed"/>.</summary>
    public IReadOnlyList<CustomerValue> Score(CustomerSummaryTable summaries, int intervalDraws, int seed)
    {
        if (intervalDraws < 0) throw new OptionsValidationException($"intervalDraws must be at least 0, got {intervalDraws}.");
        if (summaries.TimeUnit != Options.TimeUnit)
            throw new WorkbenchException($"The model counts time in {Options.TimeUnit}; the summaries are in {summaries.TimeUnit}.");
        double perMonth = CustomerSummaries.UnitsPerMonth(Options.TimeUnit);
        double monthlyDiscount = Math.Pow(1 + Options.AnnualDiscountRate, 1.0 / 12) - 1;
        int horizon = Options.HorizonMonths;
        var result = new CustomerValue[summaries.Customers.Count];
        var reason = ChoiceReason;
        Parallel.For(0, result.Length, i =>
        {
            var c = summaries.Customers[i];
            double x = c.Frequency, tx = c.Recency, T = c.T;
            double discounted = DiscountedPurchases(t => ExpectedPurchases(t, x, tx, T), perMonth, monthlyDiscount, horizon, out var total);
            double value = GammaGamma.ConditionalExpectedValue(x, c.MonetaryValue);
            string name = c.Frequency > 0 ? ModelName : ModelName + "(population spend)";
            result[i] = new CustomerValue(c.AccountId, name, c.Frequency, tx, T, ProbabilityAlive(x, tx, T), total, value,
                total * value, Options.Margin * value * discounted, Reason: c.Frequency > 0 ? reason : reason + "; no repeat purchase yet, so the population's mean spend");
        });
        if (intervalDraws == 0) return result;

        // Intervals: draws of both models' parameters; the purchase part is computed once per distinct (x, t_x, T).
        var random = new Random(Workbench.RunContext.DeriveSeed(seed, "lifetime-interval"));
        var purchaseFit = Chosen == RepeatPurchaseModel.BgNbd ? BgNbdFit : ParetoNbdFit;
        var purchaseDraws = ParameterUncertainty.Draw(purchaseFit, intervalDraws, random);
        var spendDraws = ParameterUncertainty.Draw(GammaGammaFit, intervalDraws, random);
        if (purchaseDraws.Count == 0 || spendDraws.Count == 0) return result;
        var rows = new Dictionary<(double, double, double), int>();
        var rowOf = new int[result.Length];
        for (int i = 0; i < result.Length; i++)
        {
            var c = summaries.Customers[i];
            var key = ((double)c.Frequency, c.Recency, c.T);
            if (!rows.TryGetValue(key, out var r)) rows[key] = r = rows.Count;
            rowOf[i] = r;
        }
        var keys = new (double X, double Tx, double T)[rows.Count];
        foreach (var (key, r) in rows) keys[r] = key;
        int draws = purchaseDraws.Count;
        var disc = new double[draws][];
        Parallel.For(0, draws, d =>
        {
            var p = purchaseDraws[d];
            Func<double, double, double, double, double> expected = Chosen == RepeatPurchaseModel.BgNbd
                ? new BgNbdParameters(p[0], p[1], p[2], p[3]).ConditionalExpectedPurchases
                : new ParetoNbdParameters(p[0], p[1], p[2], p[3]).ConditionalExpectedPurchases;
            var row = new double[keys.Length];
            for (int r = 0; r < keys.Length; r++)
            {
                var (x, tx, T) = keys[r];
                try { row[r] = DiscountedPurchases(t => expected(t, x, tx, T), perMonth, monthlyDiscount, horizon, out _); }
                catch (ArgumentOutOfRangeException) { row[r] = double.NaN; }
            }
            disc[d] = row;
        });
        var spend = spendDraws.Select(q => new GammaGammaParameters(q[0], q[1], q[2])).ToArray();
        Parallel.For(0, result.Length, i =>
        {
            var c = summaries.Customers[i];
            var clvs = new double[draws];
            for (int d = 0; d < draws; d++)
            {
                double v = spend[d].ConditionalExpectedValue(c.Frequency, c.MonetaryValue);
                clvs[d] = v > 0 ? Options.Margin * v * disc[d][rowOf[i]] : double.NaN; // a draw with q <= 1 has no finite mean spend
            }
            if (ParameterUncertainty.Interval(clvs, Options.IntervalLevel) is { } ci)
                result[i] = result[i] with { ClvLow = ci.Low, ClvHigh = ci.High };
        });
        return result;
    }

    /// <summary>Parameters, log-likelihoods and standard errors as the <c>parameters.json</c> object
    /// (<c>bg_nbd</c>, <c>pareto_nbd</c>, <c>gamma_gamma</c> and each with <c>_se</c>).</summary>
    public JsonObject ParametersJson()
    {
        static JsonObject Values(MaximumLikelihoodFit f, bool ll)
        {
            var o = new JsonObject();
            for (int i = 0; i < f.Names.Count; i++) o[f.Names[i]] = f.Values[i];
            if (ll) o["log_likelihood"] = f.LogLikelihood;
            return o;
        }
        static JsonObject Se(MaximumLikelihoodFit f)
        {
            var o = new JsonObject();
            for (int i = 0; i < f.Names.Count; i++) o[f.Names[i]] = double.IsFinite(f.StandardErrors[i]) ? f.StandardErrors[i] : null;
            return o;
        }
        static JsonNode? Cov(MaximumLikelihoodFit f) => f.Covariance is not { } c ? null
            : new JsonArray(c.Select(row => (JsonNode?)new JsonArray(row.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray())).ToArray());
        var problems = new JsonObject();
        foreach (var (model, list) in FitProblems) problems[model] = new JsonArray(list.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray());
        return new JsonObject
        {
            ["bg_nbd"] = Values(BgNbdFit, true), ["pareto_nbd"] = Values(ParetoNbdFit, true), ["gamma_gamma"] = Values(GammaGammaFit, true),
            ["bg_nbd_se"] = Se(BgNbdFit), ["pareto_nbd_se"] = Se(ParetoNbdFit), ["gamma_gamma_se"] = Se(GammaGammaFit),
            ["model"] = ModelName,
            ["time_unit"] = Options.TimeUnit.ToString().ToLowerInvariant(),
            ["calibration_end"] = CalibrationEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["horizon_months"] = Options.HorizonMonths,
            ["annual_discount_rate"] = Options.AnnualDiscountRate,
            ["margin"] = Options.Margin,
            ["repeat_buyers"] = RepeatBuyers,
            ["frequency_monetary_correlation"] = double.IsFinite(FrequencyMonetaryCorrelation) ? FrequencyMonetaryCorrelation : null,
            ["model_reason"] = ChoiceReason,
            ["fit_problems"] = problems,
            ["interval_draws"] = Options.IntervalDraws, ["interval_level"] = Options.IntervalLevel, ["seed"] = Options.Seed,
            ["bg_nbd_cov"] = Cov(BgNbdFit), ["pareto_nbd_cov"] = Cov(ParetoNbdFit), ["gamma_gamma_cov"] = Cov(GammaGammaFit),
        };
    }

    public void Save(Stream stream) => ModelFile.Write(stream, ModelKind, FormatVersion, w => w.AddJson("lifetime.json", ParametersJson()));

    public static LifetimeModel Load(Stream stream, string source = "the model file")
    {
        using var reader = ModelFile.Open(stream, ModelKind, FormatVersion, source);
        var o = reader.ReadJson("lifetime.json");
        try
        {
            MaximumLikelihoodFit F(string key, string[] names)
            {
                var v = o[key]!.AsObject(); var se = o[key + "_se"]!.AsObject();
                var cov = o[key + "_cov"] is JsonArray rows
                    ? rows.Select(row => row!.AsArray().Select(x => x!.GetValue<double>()).ToArray()).ToArray() : null;
                return new MaximumLikelihoodFit(names, names.Select(n => v[n]!.GetValue<double>()).ToArray(),
                    names.Select(n => se[n]?.GetValue<double>() ?? double.NaN).ToArray(), v["log_likelihood"]!.GetValue<double>(), 0, "loaded")
                { Covariance = cov };
            }
            var bg = F("bg_nbd", Lifetime.BgNbd.ParameterNames); var pn = F("pareto_nbd", Lifetime.ParetoNbd.ParameterNames);
            var gg = F("gamma_gamma", Lifetime.GammaGamma.ParameterNames);
            var unit = Enum.Parse<LifetimeTimeUnit>(o["time_unit"]!.GetValue<string>(), ignoreCase: true);
            var options = new LifetimeOptions
            {
                TimeUnit = unit, HorizonMonths = o["horizon_months"]!.GetValue<int>(), AnnualDiscountRate = o["annual_discount_rate"]!.GetValue<double>(),
                Margin = o["margin"]!.GetValue<double>(),
                IntervalDraws = o["interval_draws"]?.GetValue<int>() ?? 0, IntervalLevel = o["interval_level"]?.GetValue<double>() ?? 0.9,
                Seed = o["seed"]?.GetValue<int>() ?? 42,
            };
            var chosen = o["model"]!.GetValue<string>().StartsWith("bg_nbd", StringComparison.Ordinal) ? RepeatPurchaseModel.BgNbd : RepeatPurchaseModel.ParetoNbd;
            options = options with { Model = chosen };
            return new LifetimeModel(options, DateOnly.ParseExact(o["calibration_end"]!.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                new BgNbdParameters(bg.Values[0], bg.Values[1], bg.Values[2], bg.Values[3]), bg,
                new ParetoNbdParameters(pn.Values[0], pn.Values[1], pn.Values[2], pn.Values[3]), pn,
                new GammaGammaParameters(gg.Values[0], gg.Values[1], gg.Values[2]), gg,
                o["frequency_monetary_correlation"]?.GetValue<double>() ?? double.NaN, o["repeat_buyers"]!.GetValue<int>(), chosen);
        }
        catch (Exception ex) when (ex is NullReferenceException or InvalidOperationException or FormatException or ArgumentException or JsonException)
        {
            throw new WorkbenchException($"{source}: lifetime.json is incomplete or malformed ({ex.Message}).");
        }
    }
}
