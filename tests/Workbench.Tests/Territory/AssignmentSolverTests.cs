using Workbench.Analytics.Territory;

namespace Workbench.Tests.Territory;

/// <summary>The grouped CP-SAT model against brute force over every assignment of small random problems.</summary>
public class AssignmentSolverTests
{
    [Theory]
    [InlineData(1, null, RegionPolicy.AnyRegion)]
    [InlineData(2, 2, RegionPolicy.AnyRegion)]
    [InlineData(3, 1, RegionPolicy.SameRegion)]
    [InlineData(4, 3, RegionPolicy.SameRegion)]
    [InlineData(5, 0, RegionPolicy.AnyRegion)]
    public void The_solver_finds_the_brute_force_optimum(int seed, int? maxMoves, RegionPolicy regions)
    {
        var rng = new Random(seed);
        int n = 7, reps = 3, profiles = 2;
        var profile = Enumerable.Range(0, n).Select(_ => rng.Next(profiles)).ToArray();
        var repRegion = new[] { 0, 0, 1 };
        var owner = Enumerable.Range(0, n).Select(_ => rng.Next(reps)).ToArray();
        var region = owner.Select(o => repRegion[o]).ToArray();
        var values = Enumerable.Range(0, profiles).Select(_ => Enumerable.Range(0, reps).Select(_ => Math.Round(rng.NextDouble(), 3)).ToArray()).ToArray();
        var lower = new[] { 1, 1, 1 };
        var upper = new[] { 4, 3, 4 };
        var p = new AssignmentProblem(profile, region, owner, values, repRegion, lower, upper, maxMoves, regions, ["a", "b"], ["R0", "R1", "R2"], 30);

        double best = double.NegativeInfinity;
        var x = new int[n];
        for (int code = 0; code < (int)Math.Pow(reps, n); code++)
        {
            int c = code;
            for (int a = 0; a < n; a++) { x[a] = c % reps; c /= reps; }
            var load = new int[reps];
            int moves = 0; bool ok = true; double v = 0;
            for (int a = 0; a < n; a++)
            {
                load[x[a]]++;
                if (x[a] != owner[a]) moves++;
                if (regions == RegionPolicy.SameRegion && repRegion[x[a]] != region[a]) ok = false;
                v += values[profile[a]][x[a]];
            }
            for (int r = 0; r < reps; r++) ok &= load[r] >= lower[r] && load[r] <= upper[r];
            if (maxMoves is int m) ok &= moves <= m;
            if (ok) best = Math.Max(best, v);
        }
        var s = AssignmentSolver.Solve(p);
        Assert.Equal(best, s.Value, 9);
        if (maxMoves is int mm) Assert.True(s.Moves <= mm);
        var loads = new int[reps];
        foreach (var r in s.Rep) loads[r]++;
        for (int r = 0; r < reps; r++) Assert.InRange(loads[r], lower[r], upper[r]);
    }
}
