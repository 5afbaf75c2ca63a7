namespace Workbench.Analytics.Territory;

/// <summary>
/// A fitted territory model: account groups, the rep x group affinity table (shrunk win rates with intervals) and the
/// options. It plans (<see cref="Plan(TerritoryBook, AssignmentOptions?)"/>): the owner of every account that maximises
/// expected wins (or bookings) within capacity, region and continuity limits, solved exactly with OR-Tools.
/// </summary>
public sealed class TerritoryModel : IWorkbenchModel
{
    public const string ModelKind = "territory";
    public const int FormatVersion = 1;

    public string Kind => ModelKind;
    public TerritoryOptions Options { get; }
    public DateOnly PlanningDate { get; }
    /// <summary>How the groups were formed, in words.</summary>
    public string Grouping { get; }
    public IReadOnlyList<TerritoryGroup> Groups { get; }
    public IReadOnlyList<TerritoryRep> Reps { get; }
    /// <summary>Affinity table, [rep][group] in <see cref="Reps"/> order.</summary>
    public IReadOnlyList<IReadOnlyList<AffinityCell>> Affinity { get; }
    /// <summary>The group of every account grouped at fit time.</summary>
    public IReadOnlyDictionary<string, int> AccountGroups { get; }
    /// <summary>Closed deals the affinity was learned from.</summary>
    public int HistoryDeals { get; }

    readonly Dictionary<string, int> _repIndex;

