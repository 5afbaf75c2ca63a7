using Google.OrTools.Sat;

namespace Workbench.Analytics.Territory;

/// <summary>An assignment problem over accounts that share a value profile: account a is worth
/// <c>Values[Profile[a]][r]</c> when rep r owns it. Reps have [Lower, Upper] account capacities, at most
/// <c>MaxMoves</c> accounts may leave their current owner, and under <see cref="RegionPolicy.SameRegion"/> an account
/// goes only to a rep of its region.</summary>
internal sealed record AssignmentProblem(
    int[] Profile, int[] Region, int[] Owner, double[][] Values, int[] RepRegion, int[] Lower, int[] Upper,
    int? MaxMoves, RegionPolicy Regions, IReadOnlyList<string> RegionNames, IReadOnlyList<string> RepIds, double TimeLimitSeconds);

internal sealed record AssignmentSolution(int[] Rep, double Value, int Moves, int Classes, int Variables, double SolveSeconds);

/// <summary>
/// Solves <see cref="AssignmentProblem"/> exactly with Google OR-Tools CP-SAT on the grouped problem. Accounts with the
/// same (profile, region, current owner) are interchangeable, so the decision is how many of each class stay and how
/// many of each (profile, region) pool go to each rep: a few thousand integer variables at 100,000 accounts x 200 reps.
/// The model is a transportation network (class -> owner "stay" arcs, class -> pool -> rep "move" arcs) with rep
/// capacity bounds, plus one side constraint (total moves &lt;= MaxMoves). Values are scaled to integer micro-units;
/// among plans equal to that resolution the solver prefers fewer moves. One search worker keeps the result
/// deterministic.
/// </summary>
internal static class AssignmentSolver
{
    const double Scale = 1e6;

    public static AssignmentSolution Solve(AssignmentProblem p)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int n = p.Profile.Length, reps = p.RepRegion.Length;
        bool sameRegion = p.Regions == RegionPolicy.SameRegion;
        CheckCapacity(p);

        // Classes (profile, region, owner) and pools (profile, region or all).
        var classIndex = new Dictionary<(int, int, int), int>();
        var classKeys = new List<(int Profile, int Region, int Owner)>();
        var classMembers = new List<List<int>>();
        for (int a = 0; a < n; a++)
        {
            var key = (p.Profile[a], p.Region[a], p.Owner[a]);
            if (!classIndex.TryGetValue(key, out int c))
            {
                c = classKeys.Count; classIndex[key] = c; classKeys.Add(key); classMembers.Add([]);
            }
            classMembers[c].Add(a);
        }
        var poolIndex = new Dictionary<(int, int), int>();
        var poolKeys = new List<(int Profile, int Region)>();
        var classPool = new int[classKeys.Count];
        for (int c = 0; c < classKeys.Count; c++)
        {
            var key = (classKeys[c].Profile, sameRegion ? classKeys[c].Region : -1);
            if (!poolIndex.TryGetValue(key, out int q)) { q = poolKeys.Count; poolIndex[key] = q; poolKeys.Add(key); }
            classPool[c] = q;
        }
        bool Eligible(int rep, int region) => !sameRegion || p.RepRegion[rep] == region;

