namespace Workbench.Data;

/// <summary>A bring-your-own-data mapping file: how a user's files map onto canonical tables. A transactions
/// source becomes monthly <c>spend</c> (sum per account, product and month); an accounts source becomes
/// <c>accounts</c> plus an attribute table of any extra columns (for example a churn outcome).</summary>
/// <example><code>
/// { "transactions": { "file": "CDNOW_master.txt", "delimiter": "whitespace", "header": true, "dateFormats": ["yyyyMMdd"],
///     "columns": { "account_id": "customer_id", "date": "date", "amount": "dollar_value", "product_id": { "constant": "cds" } } } }
/// </code></example>
public sealed record DataMapping
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    /// <summary>1 (accounts and transactions with source/constant/monthsBefore columns) or 2 (adds products, row
    /// filters, value maps, duplicate rules and derived columns). Version-1 files read unchanged.</summary>
    public int Version { get; init; } = 1;
    public MappedSource? Transactions { get; init; }
    public MappedSource? Accounts { get; init; }
    public MappedSource? Products { get; init; }

    /// <summary>Sources for the other canonical tables (contracts, usage, engagement, bookings, reps, book (JSON key
    /// "ownership" or "book"), opportunities, stage_history, opportunity_activities, actions), by canonical table
    /// name. Their columns are the table's columns in the data dictionary; values are parsed with the source's
    /// culture and date formats, enum text goes through the column's value map, then is matched case-insensitively.</summary>
    public IReadOnlyDictionary<string, MappedSource> Tables { get; init; } = new Dictionary<string, MappedSource>();

    /// <summary>The canonical tables a mapping may give a generic source for.</summary>
    internal static readonly string[] GenericTables =
        [CrmSchema.Contracts, CrmSchema.Usage, CrmSchema.Engagement, CrmSchema.Bookings, CrmSchema.Reps, CrmSchema.Book,
         CrmSchema.Opportunities, CrmSchema.StageHistory, CrmSchema.OpportunityActivities, CrmSchema.Actions];

    /// <summary>Canonical columns a generic source may leave out, and the value they then get (listed in the
    /// import report's "derived"; null means empty).</summary>
    internal static readonly IReadOnlyDictionary<(string Table, string Column), string?> OptionalColumns =
        new Dictionary<(string, string), string?>
        {
            [(CrmSchema.Opportunities, "activity_count")] = "0",
            [(CrmSchema.Opportunities, "contacts_involved")] = "0",
            [(CrmSchema.Reps, "rollout_arm")] = "control",
        };

    internal static IEnumerable<string> RequiredColumns(string table) =>
        CrmSchema.Table(table).Columns.Where(c => !c.Nullable && !OptionalColumns.ContainsKey((table, c.Name))).Select(c => c.Name);

    internal static readonly string[] TransactionColumns = ["transaction_id", "account_id", "product_id", "date", "amount", "quantity", "discount", "profit"];
    internal static readonly string[] AccountColumns =
        ["account_id", "name", "industry", "region", "employees", "revenue_band", "founded_year", "parent_account_id", "created_date"];
    internal static readonly string[] ProductColumns = ["product_id", "name", "family", "list_price", "billing_unit"];

    /// <summary>Reads and checks a mapping file; throws <see cref="OptionsValidationException"/> listing every
    /// problem with the mapping file's line (unknown keys get a "did you mean").</summary>
    public static DataMapping Load(string path)
    {
        if (!File.Exists(path)) throw new OptionsValidationException($"Mapping file not found: {path}");
        var m = MappingReader.Read(File.ReadAllText(path), path);
        m.Validate(path);
        return m;
    }

    /// <summary>Parses mapping JSON text; <paramref name="source"/> names it in messages.</summary>
    public static DataMapping Parse(string json, string source = "mapping")
    {
        var m = MappingReader.Read(json, source);
        m.Validate(source);
        return m;
    }

    internal void Validate(string where)
    {
        if (Transactions is null && Accounts is null && Products is null && Tables.Count == 0)
            throw new OptionsValidationException($"{where}: a mapping needs at least one source ('transactions', 'accounts', 'products', 'opportunities', ...).");
        foreach (var (table, src) in Tables)
        {
            if (!GenericTables.Contains(table))
                throw new OptionsValidationException($"{where}: '{table}' is not a canonical table a source can be given for{LocatedJson.DidYouMean(table, GenericTables)}.");
            src.Validate($"{At(where, src)} {table}", RequiredColumns(table).ToArray(), CrmSchema.Table(table).Columns.Select(c => c.Name).ToArray());
            foreach (var (col, map) in src.Columns)
                if (map.Derive is not null)
                    throw new OptionsValidationException($"{At(where, src)} {table}: column '{col}' cannot be derived; map a source column or a constant.");
        }
        Transactions?.Validate(At(where, Transactions) + " transactions", ["account_id", "date", "amount"], TransactionColumns);
        Accounts?.Validate(At(where, Accounts) + " accounts", ["account_id"], AccountColumns);
        Products?.Validate(At(where, Products) + " products", ["product_id"], ProductColumns);
        if (Accounts is { } acc)
        {
            if (!acc.Columns.ContainsKey("created_date"))
                throw new OptionsValidationException($"{At(where, acc)} accounts: column 'created_date' must be mapped or derived explicitly " +
                    "(a source column, a constant, {\"source\": \"tenure\", \"monthsBefore\": \"yyyy-MM-dd\"} or {\"derive\": \"first_transaction\"}); nothing is defaulted.");
            if (acc.Columns["created_date"].Derive == "first_transaction" && Transactions is null)
                throw new OptionsValidationException($"{At(where, acc)} accounts: created_date {{\"derive\": \"first_transaction\"}} needs a 'transactions' source.");
        }
        foreach (var (t, s) in new[] { ("transactions", Transactions), ("accounts", Accounts), ("products", Products) })
            if (s is not null)
                foreach (var (col, map) in s.Columns)
                    if (map.Derive is { } d && !DeriveAllowed(t, col, d))
                        throw new OptionsValidationException($"{At(where, s)} {t}: column '{col}' cannot be derived as '{d}'. " +
                            "Derivations: account_id/product_id/transaction_id \"row_number\"; accounts created_date \"first_transaction\".");
    }

    /// <summary>"file.json:LINE" for a source read from a file, else the name alone.</summary>
    static string At(string where, MappedSource? source) => source is { Line: > 0 } ? $"{where}:{source.Line}:" : where;

    static bool DeriveAllowed(string table, string column, string derive) => derive switch
    {
        "row_number" => column is "account_id" or "product_id" or "transaction_id",
        "first_transaction" => table == "accounts" && column == "created_date",
        _ => false,
    };
}

