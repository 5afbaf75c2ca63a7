namespace Workbench.Domain;

public enum ColumnType { String, Int, Decimal, Double, Date, Bool, Enum }

/// <summary>One column of a canonical table. Min is an inclusive lower bound for numbers
/// (for example seats cannot be negative). EnumType names the allowed values for Enum columns. An Optional column
/// may be absent from a file's header (every row then reads it as null); it must also be Nullable.</summary>
public sealed record ColumnSpec(string Name, ColumnType Type, bool Nullable = false, double? Min = null, double? Max = null, Type? EnumType = null, bool Optional = false)
{
    public IReadOnlyList<string> AllowedValues => EnumType is null ? [] : CrmSchema.EnumNames(EnumType);
}

/// <summary>A key column that must name an existing row of another table.</summary>
public sealed record ForeignKey(string Column, string Table, string TargetColumn);

/// <summary>A canonical table: its file stem, ordered columns, primary key (unique together) and foreign keys.</summary>
public sealed record TableSchema(string Name, IReadOnlyList<ColumnSpec> Columns, IReadOnlyList<string> Key, IReadOnlyList<ForeignKey> ForeignKeys)
{
    public ColumnSpec? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);
}

/// <summary>The column vocabulary: every canonical table's name and columns. Readers, writers,
/// validation and the data dictionary all take their names from here.</summary>
public static class CrmSchema
{
    public const string Accounts = "accounts", Products = "products", Contracts = "contracts", Spend = "spend",
        Usage = "usage", Engagement = "engagement", Bookings = "bookings", Reps = "reps", Book = "book",
        Opportunities = "opportunities", StageHistory = "stage_history", Actions = "actions", Transactions = "transactions",
        OpportunityActivities = "opportunity_activities";

    static ColumnSpec S(string n, bool nullable = false) => new(n, ColumnType.String, nullable);
    static ColumnSpec I(string n, bool nullable = false, double? min = null, double? max = null) => new(n, ColumnType.Int, nullable, min, max);
    static ColumnSpec M(string n, bool nullable = false, double? min = null) => new(n, ColumnType.Decimal, nullable, min);
    static ColumnSpec F(string n, bool nullable = false, double? min = null, double? max = null) => new(n, ColumnType.Double, nullable, min, max);
    static ColumnSpec D(string n, bool nullable = false) => new(n, ColumnType.Date, nullable);
    static ColumnSpec B(string n) => new(n, ColumnType.Bool);
    static ColumnSpec E<T>(string n) where T : struct, Enum => new(n, ColumnType.Enum, EnumType: typeof(T));
    static ForeignKey Fk(string col, string table, string? target = null) => new(col, table, target ?? col);

    public static readonly IReadOnlyList<TableSchema> Tables =
    [
        new(Accounts, [S("account_id"), S("name"), S("industry"), S("region"), I("employees", true, 1), S("revenue_band"),
            I("founded_year", true, 1800, 2100), S("parent_account_id", true), D("created_date")],
            ["account_id"], [Fk("parent_account_id", Accounts, "account_id")]),
        new(Products, [S("product_id"), S("name"), S("family"), M("list_price", min: 0), E<BillingUnit>("billing_unit")],
            ["product_id"], []),
        new(Contracts, [S("contract_id"), S("account_id"), S("product_id"), D("start_date"), D("renewal_date"),
            I("term_months", min: 1), I("seats", min: 0), M("unit_price", min: 0), E<ContractStatus>("status")],
            ["contract_id"], [Fk("account_id", Accounts), Fk("product_id", Products)]),
        new(Spend, [S("account_id"), S("product_id"), D("month"), M("amount", min: 0)],
            ["account_id", "product_id", "month"], [Fk("account_id", Accounts), Fk("product_id", Products)]),
        new(Usage, [S("account_id"), S("product_id"), D("month"), I("seats_purchased", min: 0), I("seats_used", true, 0),
            I("active_users", true, 0), F("utilization", true, 0), I("key_actions", true, 0)],
            ["account_id", "product_id", "month"], [Fk("account_id", Accounts), Fk("product_id", Products)]),
        new(Engagement, [S("event_id"), S("account_id"), D("date"), E<EngagementType>("type"), F("score", true, 0, 10)],
            ["event_id"], [Fk("account_id", Accounts)]),
        new(Bookings, [S("booking_id"), S("account_id"), S("product_id"), D("date"), E<BookingType>("type"),
            I("seats_delta"), M("amount_delta")],
            ["booking_id"], [Fk("account_id", Accounts), Fk("product_id", Products)]),
        new(Reps, [S("rep_id"), S("name"), S("region"), D("hire_date"), E<RolloutArm>("rollout_arm")],
            ["rep_id"], []),
        new(Book, [S("rep_id"), S("account_id"), D("from_date"), D("to_date", true)],
            ["rep_id", "account_id", "from_date"], [Fk("rep_id", Reps), Fk("account_id", Accounts)]),
        new(Opportunities, [S("opportunity_id"), S("account_id"), S("rep_id"), S("product_id"), M("amount", min: 0),
            D("created_date"), D("close_date", true), I("activity_count", min: 0), I("contacts_involved", min: 0),
            S("contact_titles", true), E<OpportunityStage>("declared_stage"), E<OpportunityOutcome>("outcome")],
            ["opportunity_id"], [Fk("account_id", Accounts), Fk("rep_id", Reps), Fk("product_id", Products)]),
        new(StageHistory, [S("opportunity_id"), E<OpportunityStage>("stage"), D("entered_date")],
            ["opportunity_id", "stage"], [Fk("opportunity_id", Opportunities)]),
        new(OpportunityActivities, [S("activity_id"), S("opportunity_id"), D("date"), E<ActivityType>("type"), S("contact_title", true)],
            ["activity_id"], [Fk("opportunity_id", Opportunities)]),
        new(Actions, [S("action_id"), S("account_id"), D("date"), S("action"), B("responded"), M("value"),
            new("propensity", ColumnType.Double, Nullable: true, Min: 0, Max: 1, Optional: true),
            new("long_term_value", ColumnType.Decimal, Nullable: true, Optional: true)],
            ["action_id"], [Fk("account_id", Accounts)]),
        new(Transactions, [S("transaction_id"), S("account_id"), S("product_id"), D("date"), M("amount", min: 0),
            new("quantity", ColumnType.Decimal, Nullable: true, Min: 0, Optional: true),
            new("discount", ColumnType.Double, Nullable: true, Min: 0, Optional: true),
            new("profit", ColumnType.Decimal, Nullable: true, Optional: true)],
            ["transaction_id"], [Fk("account_id", Accounts), Fk("product_id", Products)]),
    ];

    /// <summary>Tables written only when they have rows (a dataset without them keeps exactly its files).</summary>
    public static readonly IReadOnlyList<string> OptionalTables = [Transactions];

    public static TableSchema Table(string name) =>
        Tables.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"Unknown table '{name}'. Known: {string.Join(", ", Tables.Select(t => t.Name))}");

    /// <summary>snake_case names for enum values in files ("AddOn" is written "add_on").</summary>
    public static IReadOnlyList<string> EnumNames(Type enumType) => Enum.GetNames(enumType).Select(ToSnake).ToArray();

    public static string ToSnake(string pascal)
    {
        var sb = new System.Text.StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsUpper(c)) { if (i > 0) sb.Append('_'); sb.Append(char.ToLowerInvariant(c)); }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Dates in files are ISO 8601 (yyyy-MM-dd), numbers invariant culture with '.' decimals.</summary>
    public const string DateFormat = "yyyy-MM-dd";
}
