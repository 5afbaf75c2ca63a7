using Workbench.Analytics.Territory;

namespace Workbench.Tests.Territory;

[Collection(TerritoryCollection.Name)]
public class TerritoryModelTests(TerritoryFixture f)
{
    [Fact]
    public void A_saved_model_loads_back_and_plans_the_same_accounts_to_the_same_reps()
    {
        using var a = new MemoryStream();
        f.Model.Save(a);
        using var b = new MemoryStream();
        f.Model.Save(b);
        Assert.Equal(a.ToArray(), b.ToArray());
        a.Position = 0;
        var loaded = TerritoryModel.Load(a);
        Assert.Equal(f.Model.PlanningDate, loaded.PlanningDate);
        Assert.Equal(f.Model.Groups, loaded.Groups);
        Assert.Equal(f.Model.Affinity.SelectMany(r => r), loaded.Affinity.SelectMany(r => r));
        var plan = loaded.Plan(loaded.BookFor(f.Data));
        Assert.Equal(f.Plan.Owners, plan.Owners);
        Assert.Equal(f.Plan.Moves.Select(m => m.Reason), plan.Moves.Select(m => m.Reason));
    }

    [Fact]
    public void Another_kind_of_model_file_is_refused_by_name()
    {
        using var s = new MemoryStream();
        Workbench.Analytics.Modeling.ModelFile.Write(s, "lifetime", 1, _ => { });
        s.Position = 0;
        var ex = Assert.Throws<WorkbenchException>(() => TerritoryModel.Load(s));
        Assert.Contains("'lifetime' model, expected a 'territory' model", ex.Message);
    }

    [Fact]
    public void Few_deals_stay_near_the_group_rate_and_many_deals_near_the_reps_own_rate()
    {
        var deals = new List<ClosedDeal>();
        var rng = new Random(3);
        // Eight reps with 100 deals at rates spread around 0.5, one rep with a single win, one with 400 deals at 0.8.
        for (int r = 0; r < 8; r++)
            for (int k = 0; k < 100; k++) deals.Add(new ClosedDeal($"R{r}", 0, rng.NextDouble() < 0.35 + 0.04 * r, 100));
        deals.Add(new ClosedDeal("few", 0, true, 100));
        for (int k = 0; k < 400; k++) deals.Add(new ClosedDeal("many", 0, k % 5 != 0, 100));
        string[] reps = [.. Enumerable.Range(0, 8).Select(r => $"R{r}"), "few", "many", "none"];
        var (groups, cells) = RepAffinity.Estimate(deals, reps, ["g"], [10], 1.0, 0.9);
        double mu = groups[0].WinRate;
        var few = cells[8][0]; var many = cells[9][0]; var none = cells[10][0];
        Assert.InRange(few.Rate, mu, mu + 0.2 * (1 - mu));                  // one win moves the estimate only a little
        Assert.InRange(many.Rate, 0.75, 0.8);                               // 400 deals at 80%: close to 80%, pulled slightly down
        Assert.Equal(mu, none.Rate, 10);                                    // no deals: the group's rate
        Assert.True(few.Upper - few.Lower > many.Upper - many.Lower);       // fewer deals, wider interval
        foreach (var c in cells.Select(row => row[0])) Assert.InRange(c.Rate, c.Lower, c.Upper);
        Assert.InRange(groups[0].PriorStrength, RepAffinity.MinPriorStrength, RepAffinity.MaxPriorStrength);
    }

    [Fact]
    public void A_user_supplied_segmentation_replaces_the_kmeans_groups()
    {
        var truth = f.Data.Truth!.Segments.ToDictionary(s => s.AccountId, s => s.SegmentName);
        var model = TerritoryPlanner.Fit(f.Data, new TerritoryOptions { Seed = 17, UserGroups = truth, PlanningDate = f.Model.PlanningDate });
        Assert.Equal(truth.Values.Distinct().Order(StringComparer.Ordinal), model.Groups.Select(g => g.Label));
        var plan = model.Plan(model.BookFor(f.Data));
        var e = TerritoryEvaluation.Evaluate(model, f.Data, plan, new TerritoryEvaluationOptions { Tolerances = [], MoveShares = [] });
        Assert.True(e.TrueExpectedWins!.Plan > e.TrueExpectedWins.RegionBaseline);
    }

