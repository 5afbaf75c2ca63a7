using System.Text.Json;

namespace Workbench.Data;

/// <summary>Reads a mapping file by hand (no reflection JSON): every key is checked against the keys allowed where it
/// stands, a misspelled one gets a "did you mean" and the mapping's line, and every problem is collected before
/// one <see cref="OptionsValidationException"/> lists them all.</summary>
internal sealed class MappingReader
{
    static readonly string[] RootKeys = ["name", "description", "version", "transactions", "accounts", "products", "ownership", .. DataMapping.GenericTables];
    static readonly string[] SourceKeys =
        ["file", "delimiter", "header", "culture", "decimalSeparator", "thousandsSeparator", "dateFormats", "columns", "attributes", "filter", "duplicates"];
    static readonly string[] ColumnKeys = ["source", "constant", "monthsBefore", "values", "derive", "lookup"];
    static readonly string[] LookupKeys = ["file", "key", "value", "delimiter"];
    static readonly string[] AttributeKeys = ["name", "source", "type", "nullable", "values"];
    static readonly string[] FilterKeys = ["column", "equals", "notEquals", "in", "notIn", "notEmpty"];

    readonly string source;
    readonly List<string> problems = [];

    MappingReader(string source) => this.source = source;

    public static DataMapping Read(string json, string source)
    {
        var root = LocatedJson.Parse(json, source, "mapping");
        var r = new MappingReader(source);
        var m = r.Root(root);
        if (r.problems.Count > 0)
            throw new OptionsValidationException(r.problems.Count == 1 ? r.problems[0]
                : $"{r.problems.Count} problems in the mapping:\n  " + string.Join("\n  ", r.problems));
        return m!;
    }

    void Problem(int line, string message) => problems.Add($"{source}:{line}: {message}");

    void CheckKeys(LocatedJsonValue node, string[] allowed, string where)
    {
        foreach (var (key, line, _) in node.Members)
            if (!allowed.Contains(key))
                Problem(line, $"unknown key '{key}' in {where}{LocatedJson.DidYouMean(key, allowed)}. Allowed: {string.Join(", ", allowed)}.");
    }

    static LocatedJsonValue? Get(LocatedJsonValue node, string key) => node.Member(key);

    string? String(LocatedJsonValue node, string key, string where)
    {
        var v = Get(node, key);
        if (v is null || v.Kind == JsonValueKind.Null) return null;
        if (v.Kind == JsonValueKind.String) return v.Text;
        if (v.Kind == JsonValueKind.Number) return v.Text;
        Problem(v.Line, $"{where}.{key} must be a string, found {v.Describe()}.");
        return null;
    }

    bool? Bool(LocatedJsonValue node, string key, string where)
    {
        var v = Get(node, key);
        if (v is null || v.Kind == JsonValueKind.Null) return null;
        if (v.Kind is JsonValueKind.True or JsonValueKind.False) return v.Kind == JsonValueKind.True;
        Problem(v.Line, $"{where}.{key} must be true or false, found {v.Describe()}.");
        return null;
    }

    List<string>? Strings(LocatedJsonValue? v, string where)
    {
        if (v is null || v.Kind == JsonValueKind.Null) return null;
        if (v.Kind != JsonValueKind.Array) { Problem(v.Line, $"{where} must be an array of strings, found {v.Describe()}."); return null; }
        var list = new List<string>();
        foreach (var item in v.Items)
            if (item.Kind is JsonValueKind.String or JsonValueKind.Number) list.Add(item.Text!);
            else Problem(item.Line, $"{where} must hold strings, found {item.Describe()}.");
        return list;
    }

