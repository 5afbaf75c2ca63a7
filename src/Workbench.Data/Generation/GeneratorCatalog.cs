namespace Workbench.Data.Generation;

/// <summary>A product the generator can sell. Catalog order matters: product 0 is the anchor every account holds.</summary>
internal sealed record ProductTemplate(string Name, string Family, decimal ListPrice, BillingUnit Unit);

/// <summary>
/// The planted profile of one true segment. Spend level, product breadth, utilization and purchase
/// frequency differ enough between segments that clustering on those per-account features recovers them.
/// </summary>
internal sealed record SegmentProfile(
    string Name,
    double Share,              // share of accounts before renormalizing over the segments in use
    double SeatsLogMean,       // log of the anchor product's median seat count
    double ExtraProducts,      // mean number of non-anchor products held at the start, out of 4 (breadth)
    double Utilization,        // mean seat utilization the adoption process reverts to
    double UpsellOffset,       // segment term of the upsell logit (Driver.Segment)
    double ChurnOffset,        // segment term of the churn logit (Driver.Segment)
    double CrossSellRate,      // monthly chance of demand for a product the account lacks
    double Engagement,         // mean engagement intensity (emails, meetings)
    double Support,            // mean support intensity (tickets)
    double GrowthChance,       // chance that a headcount regime is "growing"
    double ActionsPerUser);    // key actions per used seat per month

/// <summary>Fixed vocabularies and planted parameters of the generator.</summary>
internal static class GeneratorCatalog
{
    public static readonly ProductTemplate[] ProductTemplates =
    [
        new("Core Platform", "Platform", 45.00m, BillingUnit.Seat),
        new("Analytics Pro", "Analytics", 30.00m, BillingUnit.Seat),
        new("Data Connector", "Integration", 12.00m, BillingUnit.Usage),
        new("Premium Support", "Services", 900.00m, BillingUnit.Flat),
        new("Security Suite", "Platform", 18.00m, BillingUnit.Seat),
        new("Forecasting Add-on", "Analytics", 22.00m, BillingUnit.Seat),
        new("Workflow Automation", "Integration", 8.00m, BillingUnit.Usage),
        new("Training Academy", "Services", 400.00m, BillingUnit.Flat),
    ];

    // Centers chosen so each pair of segments differs by at least ~2 within-segment SDs on some feature
    // among log spend, product breadth, utilization and purchase frequency.
    public static readonly SegmentProfile[] SegmentTemplates =
    [
        new("Enterprise expanders", 0.16, Math.Log(500), 3.60, 0.86, +0.7, -0.6, 0.030, 1.6, 1.2, 0.45, 40),
        new("Steady mid-market",    0.30, Math.Log(60),  2.30, 0.60, +0.0, -0.2, 0.012, 1.0, 1.0, 0.30, 30),
        new("Price-sensitive SMB",  0.24, Math.Log(6),   0.30, 0.50, -0.4, +0.4, 0.004, 0.6, 0.8, 0.25, 20),
        new("Dormant large",        0.10, Math.Log(260), 1.20, 0.30, -0.8, +0.3, 0.004, 0.5, 0.6, 0.15, 10),
        new("Fast growers",         0.12, Math.Log(15),  2.30, 0.93, +0.8, -0.1, 0.030, 1.3, 1.4, 0.70, 45),
        new("Single-product loyal", 0.08, Math.Log(120), 0.00, 0.76, -0.3, -0.9, 0.000, 0.9, 0.7, 0.30, 30),
    ];

    public static readonly string[] Regions = ["North America", "EMEA", "APAC", "LATAM"];
    public static readonly double[] RegionWeights = [0.45, 0.30, 0.17, 0.08];

    public static readonly string[] Industries =
        ["Software", "Financial Services", "Healthcare", "Manufacturing", "Retail", "Education", "Logistics", "Media", "Energy", "Public Sector"];
    public static readonly double[] IndustryWeights = [0.18, 0.14, 0.12, 0.14, 0.10, 0.06, 0.08, 0.06, 0.05, 0.07];

    public static readonly string[] NameStems =
        ["North", "Blue", "Silver", "Iron", "Green", "Bright", "Stone", "River", "Summit", "Oak", "Nova", "Apex", "Harbor", "Cedar", "Falcon", "Prime", "Vertex", "Lumen", "Atlas", "Orion"];
    public static readonly string[] NameRoots =
        ["wind", "peak", "field", "gate", "line", "bridge", "works", "point", "wave", "stone", "forge", "crest", "path", "core", "light"];
    public static readonly string[] NameSuffixes =
        ["Inc", "Group", "Systems", "Holdings", "Labs", "Partners", "Corp", "Industries", "Solutions", "GmbH", "Ltd", "SA"];

    public static readonly string[] RepFirstNames =
        ["Alex", "Maria", "James", "Aisha", "Chen", "Sofia", "Liam", "Priya", "Mateo", "Emma", "Kenji", "Fatima", "Noah", "Olga", "Lucas", "Zara", "Ethan", "Ines", "Omar", "Hannah"];
    public static readonly string[] RepLastNames =
        ["Smith", "Garcia", "Müller", "Khan", "Wang", "Rossi", "Johnson", "Patel", "Silva", "Dubois", "Tanaka", "Nowak", "Brown", "Kim", "Okafor", "Larsen"];

    public static readonly string[] ContactTitles =
        ["CIO", "CTO", "VP Sales", "VP Operations", "IT Manager", "Procurement Manager", "Head of Data", "CFO", "Operations Director", "Team Lead"];

    public static readonly string[] RevenueBands = ["<10M", "10M-50M", "50M-250M", "250M-1B", "1B+"];
    static readonly double[] RevenueBandUpperBounds = [10e6, 50e6, 250e6, 1e9, double.PositiveInfinity];

    public static string RevenueBand(double annualRevenue)
    {
        for (int i = 0; i < RevenueBandUpperBounds.Length; i++)
            if (annualRevenue < RevenueBandUpperBounds[i]) return RevenueBands[i];
        return RevenueBands[^1];
    }

    /// <summary>Actions a rep can take, and the annual value of a response as a fraction of the account's annual run-rate.</summary>
    public static readonly string[] Actions = ["discount_offer", "training_invite", "exec_call", "upsell_bundle", "health_check"];
    public static readonly double[] ActionValueShare = [0.05, 0.03, 0.08, 0.15, 0.04];

    /// <summary>Planted response rate of each action (columns, in <see cref="Actions"/> order) per segment template (rows):
    /// the best action differs by segment.</summary>
    public static readonly double[][] ActionResponseRates =
    [
        [0.10, 0.15, 0.32, 0.28, 0.12], // Enterprise expanders: exec calls and bundles
        [0.16, 0.22, 0.14, 0.12, 0.26], // Steady mid-market: health checks
        [0.38, 0.12, 0.05, 0.06, 0.14], // Price-sensitive SMB: discounts
        [0.12, 0.34, 0.10, 0.04, 0.20], // Dormant large: training
        [0.08, 0.18, 0.16, 0.40, 0.10], // Fast growers: bundles
        [0.14, 0.16, 0.20, 0.08, 0.30], // Single-product loyal: health checks
    ];

    /// <summary>Monthly multiplier of key actions: summer dip, Q4 bump.</summary>
    public static readonly double[] UsageSeasonality = [0.97, 0.98, 1.00, 1.00, 1.00, 0.97, 0.92, 0.88, 1.00, 1.06, 1.10, 1.16];
}
