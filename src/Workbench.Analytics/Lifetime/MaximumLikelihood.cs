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
    const double LogBound = 18;

    public static MaximumLikelihoodFit Fit(string[] names, double[] start, Func<double[], double> logLikelihood, double scale)
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

        var x0 = Vector<double>.Build.Dense(start.Select(v => Math.Log(v)).ToArray());
        var objective = ObjectiveFunction.Gradient(Objective, Gradient);
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
        var se = StandardErrors(values, logLikelihood);
        return new MaximumLikelihoodFit(names, values, se, ll, iterations, optimizer);
    }

    /// <summary>Square roots of the diagonal of the inverse Hessian of the negative log-likelihood at the optimum
    /// (NaN where the Hessian is not positive definite).</summary>
    public static double[] StandardErrors(double[] p, Func<double[], double> logLikelihood)
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
        try
        {
            var chol = H.Cholesky();
            var inv = chol.Solve(Matrix<double>.Build.DenseIdentity(k));
            return Enumerable.Range(0, k).Select(i => Math.Sqrt(inv[i, i])).ToArray();
        }
        catch (ArgumentException) { return Enumerable.Repeat(double.NaN, k).ToArray(); }
    }
}