/// <summary>One source file and how its columns map to a canonical table's columns.</summary>
public sealed record MappedSource
{
    /// <summary>Path, relative to the data folder given at import (default: the mapping file's folder).</summary>
    public required string File { get; init; }

    /// <summary>The mapping file's line where this source starts (0 when built in code): problems found after reading name it.</summary>
    public int Line { get; init; }

    /// <summary>"," (default), ";", "\t", "|" or "whitespace" (runs of spaces/tabs, no quoting).</summary>
    public string Delimiter { get; init; } = ",";

    /// <summary>True when the first line names the columns. Without a header, refer to columns as "#1", "#2"...</summary>
    public bool Header { get; init; } = true;

    /// <summary>"invariant" (default). Other cultures are unavailable under invariant globalization: give separators instead.</summary>
    public string Culture { get; init; } = "invariant";
    public string? DecimalSeparator { get; init; }
    public string? ThousandsSeparator { get; init; }

    /// <summary>Accepted date formats (.NET custom format strings), tried in order.</summary>
    public IReadOnlyList<string> DateFormats { get; init; } = ["yyyy-MM-dd"];

    /// <summary>Canonical column name to source column ("name"), constant ({"constant": "x"}) or derived
    /// date ({"source": "tenure", "monthsBefore": "2018-01-01"}: the date that many months before a reference date).</summary>
    public Dictionary<string, ColumnMap> Columns { get; init; } = new();

