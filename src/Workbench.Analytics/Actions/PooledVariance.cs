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
    /// <summary>Quantile bins of the predicted reward per action used by the evaluation's pooled intervals: 5, chosen on
    /// development seeds 141-160 (round 19 of docs/actions.md; 1, 3, 5 and 10 bins were compared there), before the
    /// seeds the coverage item is judged on were run.</summary>
    public const int Bins = 5;

    /// <summary>The standard error of mean(direct + weight x residual) over the rows.</summary>
    /// <param name="cluster">Each row's cluster (account) index, 0..C-1.</param>
    /// <param name="action">Each row's logged action, 0..K-1.</param>
    /// <param name="direct">The direct-method term under the policy.</param>
    /// <param name="weight">The policy's importance weight of the logged action.</param>
    /// <param name="residual">The logged reward minus the reward model's prediction for the logged action (policy-free).</param>
    /// <param name="scale">Optional positive scale per row (the residual's standard deviation is taken proportional to it).</param>
    /// <param name="predicted">Optional: the reward model's prediction for the logged action; with <paramref name="bins"/> &gt; 1
    /// each action's residual variance is pooled within quantile bins of it (a variance function of the predicted reward:
    /// larger predicted rewards, larger residuals), still over every decision that logged the action.</param>
    /// <param name="bins">Quantile bins of <paramref name="predicted"/> per action (1: one variance per action).</param>
    public static double StandardError(int[] cluster, int[] action, double[] direct, double[] weight, double[] residual, double[]? scale = null,
        double[]? predicted = null, int bins = 1)
    {
        int n = cluster.Length;
        if (n == 0) return 0;
        int c = cluster.Max() + 1, k = action.Max() + 1;
        double Scale(int i) => scale?[i] ?? 1.0;
        // Each row's cell: its action, and with a prediction its quantile bin among the rows that logged the same action.
        var cell = new int[n];
        if (predicted is not null && bins > 1)
            for (int a = 0; a < k; a++)
            {
                var rows = Enumerable.Range(0, n).Where(i => action[i] == a).OrderBy(i => predicted[i]).ThenBy(i => i).ToArray();
                for (int r = 0; r < rows.Length; r++) cell[rows[r]] = a * bins + (int)((long)r * bins / rows.Length);
            }
        else for (int i = 0; i < n; i++) cell[i] = action[i];
        int cells = predicted is not null && bins > 1 ? k * bins : k;
        // Each cell's mean squared (scaled) residual over every decision in it: E[e^2], bias included.
        var ss = new double[cells]; var count = new int[cells];
        for (int i = 0; i < n; i++) { double u = residual[i] / Scale(i); ss[cell[i]] += u * u; count[cell[i]]++; }
        var sd = new double[n];
        for (int i = 0; i < n; i++) sd[i] = Math.Sqrt(ss[cell[i]] / count[cell[i]]) * Scale(i);

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
