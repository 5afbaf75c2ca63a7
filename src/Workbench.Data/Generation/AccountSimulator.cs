namespace Workbench.Data.Generation;

/// <summary>All rows one account contributes, in the order they were drawn.</summary>
internal sealed class AccountOutput
{
    public Account Account = null!;
    public TrueSegment Segment = null!;
    public readonly List<SpendRecord> Spend = new(128);
    public readonly List<UsageRecord> Usage = new(128);
    public readonly List<TrueRisk> Risks = new(128);
    public readonly List<EngagementEvent> Engagement = new(64);
    public readonly List<Booking> Bookings = new(8);
    public readonly List<Contract> Contracts = new(8);
    public readonly List<BookAssignment> Book = new(2);
    public readonly List<Opportunity> Opportunities = new(4);
    public readonly List<StageChange> Stages = new(16);
    public readonly List<ActionLogEntry> Actions = new(4);
    public readonly List<TrueActionValue> ActionValues = new(20);
    public readonly List<OpportunityActivity> Activities = new(64);
    public readonly List<TrueOpportunityWeek> OpportunityWeeks = new(64);
    /// <summary>What the signals step needs about each opportunity (same order as <see cref="Opportunities"/>).</summary>
    public readonly List<OpportunityPlan> OpportunityPlans = new(4);

    /// <summary>Empties the lists but keeps their capacity: one output per wave slot is reused across waves.</summary>
    public void Clear()
    {
        Spend.Clear(); Usage.Clear(); Risks.Clear(); Engagement.Clear(); Bookings.Clear(); Contracts.Clear();
        Book.Clear(); Opportunities.Clear(); Stages.Clear(); Actions.Clear(); ActionValues.Clear();
        Activities.Clear(); OpportunityWeeks.Clear(); OpportunityPlans.Clear();
    }
}

/// <summary>
/// Simulates one account month by month from its own random stream. At the start of each month the
/// planted hazards are computed from data dated before that month only; events drawn from them become
/// bookings and change the spend and usage of that same month onward.
/// </summary>
internal sealed class AccountSimulator
{
    const int Burn = GenerationPlan.BurnInMonths;
    const double NewAccountShare = 0.12, ParentChance = 0.03, ReassignChance = 0.08;
    const double MissingEmployees = 0.07, MissingFounded = 0.12, MissingTelemetry = 0.025, MissingActiveUsers = 0.03,
        MissingSurveyScore = 0.15, MissingContactTitles = 0.10;
    static readonly double[] SeverityWeights = [0.45, 0.30, 0.17, 0.08];
    static readonly int[] TermChoices = [12, 24, 36];
    static readonly double[] TermWeights = [0.5, 0.3, 0.2];

    sealed class ProductState
    {
        public int P;
        public bool Held, Active;
        public int FirstIndex;              // first simulated month index (t + Burn) with usage
        public int Seats;
        public double UnitPrice;
        public double Adoption, Drift, UtilTarget;
        public double BaseUsers, EmployeesAtStart;
        public double ChurnNoise, UpsellNoise;
        public int LastPriceChangeIndex = int.MinValue / 2;
        public double LastDemand;
        // current contract
        public DateOnly ContractStart;
        public int ContractStartT, Term, RenewalT, ContractSeats, ContractNo;
        public double ContractPrice;
        public double[] Util = null!, ActiveUsers = null!; // observed history, NaN = missing
    }

    readonly GenerationPlan _plan;
    readonly GeneratorOptions _o;
    readonly double[] _churnTerms = new double[7], _upsellTerms = new double[7];

    public AccountSimulator(GenerationPlan plan) { _plan = plan; _o = plan.Options; }

    // per-account working state
    Rng _rng = null!;
    /// <summary>The account's own stream for rep actions (a separate stream so the other tables keep their bytes).</summary>
    Rng _act = null!;
    AccountOutput _out = null!;
    string _id = "";
    int _seg, _region, _rep1, _rep2, _reassignT, _bookingNo, _eventNo, _oppNo, _actionNo, _contractNo;
    SegmentProfile _profile = null!;
    double _employees;
    ProductState[] _products = null!;
    int[] _emails = null!, _meetings = null!, _severity = null!;
    int _lastChampionIndex, _firstAccountIndex;
    const double EngagementFallback = HazardModel.EngagementReference;

    /// <summary>"&lt;account&gt;-&lt;tag&gt;&lt;number, zero-padded&gt;" in one allocation (millions of event ids).</summary>
    string ChildId(char tag, int number, int digits)
    {
        int width = Math.Max(digits, number < 10 ? 1 : (int)Math.Floor(Math.Log10(number)) + 1);
        return string.Create(_id.Length + 2 + width, (_id, tag, number), static (span, state) =>
        {
            state._id.AsSpan().CopyTo(span);
            span[state._id.Length] = '-';
            span[state._id.Length + 1] = state.tag;
            int n = state.number;
            for (int k = span.Length - 1; k >= state._id.Length + 2; k--) { span[k] = (char)('0' + n % 10); n /= 10; }
        });
    }
    static decimal Money(double x) => Math.Round((decimal)x, 2, MidpointRounding.ToEven);
    int RepAt(int t) => _reassignT >= 0 && t >= _reassignT ? _rep2 : _rep1;
    DateOnly DayIn(int t, int day) => _plan.MonthStart(t).AddDays(day - 1);

