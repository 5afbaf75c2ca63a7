namespace Workbench.Analytics.Features;

/// <summary>
/// The CRM tables laid out as dense monthly arrays: one row per account-product pair, one column per month,
/// plus per-account event counts. Windowed sums are then O(1) through prefix sums, which is what makes
/// point-in-time features for millions of snapshots cheap. Month index 0 is <see cref="FirstMonth"/>.
/// Missing observations are NaN (never silently zero): spend absent in a month is 0 (nothing billed),
/// usage absent is NaN (not measured).
/// </summary>
public sealed class MonthlyPanel
{
    public DateOnly FirstMonth { get; }
    public int Months { get; }
    public IReadOnlyList<string> AccountIds => _accountIds;
    public IReadOnlyList<string> ProductIds => _productIds;
    /// <summary>Account-product pairs that ever had spend, usage, a contract or a booking, sorted by account then product.</summary>
    public IReadOnlyList<(int Account, int Product)> Pairs => _pairs;

    readonly string[] _accountIds;
    readonly string[] _productIds;
    readonly (int Account, int Product)[] _pairs;
    readonly Dictionary<string, int> _accountIndex;
    readonly Dictionary<string, int> _productIndex;
    readonly int[] _pairByAccountProduct; // [account * products + product] = pair index, or -1
    readonly DateOnly[] _monthStarts;

    // [pair * Months + month]
    internal readonly double[] Spend, SeatsPurchased, SeatsUsed, ActiveUsers, Utilization, KeyActions;
    // Booking counts per pair and month, by the types labels and features read (not new and renewal bookings: nothing
    // reads them per pair); amount deltas per pair and month. Counts are floats: a count of rows in one month is an integer
    // far below 2^24, so a float holds it exactly and reads back as the same double, in half the memory (docs/scale.md).
    internal readonly float[] AddOns, Downgrades, Cancellations, NonRenewals, PriceChanges;
    internal readonly double[] UpsellAmount, ChurnAmount;
    // [account * Months + month]; event counts as floats (exact, as above), severity and survey sums as doubles.
    internal readonly float[] Emails, Meetings, Tickets, Trainings, ChampionChanges, SurveyCount;
    internal readonly double[] TicketSeverity, SurveySum;
    internal readonly double[] SpendPrefix; // [pair * (Months+1) + m] = sum of Spend before month m
    /// <summary>Purchases per account and month ([account * Months + month]): add-on bookings and new-product bookings
    /// dated after the account's first day or, when the dataset carries day-level transactions, distinct orders (the
    /// lines of one order count once), so order-only data does not read as zero purchases.</summary>
    internal readonly float[] Purchases;
    /// <summary>The pairs of account a are <c>PairStart[a]</c> up to <c>PairStart[a + 1]</c> (pairs are sorted by account).</summary>
    internal readonly int[] PairStart;

    /// <summary>Renewal date of the latest contract per pair starting before a month, or null: [pair] sorted list.</summary>
    internal readonly List<Contract>[] ContractsByPair;
    internal readonly Account[] Accounts;

    public MonthlyPanel(CrmDataset data) : this(data, new FactTables(data), null) { }

    /// <summary>Builds the panel of <paramref name="data"/> and leaves in <paramref name="data"/> the dataset without the
    /// fact tables the panel reads (spend, usage, engagement, bookings, transactions), dropping each table as soon as its
    /// arrays are filled, so the panel's arrays grow while the rows they replace are released instead of on top of every row
    /// (<paramref name="tableReleased"/> runs after each drop: a caller may collect there). The caller must hold no other
    /// reference to the full dataset for the rows to be freed. The panel is the same as <c>new MonthlyPanel(data)</c>.</summary>
    public static MonthlyPanel BuildReleasing(ref CrmDataset data, Action? tableReleased = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var facts = new FactTables(data);
        data = WithoutFactTables(data);
        return new MonthlyPanel(data, facts, tableReleased);
    }