        var model = new CpModel();
        var stay = new IntVar?[classKeys.Count];
        var moveTerms = new List<(int Class, int Count)>();
        var objVars = new List<IntVar>();
        var objCoefs = new List<long>();
        var repIn = Enumerable.Range(0, reps).Select(_ => new List<IntVar>()).ToArray();
        var poolOutflow = Enumerable.Range(0, poolKeys.Count).Select(_ => new List<IntVar>()).ToArray();
        var poolInflowConst = new long[poolKeys.Count];
        var poolInflowStays = Enumerable.Range(0, poolKeys.Count).Select(_ => new List<IntVar>()).ToArray();
        var moveStays = new List<IntVar>();
        long movable = 0;
        int variables = 0;
        for (int c = 0; c < classKeys.Count; c++)
        {
            var (prof, region, owner) = classKeys[c];
            int size = classMembers[c].Count;
            poolInflowConst[classPool[c]] += size;
            movable += size;
            if (owner >= 0 && Eligible(owner, region))
            {
                var s = model.NewIntVar(0, size, "s" + c.ToString(CultureInfo.InvariantCulture));
                variables++;
                stay[c] = s;
                repIn[owner].Add(s);
                poolInflowStays[classPool[c]].Add(s);
                moveStays.Add(s);
                objVars.Add(s); objCoefs.Add(Coef(p.Values[prof][owner]) + 1); // +1: a stay is preferred to an equal-valued move
            }
        }
        var flows = new Dictionary<(int Pool, int Rep), IntVar>();
        for (int q = 0; q < poolKeys.Count; q++)
        {
            var (prof, region) = poolKeys[q];
            for (int r = 0; r < reps; r++)
            {
                if (!Eligible(r, region) || p.Upper[r] == 0) continue;
                var y = model.NewIntVar(0, Math.Min(poolInflowConst[q], p.Upper[r]), "y" + q.ToString(CultureInfo.InvariantCulture) + "_" + r.ToString(CultureInfo.InvariantCulture));
                variables++;
                flows[(q, r)] = y;
                repIn[r].Add(y);
                poolOutflow[q].Add(y);
                objVars.Add(y); objCoefs.Add(Coef(p.Values[prof][r]));
            }
        }
        // Pool balance: what leaves the pool's classes (size - stays) reaches reps.
        for (int q = 0; q < poolKeys.Count; q++)
            model.Add(LinearExpr.Sum(poolOutflow[q]) + LinearExpr.Sum(poolInflowStays[q]) == poolInflowConst[q]);
        for (int r = 0; r < reps; r++)
            model.AddLinearConstraint(LinearExpr.Sum(repIn[r]), p.Lower[r], p.Upper[r]);
        if (p.MaxMoves is int maxMoves)
            model.Add(LinearExpr.Sum(moveStays) >= movable - maxMoves);
        model.Maximize(LinearExpr.WeightedSum(objVars, objCoefs));

        var solver = new CpSolver
        {
            StringParameters = string.Create(CultureInfo.InvariantCulture, $"num_workers:1 max_time_in_seconds:{p.TimeLimitSeconds} random_seed:1"),
        };
        var status = solver.Solve(model);
        if (status == CpSolverStatus.Infeasible)
            throw new TerritoryInfeasibleException(ExplainInfeasible(p));
        if (status != CpSolverStatus.Optimal)
            throw new WorkbenchException($"The territory assignment was not solved to optimality within {p.TimeLimitSeconds.ToString(CultureInfo.InvariantCulture)} s " +
                $"(solver status {status}); raise the solver time limit.");

