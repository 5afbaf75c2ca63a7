namespace Workbench.Data.Generation;

/// <summary>What to generate. Immutable; <see cref="CrmGenerator.Generate(GeneratorOptions, IProgress{GeneratorProgress}?)"/>
/// validates it before drawing anything.</summary>
public sealed record GeneratorOptions
{
    /// <summary>Number of customer accounts (1 to 2,000,000).</summary>
    public int Accounts { get; init; } = 1_000;

    /// <summary>Number of observed months (1 to 240), starting at <see cref="FirstMonth"/>.</summary>
    public int Months { get; init; } = 36;

    /// <summary>Seed of every random draw: same options, same dataset.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>First observed month; must be the first day of a month.</summary>
    public DateOnly FirstMonth { get; init; } = new(2023, 1, 1);

    /// <summary>Number of products in the catalog (1 to <see cref="MaxProducts"/>).</summary>
    public int Products { get; init; } = 5;

    /// <summary>Number of true segments planted (4 to 6).</summary>
    public int Segments { get; init; } = 5;

    /// <summary>Number of sales reps; null means one rep per ~120 accounts (at least 8).
    /// Must be at least the number of regions (4) so every region has a rep.</summary>
    public int? Reps { get; init; }

    /// <summary>Planted effect of the prioritizer rollout: treatment reps' renewal bookings are
    /// multiplied by (1 + RolloutUplift). Between -0.5 and 2.</summary>
    public double RolloutUplift { get; init; } = 0.10;

    /// <summary>Month the rollout starts; null means the middle of the window. Must be a first of month inside the window.</summary>
    public DateOnly? RolloutStart { get; init; }

    /// <summary>Worker threads (-1: all cores). The result never depends on it: each account has its own random stream.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    public const int MaxAccounts = 2_000_000, MaxMonths = 240, RegionCount = 4;
    public static int MaxProducts => GeneratorCatalog.ProductTemplates.Length;

    /// <summary>The rep count actually used.</summary>
    public int ResolvedReps => Reps ?? Math.Max(8, (int)Math.Ceiling(Accounts / 120.0));

    /// <summary>The rollout start actually used.</summary>
    public DateOnly ResolvedRolloutStart => RolloutStart ?? FirstMonth.AddMonths(Months / 2);

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        void Check(bool ok, string problem) { if (!ok) problems.Add(problem); }

        Check(Accounts is >= 1 and <= MaxAccounts, $"Accounts must be between 1 and {MaxAccounts:N0}; got {Accounts}.");
        Check(Months is >= 1 and <= MaxMonths, $"Months must be between 1 and {MaxMonths}; got {Months}.");
        Check(FirstMonth.Day == 1, $"FirstMonth must be the first day of a month; got {FirstMonth:yyyy-MM-dd}.");
        Check(FirstMonth.Year is >= 1900 and <= 2200, $"FirstMonth must be between 1900 and 2200; got {FirstMonth:yyyy-MM-dd}.");
        Check(Products >= 1 && Products <= MaxProducts, $"Products must be between 1 and {MaxProducts}; got {Products}.");
        Check(Segments is >= 4 and <= 6, $"Segments must be between 4 and 6; got {Segments}.");
        Check(Reps is null || Reps >= RegionCount, $"Reps must be at least {RegionCount} (one per region); got {Reps}.");
        Check(Reps is null || Reps <= 100_000, $"Reps must be at most 100,000; got {Reps}.");
        Check(double.IsFinite(RolloutUplift) && RolloutUplift is >= -0.5 and <= 2.0, $"RolloutUplift must be between -0.5 and 2; got {RolloutUplift}.");
        if (RolloutStart is { } start && FirstMonth.Day == 1 && Months is >= 1 and <= MaxMonths)
        {
            Check(start.Day == 1, $"RolloutStart must be the first day of a month; got {start:yyyy-MM-dd}.");
            Check(start >= FirstMonth && start < FirstMonth.AddMonths(Months),
                $"RolloutStart must fall inside the generated window {FirstMonth:yyyy-MM-dd}..{FirstMonth.AddMonths(Months - 1):yyyy-MM-dd}; got {start:yyyy-MM-dd}.");
        }
        Check(MaxDegreeOfParallelism == -1 || MaxDegreeOfParallelism >= 1, $"MaxDegreeOfParallelism must be -1 (all cores) or at least 1; got {MaxDegreeOfParallelism}.");

        if (problems.Count > 0)
            throw new OptionsValidationException("Invalid generator options:\n  " + string.Join("\n  ", problems));
    }
}

/// <summary>Progress of a generation run: accounts simulated so far out of the total.</summary>
public readonly record struct GeneratorProgress(string Stage, int Done, int Total)
{
    public double Fraction => Total == 0 ? 1 : (double)Done / Total;
}
