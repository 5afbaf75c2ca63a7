namespace Workbench.Data.Tables;

/// <summary>A problem found by a cross-column check: the column it is reported on and what was expected.</summary>
internal readonly record struct CellIssue(int Column, string Expected);

/// <summary>Non-generic view of a codec: schema and checks, used by readers and validators.</summary>
internal abstract class TableCodec
{
    protected TableCodec(TableSchema schema, Action<RowBuffer, List<CellIssue>>? crossCheck)
    {
        Schema = schema; CrossCheck = crossCheck;
        KeyColumns = schema.Key.Select(k => Ordinal(k)).ToArray();
    }

    public TableSchema Schema { get; }
    public int[] KeyColumns { get; }

    /// <summary>Checks that involve more than one column of a row (close date before created date...).</summary>
    public Action<RowBuffer, List<CellIssue>>? CrossCheck { get; }

    public int Ordinal(string column)
    {
        for (int i = 0; i < Schema.Columns.Count; i++) if (Schema.Columns[i].Name == column) return i;
        throw new ArgumentException($"Table {Schema.Name} has no column {column}");
    }
}

/// <summary>Maps one canonical table between its record type and a <see cref="RowBuffer"/>.</summary>
internal sealed class TableCodec<T>(TableSchema schema, Func<RowBuffer, T> build, Action<T, RowBuffer> fill,
    Action<RowBuffer, List<CellIssue>>? crossCheck = null) : TableCodec(schema, crossCheck)
{
    public Func<RowBuffer, T> Build { get; } = build;
    public Action<T, RowBuffer> Fill { get; } = fill;
}

/// <summary>The codec of every canonical and truth table.</summary>
internal static class Codecs
{
    static TableSchema T(string name) => CrmSchema.Table(name);

    static Action<RowBuffer, List<CellIssue>> NotBefore(int later, int earlier, string laterName, string earlierName) => (b, issues) =>
    {
        if (!b.IsNull[later] && !b.IsNull[earlier] && b.Long[later] < b.Long[earlier])
            issues.Add(new(later, $"{laterName} on or after {earlierName} ({b.D(earlier).ToString(CrmSchema.DateFormat, RunContext.Culture)})"));
    };

    public static readonly TableCodec<Account> Accounts = new(T(CrmSchema.Accounts),
        b => new Account(b.S(0), b.S(1), b.S(2), b.S(3), b.IN(4), b.S(5), b.IN(6), b.SN(7), b.D(8)),
        (r, b) => { b.SetS(0, r.AccountId); b.SetS(1, r.Name); b.SetS(2, r.Industry); b.SetS(3, r.Region); b.SetI(4, r.Employees);
            b.SetS(5, r.RevenueBand); b.SetI(6, r.FoundedYear); b.SetS(7, r.ParentAccountId); b.SetD(8, r.CreatedDate); },
        (b, issues) => { if (!b.IsNull[7] && b.Str[7] == b.Str[0]) issues.Add(new(7, "a parent other than the account itself")); });

    public static readonly TableCodec<Product> Products = new(T(CrmSchema.Products),
        b => new Product(b.S(0), b.S(1), b.S(2), b.M(3), (BillingUnit)b.E(4)),
        (r, b) => { b.SetS(0, r.ProductId); b.SetS(1, r.Name); b.SetS(2, r.Family); b.SetM(3, r.ListPrice); b.SetE(4, (int)r.BillingUnit); });

    public static readonly TableCodec<Contract> Contracts = new(T(CrmSchema.Contracts),
        b => new Contract(b.S(0), b.S(1), b.S(2), b.D(3), b.D(4), b.I(5), b.I(6), b.M(7), (ContractStatus)b.E(8)),
        (r, b) => { b.SetS(0, r.ContractId); b.SetS(1, r.AccountId); b.SetS(2, r.ProductId); b.SetD(3, r.StartDate); b.SetD(4, r.RenewalDate);
            b.SetI(5, r.TermMonths); b.SetI(6, r.Seats); b.SetM(7, r.UnitPrice); b.SetE(8, (int)r.Status); },
        NotBefore(4, 3, "renewal_date", "start_date"));

    public static readonly TableCodec<SpendRecord> Spend = new(T(CrmSchema.Spend),
        b => new SpendRecord(b.S(0), b.S(1), b.D(2), b.M(3)),
        (r, b) => { b.SetS(0, r.AccountId); b.SetS(1, r.ProductId); b.SetD(2, r.Month); b.SetM(3, r.Amount); },
        FirstOfMonth(2));

    public static readonly TableCodec<UsageRecord> Usage = new(T(CrmSchema.Usage),
        b => new UsageRecord(b.S(0), b.S(1), b.D(2), b.I(3), b.IN(4), b.IN(5), b.FN(6), b.IN(7)),
        (r, b) => { b.SetS(0, r.AccountId); b.SetS(1, r.ProductId); b.SetD(2, r.Month); b.SetI(3, r.SeatsPurchased); b.SetI(4, r.SeatsUsed);
            b.SetI(5, r.ActiveUsers); b.SetF(6, r.Utilization); b.SetI(7, r.KeyActions); },
        FirstOfMonth(2));

