using static Workbench.Analytics.Lifetime.LifetimeMath;

namespace Workbench.Analytics.Lifetime;

/// <summary>BG/NBD parameters (Fader, Hardie and Lee 2005, "Counting Your Customers the Easy Way"): purchase rates
/// are gamma(r, alpha) across customers; after each purchase a customer drops out with probability p, beta(a, b).</summary>
public sealed record BgNbdParameters(double R, double Alpha, double A, double B)
{
    /// <summary>Log-likelihood of one customer with x repeat purchases, the last at t_x, observed for T (eq. 6 of the
    /// paper, evaluated on the log scale with log-sum-exp).</summary>
    public double LogLikelihood(double x, double tx, double t)
    {
        var a1 = LnGamma(R + x) - LnGamma(R) + R * Math.Log(Alpha);
        var a2 = LnGamma(A + B) + LnGamma(B + x) - LnGamma(B) - LnGamma(A + B + x);
        var a3 = -(R + x) * Math.Log(Alpha + t);
        if (x <= 0) return a1 + a2 + a3;
        var a4 = Math.Log(A) - Math.Log(B + x - 1) - (R + x) * Math.Log(Alpha + tx);
        return a1 + a2 + LogAddExp(a3, a4);
    }

    /// <summary>Total log-likelihood. The rows are sorted by x, so the gamma-function terms (which depend on x only)
    /// are computed once per distinct x; a row then costs a few logarithms.</summary>
    public double LogLikelihood(RfmData data)
    {
        double sum = 0, lastX = double.NaN, common = 0, logA = Math.Log(A), lnGammaR = LnGamma(R), logAlpha = Math.Log(Alpha);
        double lnGammaAB = LnGamma(A + B) - LnGamma(B);
        for (int i = 0; i < data.X.Length; i++)
        {
            double x = data.X[i];
            if (x != lastX)
            {
                common = LnGamma(R + x) - lnGammaR + R * logAlpha + lnGammaAB + LnGamma(B + x) - LnGamma(A + B + x);
                lastX = x;
            }
            double a3 = -(R + x) * Math.Log(Alpha + data.T[i]);
            double ll = x <= 0 ? a3 : LogAddExp(a3, logA - Math.Log(B + x - 1) - (R + x) * Math.Log(Alpha + data.Tx[i]));
            sum += data.Weight[i] * (common + ll);
        }
        return sum;
    }

    /// <summary>P(alive | x, t_x, T) (eq. 11).</summary>
    public double ProbabilityAlive(double x, double tx, double t) =>
        x <= 0 ? 1 : 1 / (1 + A / (B + x - 1) * Math.Exp((R + x) * (Math.Log(Alpha + t) - Math.Log(Alpha + tx))));

    /// <summary>E[X(t)] for a customer just acquired (eq. 7).</summary>
    public double ExpectedPurchases(double t) =>
        (A + B - 1) / (A - 1) * -double.ExpM1(R * Math.Log(Alpha / (Alpha + t)) + LogHyp2F1(R, B, A + B - 1, t / (Alpha + t)));

    /// <summary>E[Y(t) | x, t_x, T]: expected purchases in the next <paramref name="t"/> time units (eq. 10).</summary>
    public double ConditionalExpectedPurchases(double t, double x, double tx, double bigT)
    {
        if (t <= 0) return 0;
        var logHyp = LogHyp2F1(R + x, B + x, A + B + x - 1, t / (Alpha + bigT + t));
        var num = (A + B + x - 1) / (A - 1) * -double.ExpM1((R + x) * Math.Log((Alpha + bigT) / (Alpha + bigT + t)) + logHyp);
        var den = x > 0 ? 1 + A / (B + x - 1) * Math.Pow((Alpha + bigT) / (Alpha + tx), R + x) : 1;
        return num / den;
    }
}

/// <summary>Fits BG/NBD by maximum likelihood (log-parameterised BFGS, standard errors from the Hessian).</summary>
public static class BgNbd
{
    public static readonly string[] ParameterNames = ["r", "alpha", "a", "b"];

    public static (BgNbdParameters Parameters, MaximumLikelihoodFit Fit) Fit(RfmData data)
    {
        var meanT = data.T.Zip(data.Weight, (t, w) => t * w).Sum() / data.Customers;
        var fit = MaximumLikelihood.Fit(ParameterNames, [1, Math.Max(meanT, 1), 1, 1],
            p => new BgNbdParameters(p[0], p[1], p[2], p[3]).LogLikelihood(data), data.Customers);
        return (new BgNbdParameters(fit.Values[0], fit.Values[1], fit.Values[2], fit.Values[3]), fit);
    }
}
