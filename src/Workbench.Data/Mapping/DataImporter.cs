using System.Globalization;
using Workbench.Data.Io;
using Workbench.Data.Tables;
using Workbench.Domain;

namespace Workbench.Data;

/// <summary>One mapped transaction, before monthly aggregation.</summary>
public readonly record struct Transaction(string AccountId, string ProductId, DateOnly Date, decimal Amount);

/// <summary>Extra account columns from a mapped accounts source (for example a churn outcome), one value per
/// account in <see cref="AccountIds"/> order; values are string, int, double, decimal, bool, DateOnly or null.</summary>
public sealed record AttributeTable(IReadOnlyList<string> AccountIds, IReadOnlyList<AttributeColumn> Columns)
{
    public AttributeColumn this[string name] => Columns.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"No attribute '{name}'. Known: {string.Join(", ", Columns.Select(c => c.Name))}");
}

public sealed record AttributeColumn(string Name, string Type, IReadOnlyList<object?> Values);

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
public sealed record MappedData(CrmDataset Dataset, IReadOnlyList<Transaction> Transactions, AttributeTable? AccountAttributes, LoadReport Report);

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
        long problemCount = 0;

        List<Account>? accounts = null;
        AttributeTable? attributes = null;
        if (mapping.Accounts is { } accSrc)
        {
            var r = new SourceReader(accSrc, dataDir, "accounts", options, rejectsDir);
            (accounts, attributes) = ReadAccounts(r);
            reports.Add(r.Finish(accounts.Count)); problems.AddRange(r.Problems); problemCount += r.ProblemCount;
        }
        List<Transaction>? transactions = null;
        List<string> transactionIds = [];
        if (mapping.Transactions is { } txSrc)
        {
            var known = accounts?.Select(a => a.AccountId).ToHashSet(StringComparer.Ordinal);
            var r = new SourceReader(txSrc, dataDir, "transactions", options, rejectsDir);
            transactions = ReadTransactions(r, known, transactionIds);
            reports.Add(r.Finish(transactions.Count)); problems.AddRange(r.Problems); problemCount += r.ProblemCount;
        }
        if (options.Mode == ValidationMode.Strict && problemCount > 0) throw new DataValidationException(problems, options.MaxProblems);

        transactions ??= [];
        var spend = transactions
            .GroupBy(t => (t.AccountId, t.ProductId, Month: new DateOnly(t.Date.Year, t.Date.Month, 1)))
            .Select(g => new SpendRecord(g.Key.AccountId, g.Key.ProductId, g.Key.Month, g.Sum(t => t.Amount)))
            .OrderBy(s => s.AccountId, StringComparer.Ordinal).ThenBy(s => s.ProductId, StringComparer.Ordinal).ThenBy(s => s.Month)
            .ToList();
        var products = transactions.Select(t => t.ProductId).Distinct().Order(StringComparer.Ordinal)
            .Select(p => new Product(p, p, "unknown", 0m, BillingUnit.Usage)).ToList();
        accounts ??= transactions.GroupBy(t => t.AccountId).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Account(g.Key, g.Key, "unknown", "unknown", null, "unknown", null, null, g.Min(t => t.Date))).ToList();

        var report = new LoadReport(dataDir, DataFormat.Csv, options.Mode, reports, problems, problemCount);
        var dayLevel = transactions.Select((t, i) => new TransactionRecord(transactionIds[i], t.AccountId, t.ProductId, t.Date, t.Amount)).ToList();
        var duplicate = dayLevel.GroupBy(t => t.TransactionId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new DataValidationException([new DataProblem(Path.Combine(dataDir, mapping.Transactions!.File), 0, mapping.Transactions.Columns["transaction_id"].Source,
                duplicate.Key, "a unique transaction_id per line")]);
        var dataset = new CrmDataset { Accounts = accounts, Products = products, Spend = spend, Transactions = dayLevel };
        return new MappedData(dataset, transactions, attributes, report);
    }

    /// <summary>Reads the mapped transactions; <paramref name="ids"/> gets each kept row's transaction_id: the mapped
    /// column, else "L" and the source line number (stable and traceable to the raw file).</summary>
    static List<Transaction> ReadTransactions(SourceReader r, HashSet<string>? knownAccounts, List<string> ids)
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
                r.Problem("account_id", "an account_id present in the accounts source");
            var id = r.Has("transaction_id") ? r.Text("transaction_id") : "L" + r.Line.ToString(CultureInfo.InvariantCulture);
            if (r.RowOk) { result.Add(new Transaction(account!, product!, date!.Value, amount!.Value)); ids.Add(id!); }
            r.EndRow();
        }
        return result;
    }

    static (List<Account>, AttributeTable) ReadAccounts(SourceReader r)
    {
        var accounts = new List<Account>();
        var src = r.Source;
        var values = src.Attributes.Select(_ => new List<object?>()).ToArray();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        var rowValues = new object?[src.Attributes.Count];
        while (r.Next())
        {
            var id = r.Text("account_id");
            string Or(string col, string dflt) => r.Has(col) ? r.Text(col) ?? dflt : dflt;
            var name = r.Has("name") ? r.Text("name") : id;
            var industry = Or("industry", "unknown"); var region = Or("region", "unknown"); var band = Or("revenue_band", "unknown");
            int? employees = r.Has("employees") ? r.Int("employees", nullable: true, min: 1) : null;
            int? founded = r.Has("founded_year") ? r.Int("founded_year", nullable: true, min: 1800, max: 2100) : null;
            string? parent = r.Has("parent_account_id") ? r.Text("parent_account_id", nullable: true) : null;
            DateOnly? created = r.Has("created_date") ? r.Date("created_date") : new DateOnly(1900, 1, 1);
            for (int i = 0; i < src.Attributes.Count; i++) rowValues[i] = r.Attribute(src.Attributes[i]);
            if (id is not null && seen.TryGetValue(id, out var firstLine))
                r.Problem("account_id", $"a unique account_id; the same id is on line {firstLine.ToString(CultureInfo.InvariantCulture)}");
            if (r.RowOk)
            {
                seen[id!] = r.Line;
                accounts.Add(new Account(id!, name ?? id!, industry, region, employees, band, founded, parent, created!.Value));
                for (int i = 0; i < rowValues.Length; i++) values[i].Add(rowValues[i]);
            }
            r.EndRow();
        }
        var table = new AttributeTable(accounts.Select(a => a.AccountId).ToList(),
            src.Attributes.Select((a, i) => new AttributeColumn(a.Name, a.Type, values[i])).ToList());
        return (accounts, table);
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
        long read, rejected;
        bool done;

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
            var missing = source.Columns.Values.Select(m => m.Source).Concat(source.Attributes.Select(a => a.Source))
                .Where(s => s is not null && !fieldOf.ContainsKey(s)).Distinct().ToList();
            if (missing.Count > 0)
                throw new DataValidationException(missing.Select(m => new DataProblem(file, 1, m, reader.RawText.ToString(),
                    $"a source column named '{m}' (mapped in the {table} mapping)")).ToList());
        }

        public bool Next()
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
                return Next();
            }
            return true;
        }

        public bool Has(string column) => Source.Columns.ContainsKey(column);

        string? Raw(string column, out string sourceName)
        {
            var map = Source.Columns[column];
            if (map.Constant is not null) { sourceName = column; return map.Constant; }
            sourceName = map.Source!;
            var f = reader.Field(fieldOf[map.Source!]);
            return f.Length == 0 && !reader.Quoted(fieldOf[map.Source!]) ? null : f.Trim().ToString();
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
            if (rowProblems.Count == 0) return;
            rejected++;
            foreach (var p in rowProblems) { ProblemCount++; if (Problems.Count < options.MaxProblems) Problems.Add(p); }
            rejects?.Add(reader.Line, rowProblems, reader.RawText.ToString());
            rowProblems.Clear();
        }

        public TableLoadReport Finish(long accepted)
        {
            reader.Dispose();
            bool wrote = false;
            if (rejects is not null) { wrote = rejects.Commit(); rejects.Dispose(); }
            return new TableLoadReport(table, file, TableStatus.Loaded, read, accepted, rejected,
                wrote ? rejects!.Path : null);
        }
    }
}