    /// <summary>Simulates account <paramref name="index"/> into <paramref name="output"/> (cleared first): the account's
    /// own draws, then month by month (burn-in months evolve the state but record nothing), then what is still open at
    /// the end. Each phase reads and changes the account state held in this simulator's fields; the order of the random
    /// draws is the order of the phases, so the same seed gives the same bytes.</summary>
    public void Simulate(int index, AccountOutput output)
    {
        _rng = Rng.For(_o.Seed, "account", index);
        _act = Rng.For(_o.Seed, "action-log", index);
        _out = output;
        _out.Clear();
        _id = _plan.AccountId(index);
        _bookingNo = _eventNo = _oppNo = _actionNo = _contractNo = 0;

        var (createdT, createdDate, isNew, coreSeats) = DrawFirmographics(index);
        AssignBook(createdT, createdDate);
        StartLatentProcesses();
        int startT = StartProducts(isNew, createdT, createdDate, coreSeats);
        _firstAccountIndex = startT + Burn;
        for (int t = startT; t < _o.Months; t++) SimulateMonth(t, createdT);
        CloseOut(index);
    }

    // Account-level latent processes (state carried from month to month).
    double _growth, _engagementBase, _championDip, _supportBase, _support, _utilOffset;

    (int CreatedT, DateOnly CreatedDate, bool IsNew, double CoreSeats) DrawFirmographics(int index)
    {
        // Firmographics.
        _seg = _rng.Weighted(_plan.SegmentShares);
        _profile = _plan.Segments[_seg];
        _region = _rng.Weighted(GeneratorCatalog.RegionWeights);
        string industry = GeneratorCatalog.Industries[_rng.Weighted(GeneratorCatalog.IndustryWeights)];
        bool isNew = _rng.Chance(NewAccountShare) && _o.Months >= 3;
        int createdT = isNew ? _rng.NextInt(_o.Months) : -(1 + _rng.NextInt(96));
        var createdDate = DayIn(createdT, 1 + _rng.NextInt(28));
        double coreSeats = Math.Max(1, Math.Round(_rng.LogNormal(_profile.SeatsLogMean, 0.40)));
        _employees = coreSeats / _rng.Uniform(0.15, 0.6);
        double revenue = _employees * _rng.LogNormal(Math.Log(180_000), 0.5);
        int? employees = _rng.Chance(MissingEmployees) ? null : (int)Math.Max(1, Math.Round(_employees));
        int age = (int)Math.Min(120, _rng.LogNormal(Math.Log(15), 0.7));
        int? founded = _rng.Chance(MissingFounded) ? null : Math.Max(1850, createdDate.Year - age);
        // Draw unconditionally so an account's later draws do not depend on the run's size.
        bool wantsParent = _rng.Chance(ParentChance);
        int parentIndex = _rng.NextInt(_plan.ParentPool);
        string? parent = index >= _plan.ParentPool && wantsParent ? _plan.AccountId(parentIndex) : null;
        string name = _rng.Pick(GeneratorCatalog.NameStems) + _rng.Pick(GeneratorCatalog.NameRoots) + " " + _rng.Pick(GeneratorCatalog.NameSuffixes);
        _out.Account = new Account(_id, name, industry, GeneratorCatalog.Regions[_region], employees,
            GeneratorCatalog.RevenueBand(revenue), founded, parent, createdDate);
        _out.Segment = new TrueSegment(_id, _seg + 1, _profile.Name);

        return (createdT, createdDate, isNew, coreSeats);
    }

    void AssignBook(int createdT, DateOnly createdDate)
    {
        // Book of business: an owner in the account's region, sometimes reassigned once.
        var regionReps = _plan.RepsByRegion[_region];
        _rep1 = regionReps[_rng.NextInt(regionReps.Length)];
        _rep2 = _rep1; _reassignT = -1;
        int firstOwnedT = Math.Max(createdT, 0);
        if (_o.Months >= 2 && regionReps.Length > 1 && _rng.Chance(ReassignChance))
        {
            _reassignT = _rng.NextInt(firstOwnedT + 1, _o.Months + 1);
            if (_reassignT >= _o.Months) _reassignT = -1;
            else
            {
                do _rep2 = regionReps[_rng.NextInt(regionReps.Length)]; while (_rep2 == _rep1);
            }
        }
        var rep1 = _plan.Reps[_rep1];
        var ownedFrom = createdDate > rep1.HireDate ? createdDate : rep1.HireDate;
        if (_reassignT >= 0)
        {
            var handover = _plan.MonthStart(_reassignT);
            if (ownedFrom >= handover) ownedFrom = handover.AddDays(-1);
            _out.Book.Add(new BookAssignment(rep1.RepId, _id, ownedFrom, handover));
            _out.Book.Add(new BookAssignment(_plan.Reps[_rep2].RepId, _id, handover, null));
        }
        else _out.Book.Add(new BookAssignment(rep1.RepId, _id, ownedFrom, null));
    }

