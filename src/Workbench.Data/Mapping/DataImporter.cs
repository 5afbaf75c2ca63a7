using Workbench.Data.Io;
using Workbench.Data.Tables;

namespace Workbench.Data;

/// <summary>One mapped transaction, before monthly aggregation.</summary>
public readonly record struct Transaction(string AccountId, string ProductId, DateOnly Date, decimal Amount,
    decimal? Quantity = null, double? Discount = null, decimal? Profit = null);

/// <summary>Extra account columns from a mapped accounts source (for example a churn outcome), one value per
/// account in <see cref="AccountIds"/> order; values are string, int, double, decimal, bool, DateOnly or null.</summary>
public sealed record AttributeTable(IReadOnlyList<string> AccountIds, IReadOnlyList<AttributeColumn> Columns)
{
    public AttributeColumn this[string name] => Columns.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"No attribute '{name}'. Known: {string.Join(", ", Columns.Select(c => c.Name))}");
}

public sealed record AttributeColumn(string Name, string Type, IReadOnlyList<object?> Values);

/// <summary>Writes and reads an <see cref="AttributeTable"/> as CSV (<c>account_attributes.csv</c> beside imported tables).</summary>
public static class AttributeTableCsv
{
    /// <summary>File name of the attribute table beside the canonical tables.</summary>
    public const string FileName = "account_attributes.csv";