    [Fact]
    public void Win_history_is_point_in_time()
    {
        var early = f.Model.PlanningDate.AddMonths(-12);
        var model = TerritoryPlanner.Fit(f.Data, new TerritoryOptions { Seed = 17, PlanningDate = early });
        int before = f.Data.Opportunities.Count(o => o.CloseDate is { } d && d < early && o.Outcome != Workbench.Domain.OpportunityOutcome.Open
            && model.AccountGroups.ContainsKey(o.AccountId));
        Assert.Equal(before, model.HistoryDeals);
        Assert.Equal(before, model.Affinity.SelectMany(r => r).Sum(c => c.Deals));
        Assert.True(model.HistoryDeals < f.Model.HistoryDeals);
    }

    [Fact]
    public void Invalid_options_are_all_listed()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new TerritoryOptions
        {
            Groups = 0, IntervalLevel = 1.5, Assignment = new AssignmentOptions { CapacityTolerance = -1, MaxMoves = -3 },
        }.Validate());
        foreach (var word in new[] { "Groups", "IntervalLevel", "CapacityTolerance", "MaxMoves" }) Assert.Contains(word, ex.Message);
    }

    [Fact]
    public void A_move_limit_below_what_capacity_needs_is_refused_with_the_minimum_moves()
    {
        var o = new AssignmentOptions { Capacity = CapacityBasis.EvenSplit, CapacityTolerance = 0, MaxMoves = 0 };
        var ex = Assert.Throws<TerritoryInfeasibleException>(() => f.Model.Plan(f.Book, o));
        Assert.Contains("No territory plan keeps to at most 0 moves", ex.Message);
        var needed = int.Parse(System.Text.RegularExpressions.Regex.Match(ex.Message, @"needs at least ([\d,]+) accounts").Groups[1].Value.Replace(",", ""),
            System.Globalization.CultureInfo.InvariantCulture);
        // The minimum is exact: that many moves is feasible.
        var plan = f.Model.Plan(f.Book, o with { MaxMoves = needed });
        Assert.Equal(needed, plan.Moves.Count);
        Assert.Throws<TerritoryInfeasibleException>(() => f.Model.Plan(f.Book, o with { MaxMoves = needed - 1 }));
    }

    [Fact]
    public void A_region_without_reps_is_refused_by_name()
    {
        var accounts = f.Book.Accounts.Take(20).Select((a, i) => i < 5 ? a with { Region = "Atlantis", CurrentOwner = null } : a).ToArray();
        var book = f.Book with { Accounts = accounts };
        var ex = Assert.Throws<TerritoryInfeasibleException>(() => f.Model.Plan(book, new AssignmentOptions { CapacityTolerance = 10 }));
        Assert.Contains("region 'Atlantis' has 5 accounts and no rep", ex.Message);
    }
}

[Collection(TerritoryCollection.Name)]
public class TerritorySummaryTests(TerritoryFixture f)
{
    [Fact]
    public void Without_planted_truth_the_summary_has_no_true_block_and_no_oracle()
    {
        var e = TerritoryEvaluation.Evaluate(f.Model, f.Data with { Truth = null }, f.Plan, new TerritoryEvaluationOptions { Tolerances = [0.1], MoveShares = [] });
        Assert.Null(e.TrueExpectedWins);
        Assert.Null(e.OraclePlan);
        Assert.Null(e.UpliftRecovered);
        var summary = Workbench.Experiments.Artifacts.TerritoryArtifacts.Summary(e);
        Assert.Equal(["expected_wins", "moves", "capacity_violations", "continuity_violations"], summary.Select(kv => kv.Key));
        Assert.Equal(["plan", "current", "region_baseline"], summary["expected_wins"]!.AsObject().Select(kv => kv.Key));
        Assert.Equal(f.Plan.ExpectedValue, e.ExpectedWins.Plan, 9);
    }
}