    void StartLatentProcesses()
    {
        // Account-level latent processes.
        _growth = DrawGrowthRegime();
        _engagementBase = _profile.Engagement * _rng.LogNormal(0, 0.35);
        _championDip = 1;
        _supportBase = _profile.Support * _rng.LogNormal(0, 0.35);
        _support = _supportBase;
        _utilOffset = _rng.Normal(0, 0.04);
        int span = Burn + _o.Months;
        _emails = new int[span]; _meetings = new int[span]; _severity = new int[span];
        _lastChampionIndex = int.MinValue / 2;
    }

    /// <summary>Products held at the start; returns the first simulated month.</summary>
    int StartProducts(bool isNew, int createdT, DateOnly createdDate, double coreSeats)
    {
        // Products held at the start: the anchor product always, plus a segment-typical number of others.
        _products = new ProductState[_o.Products];
        double extrasMean = _profile.ExtraProducts * (_o.Products - 1) / 4.0;
        int extras = (int)Math.Clamp(Math.Round(_rng.Normal(extrasMean, 0.5)), 0, _o.Products - 1);
        var extraOrder = new int[Math.Max(0, _o.Products - 1)];
        for (int k = 0; k < extraOrder.Length; k++) extraOrder[k] = k + 1;
        _rng.Shuffle(extraOrder);
        var holds = new bool[_o.Products];
        holds[0] = true;
        for (int k = 0; k < extras; k++) holds[extraOrder[k]] = true;
        int startT = isNew ? createdT : Math.Max(-Burn, createdT);
        for (int p = 0; p < _o.Products; p++)
        {
            var ps = _products[p] = new ProductState { P = p, Util = new double[Burn + _o.Months], ActiveUsers = new double[Burn + _o.Months] };
            ps.UtilTarget = Math.Clamp(_profile.Utilization + _utilOffset, 0.05, 1.05);
            ps.ChurnNoise = _rng.Normal(0, 0.4);
            ps.UpsellNoise = _rng.Normal(0, 0.4);
            if (holds[p])
            {
                double seats = p == 0 ? coreSeats : Math.Max(1, Math.Round(coreSeats * _rng.Uniform(0.3, 1.0)));
                if (isNew) StartProduct(ps, createdT, createdDate, (int)seats, BookingType.New, opportunity: false);
                else StartExistingProduct(ps, (int)seats, createdT, startT + Burn);
            }
        }
        return startT;
    }

    /// <summary>One month: headcount, engagement and support, cross-sell, each product's hazards, bookings, usage and
    /// spend, then rep actions. A month with no active product records nothing after engagement.</summary>
    void SimulateMonth(int t, int createdT)
    {
        int ti = t + Burn;
        bool record = t >= 0;
        int calendarMonth = _plan.MonthStart(t).Month;
        bool q4 = calendarMonth >= 10;

        // Headcount (seen only through active users).
        if (_rng.Chance(0.06)) _growth = DrawGrowthRegime();
        _employees = Math.Clamp(_employees * Math.Exp(_growth + _rng.Normal(0, 0.004)), 1, 5e6);

        if (!EngagementAndSupport(t, ti, record)) return;
        int rep = RepAt(t);
        double winRate = _plan.WinRate[rep][_seg];
        CrossSell(t, createdT, q4, rep, winRate, record);

        double maxChurn = 0;
        double seasonal = GeneratorCatalog.UsageSeasonality[calendarMonth - 1];
        foreach (var ps in _products)
        {
            if (!ps.Active || ti < ps.FirstIndex) continue;
            double rateAtStart = RunRate(ps, seasonal);
            maxChurn = Math.Max(maxChurn, ProductEvents(ps, t, ti, record, q4, calendarMonth, seasonal, rep, winRate, rateAtStart, out int eventDay, out bool churned));
            ProductUsage(ps, t, ti, record, seasonal, rateAtStart, eventDay, churned);
            if (churned) ps.Active = false;
        }
        _support = _supportBase + (_support - _supportBase) * 0.55;
        RepAction(t, ti, maxChurn, record);
    }

    /// <summary>Engagement and support events of the month; false when the account holds no active product (a lost
    /// customer stays silent).</summary>
    bool EngagementAndSupport(int t, int ti, bool record)
    {
        // Engagement and support this month.
        _championDip = 1 - (1 - _championDip) * 0.85;
        double engagement = _engagementBase * _championDip * _rng.LogNormal(0, 0.25);
        if (_rng.Chance(0.04)) _support += 2.5 * _supportBase;
        int activeCount = 0;
        foreach (var ps in _products) if (ps.Active) activeCount++;
        if (activeCount == 0) return false; // a lost customer stays silent
        int emails = _rng.Poisson(1.2 * engagement), meetings = _rng.Poisson(0.5 * engagement);
        int tickets = _rng.Poisson(0.3 * _support * (0.6 + 0.2 * activeCount));
        int trainings = _rng.Poisson(0.05 * engagement);
        bool survey = _rng.Chance(0.10), championChange = _rng.Chance(0.015);
        _emails[ti] = emails; _meetings[ti] = meetings;
        int severitySum = 0;
        for (int k = 0; k < tickets; k++)
        {
            int severity = 1 + _rng.Weighted(SeverityWeights);
            severitySum += severity;
            if (record) AddEvent(t, EngagementType.SupportTicket, severity);
        }
        _severity[ti] = severitySum;
        if (record)
        {
            for (int k = 0; k < emails; k++) AddEvent(t, EngagementType.Email, null);
            for (int k = 0; k < meetings; k++) AddEvent(t, EngagementType.Meeting, null);
            for (int k = 0; k < trainings; k++) AddEvent(t, EngagementType.Training, null);
            if (survey)
            {
                double recentUtil = _products[0].Active ? LastObserved(_products[0].Util, ti - 1, _products[0].FirstIndex, 0.7) : 0.7;
                double score = Math.Clamp(Math.Round(7.0 + 5.0 * (recentUtil - 0.7) - 0.25 * _severity[Math.Max(0, ti - 1)] + _rng.Normal(0, 1.5)), 0, 10);
                AddEvent(t, EngagementType.Survey, _rng.Chance(MissingSurveyScore) ? null : score);
            }
        }
        if (championChange)
        {
            _lastChampionIndex = ti;
            _championDip = 0.55;
            if (record) AddEvent(t, EngagementType.ChampionChange, null);
        }
        return true;
    }