    internal TerritoryModel(TerritoryOptions options, DateOnly date, string grouping, IReadOnlyList<TerritoryGroup> groups,
        IReadOnlyList<TerritoryRep> reps, AffinityCell[][] affinity, IReadOnlyDictionary<string, int> accountGroups, int historyDeals)
    {
        Options = options; PlanningDate = date; Grouping = grouping; Groups = groups; Reps = reps;
        Affinity = affinity; AccountGroups = accountGroups; HistoryDeals = historyDeals;
        _repIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < reps.Count; r++) _repIndex[reps[r].RepId] = r;
    }

    /// <summary>Estimated win rate of a rep in a group; a rep the model has not seen gets the group's rate.</summary>
    public double WinRate(string? repId, int group) =>
        repId is not null && _repIndex.TryGetValue(repId, out int r) ? Affinity[r][group].Rate : Groups[group].WinRate;

    /// <summary>The cell of a rep in a group (null for a rep the model has not seen).</summary>
    public AffinityCell? Cell(string? repId, int group) =>
        repId is not null && _repIndex.TryGetValue(repId, out int r) ? Affinity[r][group] : null;

    /// <summary>Expected yearly value of one account of a group per unit of win rate: its opportunities per year
    /// (wins objective) or opportunities times the mean deal amount (bookings objective).</summary>
    public double Weight(int group, TerritoryObjective objective) =>
        objective == TerritoryObjective.Bookings ? Groups[group].OpportunitiesPerAccountYear * Groups[group].MeanDealAmount : Groups[group].OpportunitiesPerAccountYear;

    /// <summary>The book of <paramref name="data"/> on the planning date, for the accounts grouped at fit time.</summary>
    public TerritoryBook BookFor(CrmDataset data)
    {
        var ids = AccountGroups.Keys.Order(StringComparer.Ordinal).ToArray();
        return TerritoryBook.From(data, PlanningDate, ids, ids.Select(id => AccountGroups[id]).ToArray());
    }

    /// <summary>Expected value (by objective, estimated rates) of owners given per account in book order;
    /// an account without owner counts at its group's rate.</summary>
    public double ExpectedValue(TerritoryBook book, IReadOnlyList<string?> owners, TerritoryObjective objective = TerritoryObjective.Wins)
    {
        double v = 0;
        for (int a = 0; a < book.Accounts.Count; a++)
        {
            int g = book.Accounts[a].Group;
            v += Weight(g, objective) * WinRate(owners[a], g);
        }
        return v;
    }

    /// <summary>Region-only baseline: each account owned by a rep of its region chosen without regard to skill, i.e.
    /// in expectation the mean rate of its region's reps (all reps when the region has none).</summary>
    public double RegionBaselineValue(TerritoryBook book, TerritoryObjective objective = TerritoryObjective.Wins) =>
        RegionBaseline(book, (rep, a) => Weight(book.Accounts[a].Group, objective) * WinRate(rep, book.Accounts[a].Group));

    internal static double RegionBaseline(TerritoryBook book, Func<string, int, double> value)
    {
        var byRegion = book.Reps.GroupBy(r => r.Region, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(r => r.RepId).ToArray(), StringComparer.Ordinal);
        var all = book.Reps.Select(r => r.RepId).ToArray();
        double v = 0;
        for (int a = 0; a < book.Accounts.Count; a++)
        {
            var reps = byRegion.TryGetValue(book.Accounts[a].Region, out var rs) ? rs : all;
            double s = 0;
            foreach (var r in reps) s += value(r, a);
            v += s / reps.Length;
        }
        return v;
    }

    /// <summary>Plans the book: the owner of every account maximising the objective within the limits.</summary>
    /// <exception cref="TerritoryInfeasibleException">The limits admit no plan; the message says which and by how much.</exception>
    public TerritoryPlan Plan(TerritoryBook book, AssignmentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(book);
        var o = options ?? Options.Assignment;
        o.Validate();
        foreach (var a in book.Accounts)
            if ((uint)a.Group >= (uint)Groups.Count) throw new WorkbenchException($"Account '{a.AccountId}' has group {a.Group}; the model has groups 0..{Groups.Count - 1}.");
        var reps = book.Reps;
        var values = new double[Groups.Count][];
        for (int g = 0; g < Groups.Count; g++)
        {
            values[g] = new double[reps.Count];
            for (int r = 0; r < reps.Count; r++) values[g][r] = Weight(g, o.Objective) * WinRate(reps[r].RepId, g);
        }
        var problem = Problem(book, o, book.Accounts.Select(a => a.Group).ToArray(), values);
        var solution = AssignmentSolver.Solve(problem);
        return BuildPlan(book, o, problem, solution);
    }

    internal static AssignmentProblem Problem(TerritoryBook book, AssignmentOptions o, int[] profiles, double[][] values)
    {
        var reps = book.Reps;
        var regionNames = book.Accounts.Select(a => a.Region).Concat(reps.Select(r => r.Region)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var regionIndex = regionNames.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        var repIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < reps.Count; r++) repIndex[reps[r].RepId] = r;
        int n = book.Accounts.Count;
        var region = new int[n];
        var owner = new int[n];
        var load = new int[reps.Count];
        for (int a = 0; a < n; a++)
        {
            var acc = book.Accounts[a];
            region[a] = regionIndex[acc.Region];
            owner[a] = acc.CurrentOwner is { } id && repIndex.TryGetValue(id, out int r) ? r : -1;
            if (owner[a] >= 0) load[owner[a]]++;
        }
        var repRegion = reps.Select(r => regionIndex[r.Region]).ToArray();
        var lower = new int[reps.Count];
        var upper = new int[reps.Count];
        for (int r = 0; r < reps.Count; r++)
        {
            double target;
            if (o.Capacity == CapacityBasis.CurrentBook) target = load[r];
            else if (o.Regions == RegionPolicy.SameRegion)
            {
                int accountsInRegion = region.Count(x => x == repRegion[r]);
                target = (double)accountsInRegion / repRegion.Count(x => x == repRegion[r]);
            }
            else target = (double)n / reps.Count;
            lower[r] = (int)Math.Floor(target * (1 - o.CapacityTolerance) + 1e-9);
            upper[r] = (int)Math.Ceiling(target * (1 + o.CapacityTolerance) - 1e-9);
        }
        return new AssignmentProblem(profiles, region, owner, values, repRegion, lower, upper, o.MaxMoves, o.Regions, regionNames,
            reps.Select(r => r.RepId).ToArray(), o.SolverTimeLimitSeconds);
    }

    internal TerritoryPlan BuildPlan(TerritoryBook book, AssignmentOptions o, AssignmentProblem problem, AssignmentSolution solution)
    {
        var reps = book.Reps;
        int n = book.Accounts.Count;
        var assignments = new PlannedAssignment[n];
        var moves = new List<PlannedMove>();
        var gained = new int[reps.Count];
        var lost = new int[reps.Count];
        var current = new int[reps.Count];
        var planned = new int[reps.Count];
        double value = 0, currentValue = 0;
        for (int a = 0; a < n; a++)
        {
            var acc = book.Accounts[a];
            int g = acc.Group, to = solution.Rep[a], from = problem.Owner[a];
            double w = Weight(g, o.Objective);
            double cv = w * WinRate(acc.CurrentOwner, g), pv = w * WinRate(reps[to].RepId, g);
            value += pv; currentValue += cv;
            planned[to]++;
            if (from >= 0) current[from]++;
            assignments[a] = new PlannedAssignment(acc.AccountId, acc.Name, acc.Region, g, Groups[g].Label, acc.CurrentOwner, reps[to].RepId, cv, pv);
            if (assignments[a].Moved)
            {
                gained[to]++;
                if (from >= 0) lost[from]++;
                moves.Add(new PlannedMove(acc.AccountId, acc.Name, Groups[g].Label, acc.CurrentOwner, reps[to].RepId, pv - cv, Reason(acc, reps[to], o)));
            }
        }
        var loads = reps.Select((r, i) => new RepLoad(r.RepId, r.Name, r.Region, current[i], planned[i], problem.Lower[i], problem.Upper[i], gained[i], lost[i])).ToArray();
        int capacityViolations = loads.Count(l => !l.WithinCapacity);
        int continuityViolations = o.MaxMoves is int m ? Math.Max(0, moves.Count - m) : 0;
        return new TerritoryPlan(book, o, assignments, moves, loads, value, currentValue, capacityViolations, continuityViolations,
            solution.Classes, solution.Variables, solution.SolveSeconds);
    }

    string Reason(TerritoryAccount acc, TerritoryRep to, AssignmentOptions o)
    {
        var ci = CultureInfo.InvariantCulture;
        var g = Groups[acc.Group];
        string Rate(AffinityCell? c, string repId) => c is null
            ? string.Format(ci, "{0:0%} (group rate; no history)", g.WinRate)
            : string.Format(ci, "{0:0%} [{1:0%}-{2:0%}] on {3} deal(s)", c.Rate, c.Lower, c.Upper, c.Deals);
        string toText = $"{to.RepId} wins an estimated {Rate(Cell(to.RepId, acc.Group), to.RepId)} in {g.Label}";
        if (acc.CurrentOwner is null) return toText + "; the account had no owner.";
        var fromCell = Cell(acc.CurrentOwner, acc.Group);
        if (fromCell is null) return toText + $"; current owner {acc.CurrentOwner} is not a known rep.";
        bool fromEligible = o.Regions == RegionPolicy.AnyRegion || Reps.FirstOrDefault(r => r.RepId == acc.CurrentOwner)?.Region == acc.Region;
        string tail = WinRate(to.RepId, acc.Group) >= fromCell.Rate
            ? $" vs {Rate(fromCell, acc.CurrentOwner)} for {acc.CurrentOwner}."
            : $" vs {Rate(fromCell, acc.CurrentOwner)} for {acc.CurrentOwner}; moved to balance capacity" + (fromEligible ? "." : " (current owner is outside the account's region).");
        return toText + tail;
    }

    // ---- one model file ----

    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelFile.Write(stream, ModelKind, FormatVersion, w =>
        {
            var a = Options.Assignment;
            w.AddJson("model.json", new JsonObject
            {
                ["planning_date"] = PlanningDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["grouping"] = Grouping,
                ["history_deals"] = HistoryDeals,
                ["options"] = new JsonObject
                {
                    ["groups"] = Options.Groups, ["pca_components"] = Options.PcaComponents, ["history_months"] = Options.HistoryMonths,
                    ["interval_level"] = Options.IntervalLevel, ["seed"] = Options.Seed, ["user_groups"] = Options.UserGroups is not null,
                    ["assignment"] = new JsonObject
                    {
                        ["capacity_tolerance"] = a.CapacityTolerance, ["max_moves"] = a.MaxMoves, ["regions"] = a.Regions.ToString(),
                        ["capacity"] = a.Capacity.ToString(), ["objective"] = a.Objective.ToString(), ["solver_time_limit_seconds"] = a.SolverTimeLimitSeconds,
                    },
                },
                ["groups"] = new JsonArray(Groups.Select(g => (JsonNode)new JsonObject
                {
                    ["group"] = g.Group, ["label"] = g.Label, ["accounts"] = g.Accounts, ["deals"] = g.Deals, ["wins"] = g.Wins, ["win_rate"] = g.WinRate,
                    ["prior_strength"] = g.PriorStrength, ["opportunities_per_account_year"] = g.OpportunitiesPerAccountYear, ["mean_deal_amount"] = g.MeanDealAmount,
                }).ToArray()),
                ["reps"] = new JsonArray(Reps.Select(r => (JsonNode)new JsonObject { ["rep_id"] = r.RepId, ["name"] = r.Name, ["region"] = r.Region }).ToArray()),
            });
            var sb = new StringBuilder("rep_id,group,deals,wins,rate,lower,upper\n");
            foreach (var row in Affinity)
                foreach (var c in row)
                    sb.Append(string.Create(CultureInfo.InvariantCulture, $"{c.RepId},{c.Group},{c.Deals},{c.Wins},{c.Rate:R},{c.Lower:R},{c.Upper:R}\n"));
            w.AddText("affinity.csv", sb.ToString());
            var ab = new StringBuilder("account_id,group\n");
            foreach (var kv in AccountGroups.OrderBy(kv => kv.Key, StringComparer.Ordinal)) ab.Append(kv.Key).Append(',').Append(kv.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            w.AddText("account-groups.csv", ab.ToString());
        });
    }

    public static TerritoryModel Load(Stream stream, string source = "the model file")
    {
        using var r = ModelFile.Open(stream, ModelKind, FormatVersion, source);
        try
        {
            var m = r.ReadJson("model.json");
            var ci = CultureInfo.InvariantCulture;
            var date = DateOnly.ParseExact(m["planning_date"]!.GetValue<string>(), "yyyy-MM-dd", ci);
            var o = m["options"]!.AsObject();
            var ao = o["assignment"]!.AsObject();
            var assignment = new AssignmentOptions
            {
                CapacityTolerance = ao["capacity_tolerance"]!.GetValue<double>(), MaxMoves = ao["max_moves"]?.GetValue<int>(),
                Regions = Enum.Parse<RegionPolicy>(ao["regions"]!.GetValue<string>()), Capacity = Enum.Parse<CapacityBasis>(ao["capacity"]!.GetValue<string>()),
                Objective = Enum.Parse<TerritoryObjective>(ao["objective"]!.GetValue<string>()), SolverTimeLimitSeconds = ao["solver_time_limit_seconds"]!.GetValue<double>(),
            };
            var options = new TerritoryOptions
            {
                PlanningDate = date, Groups = o["groups"]!.GetValue<int>(), PcaComponents = o["pca_components"]?.GetValue<int>(),
                HistoryMonths = o["history_months"]?.GetValue<int>(), IntervalLevel = o["interval_level"]!.GetValue<double>(), Seed = o["seed"]!.GetValue<int>(),
                Assignment = assignment,
            };
            var groups = m["groups"]!.AsArray().Select(g => new TerritoryGroup(g!["group"]!.GetValue<int>(), g["label"]!.GetValue<string>(), g["accounts"]!.GetValue<int>(),
                g["deals"]!.GetValue<int>(), g["wins"]!.GetValue<int>(), g["win_rate"]!.GetValue<double>(), g["prior_strength"]!.GetValue<double>(),
                g["opportunities_per_account_year"]!.GetValue<double>(), g["mean_deal_amount"]!.GetValue<double>())).ToArray();
            var reps = m["reps"]!.AsArray().Select(x => new TerritoryRep(x!["rep_id"]!.GetValue<string>(), x["name"]!.GetValue<string>(), x["region"]!.GetValue<string>())).ToArray();
            var repIndex = reps.Select((x, i) => (x.RepId, i)).ToDictionary(x => x.RepId, x => x.i, StringComparer.Ordinal);
            var cells = reps.Select(_ => new AffinityCell[groups.Length]).ToArray();
            foreach (var line in r.ReadText("affinity.csv").Split('\n').Skip(1).Where(l => l.Length > 0))
            {
                var f = line.Split(',');
                var c = new AffinityCell(f[0], int.Parse(f[1], ci), int.Parse(f[2], ci), int.Parse(f[3], ci), double.Parse(f[4], ci), double.Parse(f[5], ci), double.Parse(f[6], ci));
                cells[repIndex[c.RepId]][c.Group] = c;
            }
            var accountGroups = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var line in r.ReadText("account-groups.csv").Split('\n').Skip(1).Where(l => l.Length > 0))
            {
                int comma = line.LastIndexOf(',');
                accountGroups[line[..comma]] = int.Parse(line[(comma + 1)..], ci);
            }
            if (cells.Any(row => row.Any(c => c is null))) throw new WorkbenchException($"{source}: affinity.csv does not cover every rep and group.");
            return new TerritoryModel(options, date, m["grouping"]!.GetValue<string>(), groups, reps, cells, accountGroups, m["history_deals"]!.GetValue<int>());
        }
        catch (Exception ex) when (ex is FormatException or NullReferenceException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException or ArgumentException)
        {
            throw new WorkbenchException($"{source}: the territory model is malformed ({ex.Message}).");
        }
    }
}
