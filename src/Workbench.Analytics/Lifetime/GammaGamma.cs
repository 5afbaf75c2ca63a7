using static Workbench.Analytics.Lifetime.LifetimeMath;

namespace Workbench.Analytics.Lifetime;

/// <summary>Gamma-Gamma spend parameters (Fader, Hardie and Lee 2005, "RFM and CLV: using iso-value curves"):
/// a transaction's value is gamma(p, nu) with nu gamma(q, v) across customers.</summary>
public sealed record GammaGammaParameters(double P, double Q, double V)
{
    /// <summary>Log-likelihood of one customer's mean value m over x transactions.</summary>
    public double LogLikelihood(double x, double m) =>
        LnGamma(P * x + Q) - LnGamma(P * x) - LnGamma(Q) + Q * Math.Log(V) + (P * x - 1) * Math.Log(m) + P * x * Math.Log(x)
        - (P * x + Q) * Math.Log(x * m + V);

    /// <summary>E[value | x, m]: the customer's expected transaction value, shrunk toward the population mean.</summary>
    public double ConditionalExpectedValue(double x, double m) =>
        x <= 0 ? PopulationMean : P * (V + x * m) / (P * x + Q - 1);

    /// <summary>Mean transaction value of the population, p v / (q - 1).</summary>
    public double PopulationMean => P * V / (Q - 1);
}

/// <summary>Fits Gamma-Gamma on repeat buyers (frequency &gt; 0, mean repeat value &gt; 0) by maximum likelihood.</summary>
public static class GammaGamma
{
    public static readonly string[] ParameterNames = ["p", "q", "v"];

    public static (GammaGammaParameters Parameters, MaximumLikelihoodFit Fit) Fit(IReadOnlyList<double> frequency, IReadOnlyList<double> monetary)
    {
        var x = new List<double>(); var m = new List<double>();
        for (int i = 0; i < frequency.Count; i++)
            if (frequency[i] > 0 && monetary[i] > 0) { x.Add(frequency[i]); m.Add(monetary[i]); }
        if (x.Count < 3) throw new WorkbenchException($"Gamma-Gamma needs at least 3 repeat buyers with a positive spend; found {x.Count}.");
        var fit = MaximumLikelihood.Fit(ParameterNames, [1, 1, Math.Max(m.Average(), 1)], p =>
        {
            var g = new GammaGammaParameters(p[0], p[1], p[2]);
            double s = 0;
            for (int i = 0; i < x.Count; i++) s += g.LogLikelihood(x[i], m[i]);
            return s;
        }, x.Count);
        return (new GammaGammaParameters(fit.Values[0], fit.Values[1], fit.Values[2]), fit);
    }
}
