using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

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
    public MappedSource? Transactions { get; init; }
    public MappedSource? Accounts { get; init; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new ColumnMapConverter() },
        // Explicit resolver: works where the runtime's reflection default is off (file-based apps). Not source-generated,
        // because the generator sets every init-only property a file leaves out to null/false instead of its default.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    /// <summary>Reads and checks a mapping file; throws <see cref="OptionsValidationException"/> naming the problem.</summary>
    public static DataMapping Load(string path)
    {
        if (!File.Exists(path)) throw new OptionsValidationException($"Mapping file not found: {path}");
        DataMapping? m;
        try { m = JsonSerializer.Deserialize<DataMapping>(File.ReadAllText(path), Json); }
        catch (JsonException ex) { throw new OptionsValidationException($"{path}:{(ex.LineNumber ?? 0) + 1}: invalid mapping ({ex.Path}): {ex.Message}"); }
        if (m is null) throw new OptionsValidationException($"{path}: empty mapping");
        m.Validate(path);
        return m;
    }

    internal void Validate(string where)
    {
        if (Transactions is null && Accounts is null) throw new OptionsValidationException($"{where}: a mapping needs 'transactions' or 'accounts'.");
        Transactions?.Validate(where + " transactions", ["account_id", "date", "amount"], ["account_id", "product_id", "date", "amount"]);
        Accounts?.Validate(where + " accounts", ["account_id"],
            ["account_id", "name", "industry", "region", "employees", "revenue_band", "founded_year", "parent_account_id", "created_date"]);
    }
}

/// <summary>One source file and how its columns map to a canonical table's columns.</summary>
public sealed record MappedSource
{
    /// <summary>Path, relative to the data folder given at import (default: the mapping file's folder).</summary>
    public required string File { get; init; }

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
            if ((map.Source is null) == (map.Constant is null))
                throw new OptionsValidationException($"{where}: column '{name}' needs exactly one of a source column or a constant.");
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

/// <summary>Where a canonical column's value comes from.</summary>
public sealed record ColumnMap(string? Source = null, string? Constant = null, string? MonthsBefore = null);

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

/// <summary>Lets a column map be written as a bare source name.</summary>
internal sealed class ColumnMapConverter : JsonConverter<ColumnMap>
{
    public override ColumnMap Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return new ColumnMap(Source: reader.GetString());
        using var doc = JsonDocument.ParseValue(ref reader);
        string? Get(string n) => doc.RootElement.TryGetProperty(n, out var v) ? v.GetString() : null;
        foreach (var p in doc.RootElement.EnumerateObject())
            if (p.Name is not ("source" or "constant" or "monthsBefore")) throw new JsonException($"unknown column map key '{p.Name}' (source, constant, monthsBefore)");
        return new ColumnMap(Get("source"), Get("constant"), Get("monthsBefore"));
    }

    public override void Write(Utf8JsonWriter writer, ColumnMap value, JsonSerializerOptions options) =>
        throw new NotSupportedException();
}
