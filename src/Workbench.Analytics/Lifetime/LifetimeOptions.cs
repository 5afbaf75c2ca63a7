using System.Globalization;

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

    public void Validate()
    {
        var problems = new List<string>();
        if (HorizonMonths is < 1 or > 600) problems.Add($"HorizonMonths must be between 1 and 600, got {HorizonMonths.ToString(CultureInfo.InvariantCulture)}.");
        if (!(AnnualDiscountRate >= 0 && AnnualDiscountRate < 10)) problems.Add($"AnnualDiscountRate must be in [0, 10), got {AnnualDiscountRate.ToString(CultureInfo.InvariantCulture)}.");
        if (!(Margin > 0 && Margin <= 1)) problems.Add($"Margin must be in (0, 1], got {Margin.ToString(CultureInfo.InvariantCulture)}.");
        if (!Enum.IsDefined(TimeUnit)) problems.Add($"TimeUnit {TimeUnit} is not days, weeks or months.");
        if (!Enum.IsDefined(Model)) problems.Add($"Model {Model} is not auto, bg_nbd or pareto_nbd.");
        if (problems.Count > 0) throw new OptionsValidationException("Invalid lifetime options:\n  " + string.Join("\n  ", problems));
    }
}