    /// <summary><paramref name="data"/> without the fact tables a panel reads (spend, usage, engagement, bookings, transactions).</summary>
    public static CrmDataset WithoutFactTables(CrmDataset data) =>
        data with { Spend = [], Usage = [], Engagement = [], Bookings = [], Transactions = [] };

    /// <summary>The fact tables a panel is built from, each set to null once read (see <see cref="BuildReleasing"/>).</summary>
    sealed class FactTables(CrmDataset data)
    {
        public IReadOnlyList<SpendRecord>? Spend = data.Spend;
        public IReadOnlyList<UsageRecord>? Usage = data.Usage;
        public IReadOnlyList<EngagementEvent>? Engagement = data.Engagement;
        public IReadOnlyList<Booking>? Bookings = data.Bookings;
        public IReadOnlyList<TransactionRecord>? Transactions = data.Transactions;
    }

    MonthlyPanel(CrmDataset data, FactTables facts, Action? tableReleased)
    {
        ArgumentNullException.ThrowIfNull(data);
        _accountIds = data.Accounts.Select(a => a.AccountId).Order(StringComparer.Ordinal).ToArray();
        _accountIndex = _accountIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        Accounts = new Account[_accountIds.Length];
        foreach (var a in data.Accounts) Accounts[_accountIndex[a.AccountId]] = a;

        var spendRows = facts.Spend!;
        var usageRows = facts.Usage!;
        var productIds = new SortedSet<string>(data.Products.Select(p => p.ProductId), StringComparer.Ordinal);
        foreach (var s in spendRows) productIds.Add(s.ProductId);
        _productIds = productIds.ToArray();
        _productIndex = _productIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);

        if (spendRows.Count == 0 && usageRows.Count == 0) throw new WorkbenchException("The dataset has no spend or usage rows: there is nothing to build monthly features from.");
        DateOnly minMonth = DateOnly.MaxValue, maxMonth = DateOnly.MinValue;
        foreach (var s in spendRows) { if (s.Month < minMonth) minMonth = s.Month; if (s.Month > maxMonth) maxMonth = s.Month; }
        foreach (var u in usageRows) { if (u.Month < minMonth) minMonth = u.Month; if (u.Month > maxMonth) maxMonth = u.Month; }
        FirstMonth = FirstOfMonth(minMonth);
        Months = MonthIndexOf(FirstOfMonth(maxMonth)) + 1;

        _monthStarts = Enumerable.Range(0, Months).Select(i => FirstMonth.AddMonths(i)).ToArray();
        // Fact tables come grouped by account, so remembering the last id saves most dictionary lookups. An account's
        // products alternate from row to row, so products are remembered by reference (loaded ids are pooled strings: one
        // instance per text and table) as well as by the last one.
        string? lastAccount = null, lastProduct = null; int lastA = -1, lastP = -1;
        var productRefs = new string?[32]; var productRefIndex = new int[32]; int productRefCount = 0;
        int A(string id) { if (!ReferenceEquals(id, lastAccount) && id != lastAccount) { lastA = AccountIndexOf(id); lastAccount = id; } return lastA; }
        int P(string id)
        {
            if (ReferenceEquals(id, lastProduct)) return lastP;
            int found = -1;
            for (int i = 0; i < productRefCount; i++) if (ReferenceEquals(productRefs[i], id)) { found = productRefIndex[i]; break; }
            if (found < 0)
            {
                found = ProductIndexOf(id);
                if (productRefCount < productRefs.Length) { productRefs[productRefCount] = id; productRefIndex[productRefCount++] = found; }
            }
            lastProduct = id; lastP = found;
            return found;
        }
        void Released() => tableReleased?.Invoke();