    Dictionary<string, string>? ValueMap(LocatedJsonValue? v, string where)
    {
        if (v is null || v.Kind == JsonValueKind.Null) return null;
        if (v.Kind != JsonValueKind.Object) { Problem(v.Line, $"{where} must be an object mapping source text to canonical text, found {v.Describe()}."); return null; }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, line, val) in v.Members)
            if (val.Kind is JsonValueKind.String or JsonValueKind.Number) map[k] = val.Text!;
            else if (val.Kind is JsonValueKind.True or JsonValueKind.False) map[k] = val.Kind == JsonValueKind.True ? "true" : "false";
            else Problem(line, $"{where}.{k} must be a string, found {val.Describe()}.");
        return map;
    }

    DataMapping? Root(LocatedJsonValue root)
    {
        if (root.Kind != JsonValueKind.Object) { Problem(root.Line, $"a mapping is a JSON object, found {root.Describe()}."); return null; }
        CheckKeys(root, RootKeys, "the mapping");
        int version = 1;
        if (Get(root, "version") is { } vn)
        {
            if (vn.Kind != JsonValueKind.Number || vn.Text is not ("1" or "2")) Problem(vn.Line, $"version must be 1 or 2, found {vn.Describe()}.");
            else version = int.Parse(vn.Text, CultureInfo.InvariantCulture);
        }
        return new DataMapping
        {
            Name = String(root, "name", "$"),
            Description = String(root, "description", "$"),
            Version = version,
            Transactions = Get(root, "transactions") is { } t ? Source(t, "transactions", DataMapping.TransactionColumns) : null,
            Accounts = Get(root, "accounts") is { } a ? Source(a, "accounts", DataMapping.AccountColumns) : null,
            Products = Get(root, "products") is { } p ? Source(p, "products", DataMapping.ProductColumns) : null,
            Tables = Generic(root),
        };
    }

    Dictionary<string, MappedSource> Generic(LocatedJsonValue root)
    {
        var tables = new Dictionary<string, MappedSource>(StringComparer.Ordinal);
        foreach (var (key, line, val) in root.Members)
        {
            var table = key == "ownership" ? CrmSchema.Book : key;
            if (!DataMapping.GenericTables.Contains(table)) continue;
            if (tables.ContainsKey(table)) { Problem(line, $"'{key}' repeats the {table} source ('ownership' and 'book' are one table)."); continue; }
            var columns = CrmSchema.Table(table).Columns.Select(c => c.Name).ToArray();
            if (Source(val, key, columns) is { } src)
            {
                foreach (var required in DataMapping.RequiredColumns(table))
                    if (!src.Columns.ContainsKey(required))
                        Problem(val.Line, $"{key}: column '{required}' must be mapped (a source column or a constant); nothing is defaulted.");
                tables[table] = src;
            }
        }
        return tables;
    }

    MappedSource? Source(LocatedJsonValue node, string table, string[] canonical)
    {
        if (node.Kind != JsonValueKind.Object) { Problem(node.Line, $"{table} must be an object (a source), found {node.Describe()}."); return null; }
        CheckKeys(node, SourceKeys, $"the {table} source");
        var file = String(node, "file", table);
        if (file is null) Problem(node.Line, $"the {table} source needs 'file' (the path of the source file).");
        var columns = new Dictionary<string, ColumnMap>(StringComparer.Ordinal);
        if (Get(node, "columns") is { } cols)
        {
            if (cols.Kind != JsonValueKind.Object) Problem(cols.Line, $"{table}.columns must be an object, found {cols.Describe()}.");
            else
                foreach (var (key, line, val) in cols.Members)
                {
                    if (!canonical.Contains(key))
                    {
                        Problem(line, $"unknown canonical column '{key}' in {table}.columns{LocatedJson.DidYouMean(key, canonical)}. Allowed: {string.Join(", ", canonical)}.");
                        continue;
                    }
                    if (Column(val, $"{table}.columns.{key}") is { } map) columns[key] = map;
                }
        }
        var attributes = new List<AttributeMap>();
        if (Get(node, "attributes") is { } attrs)
        {
            if (attrs.Kind != JsonValueKind.Array) Problem(attrs.Line, $"{table}.attributes must be an array, found {attrs.Describe()}.");
            else
                foreach (var a in attrs.Items)
                {
                    if (a.Kind != JsonValueKind.Object) { Problem(a.Line, $"{table}.attributes items must be objects, found {a.Describe()}."); continue; }
                    CheckKeys(a, AttributeKeys, $"an attribute of {table}");
                    var name = String(a, "name", $"{table}.attributes");
                    var src = String(a, "source", $"{table}.attributes");
                    if (name is null || src is null) { Problem(a.Line, $"every attribute of {table} needs 'name' and 'source'."); continue; }
                    attributes.Add(new AttributeMap
                    {
                        Name = name, Source = src, Type = String(a, "type", $"{table}.attributes") ?? "string",
                        Nullable = Bool(a, "nullable", $"{table}.attributes") ?? false,
                        Values = ValueMap(Get(a, "values"), $"{table}.attributes[{name}].values"),
                    });
                }
        }
        var filters = new List<RowFilter>();
        if (Get(node, "filter") is { } fs)
        {
            var items = fs.Kind == JsonValueKind.Array ? fs.Items : fs.Kind == JsonValueKind.Object ? [fs] : null;
            if (items is null) Problem(fs.Line, $"{table}.filter must be an object or an array of objects, found {fs.Describe()}.");
            else
                foreach (var f in items)
                {
                    if (f.Kind != JsonValueKind.Object) { Problem(f.Line, $"{table}.filter items must be objects, found {f.Describe()}."); continue; }
                    CheckKeys(f, FilterKeys, $"a filter of {table}");
                    var column = String(f, "column", $"{table}.filter");
                    if (column is null) { Problem(f.Line, $"every filter of {table} needs 'column' (a source column)."); continue; }
                    filters.Add(new RowFilter
                    {
                        Column = column, EqualsValue = String(f, "equals", $"{table}.filter"), NotEquals = String(f, "notEquals", $"{table}.filter"),
                        In = Strings(Get(f, "in"), $"{table}.filter.in"), NotIn = Strings(Get(f, "notIn"), $"{table}.filter.notIn"),
                        NotEmpty = Bool(f, "notEmpty", $"{table}.filter"),
                    });
                }
        }
        if (file is not null && Get(node, "columns") is null) Problem(node.Line, $"the {table} source needs 'columns'.");
        var defaults = new MappedSource { File = "" };
        bool? header = Bool(node, "header", table);
        return new MappedSource
        {
            Line = node.Line,
            File = file ?? "",
            Delimiter = String(node, "delimiter", table) ?? defaults.Delimiter,
            Header = header ?? defaults.Header,
            Culture = String(node, "culture", table) ?? defaults.Culture,
            DecimalSeparator = String(node, "decimalSeparator", table),
            ThousandsSeparator = String(node, "thousandsSeparator", table),
            DateFormats = Strings(Get(node, "dateFormats"), $"{table}.dateFormats") ?? defaults.DateFormats,
            Columns = columns,
            Attributes = attributes,
            Filter = filters,
            Duplicates = String(node, "duplicates", table) ?? defaults.Duplicates,
        };
    }

    ColumnMap? Column(LocatedJsonValue val, string where)
    {
        if (val.Kind == JsonValueKind.String) return new ColumnMap(Source: val.Text);
        if (val.Kind != JsonValueKind.Object)
        {
            Problem(val.Line, $"{where} must be a source column name or an object ({string.Join(", ", ColumnKeys)}), found {val.Describe()}.");
            return null;
        }
        CheckKeys(val, ColumnKeys, where);
        LookupMap? lookup = null;
        if (Get(val, "lookup") is { } lk)
        {
            if (lk.Kind != JsonValueKind.Object) Problem(lk.Line, $"{where}.lookup must be an object (file, key, value, delimiter), found {lk.Describe()}.");
            else
            {
                CheckKeys(lk, LookupKeys, where + ".lookup");
                var (f, k, v) = (String(lk, "file", where + ".lookup"), String(lk, "key", where + ".lookup"), String(lk, "value", where + ".lookup"));
                if (f is null || k is null || v is null) Problem(lk.Line, $"{where}.lookup needs 'file', 'key' and 'value'.");
                else lookup = new LookupMap(f, k, v, String(lk, "delimiter", where + ".lookup") ?? ",");
            }
        }
        var map = new ColumnMap(String(val, "source", where), String(val, "constant", where), String(val, "monthsBefore", where),
            ValueMap(Get(val, "values"), where + ".values"), String(val, "derive", where), lookup);
        if (lookup is not null && map.Source is null) Problem(val.Line, $"{where}: 'lookup' looks up a 'source' column's value.");
        int kinds = (map.Source is null ? 0 : 1) + (map.Constant is null ? 0 : 1) + (map.Derive is null ? 0 : 1);
        if (kinds != 1) Problem(val.Line, $"{where} needs exactly one of 'source', 'constant' or 'derive'.");
        if (map.MonthsBefore is not null && map.Source is null) Problem(val.Line, $"{where}: 'monthsBefore' needs a 'source' column holding months.");
        if (map.Values is not null && map.Source is null) Problem(val.Line, $"{where}: 'values' maps a 'source' column's text.");
        return map;
    }
}
