using Workbench.Analytics.Ranking;
using Workbench.Domain;

namespace Workbench.Tests.Ranking;

public class ModelAndBookTests
{
    static TrainingSet Synthetic(int n, int seed, string[]? names = null)
    {
        var rng = new Random(seed);
        names ??= ["a", "b", "c"];
        var values = new float[n * names.Length];
        var labels = new bool[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < names.Length; j++) values[i * names.Length + j] = (float)rng.NextDouble();
            labels[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-(4 * values[i * names.Length] - 2)));
        }
        return new TrainingSet(values, names, labels);
    }

    [Fact]
    public void A_saved_model_scores_the_same_after_loading()
    {
        var model = PropensityTrainer.Train("churn", Synthetic(3000, 1), Synthetic(1000, 2), new PropensityOptions { NumberOfTrees = 50, MinExamplesPerLeaf = 20 });
        var test = Synthetic(300, 3);
        using var ms = new MemoryStream();
        model.Save(ms);
        ms.Position = 0;
        var loaded = PropensityModel.Load(ms, "memory");
        Assert.Equal(model.Score(test).Probability, loaded.Score(test).Probability);
        Assert.Equal(model.FeatureNames, loaded.FeatureNames);
    }

    [Fact]
    public void Scoring_with_a_different_feature_schema_fails_with_the_difference_spelled_out()
    {
        var model = PropensityTrainer.Train("churn", Synthetic(3000, 1), Synthetic(1000, 2), new PropensityOptions { NumberOfTrees = 20, MinExamplesPerLeaf = 20 });
        var ex = Assert.Throws<FeatureSchemaException>(() => model.Score(Synthetic(10, 4, ["a", "b", "d"]), "new-data/features.csv"));
        Assert.Equal(["c"], ex.Missing);
        Assert.Equal(["d"], ex.Unexpected);
        Assert.Contains("new-data/features.csv", ex.Message);
        Assert.Contains("Missing: c", ex.Message);
        Assert.Contains("Unexpected: d", ex.Message);
        var reordered = Assert.Throws<FeatureSchemaException>(() => model.Score(Synthetic(10, 4, ["b", "a", "c"])));
        Assert.Contains("different order", reordered.Message);
    }

    [Fact]
    public void A_model_file_that_is_not_a_model_is_refused_clearly()
    {
        using var ms = new MemoryStream("not a zip"u8.ToArray());
        var ex = Assert.Throws<WorkbenchException>(() => PropensityModel.Load(ms, "models/churn.model.zip"));
        Assert.Contains("models/churn.model.zip", ex.Message);
    }

    [Fact]
    public void Books_rank_by_expected_value_grade_by_cutoffs_and_trend_against_the_previous_date()
    {
        var d1 = new DateOnly(2025, 1, 1); var d2 = new DateOnly(2025, 2, 1);
        var products = new List<ProductPriority>();
        for (int i = 0; i < 10; i++)
        {
            // Priority grows with i at d1; at d2 account 0 jumps to the top and account 9 falls.
            double p1 = 100 * (i + 1), p2 = i == 0 ? 5000 : i == 9 ? 10 : p1;
            products.Add(new ProductPriority($"A{i}", "P1", d1, 0, 0, 0, p1, 0));
            products.Add(new ProductPriority($"A{i}", "P1", d2, 0, 0, 0, p2 / 2, p2 / 2));
        }
        var books = new RepBooks(Enumerable.Range(0, 10).Select(i => new BookAssignment("R1", $"A{i}", d1, null)));
        var ranked = PriorityBooks.Books(products, books, new PriorityOptions());
        var at2 = ranked.Where(b => b.AsOf == d2).OrderBy(b => b.Rank).ToList();
        Assert.Equal("A0", at2[0].AccountId);
        Assert.Equal(Grade.A, at2[0].Grade);                                     // top 10% of 10
        Assert.Equal([Grade.A, Grade.B, Grade.B, Grade.C, Grade.C, Grade.C, Grade.D, Grade.D, Grade.D, Grade.D], at2.Select(b => b.Grade));
        Assert.Equal(Trend.Up, at2.Single(b => b.AccountId == "A0").Trend);
        Assert.Equal(Trend.Down, at2.Single(b => b.AccountId == "A9").Trend);
        Assert.Equal(Trend.Steady, at2.Single(b => b.AccountId == "A5").Trend);
        Assert.All(ranked.Where(b => b.AsOf == d1), b => Assert.Equal(Trend.New, b.Trend));
        Assert.Throws<OptionsValidationException>(() => PriorityBooks.Books(products, books, new PriorityOptions { GradeCutoffs = [0.5, 0.3, 0.6] }));
    }

    [Fact]
    public void The_books_at_one_date_are_the_lines_of_every_dates_books_at_that_date()
    {
        // Three dates, two reps (an account changes rep), accounts with several products, one account new at the last date,
        // one gone, products in a shuffled order and ties in priority.
        var dates = new[] { new DateOnly(2025, 1, 1), new DateOnly(2025, 2, 1), new DateOnly(2025, 4, 1) };
        var rng = new Random(7);
        var products = new List<ProductPriority>();
        for (int d = 0; d < dates.Length; d++)
            for (int a = 0; a < 40; a++)
            {
                if ((a == 39 && d < 2) || (a == 38 && d == 2)) continue;
                for (int p = 0; p < 1 + a % 3; p++)
                    products.Add(new ProductPriority($"A{a:00}", $"P{p}", dates[d], rng.NextDouble(), rng.NextDouble(), 100,
                        a % 7 == 0 ? 10 : rng.NextDouble() * 0.1 + 0.2 * rng.Next(5), a % 7 == 0 ? 5 : rng.NextDouble() * 0.3));
            }
        products = products.OrderBy(_ => rng.Next()).ToList();
        var assignments = Enumerable.Range(0, 40).Select(a => new BookAssignment(a % 2 == 0 ? "R1" : "R2", $"A{a:00}", dates[0], a == 5 ? dates[1] : null))
            .Append(new BookAssignment("R1", "A05", dates[1], null));
        var books = new RepBooks(assignments);
        var options = new PriorityOptions();
        var all = PriorityBooks.Books(products, books, options);
        foreach (var date in dates)
        {
            var at = PriorityBooks.BooksAt(products, books, options, date);
            Assert.NotEmpty(at);
            Assert.Equal(all.Where(b => b.AsOf == date), at);
        }
        Assert.Contains(PriorityBooks.BooksAt(products, books, options, dates[2]), b => b.Trend == Trend.New);
        Assert.Empty(PriorityBooks.BooksAt(products, books, options, new DateOnly(2025, 3, 1)));
        Assert.Throws<OptionsValidationException>(() => PriorityBooks.BooksAt(products, books, new PriorityOptions { GradeCutoffs = [0.5, 0.3, 0.6] }, dates[0]));
    }

    /// <summary>The ranking as it was written with LINQ (group by account in first-seen order, sums and maxima with Enumerable,
    /// the top product by a stable descending sort, reps grouped and ordered, each book by a stable sort): the reference the
    /// loops of <see cref="PriorityBooks"/> must give line for line.</summary>
    static List<AccountPriority> LinqBooks(IReadOnlyList<ProductPriority> products, RepBooks books, PriorityOptions options)
    {
        var result = new List<AccountPriority>();
        Dictionary<string, double>? previous = null;
        foreach (var date in products.Select(p => p.AsOf).Distinct().Order())
        {
            var accounts = products.Where(p => p.AsOf == date).GroupBy(p => p.AccountId, StringComparer.Ordinal).Select(g =>
            {
                var top = g.OrderByDescending(p => p.Priority).ThenBy(p => p.ProductId, StringComparer.Ordinal).First();
                double up = g.Sum(p => p.ExpectedUpsell), risk = g.Sum(p => p.RevenueAtRisk);
                return (Account: g.Key, Rep: books.RepOf(g.Key, date), Priority: up + risk, Up: up, Risk: risk, MaxUp: g.Max(p => p.PUpsell),
                    MaxChurn: g.Max(p => p.PChurn), Top: top.ProductId, Focus: risk >= up ? AccountFocus.Retain : AccountFocus.Expand);
            }).ToList();
            var current = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var book in accounts.GroupBy(a => a.Rep, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var ranked = book.OrderByDescending(a => a.Priority).ThenBy(a => a.Account, StringComparer.Ordinal).ToList();
                for (int i = 0; i < ranked.Count; i++)
                {
                    var a = ranked[i];
                    double share = (i + 1.0) / ranked.Count;
                    var grade = share <= options.GradeCutoffs[0] ? Grade.A : share <= options.GradeCutoffs[1] ? Grade.B : share <= options.GradeCutoffs[2] ? Grade.C : Grade.D;
                    double prev = previous is not null && previous.TryGetValue(a.Account, out var pv) ? pv : double.NaN;
                    var trend = double.IsNaN(prev) ? Trend.New
                        : a.Priority > prev * (1 + options.TrendTolerance) ? Trend.Up
                        : a.Priority < prev * (1 - options.TrendTolerance) ? Trend.Down : Trend.Steady;
                    result.Add(new AccountPriority(a.Rep, a.Account, date, i + 1, grade, trend, a.Priority, prev, a.Up, a.Risk, a.MaxUp, a.MaxChurn, a.Top, a.Focus));
                    current[a.Account] = a.Priority;
                }
            }
            previous = current;
        }
        return result;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_books_are_the_lines_the_linq_grouping_and_sorting_gave(bool shuffled)
    {
        // Accounts with one to four products, some products tied in priority (the top product then the lowest id, whichever
        // comes first), accounts tied in priority (ranked by id), NaN and equal probabilities, an account's rows apart
        // from each other when shuffled, ids as distinct string instances, unassigned accounts and three reps.
        var dates = new[] { new DateOnly(2025, 1, 1), new DateOnly(2025, 2, 1) };
        var rng = new Random(11);
        var products = new List<ProductPriority>();
        foreach (var date in dates)
            for (int a = 0; a < 300; a++)
            {
                int count = 1 + a % 4;
                var ids = Enumerable.Range(0, count).Select(p => $"P{(p * 7 + a) % 5}").Distinct().ToList();
                foreach (var product in ids)
                {
                    double up = a % 5 == 0 ? 3 : Math.Round(rng.NextDouble() * 4, 1), risk = a % 5 == 0 ? 2 : Math.Round(rng.NextDouble() * 4, 1);
                    double pUp = a % 11 == 0 ? double.NaN : a % 13 == 0 ? 0.5 : rng.NextDouble();
                    double pChurn = a % 17 == 0 && product == ids[0] ? double.NaN : rng.NextDouble();
                    products.Add(new ProductPriority(new string($"A{a:000}".AsSpan()), product, date, pUp, pChurn, 100, up, risk));
                }
            }
        if (shuffled) products = products.OrderBy(_ => rng.Next()).ToList();
        var assignments = Enumerable.Range(0, 300).Where(a => a % 29 != 0).Select(a => new BookAssignment($"R{a % 3}", $"A{a:000}", dates[0], null));
        var books = new RepBooks(assignments);
        var options = new PriorityOptions();
        var expected = LinqBooks(products, books, options);
        Assert.Contains(expected, b => b.RepId == RepBooks.Unassigned);
        Assert.Contains(expected, b => double.IsNaN(b.MaxPUpsell));
        Assert.Equal(expected, PriorityBooks.Books(products, books, options));
        foreach (var date in dates)
            Assert.Equal(expected.Where(b => b.AsOf == date), PriorityBooks.BooksAt(products, books, options, date));
    }

    [Fact]
    public void The_rep_of_an_account_is_the_latest_covering_assignment_in_start_date_then_rep_order()
    {
        // Overlapping assignments, equal start dates with different reps, the same rep twice on one start date with different
        // ends (the book's order decides between them), in shuffled order: the rep is the last covering one of the stable
        // order by start date, then rep id (the reference below), on every day of two years.
        var rng = new Random(5);
        var start = new DateOnly(2024, 1, 1);
        var assignments = new List<BookAssignment>();
        for (int a = 0; a < 60; a++)
            for (int k = 0; k < 1 + a % 4; k++)
            {
                var from = start.AddDays(rng.Next(4) * 90);
                DateOnly? to = rng.Next(3) == 0 ? null : from.AddDays(30 + rng.Next(400));
                assignments.Add(new BookAssignment($"R{rng.Next(3)}", $"A{a:00}", from, to));
            }
        assignments = assignments.OrderBy(_ => rng.Next()).ToList();
        var books = new RepBooks(assignments);
        var ordered = assignments.GroupBy(b => b.AccountId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(b => b.FromDate).ThenBy(b => b.RepId, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        int differentEnds = 0;
        foreach (var (account, list) in ordered)
        {
            differentEnds += list.Zip(list.Skip(1)).Count(p => p.First.FromDate == p.Second.FromDate && p.First.RepId == p.Second.RepId && p.First.ToDate != p.Second.ToDate);
            for (var day = start; day < start.AddYears(2); day = day.AddDays(7))
            {
                string expected = RepBooks.Unassigned;
                foreach (var b in list) if (b.FromDate <= day && (b.ToDate is null || b.ToDate > day)) expected = b.RepId;
                Assert.Equal(expected, books.RepOf(account, day));
            }
        }
        Assert.True(differentEnds > 0, "no tie between two assignments of one rep on one start date");
    }

    [Fact]
    public void An_account_belongs_to_the_rep_whose_assignment_covers_the_date()
    {
        var books = new RepBooks([new BookAssignment("R1", "A", new DateOnly(2024, 1, 1), new DateOnly(2024, 7, 1)), new BookAssignment("R2", "A", new DateOnly(2024, 7, 1), null)]);
        Assert.Equal("R1", books.RepOf("A", new DateOnly(2024, 6, 30)));
        Assert.Equal("R2", books.RepOf("A", new DateOnly(2024, 7, 1)));
        Assert.Equal(RepBooks.Unassigned, books.RepOf("B", new DateOnly(2024, 7, 1)));
    }
}