    void CrossSell(int t, int createdT, bool q4, int rep, double winRate, bool record)
    {
        // Cross-sell: demand for a product never held (not part of the planted per-product hazards).
        if (record && t > createdT)
            for (int p = 1; p < _products.Length; p++)
            {
                var ps = _products[p];
                if (ps.Held || !_rng.Chance(_profile.CrossSellRate * (q4 ? 1.5 : 1.0))) continue;
                int day = 1 + _rng.NextInt(28);
                bool won = _rng.Chance(winRate);
                int seats = (int)Math.Max(1, Math.Round(_products[0].Seats * _rng.Uniform(0.2, 0.8)));
                double monthly = seats * (double)_plan.Products[p].ListPrice;
                AddOpportunity(p, DayIn(t, day), won, monthly, rep);
                if (won) StartProduct(ps, t, DayIn(t, day), seats, BookingType.New, opportunity: true);
            }
    }

    /// <summary>A product's planted hazards, the churn, add-on, downgrade, price-change and renewal events they draw;
    /// returns the month's churn probability (0 when none was drawn).</summary>
    double ProductEvents(ProductState ps, int t, int ti, bool record, bool q4, int calendarMonth, double seasonal, int rep, double winRate,
        double rateAtStart, out int eventDay, out bool churned)
    {
        double pChurnDrawn = 0;
        eventDay = 0;
        churned = false;

        if (record && ti > ps.FirstIndex)
        {
            var x = Drivers(ps, ti);
            HazardModel.ChurnTerms(x, _profile.ChurnOffset, _churnTerms);
            HazardModel.UpsellTerms(x, _profile.UpsellOffset, _upsellTerms);
            bool renewalMonth = t == ps.RenewalT;
            double pChurn = HazardModel.Logistic(HazardModel.ChurnIntercept + HazardModel.Sum(_churnTerms)
                + (renewalMonth ? HazardModel.RenewalMonthChurnShift : 0) + ps.ChurnNoise + _rng.Normal(0, 0.25));
            double pDemand = HazardModel.Logistic(HazardModel.UpsellIntercept + HazardModel.Sum(_upsellTerms)
                + (q4 ? HazardModel.FourthQuarterUpsellShift : 0) + ps.UpsellNoise + _rng.Normal(0, 0.25));
            ps.LastDemand = pDemand;
            pChurnDrawn = pChurn;
            // An add-on booking needs: the product not lost this month, demand, and the rep winning the deal.
            double pUpsell = (1 - pChurn) * pDemand * winRate;
            _out.Risks.Add(new TrueRisk(_id, _plan.Products[ps.P].ProductId, _plan.MonthStart(t), pUpsell, pChurn,
                HazardModel.Dominant(_upsellTerms), HazardModel.Dominant(_churnTerms)));

            if (_rng.Chance(pChurn))
            {
                churned = true;
                eventDay = renewalMonth ? ps.ContractStart.Day : 2 + _rng.NextInt(27);
                AddBooking(ps.P, DayIn(t, eventDay), renewalMonth ? BookingType.NonRenewal : BookingType.Cancellation, -ps.Seats, -rateAtStart);
                CloseContract(ps, renewalMonth ? ContractStatus.Expired : ContractStatus.Cancelled);
            }
            else
            {
                if (_rng.Chance(pDemand))
                {
                    int day = 1 + _rng.NextInt(28);
                    bool won = _rng.Chance(winRate);
                    int delta = (int)Math.Max(1, Math.Round(ps.Seats * _rng.Uniform(0.10, 0.45)));
                    double before = RunRate(ps, seasonal);
                    bool flat = _plan.Products[ps.P].BillingUnit == BillingUnit.Flat;
                    double expectedGain = flat ? 0.35 * before : ExpectedRateAfterSeats(ps, ps.Seats + delta, seasonal) - before;
                    AddOpportunity(ps.P, DayIn(t, day), won, expectedGain, rep);
                    if (won)
                    {
                        ApplySeats(ps, ps.Seats + delta);
                        if (flat) ps.UnitPrice *= _rng.Uniform(1.2, 1.5);
                        AddBooking(ps.P, DayIn(t, day), BookingType.AddOn, delta, RunRate(ps, seasonal) - before);
                        eventDay = eventDay == 0 ? day : Math.Min(eventDay, day);
                    }
                }
                else if (ps.Seats > 1 && _rng.Chance(0.4 * pChurn))
                {
                    int day = 1 + _rng.NextInt(28);
                    int delta = (int)Math.Max(1, Math.Round(ps.Seats * _rng.Uniform(0.10, 0.35)));
                    double before = RunRate(ps, seasonal);
                    ApplySeats(ps, ps.Seats - delta);
                    if (_plan.Products[ps.P].BillingUnit == BillingUnit.Flat) ps.UnitPrice *= _rng.Uniform(0.7, 0.9);
                    AddBooking(ps.P, DayIn(t, day), BookingType.Downgrade, -delta, RunRate(ps, seasonal) - before);
                    eventDay = eventDay == 0 ? day : Math.Min(eventDay, day);
                }
                if (_rng.Chance(calendarMonth == 1 ? 0.05 : 0.006))
                {
                    int day = 1 + _rng.NextInt(28);
                    double before = RunRate(ps, seasonal);
                    ps.UnitPrice *= _rng.Uniform(1.04, 1.12);
                    ps.LastPriceChangeIndex = ti;
                    AddBooking(ps.P, DayIn(t, day), BookingType.PriceChange, 0, RunRate(ps, seasonal) - before);
                    eventDay = eventDay == 0 ? day : Math.Min(eventDay, day);
                }
                if (renewalMonth)
                {
                    int day = ps.ContractStart.Day;
                    Renew(ps, t, seasonal);
                    eventDay = eventDay == 0 ? day : Math.Min(eventDay, day);
                }
            }
        }
        return pChurnDrawn;
    }

