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

    public MonthlyPanel(CrmDataset data) : this(data, new FactTables(data), null, null) { }

    /// <summary>Months of the data before <see cref="FirstMonth"/> that this panel does not lay out (0 but for a panel built
    /// by <see cref="ForScoring"/>); month index -<c>HistoryOffset</c> is the data's first month.</summary>
    internal int HistoryOffset { get; }

    /// <summary>Spend of the <see cref="HistoryOffset"/> months before <see cref="FirstMonth"/> ([pair * HistoryOffset + m],
    /// m = 0 the data's first month); empty for a whole panel. Only running sums and first billed months read it.</summary>
    internal readonly double[] EarlySpend;

    /// <summary>Spend plus usage rows of each month of the whole data (index 0 the data's first month, <see cref="HistoryOffset"/>
    /// + <see cref="Months"/> entries), counted while the pairs are gathered, for scoring's data-extent check; null for a panel
    /// built otherwise than by <see cref="ForScoring"/> (a run reads no such count).</summary>
    internal readonly int[]? RowsPerMonth;

    /// <summary>A panel for scoring as of <paramref name="asOf"/> (null: the month after the data's last month) whose arrays
    /// start <paramref name="lookbackMonths"/> months before the as-of month (or at the data's first month, if later): what
    /// a scoring reads is the as-of month's and the month before's look-back windows, so the rows of earlier months are
    /// skipped, but for the pairs they make and their spend (kept apart in <see cref="EarlySpend"/> for running sums and
    /// first billed months). Every value a read inside that span gives is the whole panel's. The whole panel is built
    /// instead when the as-of date is outside the data (its errors name the data's whole extent).</summary>
    internal static MonthlyPanel ForScoring(CrmDataset data, DateOnly? asOf, int lookbackMonths)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(lookbackMonths);
        return new MonthlyPanel(data, new FactTables(data), null, (asOf, lookbackMonths));
    }

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
        return new MonthlyPanel(data, facts, tableReleased, null);
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

    MonthlyPanel(CrmDataset data, FactTables facts, Action? tableReleased, (DateOnly? AsOf, int LookbackMonths)? window)
    {
        ArgumentNullException.ThrowIfNull(data);
        _accountIds = data.Accounts.Select(a => a.AccountId).Order(StringComparer.Ordinal).ToArray();
        _accountIndex = _accountIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        Accounts = new Account[_accountIds.Length];
        foreach (var a in data.Accounts) Accounts[_accountIndex[a.AccountId]] = a;

        var spendRows = facts.Spend!;
        var usageRows = facts.Usage!;
        var early = data.EarlyFacts;
        var productIds = new SortedSet<string>(data.Products.Select(p => p.ProductId), StringComparer.Ordinal);
        // The spend rows' product ids and months in one pass, the usage rows' months in another beside it (the extent of
        // months and the set of ids do not depend on the order rows are read in).
        DateOnly spendMin = DateOnly.MaxValue, spendMax = DateOnly.MinValue, usageMin = DateOnly.MaxValue, usageMax = DateOnly.MinValue;
        Both(
            () =>
            {
                // Loaded ids are pooled strings and an account's products repeat row after row: a sorted-set insert per spend
                // row (7.5 M at 100,000 accounts) is skipped when the id is the very instance already added.
                var addedRefs = new List<string>();
                foreach (var s in spendRows)
                {
                    if (s.Month < spendMin) spendMin = s.Month;
                    if (s.Month > spendMax) spendMax = s.Month;
                    var id = s.ProductId;
                    bool seen = false;
                    foreach (var r in addedRefs) if (ReferenceEquals(r, id)) { seen = true; break; }
                    if (seen) continue;
                    productIds.Add(id);
                    if (addedRefs.Count < 32) addedRefs.Add(id);
                }
            },
            () =>
            {
                foreach (var u in usageRows) { if (u.Month < usageMin) usageMin = u.Month; if (u.Month > usageMax) usageMax = u.Month; }
                // Usage rows the load summarized (before its cutoff) count for the data's extent as if they were here.
                foreach (var month in early?.UsageRowsPerMonth.Keys ?? []) { if (month < usageMin) usageMin = month; if (month > usageMax) usageMax = month; }
            });
        _productIds = productIds.ToArray();
        _productIndex = _productIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);

        if (spendRows.Count == 0 && usageRows.Count == 0 && early is not { UsageRowsPerMonth.Count: > 0 }) throw new WorkbenchException("The dataset has no spend or usage rows: there is nothing to build monthly features from.");
        DateOnly minMonth = spendMin < usageMin ? spendMin : usageMin, maxMonth = spendMax > usageMax ? spendMax : usageMax;
        FirstMonth = FirstOfMonth(minMonth);
        Months = MonthIndexOf(FirstOfMonth(maxMonth)) + 1;
        if (window is var (windowAsOf, lookback))
        {
            // The as-of month as an index of the whole data; an as-of date outside the data keeps the whole panel.
            int asOfIndex = windowAsOf is DateOnly d ? MonthIndexOf(d) : Months;
            int skipped = asOfIndex - lookback;
            if (asOfIndex >= 1 && asOfIndex <= Months && skipped > 0)
            {
                HistoryOffset = skipped;
                FirstMonth = FirstMonth.AddMonths(skipped);
                Months -= skipped;
            }
        }

        // Usage and engagement rows before the load's cutoff are not in the tables (scoring's load): a panel that lays out
        // any month before the cutoff would read them as missing, so it is refused (scoring as of the default date never is).
        if (early is { SummarizedRows: > 0 } && FirstMonth < early.Cutoff)
            throw new InvalidOperationException($"The usage and engagement rows before {early.Cutoff:yyyy-MM-dd} were summarized when the data was " +
                $"loaded (LoadOptions.KeepRecentMonths); a panel from {FirstMonth:yyyy-MM-dd} needs them: load every row.");
        _monthStarts = Enumerable.Range(0, Months).Select(i => FirstMonth.AddMonths(i)).ToArray();
        void Released() => tableReleased?.Invoke();

        int products = _productIds.Length;
        var present = new bool[_accountIds.Length * products];
        // Each table fills its own arrays, so tables are read two at a time, each with its own id caches (IdLookup);
        // within a table the rows are added in file order, so every sum is the same as one table after another.
        // A scoring panel also counts the rows of each month here (each table into its own array; counts add exactly), so the
        // data-extent check makes no pass of its own over the 15 million spend and usage rows of 100,000 accounts.
        int[]? spendPerMonth = window is null ? null : new int[HistoryOffset + Months], usagePerMonth = window is null ? null : new int[HistoryOffset + Months];
        Both(
            () =>
            {
                var ids = new IdLookup(this);
                if (spendPerMonth is null) foreach (var s in spendRows) present[ids.A(s.AccountId) * products + ids.P(s.ProductId)] = true;
                else foreach (var s in spendRows) { present[ids.A(s.AccountId) * products + ids.P(s.ProductId)] = true; spendPerMonth[MonthIndexOf(s.Month) + HistoryOffset]++; }
            },
            () =>
            {
                var ids = new IdLookup(this);
                if (usagePerMonth is null) foreach (var u in usageRows) present[ids.A(u.AccountId) * products + ids.P(u.ProductId)] = true;
                else foreach (var u in usageRows) { present[ids.A(u.AccountId) * products + ids.P(u.ProductId)] = true; usagePerMonth[MonthIndexOf(u.Month) + HistoryOffset]++; }
                if (early is not null)
                {
                    // The summarized usage rows: their pairs, and their counts per month for the data-extent check.
                    foreach (var (account, product) in early.UsagePairs) present[ids.A(account) * products + ids.P(product)] = true;
                    if (usagePerMonth is not null) foreach (var (month, count) in early.UsageRowsPerMonth) usagePerMonth[MonthIndexOf(month) + HistoryOffset] += count;
                }
            });
        if (spendPerMonth is not null)
        {
            for (int m = 0; m < spendPerMonth.Length; m++) spendPerMonth[m] += usagePerMonth![m];
            RowsPerMonth = spendPerMonth;
        }
        var contractIds = new IdLookup(this);
        foreach (var c in data.Contracts) present[contractIds.A(c.AccountId) * products + contractIds.P(c.ProductId)] = true;
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

        // Each table's arrays are allocated just before that table is read, and the table is dropped right after (when
        // the caller released it: BuildReleasing), so the arrays replace rows rather than add to them. Two tables at a
        // time, paired so the arrays allocated before a pair's rows are released stay small: spend with engagement
        // (0.3 GB of arrays at 100,000 accounts), then usage with bookings.
        int pm = _pairs.Length * Months, am = _accountIds.Length * Months;
        double[] spend = null!, spendPrefix = null!, earlySpend = null!;
        int offset = HistoryOffset;
        float[] emails = null!, meetings = null!, tickets = null!, trainings = null!, championChanges = null!, surveyCount = null!;
        double[] ticketSeverity = null!, surveySum = null!;
        Both(
            () =>
            {
                var ids = new IdLookup(this);
                spend = new double[pm];
                // A windowed panel keeps the spend of the months before its first month apart (one array, not the other
                // tables'): the running sums below, the feature builder's account sums and the first billed months start
                // from them, so every sum over the window is the whole panel's to the last bit.
                earlySpend = new double[_pairs.Length * offset];
                foreach (var s in spendRows)
                {
                    int m = MonthIndexOf(s.Month);
                    if (m < 0) earlySpend[ids.PairOf(s.AccountId, s.ProductId) * offset + m + offset] += (double)s.Amount;
                    else spend[ids.PairOf(s.AccountId, s.ProductId) * Months + m] += (double)s.Amount;
                }
                spendPrefix = new double[_pairs.Length * (Months + 1)];
                for (int p = 0; p < _pairs.Length; p++)
                {
                    double before = 0;
                    for (int m = 0; m < offset; m++) before += earlySpend[p * offset + m];
                    spendPrefix[p * (Months + 1)] = before;
                    for (int m = 0; m < Months; m++)
                        spendPrefix[p * (Months + 1) + m + 1] = spendPrefix[p * (Months + 1) + m] + spend[p * Months + m];
                }
            },
            () =>
            {
                emails = new float[am]; meetings = new float[am]; tickets = new float[am]; ticketSeverity = new double[am];
                trainings = new float[am]; championChanges = new float[am]; surveySum = new double[am]; surveyCount = new float[am];
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
                        case EngagementType.Email: emails[c]++; break;
                        case EngagementType.Meeting: meetings[c]++; break;
                        case EngagementType.SupportTicket: tickets[c]++; ticketSeverity[c] += e.Score ?? 0; break;
                        case EngagementType.Training: trainings[c]++; break;
                        case EngagementType.ChampionChange: championChanges[c]++; break;
                        case EngagementType.Survey: if (e.Score is double s) { surveySum[c] += s; surveyCount[c]++; } break;
                    }
                }
            });
        Spend = spend; SpendPrefix = spendPrefix; EarlySpend = earlySpend;
        Emails = emails; Meetings = meetings; Tickets = tickets; TicketSeverity = ticketSeverity;
        Trainings = trainings; ChampionChanges = championChanges; SurveySum = surveySum; SurveyCount = surveyCount;
        spendRows = null; facts.Spend = null; facts.Engagement = null; Released();

        double[] seatsPurchased = null!, seatsUsed = null!, activeUsers = null!, utilization = null!, keyActions = null!;
        float[] addOns = null!, downgrades = null!, cancellations = null!, nonRenewals = null!, priceChanges = null!, purchases = null!;
        double[] upsellAmount = null!, churnAmount = null!;
        Both(
            () =>
            {
                var ids = new IdLookup(this);
                seatsPurchased = Nan(pm); seatsUsed = Nan(pm); activeUsers = Nan(pm); utilization = Nan(pm); keyActions = Nan(pm);
                foreach (var u in usageRows)
                {
                    int m = MonthIndexOf(u.Month);
                    if (m < 0) continue; // before a windowed panel's first month (never in a whole panel)
                    int c = ids.PairOf(u.AccountId, u.ProductId) * Months + m;
                    seatsPurchased[c] = u.SeatsPurchased;
                    seatsUsed[c] = u.SeatsUsed ?? double.NaN;
                    activeUsers[c] = u.ActiveUsers ?? double.NaN;
                    utilization[c] = u.Utilization ?? (u.SeatsUsed is int used && u.SeatsPurchased > 0 ? (double)used / u.SeatsPurchased : double.NaN);
                    keyActions[c] = u.KeyActions ?? double.NaN;
                }
            },
            () =>
            {
                var ids = new IdLookup(this);
                addOns = new float[pm]; downgrades = new float[pm]; cancellations = new float[pm]; nonRenewals = new float[pm];
                priceChanges = new float[pm]; upsellAmount = new double[pm]; churnAmount = new double[pm];
                var bookings = facts.Bookings!;
                foreach (var b in bookings)
                {
                    int p = ids.PairOf(b.AccountId, b.ProductId);
                    if (p < 0) continue; // a booking on a pair with no spend, usage or contract: nothing to attach to
                    int m = MonthIndexOf(b.Date);
                    if (m < 0 || m >= Months) continue; // outside the observed period
                    int c = p * Months + m;
                    double amount = (double)b.AmountDelta;
                    switch (b.Type)
                    {
                        case BookingType.AddOn: addOns[c]++; upsellAmount[c] += Math.Max(0, amount); break;
                        case BookingType.Downgrade: downgrades[c]++; churnAmount[c] += Math.Max(0, -amount); break;
                        case BookingType.Cancellation: cancellations[c]++; churnAmount[c] += Math.Max(0, -amount); break;
                        case BookingType.NonRenewal: nonRenewals[c]++; churnAmount[c] += Math.Max(0, -amount); break;
                        case BookingType.PriceChange: priceChanges[c]++; break;
                    }
                }
                purchases = new float[am];
                var transactions = facts.Transactions!;
                if (transactions.Count > 0)
                {
                    foreach (var order in transactions.DistinctBy(t => (t.AccountId, t.TransactionId)))
                    {
                        int m = MonthIndexOf(order.Date);
                        if (m >= 0 && m < Months) purchases[AccountIndexOf(order.AccountId) * Months + m]++;
                    }
                }
                else
                {
                    foreach (var b in bookings)
                    {
                        int m = MonthIndexOf(b.Date);
                        if (m < 0 || m >= Months) continue;
                        int a = ids.A(b.AccountId);
                        if (b.Type == BookingType.AddOn || (b.Type == BookingType.New && b.Date > Accounts[a].CreatedDate)) purchases[a * Months + m]++;
                    }
                }
            });
        SeatsPurchased = seatsPurchased; SeatsUsed = seatsUsed; ActiveUsers = activeUsers; Utilization = utilization; KeyActions = keyActions;
        AddOns = addOns; Downgrades = downgrades; Cancellations = cancellations; NonRenewals = nonRenewals; PriceChanges = priceChanges;
        UpsellAmount = upsellAmount; ChurnAmount = churnAmount; Purchases = purchases;
        usageRows = null; facts.Usage = null; facts.Bookings = null; facts.Transactions = null; Released();

        var contractPairs = new IdLookup(this);
        ContractsByPair = new List<Contract>[_pairs.Length];
        for (int i = 0; i < ContractsByPair.Length; i++) ContractsByPair[i] = [];
        foreach (var c in data.Contracts)
            ContractsByPair[contractPairs.PairOf(c.AccountId, c.ProductId)].Add(c);
        foreach (var list in ContractsByPair) list.Sort((x, y) => x.StartDate.CompareTo(y.StartDate));
    }

    /// <summary>Runs two independent table reads on two threads. A failure is thrown as itself (not wrapped), the first
    /// action's before the second's, so a bad row gives the same error as when the tables were read one after another.</summary>
    internal static void Both(Action first, Action second)
    {
        Exception? firstFailure = null, secondFailure = null;
        Parallel.Invoke(
            () => { try { first(); } catch (Exception ex) { firstFailure = ex; } },
            () => { try { second(); } catch (Exception ex) { secondFailure = ex; } });
        if ((firstFailure ?? secondFailure) is { } failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    /// <summary>Account and product indexes of fact rows, for one thread. Fact tables come grouped by account, so the last
    /// account id saves most dictionary lookups; an account's products alternate from row to row, so products are
    /// remembered by reference (loaded ids are pooled strings: one instance per text and table) as well as by the last one.</summary>
    sealed class IdLookup(MonthlyPanel panel)
    {
        string? lastAccount, lastProduct;
        int lastA = -1, lastP = -1, productRefCount;
        readonly string?[] productRefs = new string?[32];
        readonly int[] productRefIndex = new int[32];

        public int A(string id)
        {
            if (!ReferenceEquals(id, lastAccount) && id != lastAccount) { lastA = panel.AccountIndexOf(id); lastAccount = id; }
            return lastA;
        }

        public int P(string id)
        {
            if (ReferenceEquals(id, lastProduct)) return lastP;
            int found = -1;
            for (int i = 0; i < productRefCount; i++) if (ReferenceEquals(productRefs[i], id)) { found = productRefIndex[i]; break; }
            if (found < 0)
            {
                found = panel.ProductIndexOf(id);
                if (productRefCount < productRefs.Length) { productRefs[productRefCount] = id; productRefIndex[productRefCount++] = found; }
            }
            lastProduct = id; lastP = found;
            return found;
        }

        public int PairOf(string account, string product) => panel._pairByAccountProduct[A(account) * panel._productIds.Length + P(product)];
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
