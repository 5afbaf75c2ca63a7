namespace Workbench.Data.Generation;

/// <summary>Everything drawn once per run and shared read-only by all account simulations:
/// the product catalog, the segments in use, the reps with their planted skill, bias and rollout arm.</summary>
internal sealed class GenerationPlan
{
    /// <summary>Unrecorded months simulated before the window so drivers have history in the first month.</summary>
    public const int BurnInMonths = 6;

    public GeneratorOptions Options { get; }
    public Product[] Products { get; }
    public SegmentProfile[] Segments { get; }
    public double[] SegmentShares { get; }
    public double[][] ActionResponse { get; } // [segment][action]
    public Rep[] Reps { get; }
    public int[][] RepsByRegion { get; }
    public double[][] WinRate { get; } // [rep][segment]
    public double[] StageBias { get; }
    public int RolloutStartIndex { get; }
    public int AccountIdWidth { get; }
    /// <summary>Accounts with an index below this can be parents; only accounts above it get a parent.</summary>
    public int ParentPool { get; }

    public GenerationPlan(GeneratorOptions options)
    {
        Options = options;
        Products = Enumerable.Range(0, options.Products).Select(p =>
        {
            var t = GeneratorCatalog.ProductTemplates[p];
            return new Product("P" + (p + 1).ToString("D2", CultureInfo.InvariantCulture), t.Name, t.Family, t.ListPrice, t.Unit);
        }).ToArray();
        Segments = GeneratorCatalog.SegmentTemplates[..options.Segments];
        SegmentShares = Segments.Select(s => s.Share).ToArray();
        ActionResponse = GeneratorCatalog.ActionResponseRates[..options.Segments];
        AccountIdWidth = Math.Max(6, options.Accounts.ToString(CultureInfo.InvariantCulture).Length);
        ParentPool = Math.Max(1, options.Accounts / 50);
        var start = options.ResolvedRolloutStart;
        RolloutStartIndex = (start.Year - options.FirstMonth.Year) * 12 + start.Month - options.FirstMonth.Month;

        _monthStarts = new DateOnly[options.Months + 4 - EarliestMonth];
        for (int k = 0; k < _monthStarts.Length; k++) _monthStarts[k] = options.FirstMonth.AddMonths(k + EarliestMonth);

        var rng = Rng.For(options.Seed, "reps");
        int repCount = options.ResolvedReps;
        // Every region gets at least one rep; the rest follow the account mix.
        var regionOfRep = new int[repCount];
        for (int r = 0; r < repCount; r++)
            regionOfRep[r] = r < GeneratorCatalog.Regions.Length ? r : rng.Weighted(GeneratorCatalog.RegionWeights);
        // Rep-randomized rollout: a balanced random half of the reps is treated.
        var order = Enumerable.Range(0, repCount).ToArray();
        rng.Shuffle(order);
        var treated = new bool[repCount];
        for (int k = 0; k < repCount / 2; k++) treated[order[k]] = true;

        Reps = new Rep[repCount];
        WinRate = new double[repCount][];
        StageBias = new double[repCount];
        int repIdWidth = Math.Max(4, repCount.ToString(CultureInfo.InvariantCulture).Length);
        for (int r = 0; r < repCount; r++)
        {
            string name = rng.Pick(GeneratorCatalog.RepFirstNames) + " " + rng.Pick(GeneratorCatalog.RepLastNames);
            var hire = options.FirstMonth.AddDays(-rng.NextInt(30, 8 * 365));
            Reps[r] = new Rep("R" + (r + 1).ToString("D" + repIdWidth, CultureInfo.InvariantCulture), name,
                GeneratorCatalog.Regions[regionOfRep[r]], hire, treated[r] ? RolloutArm.Treatment : RolloutArm.Control);

            // Skill: a rep-wide level plus a segment-specific knack, on the logit scale.
            double level = rng.Normal(0.1, 0.45);
            WinRate[r] = new double[options.Segments];
            for (int s = 0; s < options.Segments; s++)
                WinRate[r][s] = Math.Round(HazardModel.Logistic(level + rng.Normal(0, 0.4)), 4);

            // Stage-declaration bias: 30% optimistic, 10% sandbaggers, the rest roughly honest.
            double kind = rng.NextDouble();
            StageBias[r] = Math.Round(kind < 0.30 ? rng.Uniform(0.6, 1.5) : kind < 0.40 ? -rng.Uniform(0.4, 1.0) : rng.Normal(0, 0.15), 3);
        }
        RepsByRegion = Enumerable.Range(0, GeneratorCatalog.Regions.Length)
            .Select(g => Enumerable.Range(0, repCount).Where(r => regionOfRep[r] == g).ToArray()).ToArray();
    }

    /// <summary>Earliest month offset with a precomputed date (accounts are created up to 8 years back).</summary>
    const int EarliestMonth = -132;
    readonly DateOnly[] _monthStarts;

    /// <summary>First day of the month <paramref name="t"/> months after the first observed month.</summary>
    public DateOnly MonthStart(int t)
    {
        int k = t - EarliestMonth;
        return (uint)k < (uint)_monthStarts.Length ? _monthStarts[k] : Options.FirstMonth.AddMonths(t);
    }

    public string AccountId(int index) => "A" + (index + 1).ToString("D" + AccountIdWidth, CultureInfo.InvariantCulture);
}