    void ProductUsage(ProductState ps, int t, int ti, bool record, double seasonal, double rateAtStart, int eventDay, bool churned)
    {
        // Usage this month (after the month's bookings; a lost product reports its last month).
        double adoptionShock = _rng.NextDouble();
        if (adoptionShock < 0.08) ps.Drift = _rng.Normal(0, 0.035); else ps.Drift *= 0.8;
        ps.Adoption = Math.Clamp(ps.Adoption + ps.Drift + 0.06 * (ps.UtilTarget - ps.Adoption) + _rng.Normal(0, 0.02), 0.02, 1.2);
        int used = (int)Math.Clamp(Math.Round(ps.Seats * ps.Adoption * (1 + _rng.Normal(0, 0.02))), 0, Math.Floor(ps.Seats * 1.2));
        int activeUsers = (int)Math.Max(0, Math.Round(ps.BaseUsers * _employees / ps.EmployeesAtStart * (1 + _rng.Normal(0, 0.02))));
        int keyActions = (int)Math.Round(used * _profile.ActionsPerUser * seasonal * _rng.LogNormal(0, 0.1));
        bool telemetryGap = _rng.Chance(MissingTelemetry), usersMissing = _rng.Chance(MissingActiveUsers);
        double utilization = ps.Seats > 0 ? (double)used / ps.Seats : 0;
        ps.Util[ti] = telemetryGap ? double.NaN : utilization;
        ps.ActiveUsers[ti] = usersMissing ? double.NaN : activeUsers;

        double rateAtEnd = churned ? 0 : RunRate(ps, seasonal);
        if (record)
        {
            string productId = _plan.Products[ps.P].ProductId;
            var month = _plan.MonthStart(t);
            _out.Usage.Add(new UsageRecord(_id, productId, month, ps.Seats,
                telemetryGap ? null : used, usersMissing ? null : activeUsers,
                telemetryGap ? null : Math.Round(utilization, 4), telemetryGap ? null : keyActions));
            // Bookings take effect on their day: the month is billed pro rata before and after.
            double share = eventDay == 0 ? 0 : (eventDay - 1) / (double)DateTime.DaysInMonth(month.Year, month.Month);
            double amount = rateAtStart * share + rateAtEnd * (1 - share);
            if (amount > 0) _out.Spend.Add(new SpendRecord(_id, productId, month, Money(amount)));
        }
    }

    void RepAction(int t, int ti, double maxChurn, bool record)
    {
        // The draws of the earlier (uniform) action log, kept so the account stream and every other table keep their bytes.
        if (record && _rng.Chance(0.03 + 0.5 * maxChurn))
        {
            int legacy = _rng.NextInt(GeneratorCatalog.Actions.Length);
            if (_rng.Chance(_plan.ActionResponse[_seg][legacy])) _rng.NextDouble();
            _rng.NextInt(28);
        }
        // Rep actions with consequences, from the account's action stream.
        if (record) LogAction(t, ti, maxChurn);
    }

