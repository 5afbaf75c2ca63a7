namespace Workbench.Analytics.Actions;

/// <summary>
/// A model-based ("pooled") standard error of a doubly robust mean, for when the resamples of the log cannot see what the
/// log lacks. Each decision's DR term is direct + w (r - q): the reward model's prediction under the policy plus the
/// importance-weighted residual of the logged action. The bootstrap reads the residual part's spread off the decisions
/// whose logged action the policy would take, so a log whose matching decisions lack the rare large responses gives both
/// a low estimate and a small standard error (round 17 of docs/actions.md). Here the residual variance of each action is
/// instead pooled over <em>every</em> logged decision with that action (whatever the policy), and the policy enters only
/// through its weights: var(sum of an account's residual parts) = (1 - rho) sum w^2 s^2 + rho (sum w s)^2, with s the
/// action's pooled residual standard deviation (times the decision's scale, when one is given) and rho the residuals'
/// correlation within an account (exchangeable, pooled over every account). The direct part keeps its cluster-robust
/// spread (it is a model's prediction, not a heavy-tailed draw), and the two parts are taken as uncorrelated (the
/// residuals are cross-fitted, so their mean given the context is near zero).
/// </summary>
internal static class PooledVariance
{
    /// <summary>The standard error of mean(direct + weight x residual) over the rows.</summary>
    /// <param name="cluster">Each row's cluster (account) index, 0..C-1.</param>
    /// <param name="action">Each row's logged action, 0..K-1.</param>
    /// <param name="direct">The direct-method term under the policy.</param>
    /// <param name="weight">The policy's importance weight of the logged action.</param>
    /// <param name="residual">The logged reward minus the reward model's prediction for the logged action (policy-free).</param>
    /// <param name="scale">Optional positive scale per row (the residual's standard deviation is taken proportional to it).</param>
    public static double StandardError(int[] cluster, int[] action, double[] direct, double[] weight, double[] residual, double[]? scale = null)
    {
        int n = cluster.Length;
        if (n == 0) return 0;
        int c = cluster.Max() + 1, k = action.Max() + 1;
        double Scale(int i) => scale?[i] ?? 1.0;
        // Each action's mean squared (scaled) residual over every decision that logged it: E[e^2], bias included.
        var ss = new double[k]; var count = new int[k];
        for (int i = 0; i < n; i++) { double u = residual[i] / Scale(i); ss[action[i]] += u * u; count[action[i]]++; }
        var sd = new double[n];
        for (int i = 0; i < n; i++) sd[i] = Math.Sqrt(ss[action[i]] / count[action[i]]) * Scale(i);

        // Within-account correlation of the standardized residuals, pooled over all accounts (0 if none has two decisions).
        var zSum = new double[c]; var zSq = new double[c]; var size = new int[c];
        for (int i = 0; i < n; i++)
        {
            double z = sd[i] > 0 ? residual[i] / sd[i] : 0;
            zSum[cluster[i]] += z; zSq[cluster[i]] += z * z; size[cluster[i]]++;
        }
        double cross = 0, pairs = 0;
        for (int j = 0; j < c; j++) { cross += zSum[j] * zSum[j] - zSq[j]; pairs += size[j] * (size[j] - 1.0); }
        double rho = pairs > 0 ? Math.Clamp(cross / pairs, 0, 1) : 0;

        var ws = new double[c]; var w2s2 = new double[c]; var d = new double[c];
        double directMean = 0;
        for (int i = 0; i < n; i++)
        {
            double x = weight[i] * sd[i];
            ws[cluster[i]] += x; w2s2[cluster[i]] += x * x; d[cluster[i]] += direct[i]; directMean += direct[i];
        }
        directMean /= n;
        double residualPart = 0, directPart = 0; int used = 0;
        for (int j = 0; j < c; j++)
        {
            if (size[j] == 0) continue;
            used++;
            residualPart += (1 - rho) * w2s2[j] + rho * ws[j] * ws[j];
            double e = d[j] - directMean * size[j];
            directPart += e * e;
        }
        if (used > 1) directPart *= used / (used - 1.0);
        return Math.Sqrt(residualPart + directPart) / n;
    }
}
