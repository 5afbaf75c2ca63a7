using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Workbench.Analytics.Lifetime;

/// <summary>A maximum-likelihood fit: positive parameters (natural scale), the log-likelihood at the optimum,
/// standard errors from the inverse of the observed information (the Hessian of the negative log-likelihood,
/// by central differences on the natural scale), and how the optimizer ended.</summary>
public sealed record MaximumLikelihoodFit(
    IReadOnlyList<string> Names,
    IReadOnlyList<double> Values,
    IReadOnlyList<double> StandardErrors,
    double LogLikelihood,
    int Iterations,
    string Optimizer)
{
    /// <summary>The inverse observed information on the natural scale (the parameters' asymptotic covariance); null when
    /// the Hessian is not positive definite or the fit was loaded from a file without it.</summary>
    public double[][]? Covariance { get; init; }

    public double this[string name] => Values[IndexOf(name)];
    public double StandardError(string name) => StandardErrors[IndexOf(name)];
    int IndexOf(string name)
    {
        for (int i = 0; i < Names.Count; i++) if (Names[i] == name) return i;
        throw new KeyNotFoundException($"No parameter '{name}'. Known: {string.Join(", ", Names)}");
    }
}

/// <summary>Maximises a log-likelihood over positive parameters with MathNet.Numerics: BFGS on the log-parameters
/// (central-difference gradients), with Nelder-Mead as the fallback when the line search gives up, then a BFGS
/// polish from the simplex's point.</summary>
internal static class MaximumLikelihood
{
    /// <summary>Log-parameters are kept in [-18, 18] (about 1.5e-8 to 6.6e7): beyond that the gamma-function
    /// differences lose their digits and a model that wants a parameter there (a Poisson limit) is as good as there.</summary>
    internal const double LogBound = 18;

    /// <param name="names">Parameter names.</param>
    /// <param name="start">Starting values (positive, natural scale).</param>
    /// <param name="logLikelihood">The log-likelihood at natural-scale parameters.</param>
    /// <param name="scale">Divides the objective (the number of customers) so tolerances mean the same on any data size.</param>
    /// <param name="logLikelihoodAndGradient">Optional: the log-likelihood and its analytic gradient with respect to the
    /// natural-scale parameters (written into the span). When given, BFGS uses it (one pass per step instead of 2k + 1)
    /// and the Hessian is central differences of the gradient (2k passes instead of 2k(k - 1) + 2k + 1).</param>
    public static MaximumLikelihoodFit Fit(string[] names, double[] start, Func<double[], double> logLikelihood, double scale,
        LogLikelihoodWithGradient? logLikelihoodAndGradient = null)
    {
        int k = names.Length;
        // Minimise the mean negative log-likelihood on the log scale; non-finite values become a large penalty so the
        // line search backs away from regions where the likelihood underflows.
        double Objective(Vector<double> theta)
        {
            var p = new double[k];
            for (int i = 0; i < k; i++) p[i] = Math.Exp(Math.Clamp(theta[i], -LogBound, LogBound));
            var ll = logLikelihood(p);
            return double.IsFinite(ll) ? -ll / scale : 1e100;
        }
        Vector<double> Gradient(Vector<double> theta)
        {
            var g = Vector<double>.Build.Dense(k);
            for (int i = 0; i < k; i++)
            {
                const double h = 1e-6;
                var up = theta.Clone(); up[i] += h;
                var dn = theta.Clone(); dn[i] -= h;
                g[i] = (Objective(up) - Objective(dn)) / (2 * h);
            }
            return g;
        }

        // With the analytic gradient: value and gradient in one pass, chain rule d/d(log p) = p d/dp.
        var pBuffer = new double[k];
        var gBuffer = new double[k];
        (double, Vector<double>) ValueAndGradient(Vector<double> theta)
        {
            for (int i = 0; i < k; i++) pBuffer[i] = Math.Exp(Math.Clamp(theta[i], -LogBound, LogBound));
            var ll = logLikelihoodAndGradient!(pBuffer, gBuffer);
            var g = Vector<double>.Build.Dense(k);
            if (!double.IsFinite(ll)) return (1e100, g);
            for (int i = 0; i < k; i++)
                g[i] = Math.Abs(theta[i]) >= LogBound ? 0 : -pBuffer[i] * gBuffer[i] / scale;
            return (-ll / scale, g);
        }

        var x0 = Vector<double>.Build.Dense(start.Select(v => Math.Log(v)).ToArray());
        var objective = logLikelihoodAndGradient is null
            ? ObjectiveFunction.Gradient(Objective, Gradient)
            : ObjectiveFunction.Gradient(ValueAndGradient);
        Vector<double> best;
        int iterations;
        string optimizer;
        try
        {
            var r = new BfgsMinimizer(1e-7, 1e-10, 1e-12, 2000).FindMinimum(objective, x0);
            (best, iterations, optimizer) = (r.MinimizingPoint, r.Iterations, "bfgs");
        }
        catch (Exception ex) when (ex is MaximumIterationsException or OptimizationException or ArgumentException)
        {
            var simplex = new NelderMeadSimplex(1e-10, 5_000).FindMinimum(ObjectiveFunction.Value(Objective), x0);
            (best, iterations, optimizer) = (simplex.MinimizingPoint, simplex.Iterations, "nelder-mead");
            try
            {
                var r = new BfgsMinimizer(1e-7, 1e-10, 1e-12, 2000).FindMinimum(objective, best);
                if (Objective(r.MinimizingPoint) <= Objective(best)) { best = r.MinimizingPoint; iterations += r.Iterations; optimizer = "nelder-mead+bfgs"; }
            }
            catch (Exception ex2) when (ex2 is MaximumIterationsException or OptimizationException or ArgumentException) { }
        }
        var values = best.Select(v => Math.Exp(Math.Clamp(v, -LogBound, LogBound))).ToArray();
        var ll = logLikelihood(values);
        var covariance = logLikelihoodAndGradient is null ? Covariance(values, logLikelihood) : Covariance(values, logLikelihoodAndGradient);
        var se = covariance is null ? Enumerable.Repeat(double.NaN, k).ToArray() : Enumerable.Range(0, k).Select(i => Math.Sqrt(covariance[i][i])).ToArray();
        return new MaximumLikelihoodFit(names, values, se, ll, iterations, optimizer + (logLikelihoodAndGradient is null ? "" : "(analytic gradient)"))
        {
            Covariance = covariance,
        };
    }