    /// <summary>Maybe logs a rep action this month: the logging policy's draw with its propensity, the response, the
    /// immediate and long-term value drawn around the planted expectation, and the truth for every candidate action.</summary>
    void LogAction(int t, int ti, double maxChurn)
    {
        if (!_act.Chance(ActionEconomics.ActionRate + 0.5 * maxChurn)) return;
        ProductState? anchor = null;
        double annual = 0, demand = 0;
        foreach (var ps in _products)
        {
            if (!ps.Active) continue;
            anchor ??= ps;
            annual += 12 * RunRate(ps, 1.0);
            demand = Math.Max(demand, ps.LastDemand);
        }
        if (anchor is null) return;
        var x = Drivers(anchor, ti);
        var state = new ActionState
        {
            Segment = _seg, Utilization = x.Utilization, UtilizationTrend = x.UtilizationTrend, Engagement = x.Engagement,
            ChurnHazard = maxChurn, UpsellHazard = demand, AnnualValue = annual,
        };
        int n = ActionEconomics.Count;
        Span<double> p = stackalloc double[n];
        ActionEconomics.LoggingPropensities(state, p);
        int a = _act.Weighted(p);
        var rates = _plan.ActionResponse[_seg];
        bool responded = _act.Chance(ActionEconomics.ResponseRate(rates[a], a, state));
        double u = _act.Uniform(0.5, 1.5);
        int day = 1 + _act.NextInt(28);
        string id = ChildId('X', ++_actionNo, 3);
        _out.Actions.Add(new ActionLogEntry(id, _id, DayIn(t, day), GeneratorCatalog.Actions[a], responded,
            responded ? Money(ActionEconomics.Immediate(a, state) * u) : 0m, Math.Round(p[a], 6),
            responded ? Money(ActionEconomics.ValueIfResponded(a, state) * u) : 0m));
        for (int k = 0; k < n; k++)
        {
            double r = ActionEconomics.ResponseRate(rates[k], k, state);
            _out.ActionValues.Add(new TrueActionValue(id, GeneratorCatalog.Actions[k], Math.Round(p[k], 6), Math.Round(r, 6),
                Math.Round(r * ActionEconomics.Immediate(k, state), 4), Math.Round(r * ActionEconomics.ValueIfResponded(k, state), 4)));
        }
    }

    /// <summary>Opportunities still open at the end, contracts in force, and the account's pipeline signals.</summary>
    void CloseOut(int index)
    {
        int months = _o.Months;
        // Opportunities still open at the end: demand that would close after the window.
        int lastRep = RepAt(months - 1);
        foreach (var ps in _products)
            if (ps.Active && _rng.Chance(Math.Min(0.9, 2 * ps.LastDemand)))
                AddOpenOpportunity(ps.P, lastRep, 0.25 * ps.Seats * ps.UnitPrice);

        foreach (var ps in _products)
            if (ps.Active) CloseContract(ps, ContractStatus.Active);

        // Dated signals, the recorded stage history and the weekly truth, from the account's own pipeline stream.
        OpportunitySignals.Generate(_plan, index, _seg, _out);
    }

    double DrawGrowthRegime()
    {
        double u = _rng.NextDouble();
        if (u < _profile.GrowthChance) return _rng.Normal(0.025, 0.008);
        if (u < _profile.GrowthChance + 0.15) return _rng.Normal(-0.03, 0.008);
        return _rng.Normal(0, 0.003);
    }

    void StartExistingProduct(ProductState ps, int seats, int createdT, int firstIndex)
    {
        InitProduct(ps, seats, firstIndex);
        ps.Term = TermChoices[_rng.Weighted(TermWeights)];
        // The contract in force at the window start began up to one term earlier, not before the account existed.
        ps.ContractStartT = Math.Max(createdT, -_rng.NextInt(ps.Term));
        ps.ContractStart = DayIn(ps.ContractStartT, 1 + _rng.NextInt(28));
        ps.RenewalT = ps.ContractStartT + ps.Term;
        OpenContract(ps);
    }

    void StartProduct(ProductState ps, int t, DateOnly date, int seats, BookingType type, bool opportunity)
    {
        InitProduct(ps, seats, t + Burn);
        ps.Term = TermChoices[_rng.Weighted(TermWeights)];
        ps.ContractStartT = t;
        ps.ContractStart = date;
        ps.RenewalT = t + ps.Term;
        OpenContract(ps);
        AddBooking(ps.P, date, type, seats, RunRate(ps, 1.0));
    }

    void InitProduct(ProductState ps, int seats, int firstIndex)
    {
        var product = _plan.Products[ps.P];
        ps.Held = ps.Active = true;
        ps.FirstIndex = firstIndex;
        ps.Seats = seats;
        ps.UnitPrice = product.BillingUnit == BillingUnit.Flat
            ? (double)product.ListPrice * (seats <= 25 ? 1 : seats <= 250 ? 2 : 4) * _rng.Uniform(0.85, 1.0)
            : (double)product.ListPrice * _rng.Uniform(0.8, 1.0);
        ps.Adoption = Math.Clamp(ps.UtilTarget + _rng.Normal(0, 0.05), 0.02, 1.2);
        ps.BaseUsers = Math.Max(1, seats * _rng.Uniform(0.9, 1.3));
        ps.EmployeesAtStart = _employees;
    }

    void OpenContract(ProductState ps)
    {
        ps.ContractNo = ++_contractNo;
        ps.ContractSeats = ps.Seats;
        ps.ContractPrice = ps.UnitPrice;
    }

