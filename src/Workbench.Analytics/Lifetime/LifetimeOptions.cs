namespace Workbench.Analytics.Lifetime;

/// <summary>Which repeat-purchase model values the customers. Auto takes the one with the higher log-likelihood
/// (both have four parameters).</summary>
public enum RepeatPurchaseModel { Auto, BgNbd, ParetoNbd }

/// <summary>Options of <see cref="LifetimeEstimator"/> (immutable; <see cref="Validate"/> lists every problem).</summary>
public sealed record LifetimeOptions
{
    /// <summary>The models' clock: days, weeks (default) or months.</summary>
    public LifetimeTimeUnit TimeUnit { get; init; } = LifetimeTimeUnit.Weeks;

    /// <summary>CLV horizon in calendar months.</summary>
    public int HorizonMonths { get; init; } = 12;

    /// <summary>Annual discount rate of future margin (0.10 = 10% a year), applied monthly.</summary>
    public double AnnualDiscountRate { get; init; } = 0.10;

    /// <summary>Share of revenue that is margin (1 = value revenue).</summary>
    public double Margin { get; init; } = 1.0;

    public RepeatPurchaseModel Model { get; init; } = RepeatPurchaseModel.Auto;

    /// <summary>Parameter draws for each customer's CLV interval (0: no interval).</summary>
    public int IntervalDraws { get; init; } = 200;

    /// <summary>Coverage of the CLV interval (0.90: the 5th to the 95th percentile of the draws).</summary>
    public double IntervalLevel { get; init; } = 0.90;

    /// <summary>Seed of the parameter draws (through <c>RunContext.DeriveSeed(seed, "lifetime-interval")</c>).</summary>
    public int Seed { get; init; } = 42;

    public void Validate()
    {
        var problems = new List<string>();
        if (HorizonMonths is < 1 or > 600) problems.Add($"HorizonMonths must be between 1 and 600, got {HorizonMonths.ToString(CultureInfo.InvariantCulture)}.");
        if (!(AnnualDiscountRate >= 0 && AnnualDiscountRate < 10)) problems.Add($"AnnualDiscountRate must be in [0, 10), got {AnnualDiscountRate.ToString(CultureInfo.InvariantCulture)}.");
        if (!(Margin > 0 && Margin <= 1)) problems.Add($"Margin must be in (0, 1], got {Margin.ToString(CultureInfo.InvariantCulture)}.");
        if (IntervalDraws is < 0 or > 10_000) problems.Add($"IntervalDraws must be between 0 and 10000, got {IntervalDraws.ToString(CultureInfo.InvariantCulture)}.");
        if (!(IntervalLevel > 0 && IntervalLevel < 1)) problems.Add($"IntervalLevel must be in (0, 1), got {IntervalLevel.ToString(CultureInfo.InvariantCulture)}.");
        if (!Enum.IsDefined(TimeUnit)) problems.Add($"TimeUnit {TimeUnit} is not days, weeks or months.");
        if (!Enum.IsDefined(Model)) problems.Add($"Model {Model} is not auto, bg_nbd or pareto_nbd.");
        if (problems.Count > 0) throw new OptionsValidationException("Invalid lifetime options:\n  " + string.Join("\n  ", problems));
    }
}