    /// <summary>Extra columns carried beside the canonical table (accounts only), typed and optionally value-mapped.</summary>
    public IReadOnlyList<AttributeMap> Attributes { get; init; } = [];

    /// <summary>Rows to keep: every filter must pass (a row failing one is counted as filtered, not rejected).</summary>
    public IReadOnlyList<RowFilter> Filter { get; init; } = [];

    /// <summary>What several rows with the same key mean: "error" (default: a problem), "first" or "last" (one row
    /// wins; rows whose other mapped values differ are counted as conflicts in the import report). "first" lets
    /// distinct accounts or products come out of an order-line file.</summary>
    public string Duplicates { get; init; } = "error";

    internal char DelimiterChar => Delimiter switch { "whitespace" => ' ', "\\t" or "tab" => '\t', _ => Delimiter[0] };
    internal bool Whitespace => Delimiter == "whitespace";

    internal NumberFormatInfo Numbers()
    {
        NumberFormatInfo nfi;
        if (Culture is "invariant" or "") nfi = (NumberFormatInfo)NumberFormatInfo.InvariantInfo.Clone();
        else
        {
            try { nfi = (NumberFormatInfo)CultureInfo.GetCultureInfo(Culture).NumberFormat.Clone(); }
            catch (CultureNotFoundException) { throw new OptionsValidationException($"Culture '{Culture}' is not available (invariant globalization); use \"invariant\" with decimalSeparator/thousandsSeparator."); }
        }
        if (DecimalSeparator is { } d) nfi.NumberDecimalSeparator = d;
        if (ThousandsSeparator is { } t) nfi.NumberGroupSeparator = t;
        return nfi;
    }

    internal string CultureText => (Culture is "invariant" or "" ? "invariant culture" : "culture " + Culture)
        + (DecimalSeparator is null ? "" : $", decimal separator '{DecimalSeparator}'") + (ThousandsSeparator is null ? "" : $", thousands separator '{ThousandsSeparator}'");

    internal void Validate(string where, string[] required, string[] allowed)
    {
        if (string.IsNullOrWhiteSpace(File)) throw new OptionsValidationException($"{where}: 'file' is required.");
        if (Delimiter.Length == 0 || (Delimiter.Length > 1 && Delimiter is not ("whitespace" or "\\t" or "tab")))
            throw new OptionsValidationException($"{where}: delimiter must be one character or \"whitespace\", got '{Delimiter}'.");
        if (DateFormats.Count == 0) throw new OptionsValidationException($"{where}: dateFormats must list at least one format.");
        foreach (var c in Columns.Keys)
            if (!allowed.Contains(c)) throw new OptionsValidationException($"{where}: unknown canonical column '{c}'. Allowed: {string.Join(", ", allowed)}");
        foreach (var r in required)
            if (!Columns.ContainsKey(r)) throw new OptionsValidationException($"{where}: column '{r}' must be mapped.");
        foreach (var (name, map) in Columns)
            if ((map.Source is null ? 0 : 1) + (map.Constant is null ? 0 : 1) + (map.Derive is null ? 0 : 1) != 1)
                throw new OptionsValidationException($"{where}: column '{name}' needs exactly one of a source column, a constant or a derivation.");
        if (Duplicates is not ("error" or "first" or "last"))
            throw new OptionsValidationException($"{where}: duplicates must be \"error\", \"first\" or \"last\", got '{Duplicates}'.");
        foreach (var f in Filter)
        {
            if (string.IsNullOrWhiteSpace(f.Column)) throw new OptionsValidationException($"{where}: every filter needs a 'column'.");
            int tests = (f.EqualsValue is null ? 0 : 1) + (f.NotEquals is null ? 0 : 1) + (f.In is null ? 0 : 1) + (f.NotIn is null ? 0 : 1) + (f.NotEmpty is null ? 0 : 1);
            if (tests != 1) throw new OptionsValidationException($"{where}: filter on '{f.Column}' needs exactly one of equals, notEquals, in, notIn, notEmpty.");
        }
        foreach (var a in Attributes)
        {
            if (string.IsNullOrWhiteSpace(a.Name) || string.IsNullOrWhiteSpace(a.Source))
                throw new OptionsValidationException($"{where}: every attribute needs 'name' and 'source'.");
            if (a.Type is not ("string" or "int" or "double" or "decimal" or "bool" or "date"))
                throw new OptionsValidationException($"{where}: attribute '{a.Name}' type must be string, int, double, decimal, bool or date, got '{a.Type}'.");
        }
        _ = Numbers();
    }
}