    /// <summary>Header <c>account_id,&lt;attribute&gt;...</c>; invariant numbers, yyyy-MM-dd dates, true/false, empty for null.</summary>
    public static string ToCsv(AttributeTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new System.Text.StringBuilder();
        sb.Append("account_id");
        foreach (var c in table.Columns) { sb.Append(','); Io.CellText.AppendQuoted(sb, c.Name); }
        sb.Append('\n');
        for (int i = 0; i < table.AccountIds.Count; i++)
        {
            Io.CellText.AppendQuoted(sb, table.AccountIds[i]);
            foreach (var c in table.Columns)
            {
                sb.Append(',');
                switch (c.Values[i])
                {
                    case null: break;
                    case string s: Io.CellText.AppendQuoted(sb, s); break;
                    case bool b: sb.Append(b ? "true" : "false"); break;
                    case DateOnly d: sb.Append(d.ToString(CrmSchema.DateFormat, CultureInfo.InvariantCulture)); break;
                    case IFormattable f: sb.Append(f.ToString(null, CultureInfo.InvariantCulture)); break;
                    case var o: Io.CellText.AppendQuoted(sb, o.ToString() ?? ""); break;
                }
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }
}

/// <summary>Options for <see cref="DataImporter.Import(string, ImportOptions)"/>.</summary>
public sealed record ImportOptions
{
    /// <summary>Folder the mapping's file paths are relative to; default the mapping file's folder.</summary>
    public string? DataDirectory { get; init; }
    public ValidationMode Mode { get; init; } = ValidationMode.Strict;
    /// <summary>Where lenient mode writes rejects; default <c>&lt;data folder&gt;/rejects</c> is avoided (raw data is
    /// read-only): the default is a <c>rejects</c> folder beside the mapping file.</summary>
    public string? RejectsDirectory { get; init; }
    public int MaxProblems { get; init; } = 20;
}

/// <summary>The canonical dataset built from mapped files, the transactions before aggregation, the account
/// attributes carried beside it, and the load report.</summary>
public sealed record MappedData(CrmDataset Dataset, IReadOnlyList<Transaction> Transactions, AttributeTable? AccountAttributes, LoadReport Report,
    ImportReport? Import = null);

/// <summary>Imports bring-your-own data through a <see cref="DataMapping"/>. Transactions are kept day by day in the
/// <c>transactions</c> table (id: the mapped transaction_id, else "L" + source line) and summed per account,
/// product and month into <c>spend</c>; products are the distinct product ids; without an accounts source,
/// accounts are the distinct customers (created on their first transaction). Canonical account fields a source
/// does not map get neutral values: name = account_id, industry/region/revenue_band = "unknown".</summary>
public static class DataImporter
{
    public static MappedData Import(string mappingPath) => Import(mappingPath, new ImportOptions());

    public static MappedData Import(string mappingPath, ImportOptions options)
    {
        var mapping = DataMapping.Load(mappingPath);
        var mappingDir = Path.GetDirectoryName(Path.GetFullPath(mappingPath))!;
        return Import(mapping, options with
        {
            DataDirectory = options.DataDirectory ?? mappingDir,
            RejectsDirectory = options.RejectsDirectory ?? Path.Combine(mappingDir, "rejects"),
        });
    }

    public static MappedData Import(DataMapping mapping, ImportOptions options)
    {
        mapping.Validate(mapping.Name ?? "mapping");
        if (options.MaxProblems < 1) throw new OptionsValidationException("ImportOptions.MaxProblems must be at least 1.");
        var dataDir = options.DataDirectory ?? Directory.GetCurrentDirectory();
        var rejectsDir = options.RejectsDirectory ?? Path.Combine(Directory.GetCurrentDirectory(), "rejects");
        var reports = new List<TableLoadReport>();
        var problems = new List<DataProblem>();
        var tables = new List<ImportTableReport>();
        var derived = new List<string>();
        long problemCount = 0, rejectedRows = 0;
        void Collect(SourceReader r, long rows, long conflicts)
        {
            reports.Add(r.Finish(r.AcceptedRows));
            foreach (var p in r.Problems) if (problems.Count < options.MaxProblems) problems.Add(p);
            problemCount += r.ProblemCount; rejectedRows += r.RejectedRows;
            tables.Add(r.Summary(rows, conflicts));
        }

        List<Account>? accounts = null;
        AttributeTable? attributes = null;
        Dictionary<string, long>? accountLines = null;
        if (mapping.Accounts is { } accSrc)
        {
            var r = new SourceReader(accSrc, dataDir, "accounts", options, rejectsDir);
            (accounts, attributes, accountLines, var conflicts) = ReadAccounts(r, derived);
            Collect(r, accounts.Count, conflicts);
        }
        List<Product>? products = null;
        if (mapping.Products is { } prodSrc)
        {
            var r = new SourceReader(prodSrc, dataDir, "products", options, rejectsDir);
            (products, var conflicts) = ReadProducts(r, derived);
            Collect(r, products.Count, conflicts);
        }
        List<Transaction>? transactions = null;
        List<string> transactionIds = [];
        if (mapping.Transactions is { } txSrc)
        {
            var known = accounts?.Select(a => a.AccountId).ToHashSet(StringComparer.Ordinal);
            var knownProducts = products?.Select(p => p.ProductId).ToHashSet(StringComparer.Ordinal);
            var r = new SourceReader(txSrc, dataDir, "transactions", options, rejectsDir);
            transactions = ReadTransactions(r, known, knownProducts, transactionIds);
            if (!txSrc.Columns.ContainsKey("product_id")) derived.Add("transactions.product_id: not mapped; every transaction gets product 'all'");
            if (!txSrc.Columns.ContainsKey("transaction_id")) derived.Add("transactions.transaction_id: \"L\" + the source line number");
            Collect(r, transactions.Count, 0);
        }
        transactions ??= [];

        var generic = new List<(string Table, MappedSource Source, string File, GenericRows Rows)>();
        foreach (var table in DataMapping.GenericTables)
        {
            if (!mapping.Tables.TryGetValue(table, out var src)) continue;
            var r = new SourceReader(src, dataDir, table, options, rejectsDir);
            var rows = ReadGeneric(r, table, derived);
            Collect(r, rows.Lines.Count, rows.Conflicts);
            generic.Add((table, src, Path.GetFullPath(Path.Combine(dataDir, src.File)), rows));
        }

        // Account start derived explicitly from the first transaction (created_date {"derive": "first_transaction"}).
        if (accounts is not null && mapping.Accounts!.Columns["created_date"].Derive == "first_transaction")
        {
            var first = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
            foreach (var t in transactions)
                if (!first.TryGetValue(t.AccountId, out var d) || t.Date < d) first[t.AccountId] = t.Date;
            var accFile = Path.GetFullPath(Path.Combine(dataDir, mapping.Accounts.File));
            var kept = new List<Account>(accounts.Count);
            var keptIdx = new List<int>(accounts.Count);
            long missing = 0;
            for (int i = 0; i < accounts.Count; i++)
            {
                if (first.TryGetValue(accounts[i].AccountId, out var d)) { kept.Add(accounts[i] with { CreatedDate = d }); keptIdx.Add(i); continue; }
                missing++; problemCount++; rejectedRows++;
                if (problems.Count < options.MaxProblems)
                    problems.Add(new DataProblem(accFile, accountLines![accounts[i].AccountId], mapping.Accounts.Columns["account_id"].Source ?? "account_id",
                        accounts[i].AccountId, "an account with at least one transaction (created_date is derived as its first transaction date)"));
            }
            if (missing > 0)
            {
                accounts = kept;
                if (attributes is not null)
                    attributes = new AttributeTable(kept.Select(a => a.AccountId).ToList(),
                        attributes.Columns.Select(c => new AttributeColumn(c.Name, c.Type, keptIdx.Select(i => c.Values[i]).ToList())).ToList());
                var t = tables.Single(x => x.Table == "accounts");
                var reasons = new Dictionary<string, long>(t.RejectedByReason, StringComparer.Ordinal)
                    { ["created_date: an account with at least one transaction"] = missing };
                tables[tables.IndexOf(t)] = t with { Rejected = t.Rejected + missing, Accepted = t.Accepted - missing, Rows = kept.Count, RejectedByReason = reasons };
            }
            derived.Add("accounts.created_date: the account's first transaction date");
        }
        if (options.Mode == ValidationMode.Strict && problemCount > 0)
            throw new DataValidationException(problems, options.MaxProblems, problemCount, rejectedRows);

        var spend = transactions
            .GroupBy(t => (t.AccountId, t.ProductId, Month: new DateOnly(t.Date.Year, t.Date.Month, 1)))
            .Select(g => new SpendRecord(g.Key.AccountId, g.Key.ProductId, g.Key.Month, g.Sum(t => t.Amount)))
            .OrderBy(s => s.AccountId, StringComparer.Ordinal).ThenBy(s => s.ProductId, StringComparer.Ordinal).ThenBy(s => s.Month)
            .ToList();
        if (products is null && mapping.Transactions is not null)
        {
            products = transactions.Select(t => t.ProductId).Distinct().Order(StringComparer.Ordinal)
                .Select(p => new Product(p, p, "unknown", 0m, BillingUnit.Usage)).ToList();
            tables.Add(ImportTableReport.Derived("products", products.Count));
            derived.Add("products: the distinct product_id values of transactions (name = product_id, family 'unknown', list_price 0, billing_unit usage)");
        }
        if (accounts is null)
        {
            accounts = transactions.GroupBy(t => t.AccountId).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new Account(g.Key, g.Key, "unknown", "unknown", null, "unknown", null, null, g.Min(t => t.Date))).ToList();
            tables.Add(ImportTableReport.Derived("accounts", accounts.Count));
            derived.Add("accounts: the distinct account_id values of transactions (name = account_id, industry/region/revenue_band 'unknown', created_date = first transaction date)");
        }
        if (spend.Count > 0)
        {
            tables.Add(ImportTableReport.Derived("spend", spend.Count));
            derived.Add("spend: transactions summed per account, product and calendar month");
        }

        var report = new LoadReport(dataDir, DataFormat.Csv, options.Mode, reports, problems, problemCount);
        var dayLevel = transactions.Select((t, i) => new TransactionRecord(transactionIds[i], t.AccountId, t.ProductId, t.Date, t.Amount, t.Quantity, t.Discount, t.Profit)).ToList();
        var duplicate = dayLevel.GroupBy(t => t.TransactionId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new DataValidationException([new DataProblem(Path.Combine(dataDir, mapping.Transactions!.File), 0, mapping.Transactions.Columns["transaction_id"].Source,
                duplicate.Key, "a unique transaction_id per line")]);
        products ??= [];
        var dataset = new CrmDataset { Accounts = accounts, Products = products, Spend = spend, Transactions = dayLevel };
        if (generic.Count > 0) dataset = LoadGeneric(dataset, generic, options, rejectsDir, tables);
        var order = new[] { "accounts", "products", "transactions", "spend" }.Concat(DataMapping.GenericTables).ToArray();
        var summary = new ImportReport(tables.OrderBy(t => Array.IndexOf(order, t.Table)).ToList(), derived);
        return new MappedData(dataset, transactions, attributes, report, summary);
    }

    /// <summary>Reads the mapped transactions; <paramref name="ids"/> gets each kept row's transaction_id: the mapped
    /// column, else "L" and the source line number (stable and traceable to the raw file).</summary>
    static List<Transaction> ReadTransactions(SourceReader r, HashSet<string>? knownAccounts, HashSet<string>? knownProducts, List<string> ids)
    {
        var result = new List<Transaction>();
        var pool = new StringPool();
        var productPool = new StringPool();
        while (r.Next())
        {
            var account = r.Text("account_id", pool);
            var product = r.Has("product_id") ? r.Text("product_id", productPool) : "all";
            var date = r.Date("date");
            var amount = r.Decimal("amount", min: 0);
            if (account is not null && knownAccounts is not null && !knownAccounts.Contains(account))
                r.Problem("account_id", "an account_id present in the accounts source", account);
            if (product is not null && knownProducts is not null && !knownProducts.Contains(product))
                r.Problem("product_id", "a product_id present in the products source", product);
            var id = r.Has("transaction_id") ? r.Text("transaction_id") : "L" + r.Line.ToString(CultureInfo.InvariantCulture);
            // Order-line measures are kept when mapped (margin feeds lifetime value); empty cells are nulls.
            var quantity = r.Has("quantity") ? r.Canonical(Column("quantity")) : null;
            var discount = r.Has("discount") ? r.Canonical(Column("discount")) : null;
            var profit = r.Has("profit") ? r.Canonical(Column("profit")) : null;
            if (quantity is not null && decimal.Parse(quantity, CultureInfo.InvariantCulture) < 0) r.Problem("quantity", "a quantity of at least 0");
            if (discount is not null && double.Parse(discount, CultureInfo.InvariantCulture) < 0) r.Problem("discount", "a discount of at least 0");
            if (r.RowOk)
            {
                result.Add(new Transaction(account!, product!, date!.Value, amount!.Value,
                    quantity is null ? null : decimal.Parse(quantity, CultureInfo.InvariantCulture),
                    discount is null ? null : double.Parse(discount, CultureInfo.InvariantCulture),
                    profit is null ? null : decimal.Parse(profit, CultureInfo.InvariantCulture)));
                ids.Add(id!);
            }
            r.EndRow();
        }
        return result;
    }

    static ColumnSpec Column(string name) => CrmSchema.Table(CrmSchema.Transactions).Columns.First(c => c.Name == name);

    static (List<Account>, AttributeTable, Dictionary<string, long>, long) ReadAccounts(SourceReader r, List<string> derived)
    {
        var accounts = new List<Account>();
        var src = r.Source;
        var values = src.Attributes.Select(_ => new List<object?>()).ToArray();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var rowValues = new object?[src.Attributes.Count];
        bool deriveCreated = src.Columns["created_date"].Derive == "first_transaction";
        long conflicts = 0;
        foreach (var (col, what) in new[] { ("name", "account_id"), ("industry", "'unknown'"), ("region", "'unknown'"), ("revenue_band", "'unknown'") })
            if (!r.Has(col)) derived.Add($"accounts.{col}: not mapped; set to {what}");
        while (r.Next())
        {
            var id = r.Text("account_id");
            string Or(string col, string dflt) => r.Has(col) ? r.Text(col) ?? dflt : dflt;
            var name = r.Has("name") ? r.Text("name") : id;
            var industry = Or("industry", "unknown"); var region = Or("region", "unknown"); var band = Or("revenue_band", "unknown");
            int? employees = r.Has("employees") ? r.Int("employees", nullable: true, min: 1) : null;
            int? founded = r.Has("founded_year") ? r.Int("founded_year", nullable: true, min: 1800, max: 2100) : null;
            string? parent = r.Has("parent_account_id") ? r.Text("parent_account_id", nullable: true) : null;
            DateOnly? created = deriveCreated ? DateOnly.MinValue : r.Date("created_date");
            for (int i = 0; i < src.Attributes.Count; i++) rowValues[i] = r.Attribute(src.Attributes[i]);
            if (id is not null && src.Duplicates == "error" && seen.TryGetValue(id, out _))
                r.Problem("account_id", "a unique account_id (this id is on an earlier line; set \"duplicates\" to \"first\" or \"last\" to keep one row per account)", id);
            if (r.RowOk)
            {
                var account = new Account(id!, name ?? id!, industry, region, employees, band, founded, parent, created!.Value);
                if (index.TryGetValue(id!, out var at))
                {
                    bool differs = accounts[at] != account;
                    for (int i = 0; i < rowValues.Length && !differs; i++) differs = !Equals(values[i][at], rowValues[i]);
                    if (differs) conflicts++;
                    if (src.Duplicates == "last")
                    {
                        accounts[at] = account; seen[id!] = r.Line;
                        for (int i = 0; i < rowValues.Length; i++) values[i][at] = rowValues[i];
                    }
                }
                else
                {
                    seen[id!] = r.Line; index[id!] = accounts.Count;
                    accounts.Add(account);
                    for (int i = 0; i < rowValues.Length; i++) values[i].Add(rowValues[i]);
                }
            }
            r.EndRow();
        }
        var table = new AttributeTable(accounts.Select(a => a.AccountId).ToList(),
            src.Attributes.Select((a, i) => new AttributeColumn(a.Name, a.Type, values[i])).ToList());
        return (accounts, table, seen, conflicts);
    }

    /// <summary>A generic table's rows as canonical CSV lines, with each line's source line.</summary>
    sealed record GenericRows(List<string> Lines, List<long> SourceLines, long Conflicts);

    /// <summary>Reads a source for a canonical table without a dedicated reader: each mapped cell is parsed with the
    /// source's culture and date formats (problems name the source file, line, column and value) and written as
    /// canonical text; keys, foreign keys and cross-column rules are checked when the staged table loads.</summary>
    static GenericRows ReadGeneric(SourceReader r, string table, List<string> derived)
    {
        var schema = CrmSchema.Table(table);
        var src = r.Source;
        foreach (var c in schema.Columns)
            if (!src.Columns.ContainsKey(c.Name))
                derived.Add(DataMapping.OptionalColumns.TryGetValue((table, c.Name), out var dv)
                    ? $"{table}.{c.Name}: not mapped; set to {dv}" : $"{table}.{c.Name}: not mapped; left empty");
        var keyCols = schema.Key.Select(k => schema.Columns.ToList().FindIndex(c => c.Name == k)).ToArray();
        var lines = new List<string>(); var sourceLines = new List<long>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        long conflicts = 0;
        var cells = new string?[schema.Columns.Count];
        var sb = new System.Text.StringBuilder();
        while (r.Next())
        {
            for (int i = 0; i < cells.Length; i++)
            {
                var c = schema.Columns[i];
                cells[i] = r.Has(c.Name) ? r.Canonical(c) : DataMapping.OptionalColumns.GetValueOrDefault((table, c.Name));
            }
            if (r.RowOk)
            {
                var key = string.Join("\u001f", keyCols.Select(k => cells[k]));
                sb.Clear();
                for (int i = 0; i < cells.Length; i++)
                {
                    if (i > 0) sb.Append(',');
                    if (cells[i] is { } v) Io.CellText.AppendQuoted(sb, v);
                }
                var line = sb.ToString();
                if (index.TryGetValue(key, out var at))
                {
                    if (src.Duplicates == "error")
                        r.Problem(schema.Key[0], $"a unique key ({string.Join(", ", schema.Key)}); the same key is on line {sourceLines[at].ToString(CultureInfo.InvariantCulture)} (set \"duplicates\" to \"first\" or \"last\" to keep one row)", key.Replace("\u001f", "|", StringComparison.Ordinal));
                    else
                    {
                        if (lines[at] != line) conflicts++;
                        if (src.Duplicates == "last") { lines[at] = line; sourceLines[at] = r.Line; }
                    }
                }
                else { index[key] = lines.Count; lines.Add(line); sourceLines.Add(r.Line); }
            }
            r.EndRow();
        }
        return new GenericRows(lines, sourceLines, conflicts);
    }

    /// <summary>Stages the dataset and the generic tables as canonical CSV in a temporary folder and loads it with
    /// the catalog (keys, foreign keys, enum and cross-column checks); problems on staged lines are reported on
    /// the source file's line and column.</summary>
    static CrmDataset LoadGeneric(CrmDataset dataset, List<(string Table, MappedSource Source, string File, GenericRows Rows)> generic,
        ImportOptions options, string rejectsDir, List<ImportTableReport> tables)
    {
        var staging = Path.Combine(Path.GetTempPath(), "workbench-import-" + Guid.NewGuid().ToString("N"));
        try
        {
            new CrmCatalog(staging).Write(dataset, new WriteOptions { Format = DataFormat.Csv, SkipEmptyTables = true });
            foreach (var (table, _, _, rows) in generic)
                File.WriteAllText(Path.Combine(staging, table + ".csv"),
                    string.Join(",", CrmSchema.Table(table).Columns.Select(c => c.Name)) + "\n" + string.Concat(rows.Lines.Select(l => l + "\n")));
            DataProblem Remap(DataProblem p)
            {
                foreach (var (table, src, file, rows) in generic)
                    if (Path.GetFullPath(p.File) == Path.Combine(staging, table + ".csv") && p.Line >= 2 && p.Line - 2 < rows.SourceLines.Count)
                    {
                        var column = p.Column is { } c && src.Columns.TryGetValue(c, out var m) && m.Source is not null ? m.Source : p.Column;
                        return p with { File = file, Line = rows.SourceLines[(int)(p.Line - 2)], Column = column };
                    }
                return p;
            }
            LoadResult loaded;
            try
            {
                loaded = new CrmCatalog(staging).Load(new LoadOptions
                {
                    Format = DataFormat.Csv, Mode = options.Mode, IncludeTruth = false, MaxProblems = options.MaxProblems,
                    RejectsDirectory = Path.Combine(rejectsDir, "checks"),
                });
            }
            catch (DataValidationException ex)
            {
                throw new DataValidationException(ex.Problems.Select(Remap).ToList(), options.MaxProblems);
            }
            foreach (var (table, _, _, rows) in generic)
            {
                var t = loaded.Report.Tables.FirstOrDefault(x => x.Table == table);
                if (t is null || t.Rejected == 0) continue;
                var at = tables.FindIndex(x => x.Table == table);
                var reasons = new Dictionary<string, long>(tables[at].RejectedByReason, StringComparer.Ordinal)
                    { ["key, foreign key or cross-column checks"] = t.Rejected };
                tables[at] = tables[at] with { Rejected = tables[at].Rejected + t.Rejected, Accepted = tables[at].Accepted - t.Rejected, Rows = t.Accepted, RejectedByReason = reasons };
            }
            var d = loaded.Dataset;
            return dataset with
            {
                Contracts = d.Contracts, Usage = d.Usage, Engagement = d.Engagement, Bookings = d.Bookings, Reps = d.Reps, Book = d.Book,
                Opportunities = d.Opportunities, StageHistory = d.StageHistory, OpportunityActivities = d.OpportunityActivities, Actions = d.Actions,
            };
        }
        finally
        {
            try { Directory.Delete(staging, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static (List<Product>, long) ReadProducts(SourceReader r, List<string> derived)
    {
        var products = new List<Product>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var src = r.Source;
        long conflicts = 0;
        foreach (var (col, what) in new[] { ("name", "product_id"), ("family", "'unknown'"), ("list_price", "0"), ("billing_unit", "usage") })
            if (!r.Has(col)) derived.Add($"products.{col}: not mapped; set to {what}");
        while (r.Next())
        {
            var id = r.Text("product_id");
            var name = r.Has("name") ? r.Text("name") : id;
            var family = r.Has("family") ? r.Text("family") : "unknown";
            var price = r.Has("list_price") ? r.Decimal("list_price", min: 0) : 0m;
            BillingUnit? unit = BillingUnit.Usage;
            if (r.Has("billing_unit"))
            {
                var u = r.Text("billing_unit");
                unit = u?.ToLowerInvariant() switch { "seat" => BillingUnit.Seat, "usage" => BillingUnit.Usage, "flat" => BillingUnit.Flat, _ => null };
                if (u is not null && unit is null) r.Problem("billing_unit", "seat, usage or flat (map other text with \"values\")", u);
            }
            if (id is not null && src.Duplicates == "error" && index.ContainsKey(id))
                r.Problem("product_id", "a unique product_id (this id is on an earlier line; set \"duplicates\" to \"first\" or \"last\" to keep one row per product)", id);
            if (r.RowOk)
            {
                var product = new Product(id!, name ?? id!, family!, price!.Value, unit!.Value);
                if (index.TryGetValue(id!, out var at))
                {
                    if (products[at] != product) conflicts++;
                    if (src.Duplicates == "last") products[at] = product;
                }
                else { index[id!] = products.Count; products.Add(product); }
            }
            r.EndRow();
        }
        return (products, conflicts);
    }

    /// <summary>Reads one mapped source row by row, parsing cells per the mapping and collecting problems that
    /// name the file, line, source column, value and expectation.</summary>
    sealed class SourceReader
    {
        readonly CsvRecordReader reader;
        readonly string file, table;
        readonly ImportOptions options;
        readonly RejectsWriter? rejects;
        readonly Dictionary<string, int> fieldOf = new(StringComparer.Ordinal);
        readonly NumberFormatInfo numbers;
        readonly string[] dateFormats;
        readonly List<DataProblem> rowProblems = new();
        int expectedFields;
        bool pendingFirst;
        long read, rejected, accepted, filtered;
        bool done;
        readonly Dictionary<string, long> reasons = new(StringComparer.Ordinal);
        readonly (RowFilter Filter, int Field)[] filters;

        public long AcceptedRows => accepted;
        public long RejectedRows => rejected;

        public MappedSource Source { get; }
        public List<DataProblem> Problems { get; } = new();
        public long ProblemCount { get; private set; }
        public long Line => reader.Line;
        public bool RowOk => rowProblems.Count == 0;

        public SourceReader(MappedSource source, string dataDir, string table, ImportOptions options, string rejectsDir)
        {
            Source = source; this.table = table; this.options = options;
            file = Path.GetFullPath(Path.Combine(dataDir, source.File));
            if (!File.Exists(file)) throw new DataValidationException([new DataProblem(file, 0, null, null, $"the {table} source file (file missing)")]);
            numbers = source.Numbers();
            dateFormats = source.DateFormats.ToArray();
            reader = CsvRecordReader.Open(file, source.DelimiterChar, source.Whitespace);
            rejects = options.Mode == ValidationMode.Lenient ? new RejectsWriter(Path.Combine(rejectsDir, table + ".rejects.csv")) : null;
            if (!reader.Read()) throw new DataValidationException([new DataProblem(file, 1, null, "", $"a {(source.Header ? "header row" : "data row")}; the file is empty")]);
            expectedFields = reader.FieldCount;
            if (source.Header)
            {
                for (int f = 0; f < reader.FieldCount; f++) fieldOf.TryAdd(reader.Field(f).ToString(), f);
            }
            else pendingFirst = true;
            for (int f = 0; f < expectedFields; f++) fieldOf.TryAdd("#" + (f + 1).ToString(CultureInfo.InvariantCulture), f);
            var missing = source.Columns.Values.Select(m => m.Source).Concat(source.Attributes.Select(a => a.Source)).Concat(source.Filter.Select(f => f.Column))
                .Where(s => s is not null && !fieldOf.ContainsKey(s)).Distinct().ToList();
            if (missing.Count > 0)
                throw new DataValidationException(missing.Select(m => new DataProblem(file, 1, m, reader.RawText.ToString(),
                    $"a source column named '{m}' (mapped in the {table} mapping)"
                    + (fieldOf.Count > 0 ? LocatedJson.DidYouMean(m!, fieldOf.Keys.Where(k => !k.StartsWith('#'))) : ""))).ToList());
            filters = source.Filter.Select(f => (f, fieldOf[f.Column])).ToArray();
            foreach (var (col, map) in source.Columns)
                if (map.Lookup is { } lk) lookups[col] = LoadLookup(lk, dataDir);
        }

        readonly Dictionary<string, (string File, Dictionary<string, string> Values)> lookups = new(StringComparer.Ordinal);

        static (string, Dictionary<string, string>) LoadLookup(LookupMap lk, string dataDir)
        {
            var path = Path.GetFullPath(Path.Combine(dataDir, lk.File));
            if (!File.Exists(path)) throw new DataValidationException([new DataProblem(path, 0, null, null, "the lookup file (file missing)")]);
            var delim = lk.Delimiter switch { "whitespace" => ' ', "\\t" or "tab" => '\t', var d => d[0] };
            using var rd = CsvRecordReader.Open(path, delim, lk.Delimiter == "whitespace");
            if (!rd.Read()) throw new DataValidationException([new DataProblem(path, 1, null, "", "a header row; the file is empty")]);
            int key = -1, value = -1;
            var names = new List<string>();
            for (int f = 0; f < rd.FieldCount; f++)
            {
                var n = rd.Field(f).ToString(); names.Add(n);
                if (n == lk.Key) key = f;
                if (n == lk.Value) value = f;
            }
            if (key < 0 || value < 0)
                throw new DataValidationException([new DataProblem(path, 1, key < 0 ? lk.Key : lk.Value, rd.RawText.ToString(),
                    $"a column named '{(key < 0 ? lk.Key : lk.Value)}' (named in a lookup){LocatedJson.DidYouMean(key < 0 ? lk.Key : lk.Value, names)}")]);
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            while (rd.Read())
            {
                if (rd.FieldCount <= Math.Max(key, value)) continue;
                var k = rd.Field(key).Trim().ToString();
                if (map.ContainsKey(k))
                    throw new DataValidationException([new DataProblem(path, rd.Line, lk.Key, k, "a unique key in the lookup file")]);
                map[k] = rd.Field(value).Trim().ToString();
            }
            return (path, map);
        }

        public bool Next()
        {
            while (true)
            {
                if (done) return false;
                rowProblems.Clear();
                if (pendingFirst) pendingFirst = false;
                else if (!reader.Read()) { done = true; return false; }
                read++;
                if (reader.FieldCount != expectedFields)
                {
                    Problem(null, $"{expectedFields} fields as in the first line, found {reader.FieldCount}", reader.RawText.ToString());
                    EndRow();
                    continue;
                }
                bool keep = true;
                foreach (var (f, field) in filters)
                {
                    var fv = reader.Field(field);
                    var text = fv.Length == 0 && !reader.Quoted(field) ? null : fv.Trim().ToString();
                    if (!f.Keep(text)) { keep = false; break; }
                }
                if (keep) return true;
                filtered++;
            }
        }

        public bool Has(string column) => Source.Columns.ContainsKey(column);

        string? Raw(string column, out string sourceName)
        {
            var map = Source.Columns[column];
            if (map.Constant is not null) { sourceName = column; return map.Constant; }
            if (map.Derive == "row_number") { sourceName = column; return (read - filtered).ToString(CultureInfo.InvariantCulture); }
            sourceName = map.Source!;
            var f = reader.Field(fieldOf[map.Source!]);
            var text = f.Length == 0 && !reader.Quoted(fieldOf[map.Source!]) ? null : f.Trim().ToString();
            if (text is not null && map.Lookup is not null)
            {
                var (lkFile, values) = lookups[column];
                if (values.TryGetValue(text, out var found)) text = found;
                else { rowProblems.Add(new DataProblem(file, reader.Line, map.Source!, text, $"a key present in column '{map.Lookup.Key}' of {Path.GetFileName(lkFile)}")); }
            }
            if (text is not null && map.Values is not null && map.Values.TryGetValue(text, out var mapped)) text = mapped;
            return text;
        }

        string? RawSource(string sourceName)
        {
            var f = reader.Field(fieldOf[sourceName]);
            return f.Length == 0 && !reader.Quoted(fieldOf[sourceName]) ? null : f.Trim().ToString();
        }

        public void Problem(string? column, string expected, string? value = null)
        {
            string? col = column is null ? null : Source.Columns.TryGetValue(column, out var m) && m.Source is not null ? m.Source : column;
            if (column is not null && value is null && Source.Columns.TryGetValue(column, out var mm) && mm.Source is not null)
                value = reader.Field(fieldOf[mm.Source]).ToString();
            rowProblems.Add(new DataProblem(file, reader.Line, col ?? "(row)", value, expected));
        }

        void SourceProblem(string sourceName, string? value, string expected) =>
            rowProblems.Add(new DataProblem(file, reader.Line, sourceName, value, expected));

        public string? Text(string column, StringPool? pool = null, bool nullable = false)
        {
            var s = Raw(column, out var src);
            if (s is null && !nullable) { SourceProblem(src, "", $"a value for {column} (required)"); return null; }
            return s is null ? null : pool?.Get(s) ?? s;
        }

        public int? Int(string column, bool nullable, double? min = null, double? max = null)
        {
            var s = Raw(column, out var src);
            if (s is null) { if (!nullable) SourceProblem(src, "", $"a value for {column} (required)"); return null; }
            if (!int.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowThousands, numbers, out var v))
            { SourceProblem(src, s, $"a whole number ({Source.CultureText})"); return null; }
            if (min is { } lo && v < lo || max is { } hi && v > hi)
            { SourceProblem(src, s, $"a value between {min?.ToString(CultureInfo.InvariantCulture) ?? "-inf"} and {max?.ToString(CultureInfo.InvariantCulture) ?? "+inf"}"); return null; }
            return v;
        }

        public decimal? Decimal(string column, double? min = null)
        {
            var s = Raw(column, out var src);
            if (s is null) { SourceProblem(src, "", $"a value for {column} (required)"); return null; }
            if (!decimal.TryParse(s, NumberStyles.Number, numbers, out var v))
            { SourceProblem(src, s, $"a decimal number ({Source.CultureText})"); return null; }
            if (min is { } lo && (double)v < lo) { SourceProblem(src, s, $"a value of at least {lo.ToString(CultureInfo.InvariantCulture)}"); return null; }
            return v;
        }

        /// <summary>The mapped cell parsed as the canonical column's type and written as canonical text (null: empty).</summary>
        public string? Canonical(ColumnSpec c)
        {
            var s = Raw(c.Name, out var src);
            if (s is null || (s.Length == 0 && c.Type != ColumnType.String))
            {
                if (!c.Nullable) SourceProblem(src, s ?? "", $"a value for {c.Name} (required)");
                return null;
            }
            var inv = CultureInfo.InvariantCulture;
            switch (c.Type)
            {
                case ColumnType.String: return s;
                case ColumnType.Int:
                    if (int.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowThousands, numbers, out var i)) return i.ToString(inv);
                    SourceProblem(src, s, $"a whole number for {c.Name} ({Source.CultureText})"); return null;
                case ColumnType.Decimal:
                    if (decimal.TryParse(s, NumberStyles.Number, numbers, out var m)) return m.ToString(inv);
                    SourceProblem(src, s, $"a decimal number for {c.Name} ({Source.CultureText})"); return null;
                case ColumnType.Double:
                    if (double.TryParse(s, NumberStyles.Float | NumberStyles.AllowThousands, numbers, out var dbl)) return dbl.ToString("R", inv);
                    SourceProblem(src, s, $"a number for {c.Name} ({Source.CultureText})"); return null;
                case ColumnType.Bool:
                    switch (s.ToLowerInvariant())
                    {
                        case "true" or "yes" or "1": return "true";
                        case "false" or "no" or "0": return "false";
                    }
                    SourceProblem(src, s, $"true or false for {c.Name} (or a value map)"); return null;
                case ColumnType.Date:
                    if (Source.Columns[c.Name].Constant is { } k && DateOnly.TryParseExact(k, CrmSchema.DateFormat, inv, DateTimeStyles.None, out var kd))
                        return kd.ToString(CrmSchema.DateFormat, inv);
                    if (DateOnly.TryParseExact(s, dateFormats, inv, DateTimeStyles.None, out var d)) return d.ToString(CrmSchema.DateFormat, inv);
                    SourceProblem(src, s, $"a date in {string.Join(" or ", dateFormats)} (invariant culture)"); return null;
                default:
                    var name = s.Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
                    if (c.AllowedValues.Contains(name)) return name;
                    SourceProblem(src, s, $"one of: {string.Join(", ", c.AllowedValues)} for {c.Name} (map other text with \"values\")"); return null;
            }
        }

        public DateOnly? Date(string column)
        {
            var map = Source.Columns[column];
            var s = Raw(column, out var src);
            if (s is null) { SourceProblem(src, "", $"a value for {column} (required)"); return null; }
            if (map.MonthsBefore is { } refText)
            {
                if (!DateOnly.TryParseExact(refText, CrmSchema.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var refDate))
                    throw new OptionsValidationException($"monthsBefore '{refText}' of column {column} must be a date in yyyy-MM-dd.");
                if (!int.TryParse(s, NumberStyles.None, numbers, out var months))
                { SourceProblem(src, s, $"a whole number of months ({Source.CultureText})"); return null; }
                return refDate.AddMonths(-months);
            }
            if (!DateOnly.TryParseExact(s, dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            { SourceProblem(src, s, $"a date in {string.Join(" or ", dateFormats)} (invariant culture)"); return null; }
            return d;
        }

        public object? Attribute(AttributeMap a)
        {
            var s = RawSource(a.Source);
            if (s is not null && a.Values is not null)
            {
                if (!a.Values.TryGetValue(s, out var mapped)) { SourceProblem(a.Source, s, $"one of: {string.Join(", ", a.Values.Keys)}"); return null; }
                s = mapped;
            }
            if (s is null || (s.Length == 0 && a.Type != "string"))
            {
                if (!a.Nullable) SourceProblem(a.Source, s ?? "", $"a value for attribute {a.Name} (required)");
                return null;
            }
            switch (a.Type)
            {
                case "string": return s;
                case "bool":
                    if (bool.TryParse(s, out var b)) return b;
                    SourceProblem(a.Source, s, "true or false (or a value map)"); return null;
                case "int":
                    if (int.TryParse(s, NumberStyles.AllowLeadingSign, numbers, out var i)) return i;
                    SourceProblem(a.Source, s, $"a whole number ({Source.CultureText})"); return null;
                case "double":
                    if (double.TryParse(s, NumberStyles.Float | NumberStyles.AllowThousands, numbers, out var dbl)) return dbl;
                    SourceProblem(a.Source, s, $"a number ({Source.CultureText})"); return null;
                case "decimal":
                    if (decimal.TryParse(s, NumberStyles.Number, numbers, out var m)) return m;
                    SourceProblem(a.Source, s, $"a decimal number ({Source.CultureText})"); return null;
                default:
                    if (DateOnly.TryParseExact(s, dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt)) return dt;
                    SourceProblem(a.Source, s, $"a date in {string.Join(" or ", dateFormats)} (invariant culture)"); return null;
            }
        }

        public void EndRow()
        {
            if (rowProblems.Count == 0) { accepted++; return; }
            rejected++;
            var reason = $"{rowProblems[0].Column}: {rowProblems[0].Expected}";
            reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            foreach (var p in rowProblems) { ProblemCount++; if (Problems.Count < options.MaxProblems) Problems.Add(p); }
            rejects?.Add(reader.Line, rowProblems, reader.RawText.ToString());
            rowProblems.Clear();
        }

        public TableLoadReport Finish(long acceptedRows)
        {
            _ = acceptedRows;
            reader.Dispose();
            bool wrote = false;
            if (rejects is not null) { wrote = rejects.Commit(); rejects.Dispose(); }
            return new TableLoadReport(table, file, TableStatus.Loaded, read - filtered, accepted, rejected,
                wrote ? rejects!.Path : null);
        }

        public ImportTableReport Summary(long rows, long conflicts) =>
            new(table, file, read, accepted, rejected, filtered, rows, conflicts,
                reasons.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
                Source.Filter.Select(f => f.ToString()).ToList(), Source.Duplicates);
    }
}