        // Realise the counts as accounts: first stays, then each pool's accounts, returning an account to its own
        // owner where the pool sends accounts there (a move back is a stay).
        var assigned = new int[n];
        Array.Fill(assigned, -1);
        var pooled = Enumerable.Range(0, poolKeys.Count).Select(_ => new List<int>()).ToArray();
        for (int c = 0; c < classKeys.Count; c++)
        {
            int s = stay[c] is { } v ? (int)solver.Value(v) : 0;
            var members = classMembers[c];
            for (int k = 0; k < members.Count; k++)
            {
                if (k < s) assigned[members[k]] = classKeys[c].Owner;
                else pooled[classPool[c]].Add(members[k]);
            }
        }
        for (int q = 0; q < poolKeys.Count; q++)
        {
            var want = new int[reps];
            foreach (var ((pq, r), y) in flows) if (pq == q) want[r] = (int)solver.Value(y);
            var rest = new List<int>();
            foreach (int a in pooled[q])
            {
                int o = p.Owner[a];
                if (o >= 0 && want[o] > 0) { assigned[a] = o; want[o]--; }
                else rest.Add(a);
            }
            int idx = 0;
            for (int r = 0; r < reps; r++)
                for (; want[r] > 0; want[r]--) assigned[rest[idx++]] = r;
            if (idx != rest.Count) throw new InvalidOperationException("Pool flow does not balance (solver invariant).");
        }
        double value = 0;
        int moves = 0;
        for (int a = 0; a < n; a++)
        {
            value += p.Values[p.Profile[a]][assigned[a]];
            if (assigned[a] != p.Owner[a]) moves++;
        }
        return new AssignmentSolution(assigned, value, moves, classKeys.Count, variables, sw.Elapsed.TotalSeconds);
    }

    static long Coef(double v) => (long)Math.Round(v * Scale) * 2; // even, so the +1 stay preference never outweighs a value difference

    /// <summary>Capacity problems that make any plan impossible, found before solving.</summary>
    static void CheckCapacity(AssignmentProblem p)
    {
        int n = p.Profile.Length;
        var problems = new List<string>();
        long lower = p.Lower.Sum(x => (long)x), upper = p.Upper.Sum(x => (long)x);
        if (p.Regions == RegionPolicy.AnyRegion || p.RegionNames.Count == 0)
        {
            if (lower > n) problems.Add($"the reps' minimum loads add up to {lower:N0} accounts but there are only {n:N0}");
            if (upper < n) problems.Add($"the reps' maximum loads add up to {upper:N0} accounts but there are {n:N0}");
        }
        else
        {
            for (int g = 0; g < p.RegionNames.Count; g++)
            {
                int accounts = p.Region.Count(x => x == g);
                var rs = Enumerable.Range(0, p.RepRegion.Length).Where(r => p.RepRegion[r] == g).ToArray();
                long lo = rs.Sum(r => (long)p.Lower[r]), hi = rs.Sum(r => (long)p.Upper[r]);
                if (accounts > 0 && rs.Length == 0) problems.Add($"region '{p.RegionNames[g]}' has {accounts:N0} accounts and no rep");
                else if (lo > accounts) problems.Add($"in region '{p.RegionNames[g]}' the reps' minimum loads add up to {lo:N0} accounts but the region has only {accounts:N0}");
                else if (hi < accounts) problems.Add($"in region '{p.RegionNames[g]}' the reps' maximum loads add up to {hi:N0} accounts but the region has {accounts:N0}");
            }
        }
        if (problems.Count > 0)
            throw new TerritoryInfeasibleException("No territory plan meets the capacity limits: " + string.Join("; ", problems) +
                ". Widen the capacity tolerance" + (p.Regions == RegionPolicy.SameRegion ? " or allow assignments across regions" : "") + ".");
    }

    /// <summary>Capacity is satisfiable, so the continuity limit is what fails: the exact minimum number of moves any
    /// plan within the capacity limits needs is found by solving for it.</summary>
    static string ExplainInfeasible(AssignmentProblem p)
    {
        var relaxed = p with { MaxMoves = null, Values = p.Values.Select(row => new double[row.Length]).ToArray() };
        int minMoves;
        try { minMoves = Solve(relaxed).Moves; }
        catch (WorkbenchException) { return "No territory plan meets the capacity and continuity limits."; }
        int n = p.Profile.Length;
        int unowned = 0, over = 0;
        bool same = p.Regions == RegionPolicy.SameRegion;
        var load = new int[p.RepRegion.Length];
        for (int a = 0; a < n; a++)
        {
            int o = p.Owner[a];
            if (o < 0 || (same && p.RepRegion[o] != p.Region[a])) unowned++;
            else load[o]++;
        }
        for (int r = 0; r < load.Length; r++) over += Math.Max(0, load[r] - p.Upper[r]);
        int under = Enumerable.Range(0, load.Length).Sum(r => Math.Max(0, p.Lower[r] - load[r]));
        return $"No territory plan keeps to at most {p.MaxMoves:N0} moves: meeting the capacity limits needs at least {minMoves:N0} accounts to change owner " +
            $"({unowned:N0} have no eligible current owner, {over:N0} are above their owner's maximum load, {under:N0} are needed to bring reps up to their minimum). " +
            "Raise the move limit or widen the capacity tolerance.";
    }
}

/// <summary>The assignment's limits (capacity, regions, continuity) admit no plan; the message says which and by how much.</summary>
public sealed class TerritoryInfeasibleException(string message) : WorkbenchException(message);