/// <summary>An extra source column kept as a typed attribute. <see cref="Values"/> maps source text to the text
/// parsed as <see cref="Type"/> (e.g. "Yes" to "true"); unmapped text is an error when a map is given.</summary>
public sealed record AttributeMap
{
    public required string Name { get; init; }
    public required string Source { get; init; }
    public string Type { get; init; } = "string";
    public bool Nullable { get; init; }
    public Dictionary<string, string>? Values { get; init; }
}

/// <summary>Where a canonical column's value comes from: a source column (optionally through a value map), a
/// constant, a date that many months before a reference date (<see cref="MonthsBefore"/> with a source of months),
/// or a derivation ("row_number": the data row's number, for tables without an id; "first_transaction": an
/// account's first transaction date, for created_date).</summary>
public sealed record ColumnMap(string? Source = null, string? Constant = null, string? MonthsBefore = null,
    IReadOnlyDictionary<string, string>? Values = null, string? Derive = null, LookupMap? Lookup = null);

/// <summary>Replaces a source column's value by the <see cref="Value"/> column of the row of another file
/// (<see cref="File"/>, with a header, relative to the data folder) whose <see cref="Key"/> column equals it; a value
/// with no row there is a problem naming the file, line, column and value.</summary>
public sealed record LookupMap(string File, string Key, string Value, string Delimiter = ",");

/// <summary>A row filter on a source column (compared after trimming): exactly one of <see cref="EqualsValue"/>
/// (JSON key "equals"), <see cref="NotEquals"/>, <see cref="In"/>, <see cref="NotIn"/>, <see cref="NotEmpty"/>
/// (true keeps rows with a value, false keeps rows without).</summary>
public sealed record RowFilter
{
    public required string Column { get; init; }
    public string? EqualsValue { get; init; }
    public string? NotEquals { get; init; }
    public IReadOnlyList<string>? In { get; init; }
    public IReadOnlyList<string>? NotIn { get; init; }
    public bool? NotEmpty { get; init; }

    internal bool Keep(string? value) =>
        EqualsValue is { } e ? value == e
        : NotEquals is { } ne ? value != ne
        : In is { } inn ? value is not null && inn.Contains(value)
        : NotIn is { } nin ? value is null || !nin.Contains(value)
        : NotEmpty is { } nonEmpty && (nonEmpty == !string.IsNullOrEmpty(value));

    public override string ToString() =>
        EqualsValue is { } e ? $"{Column} = '{e}'"
        : NotEquals is { } ne ? $"{Column} != '{ne}'"
        : In is { } inn ? $"{Column} in ({string.Join(", ", inn)})"
        : NotIn is { } nin ? $"{Column} not in ({string.Join(", ", nin)})"
        : NotEmpty == true ? $"{Column} not empty" : $"{Column} empty";
}
