namespace Workbench.Data.Generation;

/// <summary>
/// Generates a synthetic B2B CRM (accounts, products, contracts, monthly spend and usage, engagement,
/// bookings, reps, book, opportunities, actions) together with the truth planted in it: true segments,
/// monthly upsell and churn probabilities with their dominant drivers, rep skill and stage bias, action
/// response rates and the rollout effect.
/// </summary>
/// <example>
/// <code>
/// var data = CrmGenerator.Generate(new GeneratorOptions { Accounts = 500, Months = 24, Seed = 7 });
/// var churnedShare = data.Bookings.Count(b => b.Type == BookingType.Cancellation) / (double)data.Accounts.Count;
/// </code>
/// </example>
public static class CrmGenerator
{
    /// <summary>Version written to the manifest; bump when the same options would produce different data.</summary>
    public const string Version = "gen-1.2";

    const int WaveSize = 4096;

    /// <summary>Generates <paramref name="accounts"/> accounts over <paramref name="months"/> months with defaults for everything else.</summary>
    public static CrmDataset Generate(int accounts, int months, int seed) =>
        Generate(new GeneratorOptions { Accounts = accounts, Months = months, Seed = seed });

    /// <summary>Generates a dataset. Same options give an identical dataset, whatever the thread count.</summary>
    /// <exception cref="OptionsValidationException">An option is out of range.</exception>
    public static CrmDataset Generate(GeneratorOptions options, IProgress<GeneratorProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var plan = new GenerationPlan(options);

        var accounts = new List<Account>(options.Accounts);
        var segments = new List<TrueSegment>(options.Accounts);
        var spend = new ChunkedList<SpendRecord>();
        var usage = new ChunkedList<UsageRecord>();
        var risks = new ChunkedList<TrueRisk>();
        var engagement = new ChunkedList<EngagementEvent>();
        var bookings = new List<Booking>();
        var contracts = new List<Contract>();
        var book = new List<BookAssignment>(options.Accounts);
        var opportunities = new List<Opportunity>();
        var stages = new List<StageChange>();
        var actions = new List<ActionLogEntry>();
        var actionValues = new List<TrueActionValue>();
        var activities = new ChunkedList<OpportunityActivity>();
        var opportunityWeeks = new ChunkedList<TrueOpportunityWeek>();

        // Accounts are simulated in waves: in parallel inside a wave (each from its own random stream),
        // then appended in account order, so the result does not depend on scheduling.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        var outputs = new AccountOutput[Math.Min(WaveSize, options.Accounts)];
        for (int k = 0; k < outputs.Length; k++) outputs[k] = new AccountOutput();
        progress?.Report(new GeneratorProgress("accounts", 0, options.Accounts));
        for (int waveStart = 0; waveStart < options.Accounts; waveStart += WaveSize)
        {
            int count = Math.Min(WaveSize, options.Accounts - waveStart);
            Parallel.For(0, count, parallel,
                () => new AccountSimulator(plan),
                (k, _, simulator) => { simulator.Simulate(waveStart + k, outputs[k]); return simulator; },
                _ => { });
            for (int k = 0; k < count; k++)
            {
                var o = outputs[k];
                accounts.Add(o.Account);
                segments.Add(o.Segment);
                spend.AddRange(o.Spend);
                usage.AddRange(o.Usage);
                risks.AddRange(o.Risks);
                engagement.AddRange(o.Engagement);
                bookings.AddRange(o.Bookings);
                contracts.AddRange(o.Contracts);
                book.AddRange(o.Book);
                opportunities.AddRange(o.Opportunities);
                stages.AddRange(o.Stages);
                actions.AddRange(o.Actions);
                actionValues.AddRange(o.ActionValues);
                activities.AddRange(o.Activities);
                opportunityWeeks.AddRange(o.OpportunityWeeks);
            }
            progress?.Report(new GeneratorProgress("accounts", waveStart + count, options.Accounts));
        }

        var truth = new PlantedTruth
        {
            Manifest = new GeneratorManifest(options.Seed, options.Accounts, options.Months, options.FirstMonth, options.Segments, Version),
            Risks = risks,
            Segments = segments,
            RepSkills = plan.Reps.SelectMany((rep, r) => plan.WinRate[r].Select((w, s) => new TrueRepSkill(rep.RepId, s + 1, w))).ToArray(),
            RepBiases = plan.Reps.Select((rep, r) => new TrueRepBias(rep.RepId, plan.StageBias[r])).ToArray(),
            ActionResponses = plan.ActionResponse.SelectMany((rates, s) =>
                rates.Select((rate, a) => new TrueActionResponse(GeneratorCatalog.Actions[a], s + 1, rate))).ToArray(),
            OpportunityWeeks = opportunityWeeks,
            ActionValues = actionValues,
            Rollout = new TrueRolloutEffect(options.ResolvedRolloutStart, options.RolloutUplift),
        };

        return new CrmDataset
        {
            Accounts = accounts,
            Products = plan.Products,
            Contracts = contracts,
            Spend = spend,
            Usage = usage,
            Engagement = engagement,
            Bookings = bookings,
            Reps = plan.Reps,
            Book = book,
            Opportunities = opportunities,
            StageHistory = stages,
            Actions = actions,
            OpportunityActivities = activities,
            Truth = truth,
        };
    }
}
