using MathNet.Numerics;

namespace Workbench.Analytics.Lifetime;

/// <summary>Special functions the lifetime models need: the Gauss hypergeometric function 2F1 (on 0 &lt;= z &lt; 1, by
/// its power series summed until the terms stop mattering) and a stable log(exp(a) + exp(b)).</summary>
internal static class LifetimeMath
{
    /// <summary>2F1(a, b; c; z) for 0 &lt;= z &lt; 1 and positive parameters (see <see cref="LogHyp2F1"/>).</summary>
    public static double Hyp2F1(double a, double b, double c, double z) => Math.Exp(LogHyp2F1(a, b, c, z));

    /// <summary>log 2F1(a, b; c; z) for 0 &lt;= z &lt; 1, c &gt; 0. The power series sum of (a)_n (b)_n / ((c)_n n!) z^n has
    /// terms that first grow like (a b z)^n / n! when a or b is large (a Pareto/NBD customer with many purchases, or a
    /// near-Poisson fit with r in the millions), so it is summed after Euler's transformation
    /// 2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z) whenever that one has the smaller leading terms
    /// (and non-negative parameters); its terms then fall at least as fast as z^n. The factor is kept on the log scale.</summary>
    public static double LogHyp2F1(double a, double b, double c, double z)
    {
        if (z < 0 || z >= 1 || double.IsNaN(z)) throw new ArgumentOutOfRangeException(nameof(z), z, "2F1 is summed on 0 <= z < 1.");
        if (z == 0) return 0;
        double ca = c - a, cb = c - b;
        if (ca >= 0 && cb >= 0 && ca * cb < Math.Abs(a * b))
            return (c - a - b) * Math.Log(1 - z) + Math.Log(Series(ca, cb, c, z));
        return Math.Log(Series(a, b, c, z));
    }

    static double Series(double a, double b, double c, double z)
    {
        double term = 1, sum = 1;
        for (int n = 0; n < 2_000_000; n++)
        {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            sum += term;
            if (term == 0 || Math.Abs(term) <= 1e-16 * Math.Abs(sum) && (a + n + 1) * (b + n + 1) / ((c + n + 1) * (n + 2)) * z < 1) return sum;
            if (double.IsInfinity(sum) || double.IsNaN(sum)) return sum;
        }
        return sum;
    }

    public static double LogAddExp(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        var m = Math.Max(a, b);
        return m + Math.Log(Math.Exp(a - m) + Math.Exp(b - m));
    }

    /// <summary>log(exp(a) - exp(b)) for a &gt;= b.</summary>
    public static double LogSubExp(double a, double b)
    {
        if (double.IsNegativeInfinity(b)) return a;
        return a + Math.Log(-double.ExpM1(b - a) is var d && d > 0 ? d : double.Epsilon);
    }

    public static double LnGamma(double x) => SpecialFunctions.GammaLn(x);

    public static double DiGamma(double x) => SpecialFunctions.DiGamma(x);

    public static double LnBeta(double a, double b) => SpecialFunctions.BetaLn(a, b);

    /// <summary>Spearman rank correlation (average ranks for ties).</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException("Spearman needs two series of the same length.");
        if (x.Count < 2) return double.NaN;
        return MathNet.Numerics.Statistics.Correlation.Spearman(x, y);
    }
}
