using Workbench.Data.Generation;
using Workbench.Domain;

namespace Workbench.Tests.Generation;

public sealed class CrmGeneratorTests
{
    static readonly GeneratorOptions Small = new() { Accounts = 300, Months = 18, Seed = 5 };

    static void AssertSameRows<T>(IReadOnlyList<T> expected, IReadOnlyList<T> actual, string table)
    {
        Assert.True(expected.Count == actual.Count, $"{table}: {expected.Count} vs {actual.Count} rows");
        for (int i = 0; i < expected.Count; i++)
            Assert.True(EqualityComparer<T>.Default.Equals(expected[i], actual[i]), $"{table} row {i}: {expected[i]} vs {actual[i]}");
    }

    static void AssertSameDataset(CrmDataset a, CrmDataset b)
    {
        AssertSameRows(a.Accounts, b.Accounts, "accounts");
        AssertSameRows(a.Products, b.Products, "products");
        AssertSameRows(a.Contracts, b.Contracts, "contracts");
        AssertSameRows(a.Spend, b.Spend, "spend");
        AssertSameRows(a.Usage, b.Usage, "usage");
        AssertSameRows(a.Engagement, b.Engagement, "engagement");
        AssertSameRows(a.Bookings, b.Bookings, "bookings");
        AssertSameRows(a.Reps, b.Reps, "reps");
        AssertSameRows(a.Book, b.Book, "book");
        AssertSameRows(a.Opportunities, b.Opportunities, "opportunities");
        AssertSameRows(a.StageHistory, b.StageHistory, "stage_history");
        AssertSameRows(a.Actions, b.Actions, "actions");
        AssertSameRows(a.Truth!.Risks, b.Truth!.Risks, "truth/risks");
        AssertSameRows(a.Truth.Segments, b.Truth.Segments, "truth/segments");
        AssertSameRows(a.Truth.RepSkills, b.Truth.RepSkills, "truth/rep_skills");
        AssertSameRows(a.Truth.RepBiases, b.Truth.RepBiases, "truth/rep_biases");
        AssertSameRows(a.Truth.ActionResponses, b.Truth.ActionResponses, "truth/action_responses");
        AssertSameRows(a.Truth.ActionValues, b.Truth.ActionValues, "truth/action_values");
        Assert.Equal(a.Truth.Manifest, b.Truth.Manifest);
        Assert.Equal(a.Truth.Rollout, b.Truth.Rollout);
    }

    [Fact]
    public void Same_options_give_an_identical_dataset_whatever_the_thread_count()
    {
        var parallel = CrmGenerator.Generate(Small);
        var serial = CrmGenerator.Generate(Small with { MaxDegreeOfParallelism = 1 });
        AssertSameDataset(parallel, serial);
    }

    [Fact]
    public void Runs_larger_than_one_wave_are_identical_too()
    {
        // 5000 accounts span two parallel waves of 4096.
        var options = new GeneratorOptions { Accounts = 5000, Months = 3, Seed = 8 };
        AssertSameDataset(CrmGenerator.Generate(options), CrmGenerator.Generate(options with { MaxDegreeOfParallelism = 2 }));
    }

    [Fact]
    public void A_different_seed_gives_different_data()
    {
        var a = CrmGenerator.Generate(Small);
        var b = CrmGenerator.Generate(Small with { Seed = 6 });
        Assert.NotEqual(a.Accounts.Select(x => x.Name), b.Accounts.Select(x => x.Name));
        Assert.NotEqual(a.Spend.Select(x => x.Amount), b.Spend.Select(x => x.Amount));
        Assert.NotEqual(a.Truth!.Segments.Select(s => s.Segment), b.Truth!.Segments.Select(s => s.Segment));
    }

