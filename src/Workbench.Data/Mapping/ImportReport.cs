using System.Text;
using System.Text.Json;

namespace Workbench.Data;

/// <summary>What an import did to one canonical table: source rows read, accepted, rejected (by reason) and
/// filtered out, the rows written (<see cref="Rows"/>: after duplicate rows were merged), and how many duplicate
/// rows disagreed with the row kept (<see cref="Conflicts"/>, under the source's <see cref="DuplicateRule"/>).
/// A table built from another table (products out of transactions, monthly spend) has no file and reads its rows.</summary>
public sealed record ImportTableReport(string Table, string? File, long Read, long Accepted, long Rejected, long Filtered, long Rows,
    long Conflicts, IReadOnlyDictionary<string, long> RejectedByReason, IReadOnlyList<string> Filters, string? DuplicateRule)
{
    internal static ImportTableReport Derived(string table, long rows) =>
        new(table, null, rows, rows, 0, 0, rows, 0, new Dictionary<string, long>(), [], null);
}

/// <summary>The import report written as <c>import-report.json</c> beside the imported tables:
/// <c>{"tables": {"&lt;table&gt;": {"read": n, "accepted": n, "rejected": n, ...}}, "derived": [...]}</c>.</summary>
public sealed record ImportReport(IReadOnlyList<ImportTableReport> Tables, IReadOnlyList<string> Derived)
{
    public ImportTableReport this[string table] => Tables.FirstOrDefault(t => t.Table == table)
        ?? throw new KeyNotFoundException($"No table '{table}' in the import report. Known: {string.Join(", ", Tables.Select(t => t.Table))}");

    /// <summary>Indented JSON with stable snake_case names, ending in a newline.</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("tables");
            foreach (var t in Tables)
            {
                w.WriteStartObject(t.Table);
                w.WriteNumber("read", t.Read);
                w.WriteNumber("accepted", t.Accepted);
                w.WriteNumber("rejected", t.Rejected);
                w.WriteNumber("filtered", t.Filtered);
                w.WriteNumber("rows", t.Rows);
                if (t.File is not null) w.WriteString("file", Path.GetFileName(t.File));
                else w.WriteString("source", "derived");
                if (t.DuplicateRule is not null) w.WriteString("duplicates", t.DuplicateRule);
                w.WriteNumber("conflicts", t.Conflicts);
                if (t.Filters.Count > 0)
                {
                    w.WriteStartArray("filters");
                    foreach (var f in t.Filters) w.WriteStringValue(f);
                    w.WriteEndArray();
                }
                w.WriteStartObject("rejected_by_reason");
                foreach (var (reason, n) in t.RejectedByReason) w.WriteNumber(reason, n);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartArray("derived");
            foreach (var d in Derived) w.WriteStringValue(d);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>One line per table and per derivation, for the console.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        foreach (var t in Tables)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{t.Table,-13} ");
            if (t.File is null) sb.Append(CultureInfo.InvariantCulture, $"{t.Rows:N0} rows (derived)");
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"{t.Read:N0} read, {t.Accepted:N0} accepted, {t.Rejected:N0} rejected");
                if (t.Filtered > 0) sb.Append(CultureInfo.InvariantCulture, $", {t.Filtered:N0} filtered out");
                if (t.Rows != t.Accepted) sb.Append(CultureInfo.InvariantCulture, $", {t.Rows:N0} distinct");
                if (t.Conflicts > 0) sb.Append(CultureInfo.InvariantCulture, $", {t.Conflicts:N0} conflicting duplicates (kept the {t.DuplicateRule} row)");
            }
            sb.Append('\n');
            foreach (var (reason, n) in t.RejectedByReason) sb.Append(CultureInfo.InvariantCulture, $"  {n:N0} rejected: {reason}\n");
        }
        foreach (var d in Derived) sb.Append("derived: ").Append(d).Append('\n');
        return sb.ToString();
    }
}
