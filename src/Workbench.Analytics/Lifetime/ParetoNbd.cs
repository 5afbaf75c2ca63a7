using static Workbench.Analytics.Lifetime.LifetimeMath;

namespace Workbench.Analytics.Lifetime;

/// <summary>Pareto/NBD parameters (Schmittlein, Morrison and Colombo 1987): purchase rates gamma(r, alpha), dropout
/// rates gamma(s, beta), both exponential clocks.</summary>
public sealed record ParetoNbdParameters(double R, double Alpha, double S, double Beta)
{
    /// <summary>log A0 of Fader and Hardie's note "Deriving an expression for P(X(t) = x) under the Pareto/NBD model":
    /// the 2F1 terms written with the larger of alpha and beta so the argument stays in [0, 1), combined on the log
    /// scale (log p1 + rsx log q2 minus log p2 + rsx log q1) so neither power overflows.</summary>
    double LogA0(double x, double tx, double t)
    {
        double max = Math.Max(Alpha, Beta), min = Math.Min(Alpha, Beta);
        double second = Alpha < Beta ? R + x : S + 1;
        double rsx = R + S + x;
        double diff = max - min;
        double logP1 = LogHyp2F1(rsx, second, rsx + 1, diff / (max + tx));
        double q1 = max + tx;
        double logP2 = LogHyp2F1(rsx, second, rsx + 1, diff / (max + t));
        double q2 = max + t;
        // A0 = p1 / q1^rsx - p2 / q2^rsx = (p1 q2^rsx - p2 q1^rsx) / (q1 q2)^rsx
        return LogSubExp(logP1 + rsx * Math.Log(q2), logP2 + rsx * Math.Log(q1)) - rsx * (Math.Log(q1) + Math.Log(q2));
    }

    /// <summary>log of the integral over y in [t_x, T] of (alpha + y)^-(r+x) (beta + y)^-(s+1) dy, with y = (alpha + t_x) e^u -
    /// alpha (the first factor becomes a plain exponential in u), the integrand's maximum (at u = 0) factored out, and a
    /// composite 16-panel, 32-point Gauss-Legendre rule.</summary>
    internal double LogDropoutIntegral(double x, double tx, double t)
    {
        double a0 = Alpha + tx, upper = Math.Log((Alpha + t) / a0);
        double G(double u)
        {
            double y = a0 * Math.Exp(u) - Alpha;
            return -(R + x - 1) * (Math.Log(a0) + u) - (S + 1) * Math.Log(Beta + y);
        }
        double g0 = G(0);
        const int panels = 16;
        double sum = 0, width = upper / panels;
        for (int k = 0; k < panels; k++)
            sum += MathNet.Numerics.Integration.GaussLegendreRule.Integrate(u => Math.Exp(G(u) - g0), k * width, (k + 1) * width, 32);
        return g0 + Math.Log(sum);
    }

    /// <summary>Log-likelihood of one customer (x repeat purchases, last at t_x, observed for T).</summary>
    public double LogLikelihood(double x, double tx, double t)
    {
        var a1 = LnGamma(R + x) - LnGamma(R) + R * Math.Log(Alpha) + S * Math.Log(Beta);
        var first = -(R + x) * Math.Log(Alpha + t) - S * Math.Log(Beta + t);
        if (tx >= t) return a1 + first; // A0 is zero when the last purchase is at the end of the period
        // s A0 / (r + s + x) = s * integral over [t_x, T] of (alpha + y)^-(r+x) (beta + y)^-(s+1) dy. The series form is
        // exact and fast while the 2F1 argument stays away from 1; near 1 (alpha and beta far apart, e.g. a near-Poisson
        // fit) the series needs millions of terms, so the integral is taken by Gauss-Legendre quadrature instead.
        double max = Math.Max(Alpha, Beta), diff = Math.Abs(Alpha - Beta);
        var second = diff / (max + tx) <= 0.9
            ? Math.Log(S) + LogA0(x, tx, t) - Math.Log(R + S + x)
            : Math.Log(S) + LogDropoutIntegral(x, tx, t);
        return a1 + LogAddExp(first, second);
    }

    public double LogLikelihood(RfmData data)
    {
        double sum = 0;
        for (int i = 0; i < data.X.Length; i++) sum += data.Weight[i] * LogLikelihood(data.X[i], data.Tx[i], data.T[i]);
        return sum;
    }

    /// <summary>P(alive | x, t_x, T).</summary>
    public double ProbabilityAlive(double x, double tx, double t)
    {
        var a1 = LnGamma(R + x) - LnGamma(R) + R * Math.Log(Alpha) + S * Math.Log(Beta);
        var aliveTerm = a1 - (R + x) * Math.Log(Alpha + t) - S * Math.Log(Beta + t);
        return Math.Exp(aliveTerm - LogLikelihood(x, tx, t));
    }

    /// <summary>E[X(t)] for a customer just acquired.</summary>
    public double ExpectedPurchases(double t) => R * Beta / (Alpha * (S - 1)) * (1 - Math.Pow(Beta / (Beta + t), S - 1));

    /// <summary>E[Y(t) | x, t_x, T]: expected purchases in the next <paramref name="t"/> time units.</summary>
    public double ConditionalExpectedPurchases(double t, double x, double tx, double bigT)
    {
        if (t <= 0) return 0;
        var alive = ProbabilityAlive(x, tx, bigT);
        double frac = Math.Abs(S - 1) < 1e-9
            ? Math.Log((Beta + bigT + t) / (Beta + bigT))
            : (1 - Math.Pow((Beta + bigT) / (Beta + bigT + t), S - 1)) / (S - 1);
        return alive * (R + x) * (Beta + bigT) / (Alpha + bigT) * frac;
    }
}

/// <summary>Fits Pareto/NBD by maximum likelihood (log-parameterised BFGS, standard errors from the Hessian).</summary>
public static class ParetoNbd
{
    public static readonly string[] ParameterNames = ["r", "alpha", "s", "beta"];

    public static (ParetoNbdParameters Parameters, MaximumLikelihoodFit Fit) Fit(RfmData data)
    {
        var meanT = data.T.Zip(data.Weight, (t, w) => t * w).Sum() / data.Customers;
        var fit = MaximumLikelihood.Fit(ParameterNames, [1, Math.Max(meanT, 1), 1, Math.Max(meanT, 1)],
            p => new ParetoNbdParameters(p[0], p[1], p[2], p[3]).LogLikelihood(data), data.Customers);
        return (new ParetoNbdParameters(fit.Values[0], fit.Values[1], fit.Values[2], fit.Values[3]), fit);
    }
}