    /// <summary>Inverse of the Hessian of the negative log-likelihood, the Hessian by central differences of the analytic
    /// gradient (symmetrised); null when it is not positive definite.</summary>
    static double[][]? Covariance(double[] p, LogLikelihoodWithGradient f)
    {
        int k = p.Length;
        var H = Matrix<double>.Build.Dense(k, k);
        var up = new double[k]; var dn = new double[k];
        for (int j = 0; j < k; j++)
        {
            double h = 1e-5 * Math.Max(Math.Abs(p[j]), 1e-3);
            var q = (double[])p.Clone();
            q[j] = p[j] + h; f(q, up);
            q[j] = p[j] - h; f(q, dn);
            for (int i = 0; i < k; i++) H[i, j] = -(up[i] - dn[i]) / (2 * h);
        }
        return Invert((H + H.Transpose()) / 2);
    }

    static double[][]? Covariance(double[] p, Func<double[], double> logLikelihood) => Invert(Hessian(p, logLikelihood));

    static double[][]? Invert(Matrix<double> H)
    {
        int k = H.RowCount;
        if (!H.Enumerate().All(double.IsFinite)) return null;
        try
        {
            var inv = H.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(k));
            return Enumerable.Range(0, k).Select(i => Enumerable.Range(0, k).Select(j => inv[i, j]).ToArray()).ToArray();
        }
        catch (ArgumentException) { return null; }
    }

    /// <summary>Square roots of the diagonal of the inverse Hessian of the negative log-likelihood at the optimum
    /// (NaN where the Hessian is not positive definite).</summary>
    public static double[] StandardErrors(double[] p, Func<double[], double> logLikelihood)
    {
        var cov = Covariance(p, logLikelihood);
        return cov is null ? Enumerable.Repeat(double.NaN, p.Length).ToArray() : Enumerable.Range(0, p.Length).Select(i => Math.Sqrt(cov[i][i])).ToArray();
    }

    /// <summary>Hessian of the negative log-likelihood by central differences on the natural scale.</summary>
    static Matrix<double> Hessian(double[] p, Func<double[], double> logLikelihood)
    {
        int k = p.Length;
        var h = p.Select(v => 1e-4 * Math.Max(Math.Abs(v), 1e-3)).ToArray();
        double F(int i, double di, int j, double dj)
        {
            var q = (double[])p.Clone();
            q[i] += di; q[j] += dj;
            return -logLikelihood(q);
        }
        var H = Matrix<double>.Build.Dense(k, k);
        double f0 = -logLikelihood(p);
        for (int i = 0; i < k; i++)
        {
            H[i, i] = (F(i, h[i], i, 0) - 2 * f0 + F(i, -h[i], i, 0)) / (h[i] * h[i]);
            for (int j = i + 1; j < k; j++)
            {
                var v = (F(i, h[i], j, h[j]) - F(i, h[i], j, -h[j]) - F(i, -h[i], j, h[j]) + F(i, -h[i], j, -h[j])) / (4 * h[i] * h[j]);
                H[i, j] = v; H[j, i] = v;
            }
        }
        return H;
    }
}

/// <summary>A log-likelihood at natural-scale parameters that also writes its gradient into <paramref name="gradient"/>.</summary>
internal delegate double LogLikelihoodWithGradient(double[] parameters, Span<double> gradient);
