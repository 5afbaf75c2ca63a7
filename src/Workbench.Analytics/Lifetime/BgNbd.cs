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

    /// <summary>Total log-likelihood and its analytic gradient with respect to (r, alpha, a, b), in one pass over the
    /// distinct rows without allocating. With L = common + log(e^A3 + e^A4) and the softmax weights w3, w4 of A3 and A4:
    /// dL/dr = psi(r+x) - psi(r) + ln alpha - w3 ln(alpha+T) - w4 ln(alpha+t_x);
    /// dL/dalpha = r/alpha - (r+x) (w3/(alpha+T) + w4/(alpha+t_x));
    /// dL/da = psi(a+b) - psi(a+b+x) + w4/a;
    /// dL/db = psi(a+b) + psi(b+x) - psi(b) - psi(a+b+x) - w4/(b+x-1).
    /// The digamma and log-gamma terms depend on x only and are computed once per distinct x (rows are sorted by x).</summary>
    public double LogLikelihood(RfmData data, Span<double> gradient)
    {
        if (gradient.Length != 4) throw new ArgumentException("The BG/NBD gradient has 4 entries.", nameof(gradient));
        double sum = 0, lastX = double.NaN, common = 0, logA = Math.Log(A), lnGammaR = LnGamma(R), logAlpha = Math.Log(Alpha);
        double lnGammaAB = LnGamma(A + B) - LnGamma(B);
        double psiR = DiGamma(R), psiAB = DiGamma(A + B), psiB = DiGamma(B);
        double gR = 0, gAlpha = 0, gA = 0, gB = 0;
        double cR = 0, cA = 0, cB = 0; // per-x parts of the gradient
        double[] xs = data.X, txs = data.Tx, ts = data.T, ws = data.Weight;
        for (int i = 0; i < xs.Length; i++)
        {
            double x = xs[i];
            if (x != lastX)
            {
                common = LnGamma(R + x) - lnGammaR + R * logAlpha + lnGammaAB + LnGamma(B + x) - LnGamma(A + B + x);
                double psiABx = DiGamma(A + B + x);
                cR = DiGamma(R + x) - psiR + logAlpha;
                cA = psiAB - psiABx;
                cB = psiAB + DiGamma(B + x) - psiB - psiABx;
                lastX = x;
            }
            double w = ws[i], rx = R + x;
            double logAT = Math.Log(Alpha + ts[i]);
            double a3 = -rx * logAT;
            if (x <= 0)
            {
                sum += w * (common + a3);
                gR += w * (cR - logAT);
                gAlpha += w * (R / Alpha - rx / (Alpha + ts[i]));
                gA += w * cA;
                gB += w * cB;
                continue;
            }
            double logATx = Math.Log(Alpha + txs[i]);
            double a4 = logA - Math.Log(B + x - 1) - rx * logATx;
            double m = Math.Max(a3, a4), e3 = Math.Exp(a3 - m), e4 = Math.Exp(a4 - m), tot = e3 + e4;
            double w3 = e3 / tot, w4 = e4 / tot;
            sum += w * (common + m + Math.Log(tot));
            gR += w * (cR - w3 * logAT - w4 * logATx);
            gAlpha += w * (R / Alpha - rx * (w3 / (Alpha + ts[i]) + w4 / (Alpha + txs[i])));
            gA += w * (cA + w4 / A);
            gB += w * (cB - w4 / (B + x - 1));
        }
        gradient[0] = gR; gradient[1] = gAlpha; gradient[2] = gA; gradient[3] = gB;
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

/// <summary>Fits BG/NBD by maximum likelihood (log-parameterised BFGS with the analytic gradient, standard errors from the
/// Hessian, itself central differences of the analytic gradient).</summary>
public static class BgNbd
{
    public static readonly string[] ParameterNames = ["r", "alpha", "a", "b"];

    public static (BgNbdParameters Parameters, MaximumLikelihoodFit Fit) Fit(RfmData data)
    {
        var meanT = data.T.Zip(data.Weight, (t, w) => t * w).Sum() / data.Customers;
        var fit = MaximumLikelihood.Fit(ParameterNames, [1, Math.Max(meanT, 1), 1, 1],
            p => new BgNbdParameters(p[0], p[1], p[2], p[3]).LogLikelihood(data), data.Customers,
            (p, g) => new BgNbdParameters(p[0], p[1], p[2], p[3]).LogLikelihood(data, g));
        return (new BgNbdParameters(fit.Values[0], fit.Values[1], fit.Values[2], fit.Values[3]), fit);
    }
}
