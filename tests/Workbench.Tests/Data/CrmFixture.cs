using Workbench.Domain;

namespace Workbench.Tests.Data;

/// <summary>A small hand-made dataset touching every table, nulls, every enum kind, decimals with
/// varied scales, quoting-worthy text and planted truth.</summary>
public static class CrmFixture
{
    static DateOnly D(int y, int m, int d) => new(y, m, d);

    public static CrmDataset Small() => new()
    {
        Accounts =
        [
            new Account("A1", "Acme, Inc.", "manufacturing", "emea", 1200, "100m-1b", 1950, null, D(2020, 1, 15)),
            new Account("A2", "Beta \"Quoted\" Ltd", "software", "amer", null, "10m-100m", null, "A1", D(2021, 6, 1)),
            new Account("A3", "", "retail", "apac", 15, "<10m", 2015, null, D(2022, 3, 31)),
        ],
        Products =
        [
            new Product("P1", "Core", "platform", 99.5m, BillingUnit.Seat),
            new Product("P2", "Insights\nPlus", "analytics", 1200m, BillingUnit.Flat),
            new Product("P3", "Metered", "platform", 0.0025m, BillingUnit.Usage),
        ],
        Contracts =
        [
            new Contract("C1", "A1", "P1", D(2022, 1, 1), D(2023, 1, 1), 12, 250, 95.25m, ContractStatus.Renewed),
            new Contract("C2", "A2", "P2", D(2022, 7, 1), D(2024, 7, 1), 24, 0, 1100m, ContractStatus.Active),
        ],
        Spend =
        [
            new SpendRecord("A1", "P1", D(2022, 1, 1), 23812.50m),
            new SpendRecord("A1", "P1", D(2022, 2, 1), 0m),
            new SpendRecord("A2", "P2", D(2022, 7, 1), 1100.1234m),
        ],
        Usage =
        [
            new UsageRecord("A1", "P1", D(2022, 1, 1), 250, 201, 180, 0.804, 5123),
            new UsageRecord("A1", "P1", D(2022, 2, 1), 250, null, null, null, null),
            new UsageRecord("A2", "P2", D(2022, 7, 1), 0, 3, 3, 1.0 / 3.0, 17),
        ],
        Engagement =
        [
            new EngagementEvent("E1", "A1", D(2022, 1, 10), EngagementType.Meeting, null),
            new EngagementEvent("E2", "A1", D(2022, 2, 3), EngagementType.SupportTicket, 3),
            new EngagementEvent("E3", "A2", D(2022, 8, 9), EngagementType.ChampionChange, 9.5),
        ],
        Bookings =
        [
            new Booking("B1", "A1", "P1", D(2022, 1, 1), BookingType.New, 250, 23812.5m),
            new Booking("B2", "A2", "P2", D(2022, 9, 14), BookingType.NonRenewal, -3, -1100.1234m),
        ],
        Reps =
        [
            new Rep("R1", "Dana Smith", "emea", D(2019, 4, 1), RolloutArm.Treatment),
            new Rep("R2", "Lee, Jr.", "amer", D(2021, 11, 15), RolloutArm.Control),
        ],
        Book =
        [
            new BookAssignment("R1", "A1", D(2020, 1, 15), null),
            new BookAssignment("R2", "A2", D(2021, 6, 1), D(2023, 1, 1)),
        ],
        Opportunities =
        [
            new Opportunity("O1", "A1", "R1", "P2", 50000m, D(2022, 3, 1), D(2022, 6, 30), 14, 4, "CFO; VP Sales", OpportunityStage.ClosedWon, OpportunityOutcome.Won),
            new Opportunity("O2", "A2", "R2", "P1", 7500.75m, D(2022, 9, 1), null, 2, 1, "", OpportunityStage.Qualification, OpportunityOutcome.Open),
        ],
        StageHistory =
        [
            new StageChange("O1", OpportunityStage.Prospecting, D(2022, 3, 1)),
            new StageChange("O1", OpportunityStage.ClosedWon, D(2022, 6, 30)),
            new StageChange("O2", OpportunityStage.Qualification, D(2022, 9, 1)),
        ],
        OpportunityActivities =
        [
            new OpportunityActivity("O1-V001", "O1", D(2022, 3, 1), ActivityType.ContactJoined, "VP Sales"),
            new OpportunityActivity("O1-V002", "O1", D(2022, 3, 9), ActivityType.Meeting, null),
            new OpportunityActivity("O2-V001", "O2", D(2022, 9, 2), ActivityType.Email, null),
        ],
        Actions =
        [
            new ActionLogEntry("X1", "A1", D(2022, 4, 1), "training_offer", true, 1250.00m),
            new ActionLogEntry("X2", "A3", D(2022, 5, 1), "call", false, 0m),
        ],
        Transactions =
        [
            new TransactionRecord("T1", "A1", "P1", D(2022, 1, 3), 1200.50m),
            new TransactionRecord("T2", "A1", "P1", D(2022, 1, 3), 0.01m),
            new TransactionRecord("T3", "A2", "P2", D(2022, 2, 28), 99m),
        ],
        Truth = new PlantedTruth
        {
            Manifest = new GeneratorManifest(42, 3, 24, D(2022, 1, 1), 2, "test-1"),
            Rollout = new TrueRolloutEffect(D(2022, 7, 1), 0.08),
            Risks =
            [
                new TrueRisk("A1", "P1", D(2022, 1, 1), 0.125, 0.01, Driver.UtilizationTrend, Driver.None),
                new TrueRisk("A2", "P2", D(2022, 7, 1), 1.0 / 7.0, 0.3, Driver.Segment, Driver.ChampionChange),
            ],
            Segments = [new TrueSegment("A1", 0, "enterprise growth"), new TrueSegment("A2", 1, "smb, at risk")],
            RepSkills = [new TrueRepSkill("R1", 0, 0.42), new TrueRepSkill("R1", 1, 0.2)],
            RepBiases = [new TrueRepBias("R1", 0.5), new TrueRepBias("R2", -1.25)],
            ActionResponses = [new TrueActionResponse("call", 0, 0.05), new TrueActionResponse("training_offer", 1, 0.3)],
            OpportunityWeeks = [new TrueOpportunityWeek("O1", D(2022, 3, 1), OpportunityStage.Prospecting, 0.4), new TrueOpportunityWeek("O1", D(2022, 3, 8), OpportunityStage.Qualification, 0.55)],
        },
    };
}
