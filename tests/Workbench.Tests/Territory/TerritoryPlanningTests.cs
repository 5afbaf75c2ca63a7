using Workbench.Analytics.Territory;
using Workbench.Data.Generation;
using Workbench.Domain;
using Xunit.Abstractions;

namespace Workbench.Tests.Territory;

/// <summary>One generated dataset, its fitted model and default plan, shared by the territory tests.</summary>
public sealed class TerritoryFixture
{
    public CrmDataset Data { get; } = CrmGenerator.Generate(new GeneratorOptions { Accounts = 3000, Months = 24, Seed = 17 });
    public TerritoryModel Model { get; }
    public TerritoryBook Book { get; }
    public TerritoryPlan Plan { get; }
    public TerritoryEvaluationResult Evaluation { get; }

    public TerritoryFixture()
    {
        Model = TerritoryPlanner.Fit(Data, new TerritoryOptions { Seed = 17 });
        Book = Model.BookFor(Data);
        Plan = Model.Plan(Book);
        Evaluation = TerritoryEvaluation.Evaluate(Model, Data, Plan);
    }
}

/// <summary>The territory test classes share one <see cref="TerritoryFixture"/> (one fit and plan instead of one per class).</summary>
[CollectionDefinition(Name)]
public sealed class TerritoryCollection : ICollectionFixture<TerritoryFixture>
{
    public const string Name = "territory fixture";
}

[Collection(TerritoryCollection.Name)]
public class TerritoryPlanningTests(TerritoryFixture f, ITestOutputHelper output)
{
    /// <summary>Counts, on the plan itself, reps outside their bounds and moves beyond the limit.</summary>
    static void AssertLimitsHold(TerritoryPlan plan, TerritoryBook book, AssignmentOptions o)
    {
        var planned = plan.Assignments.GroupBy(a => a.PlannedOwner).ToDictionary(g => g.Key, g => g.Count());
        var current = book.Accounts.Where(a => a.CurrentOwner is not null).GroupBy(a => a.CurrentOwner!).ToDictionary(g => g.Key, g => g.Count());
        foreach (var rep in book.Reps)
        {
            int target = current.GetValueOrDefault(rep.RepId);
            int lo = (int)Math.Floor(target * (1 - o.CapacityTolerance) + 1e-9), hi = (int)Math.Ceiling(target * (1 + o.CapacityTolerance) - 1e-9);
            int load = planned.GetValueOrDefault(rep.RepId);
            Assert.InRange(load, lo, hi);
        }
        int moves = book.Accounts.Zip(plan.Assignments).Count(x => x.First.CurrentOwner != x.Second.PlannedOwner);
        Assert.Equal(moves, plan.Moves.Count);
        if (o.MaxMoves is int m) Assert.True(moves <= m, $"{moves} moves exceed the limit {m}");
        if (o.Regions == RegionPolicy.SameRegion)
        {
            var region = book.Reps.ToDictionary(r => r.RepId, r => r.Region);
            Assert.All(plan.Assignments, a => Assert.Equal(a.Region, region[a.PlannedOwner]));
        }
        Assert.Equal(0, plan.CapacityViolations);
        Assert.Equal(0, plan.ContinuityViolations);
        Assert.Equal(book.Accounts.Count, plan.Assignments.Count);
    }

    [Fact]
    public void With_planted_rates_the_plan_beats_the_region_baseline_and_recovers_half_the_oracle_uplift()
    {
        var e = f.Evaluation;
        var t = e.TrueExpectedWins!;
        output.WriteLine($"accounts {f.Book.Accounts.Count}, reps {f.Book.Reps.Count}, deals {f.Model.HistoryDeals}, moves {e.Moves}");
        output.WriteLine($"true expected wins/yr: plan {t.Plan:F2}, current {t.Current:F2}, region baseline {t.RegionBaseline:F2}, oracle {t.Oracle:F2}; recovered {e.UpliftRecovered:P1}");
        output.WriteLine($"estimated: plan {e.ExpectedWins.Plan:F2}, current {e.ExpectedWins.Current:F2}, region baseline {e.ExpectedWins.RegionBaseline:F2}, oracle {e.ExpectedWins.Oracle:F2}");
        foreach (var p in e.Sensitivity)
            output.WriteLine($"  {p.Parameter}: tol {p.CapacityTolerance} moves<= {p.MaxMoves?.ToString() ?? "-"}: true {p.TrueExpectedWins:F2} oracle {p.TrueOracleWins:F2} recovered {p.UpliftRecovered:P1} moves {p.Moves} {p.Problem}");
        Assert.True(t.Plan > t.RegionBaseline, $"plan {t.Plan} <= baseline {t.RegionBaseline}");
        Assert.True(t.Oracle >= t.Plan - 1e-9, "the oracle is the ceiling");
        Assert.True(e.UpliftRecovered >= 0.5, $"recovered {e.UpliftRecovered:P1} of the oracle uplift");
    }

    [Fact]
    public void The_default_plan_keeps_capacity_and_regions_exactly() => AssertLimitsHold(f.Plan, f.Book, f.Plan.Options);

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.0, 25)]
    [InlineData(0.05, 10)]
    [InlineData(0.10, 100)]
    [InlineData(0.25, null)]
    public void Capacity_and_continuity_hold_exactly_even_with_tight_limits(double tolerance, int? maxMoves)
    {
        var o = new AssignmentOptions { CapacityTolerance = tolerance, MaxMoves = maxMoves };
        var plan = f.Model.Plan(f.Book, o);
        AssertLimitsHold(plan, f.Book, o);
        if (maxMoves == 0) Assert.Empty(plan.Moves);
    }

    [Fact]
    public void Each_objective_is_best_at_what_it_maximises()
    {
        var o = new AssignmentOptions { MaxMoves = 300 };
        var wins = f.Model.Plan(f.Book, o);
        var bookings = f.Model.Plan(f.Book, o with { Objective = TerritoryObjective.Bookings });
        AssertLimitsHold(bookings, f.Book, bookings.Options);
        Assert.True(f.Model.ExpectedValue(f.Book, bookings.Owners, TerritoryObjective.Bookings) >= f.Model.ExpectedValue(f.Book, wins.Owners, TerritoryObjective.Bookings) - 1e-6);
        Assert.True(f.Model.ExpectedValue(f.Book, wins.Owners) >= f.Model.ExpectedValue(f.Book, bookings.Owners) - 1e-6);
        Assert.Equal(bookings.ExpectedValue, f.Model.ExpectedValue(f.Book, bookings.Owners, TerritoryObjective.Bookings), 6);
    }

    [Fact]
    public void Every_sensitivity_plan_keeps_its_limits()
    {
        foreach (var p in f.Evaluation.Sensitivity)
        {
            Assert.Null(p.Problem);
            if (p.MaxMoves is int m) Assert.True(p.Moves <= m);
        }
    }

    [Fact]
    public void A_looser_move_limit_never_lowers_the_estimated_expected_wins()
    {
        var sweep = f.Evaluation.Sensitivity.Where(p => p.Parameter == "max_moves").ToArray();
        for (int i = 1; i < sweep.Length; i++) Assert.True(sweep[i].ExpectedWins >= sweep[i - 1].ExpectedWins - 1e-9);
    }
}