    public static readonly TableCodec<EngagementEvent> Engagement = new(T(CrmSchema.Engagement),
        b => new EngagementEvent(b.S(0), b.S(1), b.D(2), (EngagementType)b.E(3), b.FN(4)),
        (r, b) => { b.SetS(0, r.EventId); b.SetS(1, r.AccountId); b.SetD(2, r.Date); b.SetE(3, (int)r.Type); b.SetF(4, r.Score); });

    public static readonly TableCodec<Booking> Bookings = new(T(CrmSchema.Bookings),
        b => new Booking(b.S(0), b.S(1), b.S(2), b.D(3), (BookingType)b.E(4), b.I(5), b.M(6)),
        (r, b) => { b.SetS(0, r.BookingId); b.SetS(1, r.AccountId); b.SetS(2, r.ProductId); b.SetD(3, r.Date); b.SetE(4, (int)r.Type);
            b.SetI(5, r.SeatsDelta); b.SetM(6, r.AmountDelta); });

    public static readonly TableCodec<Rep> Reps = new(T(CrmSchema.Reps),
        b => new Rep(b.S(0), b.S(1), b.S(2), b.D(3), (RolloutArm)b.E(4)),
        (r, b) => { b.SetS(0, r.RepId); b.SetS(1, r.Name); b.SetS(2, r.Region); b.SetD(3, r.HireDate); b.SetE(4, (int)r.RolloutArm); });

    public static readonly TableCodec<BookAssignment> Book = new(T(CrmSchema.Book),
        b => new BookAssignment(b.S(0), b.S(1), b.D(2), b.DN(3)),
        (r, b) => { b.SetS(0, r.RepId); b.SetS(1, r.AccountId); b.SetD(2, r.FromDate); b.SetD(3, r.ToDate); },
        // to_date is exclusive, so an assignment must last at least one day.
        (b, issues) => { if (!b.IsNull[3] && b.Long[3] <= b.Long[2]) issues.Add(new(3, $"to_date after from_date ({b.D(2).ToString(CrmSchema.DateFormat, RunContext.Culture)})")); });

    // contact_titles is nullable in the schema but a non-nullable string in the record: an empty cell reads as "".
    public static readonly TableCodec<Opportunity> Opportunities = new(T(CrmSchema.Opportunities),
        b => new Opportunity(b.S(0), b.S(1), b.S(2), b.S(3), b.M(4), b.D(5), b.DN(6), b.I(7), b.I(8), b.SN(9) ?? "",
            (OpportunityStage)b.E(10), (OpportunityOutcome)b.E(11)),
        (r, b) => { b.SetS(0, r.OpportunityId); b.SetS(1, r.AccountId); b.SetS(2, r.RepId); b.SetS(3, r.ProductId); b.SetM(4, r.Amount);
            b.SetD(5, r.CreatedDate); b.SetD(6, r.CloseDate); b.SetI(7, r.ActivityCount); b.SetI(8, r.ContactsInvolved);
            b.SetS(9, r.ContactTitles); b.SetE(10, (int)r.DeclaredStage); b.SetE(11, (int)r.Outcome); },
        NotBefore(6, 5, "close_date", "created_date"));

    public static readonly TableCodec<StageChange> StageHistory = new(T(CrmSchema.StageHistory),
        b => new StageChange(b.S(0), (OpportunityStage)b.E(1), b.D(2)),
        (r, b) => { b.SetS(0, r.OpportunityId); b.SetE(1, (int)r.Stage); b.SetD(2, r.EnteredDate); });

    public static readonly TableCodec<OpportunityActivity> OpportunityActivities = new(T(CrmSchema.OpportunityActivities),
        b => new OpportunityActivity(b.S(0), b.S(1), b.D(2), (ActivityType)b.E(3), b.SN(4)),
        (r, b) => { b.SetS(0, r.ActivityId); b.SetS(1, r.OpportunityId); b.SetD(2, r.Date); b.SetE(3, (int)r.Type); b.SetS(4, r.ContactTitle); });

    public static readonly TableCodec<TrueOpportunityWeek> OpportunityWeeks = new(TruthSchema.Table(TruthSchema.OpportunityWeeks),
        b => new TrueOpportunityWeek(b.S(0), b.D(1), (OpportunityStage)b.E(2), b.F(3)),
        (r, b) => { b.SetS(0, r.OpportunityId); b.SetD(1, r.WeekStart); b.SetE(2, (int)r.TrueStage); b.SetF(3, r.WinProbability); });

