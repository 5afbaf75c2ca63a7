namespace Workbench.Experiments.Artifacts;

/// <summary>CSV cells for artifacts: invariant culture, RFC 4180 quoting, and cells that a spreadsheet would run as a
/// formula (starting with = + - @, tab or carriage return) prefixed with an apostrophe when they are text.</summary>
public static class CsvText
{
    public static string Cell(string? text, bool neutralizeFormulas = true)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (neutralizeFormulas && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r') text = "'" + text;
        return text.AsSpan().ContainsAny(NeedQuotes) ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }

    // Built once: a collection expression in the call allocated a new array per cell (measurable in book.csv's writing).
    static readonly System.Buffers.SearchValues<char> NeedQuotes = System.Buffers.SearchValues.Create(",\"\n\r");

    public static string Number(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
    public static string Number(float v) => float.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    public static string Line(IEnumerable<string> cells) => string.Join(",", cells);

    public static string Table(IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows)
    {
        var sb = new StringBuilder();
        sb.Append(Line(header.Select(h => Cell(h)))).Append('\n');
        foreach (var r in rows) sb.Append(Line(r)).Append('\n');
        return sb.ToString();
    }
}
