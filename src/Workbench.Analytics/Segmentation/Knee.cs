namespace Workbench.Analytics.Segmentation;

/// <summary>Which way a curve bends, so the knee is looked for on the right side of its chord.</summary>
public enum KneeShape
{
    /// <summary>Falls fast then flattens (an inertia/elbow curve).</summary>
    ConvexDecreasing,
    /// <summary>Flat then climbs fast (a sorted k-distance curve).</summary>
    ConvexIncreasing,
}

/// <summary>Knee ("elbow") detection in the spirit of Kneedle (Satopaa et al. 2011): normalise both axes to
/// [0, 1] and take the point farthest from the straight line joining the first and last points, on the side the
/// curve bends to.</summary>
public static class Knee
{
    /// <summary>Index of the knee; 0 when the curve has fewer than 3 points or no bend.</summary>
    public static int Find(IReadOnlyList<double> x, IReadOnlyList<double> y, KneeShape shape)
    {
        int n = x.Count;
        if (n != y.Count) throw new OptionsValidationException($"Knee: x has {n} points, y has {y.Count}.");
        if (n < 3) return 0;
        double x0 = x[0], x1 = x[n - 1], y0 = y[0], y1 = y[n - 1];
        double xr = x1 - x0, yr = y1 - y0;
        if (xr == 0 || yr == 0) return 0;
        int best = 0; double bestGap = 0;
        for (int i = 1; i < n - 1; i++)
        {
            double xn = (x[i] - x0) / xr, yn = (y[i] - y0) / yr; // chord is yn = xn after normalising
            // Decreasing convex: y falls fast, so normalised y (0 -> 1 as y falls) runs above the chord.
            // Increasing convex: y stays flat then shoots up, so normalised y runs below the chord.
            double gap = shape == KneeShape.ConvexDecreasing ? yn - xn : xn - yn;
            if (gap > bestGap) { bestGap = gap; best = i; }
        }
        return best;
    }
}