    public static readonly TableCodec<ActionLogEntry> Actions = new(T(CrmSchema.Actions),
        b => new ActionLogEntry(b.S(0), b.S(1), b.D(2), b.S(3), b.B(4), b.M(5), b.FN(6), b.IsNull[7] ? null : b.M(7)),
        (r, b) => { b.SetS(0, r.ActionId); b.SetS(1, r.AccountId); b.SetD(2, r.Date); b.SetS(3, r.Action); b.SetB(4, r.Responded); b.SetM(5, r.Value);
            b.SetF(6, r.Propensity); b.SetM(7, r.LongTermValue); });

    public static readonly TableCodec<TransactionRecord> Transactions = new(T(CrmSchema.Transactions),
        b => new TransactionRecord(b.S(0), b.S(1), b.S(2), b.D(3), b.M(4), b.IsNull[5] ? null : b.M(5), b.FN(6), b.IsNull[7] ? null : b.M(7)),
        (r, b) => { b.SetS(0, r.TransactionId); b.SetS(1, r.AccountId); b.SetS(2, r.ProductId); b.SetD(3, r.Date); b.SetM(4, r.Amount);
            b.SetM(5, r.Quantity); b.SetF(6, r.Discount); b.SetM(7, r.Profit); });

    public static readonly TableCodec<TrueRisk> Risks = new(TruthSchema.Table(TruthSchema.Risks),
        b => new TrueRisk(b.S(0), b.S(1), b.D(2), b.F(3), b.F(4), (Driver)b.E(5), (Driver)b.E(6)),
        (r, b) => { b.SetS(0, r.AccountId); b.SetS(1, r.ProductId); b.SetD(2, r.Month); b.SetF(3, r.PUpsell); b.SetF(4, r.PChurn);
            b.SetE(5, (int)r.UpsellDriver); b.SetE(6, (int)r.ChurnDriver); });

    public static readonly TableCodec<TrueSegment> Segments = new(TruthSchema.Table(TruthSchema.Segments),
        b => new TrueSegment(b.S(0), b.I(1), b.S(2)),
        (r, b) => { b.SetS(0, r.AccountId); b.SetI(1, r.Segment); b.SetS(2, r.SegmentName); });

    public static readonly TableCodec<TrueRepSkill> RepSkills = new(TruthSchema.Table(TruthSchema.RepSkills),
        b => new TrueRepSkill(b.S(0), b.I(1), b.F(2)),
        (r, b) => { b.SetS(0, r.RepId); b.SetI(1, r.Segment); b.SetF(2, r.WinRate); });

    public static readonly TableCodec<TrueRepBias> RepBiases = new(TruthSchema.Table(TruthSchema.RepBiases),
        b => new TrueRepBias(b.S(0), b.F(1)),
        (r, b) => { b.SetS(0, r.RepId); b.SetF(1, r.StageBias); });

    public static readonly TableCodec<TrueActionResponse> ActionResponses = new(TruthSchema.Table(TruthSchema.ActionResponses),
        b => new TrueActionResponse(b.S(0), b.I(1), b.F(2)),
        (r, b) => { b.SetS(0, r.Action); b.SetI(1, r.Segment); b.SetF(2, r.ResponseRate); });
    public static readonly TableCodec<TrueActionValue> ActionValues = new(TruthSchema.Table(TruthSchema.ActionValues),
        b => new TrueActionValue(b.S(0), b.S(1), b.F(2), b.F(3), b.F(4), b.F(5)),
        (r, b) => { b.SetS(0, r.ActionId); b.SetS(1, r.Action); b.SetF(2, r.LoggingPropensity); b.SetF(3, r.ResponseRate); b.SetF(4, r.ExpectedImmediate); b.SetF(5, r.ExpectedValue); });

    // Monthly facts are keyed by the first day of the month; another day would silently split a month in two.
    static Action<RowBuffer, List<CellIssue>> FirstOfMonth(int column) => (b, issues) =>
    {
        if (!b.IsNull[column] && !MonthStarts.Contains(b.Long[column])) issues.Add(new(column, "the first day of a month (yyyy-MM-01)"));
    };
}

/// <summary>The day numbers (<see cref="DateOnly.DayNumber"/>) that are the first of a month, as a bit set over every
/// DateOnly: one bit test per row instead of splitting the day number into year, month and day.</summary>
internal static class MonthStarts
{
    static readonly ulong[] Bits = Build();

    static ulong[] Build()
    {
        var bits = new ulong[DateOnly.MaxValue.DayNumber / 64 + 1];
        for (int y = 1; y <= 9999; y++)
            for (int m = 1; m <= 12; m++)
            {
                int d = new DateOnly(y, m, 1).DayNumber;
                bits[d >> 6] |= 1UL << (d & 63);
            }
        return bits;
    }

    /// <summary>True when <paramref name="dayNumber"/> is the first day of a month (false outside DateOnly's range).</summary>
    public static bool Contains(long dayNumber) =>
        (ulong)dayNumber <= (ulong)DateOnly.MaxValue.DayNumber && (Bits[dayNumber >> 6] & (1UL << (int)(dayNumber & 63))) != 0;
}