    void CloseContract(ProductState ps, ContractStatus status) =>
        _out.Contracts.Add(new Contract(ChildId('C', ps.ContractNo, 2), _id, _plan.Products[ps.P].ProductId,
            ps.ContractStart, ps.ContractStart.AddMonths(ps.Term), ps.Term, ps.ContractSeats, Money(ps.ContractPrice), status));

    /// <summary>Renewal: price escalator plus a seat true-up when the product is over-used; treatment reps'
    /// renewals from the rollout start carry the planted uplift on the renewal amount.</summary>
    void Renew(ProductState ps, int t, double seasonal)
    {
        double before = RunRate(ps, seasonal);
        int trueUp = LastObserved(ps.Util, t + Burn - 1, ps.FirstIndex, 0) > 0.9 ? (int)Math.Ceiling(ps.Seats * _rng.Uniform(0.05, 0.15)) : 0;
        double escalator = _rng.Uniform(0.02, 0.06);
        double baseAfter = ExpectedRateAfterSeats(ps, ps.Seats + trueUp, seasonal) * (1 + escalator);
        double delta = Math.Max(0, baseAfter - before);
        if (t >= _plan.RolloutStartIndex && _plan.Reps[RepAt(t)].RolloutArm == RolloutArm.Treatment)
            delta *= 1 + _o.RolloutUplift;
        ApplySeats(ps, ps.Seats + trueUp);
        double afterSeats = RunRate(ps, seasonal);
        if (afterSeats > 0) ps.UnitPrice *= (before + delta) / afterSeats;
        var renewalDate = ps.ContractStart.AddMonths(ps.Term);
        CloseContract(ps, ContractStatus.Renewed);
        AddBooking(ps.P, renewalDate, BookingType.Renewal, trueUp, RunRate(ps, seasonal) - before);
        if (_rng.Chance(0.2)) ps.Term = TermChoices[_rng.Weighted(TermWeights)];
        ps.ContractStartT = t;
        ps.ContractStart = renewalDate;
        ps.RenewalT = t + ps.Term;
        OpenContract(ps);
    }

    /// <summary>Monthly run-rate of a product: seats x price, a half-metered usage fee, or a flat fee.</summary>
    double RunRate(ProductState ps, double seasonal) => _plan.Products[ps.P].BillingUnit switch
    {
        BillingUnit.Seat => ps.Seats * ps.UnitPrice,
        BillingUnit.Usage => ps.Seats * ps.UnitPrice * (0.5 + 0.5 * Math.Min(1.2, ps.Adoption) * seasonal),
        _ => ps.Seats > 0 ? ps.UnitPrice : 0,
    };

    double ExpectedRateAfterSeats(ProductState ps, int seats, double seasonal)
    {
        int old = ps.Seats; double adoption = ps.Adoption;
        ps.Seats = seats; ps.Adoption = adoption * old / Math.Max(1, seats);
        double rate = RunRate(ps, seasonal);
        ps.Seats = old; ps.Adoption = adoption;
        return rate;
    }

    /// <summary>New seats start unused: utilization drops after an add-on and rises after a downgrade.</summary>
    static void ApplySeats(ProductState ps, int seats)
    {
        ps.Adoption = Math.Clamp(ps.Adoption * ps.Seats / Math.Max(1, seats), 0.02, 1.2);
        ps.Seats = seats;
    }

    DriverInputs Drivers(ProductState ps, int ti)
    {
        var x = new DriverInputs();
        double sum = 0; int n = 0;
        for (int k = Math.Max(ps.FirstIndex, ti - 3); k < ti; k++)
            if (!double.IsNaN(ps.Util[k])) { sum += ps.Util[k]; n++; }
        double last = LastObserved(ps.Util, ti - 1, ps.FirstIndex, double.NaN);
        x.Utilization = n > 0 ? sum / n : double.IsNaN(last) ? ps.UtilTarget : last;
        double recent = LastObservedWithin(ps.Util, ti - 1, Math.Max(ps.FirstIndex, ti - 2));
        double earlier = LastObservedWithin(ps.Util, ti - 4, Math.Max(ps.FirstIndex, ti - 5));
        x.UtilizationTrend = double.IsNaN(recent) || double.IsNaN(earlier) ? 0 : recent - earlier;
        double usersRecent = LastObservedWithin(ps.ActiveUsers, ti - 1, Math.Max(ps.FirstIndex, ti - 2));
        double usersEarlier = LastObservedWithin(ps.ActiveUsers, ti - 4, Math.Max(ps.FirstIndex, ti - 5));
        x.HeadcountGrowth = usersRecent > 0 && usersEarlier > 0 ? Math.Log(usersRecent / usersEarlier) : 0;
        // Accounts younger than 3 months: scale what exists to a 3-month window.
        double engagement = 0, support = 0;
        int from = Math.Max(_firstAccountIndex, ti - 3), months = ti - from;
        for (int k = from; k < ti; k++) { engagement += _meetings[k] + 0.25 * _emails[k]; support += _severity[k]; }
        x.Engagement = months > 0 ? engagement * 3.0 / months : EngagementFallback;
        x.SupportLoad = months > 0 ? support * 3.0 / months : 0;
        x.ChampionChange = _lastChampionIndex >= ti - 6;
        x.PriceChange = ps.LastPriceChangeIndex >= ti - 6;
        return x;
    }