        int products = _productIds.Length;
        var present = new bool[_accountIds.Length * products];
        foreach (var s in spendRows) present[A(s.AccountId) * products + P(s.ProductId)] = true;
        foreach (var u in usageRows) present[A(u.AccountId) * products + P(u.ProductId)] = true;
        foreach (var c in data.Contracts) present[A(c.AccountId) * products + P(c.ProductId)] = true;
        _pairByAccountProduct = new int[present.Length];
        var pairs = new List<(int, int)>();
        for (int i = 0; i < present.Length; i++)
        {
            _pairByAccountProduct[i] = present[i] ? pairs.Count : -1;
            if (present[i]) pairs.Add((i / products, i % products)); // account-major order: sorted by account, then product
        }
        _pairs = pairs.ToArray();
        PairStart = new int[_accountIds.Length + 1];
        foreach (var (account, _) in _pairs) PairStart[account + 1]++;
        for (int a = 0; a < _accountIds.Length; a++) PairStart[a + 1] += PairStart[a];
        int PairOf(string account, string product) => _pairByAccountProduct[A(account) * products + P(product)];

        // Each table's arrays are allocated just before that table is read, and the table is dropped right after (when
        // the caller released it: BuildReleasing), largest tables first, so the arrays replace rows rather than add to them.
        int pm = _pairs.Length * Months, am = _accountIds.Length * Months;
        Spend = new double[pm];
        foreach (var s in spendRows)
            Spend[PairOf(s.AccountId, s.ProductId) * Months + MonthIndexOf(s.Month)] += (double)s.Amount;
        SpendPrefix = new double[_pairs.Length * (Months + 1)];
        for (int p = 0; p < _pairs.Length; p++)
            for (int m = 0; m < Months; m++)
                SpendPrefix[p * (Months + 1) + m + 1] = SpendPrefix[p * (Months + 1) + m] + Spend[p * Months + m];
        spendRows = null; facts.Spend = null; Released();

        SeatsPurchased = Nan(pm); SeatsUsed = Nan(pm); ActiveUsers = Nan(pm); Utilization = Nan(pm); KeyActions = Nan(pm);
        foreach (var u in usageRows)
        {
            int c = PairOf(u.AccountId, u.ProductId) * Months + MonthIndexOf(u.Month);
            SeatsPurchased[c] = u.SeatsPurchased;
            SeatsUsed[c] = u.SeatsUsed ?? double.NaN;
            ActiveUsers[c] = u.ActiveUsers ?? double.NaN;
            Utilization[c] = u.Utilization ?? (u.SeatsUsed is int used && u.SeatsPurchased > 0 ? (double)used / u.SeatsPurchased : double.NaN);
            KeyActions[c] = u.KeyActions ?? double.NaN;
        }
        usageRows = null; facts.Usage = null; Released();

        Emails = new float[am]; Meetings = new float[am]; Tickets = new float[am]; TicketSeverity = new double[am];
        Trainings = new float[am]; ChampionChanges = new float[am]; SurveySum = new double[am]; SurveyCount = new float[am];
        string? lastEventAccount = null; int lastEventA = -1;
        foreach (var e in facts.Engagement!)
        {
            int m = MonthIndexOf(e.Date);
            if (m < 0 || m >= Months) continue;
            if (!ReferenceEquals(e.AccountId, lastEventAccount))
            {
                lastEventA = _accountIndex.TryGetValue(e.AccountId, out int found) ? found : -1;
                lastEventAccount = e.AccountId;
            }
            int a = lastEventA;
            if (a < 0) continue;
            int c = a * Months + m;
            switch (e.Type)
            {
                case EngagementType.Email: Emails[c]++; break;
                case EngagementType.Meeting: Meetings[c]++; break;
                case EngagementType.SupportTicket: Tickets[c]++; TicketSeverity[c] += e.Score ?? 0; break;
                case EngagementType.Training: Trainings[c]++; break;
                case EngagementType.ChampionChange: ChampionChanges[c]++; break;
                case EngagementType.Survey: if (e.Score is double s) { SurveySum[c] += s; SurveyCount[c]++; } break;
            }
        }
        facts.Engagement = null; Released();