    [Fact]
    public void Accounts_do_not_depend_on_how_many_accounts_are_generated()
    {
        // Each account draws from its own stream: the first 100 accounts of a 300-account run equal a 100-account run's
        // (reps differ in count, so compare the rep-independent firmographics).
        var small = CrmGenerator.Generate(Small with { Accounts = 100, Reps = 10 });
        var large = CrmGenerator.Generate(Small with { Reps = 10 });
        Assert.Equal(small.Accounts.Select(a => a with { ParentAccountId = null }), large.Accounts.Take(100).Select(a => a with { ParentAccountId = null }));
    }

    [Fact]
    public void Progress_reaches_all_accounts()
    {
        var reports = new List<GeneratorProgress>();
        CrmGenerator.Generate(Small, new SynchronousProgress(reports.Add));
        Assert.Equal(Small.Accounts, reports[^1].Done);
        Assert.Equal(1.0, reports[^1].Fraction);
    }

    sealed class SynchronousProgress(Action<GeneratorProgress> report) : IProgress<GeneratorProgress>
    {
        public void Report(GeneratorProgress value) => report(value);
    }

    [Fact]
    public void Manifest_and_rollout_record_the_options()
    {
        var options = Small with { RolloutUplift = 0.2, RolloutStart = new DateOnly(2023, 7, 1) };
        var truth = CrmGenerator.Generate(options).Truth!;
        Assert.Equal(new GeneratorManifest(5, 300, 18, new DateOnly(2023, 1, 1), 5, CrmGenerator.Version), truth.Manifest);
        Assert.Equal(new TrueRolloutEffect(new DateOnly(2023, 7, 1), 0.2), truth.Rollout);
        Assert.Equal(5 * 5, truth.ActionResponses.Count);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    public void Segment_count_is_honored(int segments)
    {
        var data = CrmGenerator.Generate(Small with { Segments = segments });
        Assert.Equal(Enumerable.Range(1, segments), data.Truth!.Segments.Select(s => s.Segment).Distinct().Order());
    }

    [Fact]
    public void Treatment_renewals_carry_the_planted_uplift_and_control_renewals_do_not()
    {
        // Uplift changes no random draw, so two runs differing only in uplift have the same events; compare
        // the first renewal after the rollout start of each product owned by a single rep all along.
        var baseOptions = new GeneratorOptions { Accounts = 1500, Months = 36, Seed = 21, RolloutUplift = 0 };
        var without = CrmGenerator.Generate(baseOptions);
        var with = CrmGenerator.Generate(baseOptions with { RolloutUplift = 0.5 });
        var start = baseOptions.ResolvedRolloutStart;
        var singleOwner = without.Book.GroupBy(b => b.AccountId).Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single().RepId);
        var arm = without.Reps.ToDictionary(r => r.RepId, r => r.RolloutArm);
        Dictionary<string, Booking> FirstRenewals(CrmDataset d) => d.Bookings
            .Where(b => b.Type == BookingType.Renewal && b.Date >= start && singleOwner.ContainsKey(b.AccountId))
            .GroupBy(b => (b.AccountId, b.ProductId)).Select(g => g.OrderBy(b => b.Date).First())
            .ToDictionary(b => b.BookingId);
        var before = FirstRenewals(without); var after = FirstRenewals(with);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        int treated = 0, control = 0;
        foreach (var (id, b0) in before)
        {
            var b1 = after[id];
            if (b0.AmountDelta < 1m) continue;
            if (arm[singleOwner[b0.AccountId]] == RolloutArm.Treatment)
            {
                Assert.InRange((double)(b1.AmountDelta / b0.AmountDelta), 1.49, 1.51);
                treated++;
            }
            else { Assert.Equal(b0.AmountDelta, b1.AmountDelta); control++; }
        }
        Assert.True(treated > 50 && control > 50, $"renewals compared: {treated} treated, {control} control");
        // Before the start nothing differs.
        Assert.Equal(without.Bookings.Where(b => b.Date < start), with.Bookings.Where(b => b.Date < start));
    }
}