    static double LastObserved(double[] series, int from, int floor, double fallback)
    {
        for (int k = from; k >= Math.Max(0, floor); k--)
            if (!double.IsNaN(series[k])) return series[k];
        return fallback;
    }

    static double LastObservedWithin(double[] series, int from, int floor)
    {
        for (int k = from; k >= Math.Max(0, floor); k--)
            if (!double.IsNaN(series[k])) return series[k];
        return double.NaN;
    }

    void AddEvent(int t, EngagementType type, double? score) =>
        _out.Engagement.Add(new EngagementEvent(ChildId('E', ++_eventNo, 4), _id, DayIn(t, 1 + _rng.NextInt(28)), type, score));

    void AddBooking(int p, DateOnly date, BookingType type, int seatsDelta, double amountDelta) =>
        _out.Bookings.Add(new Booking(ChildId('B', ++_bookingNo, 3), _id, _plan.Products[p].ProductId, date, type, seatsDelta, Money(amountDelta)));

    string ContactTitles(int contacts)
    {
        if (_rng.Chance(MissingContactTitles)) return "";
        var titles = new string[contacts];
        for (int k = 0; k < contacts; k++) titles[k] = _rng.Pick(GeneratorCatalog.ContactTitles);
        return string.Join("; ", titles.Distinct());
    }

    /// <summary>A closed opportunity: true stages from creation to the close date (kept for the signals step, which writes
    /// the recorded stage history, the activities and the declared stage; the draws here stay so later draws do not shift).</summary>
    void AddOpportunity(int p, DateOnly close, bool won, double monthlyValue, int rep)
    {
        int duration = _rng.NextInt(20, 100);
        var created = close.AddDays(-duration);
        string id = ChildId('O', ++_oppNo, 3);
        int lastOpenStage = won ? (int)OpportunityStage.Negotiation : _rng.NextInt(4);
        var entered = StageDates(created, duration, lastOpenStage);
        _out.OpportunityPlans.Add(new OpportunityPlan(entered, lastOpenStage, rep, close, won ? OpportunityOutcome.Won : OpportunityOutcome.Lost));
        var review = close.AddDays(-14) < created ? created : close.AddDays(-14);
        var declared = Declare(TrueStageAt(entered, lastOpenStage, review), rep);
        int contacts = 1 + _rng.Poisson(won ? 2.0 : 1.0);
        _out.Opportunities.Add(new Opportunity(id, _id, _plan.Reps[rep].RepId, _plan.Products[p].ProductId,
            Money(Math.Max(0, 12 * monthlyValue)), created, close, _rng.Poisson(3 + duration / 10.0 + (won ? 3 : 0)),
            contacts, ContactTitles(contacts), declared, won ? OpportunityOutcome.Won : OpportunityOutcome.Lost));
    }

    void AddOpenOpportunity(int p, int rep, double monthlyValue)
    {
        var windowEnd = _plan.MonthStart(_o.Months).AddDays(-1);
        int plannedDuration = _rng.NextInt(40, 120);
        int elapsed = _rng.NextInt(5, plannedDuration);
        var created = windowEnd.AddDays(-elapsed);
        var entered = StageDates(created, plannedDuration, (int)OpportunityStage.Negotiation);
        int reached = TrueStageAt(entered, (int)OpportunityStage.Negotiation, windowEnd);
        string id = ChildId('O', ++_oppNo, 3);
        _out.OpportunityPlans.Add(new OpportunityPlan(entered[..(reached + 1)], reached, rep, _plan.MonthStart(_o.Months), OpportunityOutcome.Open));
        int contacts = 1 + _rng.Poisson(1.5);
        _out.Opportunities.Add(new Opportunity(id, _id, _plan.Reps[rep].RepId, _plan.Products[p].ProductId,
            Money(Math.Max(0, 12 * monthlyValue)), created, null, _rng.Poisson(2 + elapsed / 10.0), contacts,
            ContactTitles(contacts), Declare(reached, rep), OpportunityOutcome.Open));
    }

    static readonly double[] StageFractions = [0, 0.15, 0.40, 0.70];

    DateOnly[] StageDates(DateOnly created, int duration, int lastStage)
    {
        var dates = new DateOnly[lastStage + 1];
        for (int s = 0; s <= lastStage; s++) dates[s] = created.AddDays((int)(duration * StageFractions[s]));
        return dates;
    }

    static int TrueStageAt(DateOnly[] entered, int lastStage, DateOnly date)
    {
        int stage = 0;
        for (int s = 0; s <= lastStage; s++) if (entered[s] <= date) stage = s;
        return stage;
    }

    /// <summary>True open stage plus the rep's bias, stochastically rounded, kept among the open stages.</summary>
    OpportunityStage Declare(int trueStage, int rep)
    {
        double bias = _plan.StageBias[rep];
        double floor = Math.Floor(bias);
        int shift = (int)floor + (_rng.Chance(bias - floor) ? 1 : 0);
        return (OpportunityStage)Math.Clamp(trueStage + shift, 0, (int)OpportunityStage.Negotiation);
    }
}
