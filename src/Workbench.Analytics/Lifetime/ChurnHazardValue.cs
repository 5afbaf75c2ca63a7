namespace Workbench.Analytics.Lifetime;

/// <summary>The account-level alternative for the scored book: expected remaining revenue from the prioritizer's own
/// calibrated churn probability per account-product, so an account's value reflects its own risk. A product with
/// probability p of churning within the label horizon of H months has the constant monthly hazard
/// h = 1 - (1 - p)^(1/H); it keeps paying its monthly run-rate while it survives, so its CLV over the horizon is
/// margin x run-rate x the sum over months m of (1 - h)^m discounted monthly; an account's CLV is the sum over its products.</summary>
public static class ChurnHazardValue
{
    public const string ModelName = "churn_hazard";

    /// <summary>Discounted expected margin of one account over <see cref="LifetimeOptions.HorizonMonths"/>.</summary>
    /// <param name="products">Each product's monthly run-rate and calibrated probability of churning within <paramref name="churnHorizonMonths"/>.</param>
    /// <param name="churnHorizonMonths">The months the churn probability covers (the prioritizer's label horizon).</param>
    /// <param name="options">Horizon, annual discount rate and margin.</param>
    public static double Clv(IEnumerable<(double RunRate, double PChurn)> products, int churnHorizonMonths, LifetimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(options);
        if (churnHorizonMonths < 1) throw new OptionsValidationException($"churnHorizonMonths must be at least 1, got {churnHorizonMonths}.");
        options.Validate();
        double monthlyDiscount = Math.Pow(1 + options.AnnualDiscountRate, 1.0 / 12) - 1;
        double total = 0;
        foreach (var (runRate, pChurn) in products)
        {
            if (!(runRate > 0) || !double.IsFinite(pChurn)) continue;
            double keep = Math.Pow(1 - Math.Clamp(pChurn, 0, 1), 1.0 / churnHorizonMonths), survive = 1, sum = 0;
            for (int m = 1; m <= options.HorizonMonths; m++)
            {
                survive *= keep;
                sum += survive / Math.Pow(1 + monthlyDiscount, m);
            }
            total += runRate * sum;
        }
        return options.Margin * total;
    }
}