        AddOns = new float[pm]; Downgrades = new float[pm]; Cancellations = new float[pm]; NonRenewals = new float[pm];
        PriceChanges = new float[pm]; UpsellAmount = new double[pm]; ChurnAmount = new double[pm];
        var bookings = facts.Bookings!;
        foreach (var b in bookings)
        {
            int p = PairOf(b.AccountId, b.ProductId);
            if (p < 0) continue; // a booking on a pair with no spend, usage or contract: nothing to attach to
            int m = MonthIndexOf(b.Date);
            if (m < 0 || m >= Months) continue; // outside the observed period
            int c = p * Months + m;
            double amount = (double)b.AmountDelta;
            switch (b.Type)
            {
                case BookingType.AddOn: AddOns[c]++; UpsellAmount[c] += Math.Max(0, amount); break;
                case BookingType.Downgrade: Downgrades[c]++; ChurnAmount[c] += Math.Max(0, -amount); break;
                case BookingType.Cancellation: Cancellations[c]++; ChurnAmount[c] += Math.Max(0, -amount); break;
                case BookingType.NonRenewal: NonRenewals[c]++; ChurnAmount[c] += Math.Max(0, -amount); break;
                case BookingType.PriceChange: PriceChanges[c]++; break;
            }
        }
        Purchases = new float[am];
        var transactions = facts.Transactions!;
        if (transactions.Count > 0)
        {
            foreach (var order in transactions.DistinctBy(t => (t.AccountId, t.TransactionId)))
            {
                int m = MonthIndexOf(order.Date);
                if (m >= 0 && m < Months) Purchases[AccountIndexOf(order.AccountId) * Months + m]++;
            }
        }
        else
        {
            foreach (var b in bookings)
            {
                int m = MonthIndexOf(b.Date);
                if (m < 0 || m >= Months) continue;
                int a = AccountIndexOf(b.AccountId);
                if (b.Type == BookingType.AddOn || (b.Type == BookingType.New && b.Date > Accounts[a].CreatedDate)) Purchases[a * Months + m]++;
            }
        }
        bookings = null; transactions = null; facts.Bookings = null; facts.Transactions = null; Released();

        ContractsByPair = new List<Contract>[_pairs.Length];
        for (int i = 0; i < ContractsByPair.Length; i++) ContractsByPair[i] = [];
        foreach (var c in data.Contracts)
            ContractsByPair[PairOf(c.AccountId, c.ProductId)].Add(c);
        foreach (var list in ContractsByPair) list.Sort((x, y) => x.StartDate.CompareTo(y.StartDate));
    }

    public static DateOnly FirstOfMonth(DateOnly d) => new(d.Year, d.Month, 1);
    public int MonthIndexOf(DateOnly d) => (d.Year - FirstMonth.Year) * 12 + d.Month - FirstMonth.Month;
    public DateOnly MonthAt(int index) => (uint)index < (uint)_monthStarts.Length ? _monthStarts[index] : FirstMonth.AddMonths(index);

    public int AccountIndexOf(string accountId) => _accountIndex.TryGetValue(accountId, out int i) ? i
        : throw new WorkbenchException($"Account '{accountId}' appears in a fact table but not in the accounts table.");
    public int ProductIndexOf(string productId) => _productIndex.TryGetValue(productId, out int i) ? i
        : throw new WorkbenchException($"Product '{productId}' is not in the products table.");
    public int PairIndexOf(int account, int product) => _pairByAccountProduct[account * _productIds.Length + product];

    /// <summary>Sum of spend of a pair over months [from, to), clipped to the panel.</summary>
    public double SpendSum(int pair, int from, int to)
    {
        from = Math.Clamp(from, 0, Months); to = Math.Clamp(to, 0, Months);
        if (to <= from) return 0;
        int b = pair * (Months + 1);
        return SpendPrefix[b + to] - SpendPrefix[b + from];
    }

    static double[] Nan(int n) { var a = new double[n]; Array.Fill(a, double.NaN); return a; }
}
