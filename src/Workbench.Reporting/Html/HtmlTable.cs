namespace Workbench.Reporting;

/// <summary>How a column's cells are aligned (numbers right, text left).</summary>
public enum ColumnAlignment { Left, Right }

/// <summary>
/// A small table of already formatted text that shows itself as escaped HTML in a notebook
/// (registered with <see cref="DisplayRegistry"/> by <see cref="ReportingDisplays"/>) and as an aligned plain-text table
/// everywhere else (<see cref="ToString"/>).
/// Every header, cell and the caption are HTML-encoded: a value can never inject markup.
/// </summary>
public sealed class HtmlTable
{
    /// <summary>A title shown above the table (may be empty).</summary>
    public string Caption { get; }
    /// <summary>Column headers.</summary>
    public IReadOnlyList<string> Headers { get; }
    /// <summary>Rows of cells, each as long as <see cref="Headers"/>.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }
    /// <summary>Alignment per column.</summary>
    public IReadOnlyList<ColumnAlignment> Alignments { get; }

    /// <summary>A table; numeric-looking columns are right-aligned unless <paramref name="alignments"/> says otherwise.</summary>
    public HtmlTable(string caption, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, IReadOnlyList<ColumnAlignment>? alignments = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        Caption = caption ?? "";
        Headers = headers.ToArray();
        Rows = rows.Select(r => (IReadOnlyList<string>)r.ToArray()).ToArray();
        for (int i = 0; i < Rows.Count; i++)
            if (Rows[i].Count != Headers.Count)
                throw new ArgumentException($"Row {i + 1} has {Rows[i].Count} cells but the table has {Headers.Count} columns ({string.Join(", ", Headers)}).");
        if (alignments is not null && alignments.Count != Headers.Count)
            throw new ArgumentException($"{alignments.Count} alignments for {Headers.Count} columns.");
        Alignments = alignments?.ToArray() ?? Enumerable.Range(0, Headers.Count)
            .Select(j => Rows.Count > 0 && Rows.All(r => LooksNumeric(r[j])) ? ColumnAlignment.Right : ColumnAlignment.Left).ToArray();
    }

    /// <summary>The table as an escaped HTML fragment.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder();
        html.Append("<table class=\"workbench-table\">");
        if (Caption.Length > 0) html.Append("<caption>").Append(Encode(Caption)).Append("</caption>");
        html.Append("<thead><tr>");
        for (int j = 0; j < Headers.Count; j++) html.Append("<th").Append(Align(j)).Append('>').Append(Encode(Headers[j])).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in Rows)
        {
            html.Append("<tr>");
            for (int j = 0; j < row.Count; j++) html.Append("<td").Append(Align(j)).Append('>').Append(Encode(row[j])).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        return html.ToString();
    }

    /// <summary>The table as aligned plain text (caption, header, rule, rows).</summary>
    public override string ToString()
    {
        var widths = Enumerable.Range(0, Headers.Count).Select(j => Rows.Select(r => r[j].Length).Append(Headers[j].Length).Max()).ToArray();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((c, j) =>
            Alignments[j] == ColumnAlignment.Right ? c.PadLeft(widths[j]) : c.PadRight(widths[j]))).TrimEnd();
        var text = new StringBuilder();
        if (Caption.Length > 0) text.Append(Caption).Append('\n');
        text.Append(Line(Headers)).Append('\n');
        text.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        foreach (var row in Rows) text.Append(Line(row)).Append('\n');
        return text.ToString().TrimEnd('\n');
    }

    string Align(int column) => Alignments[column] == ColumnAlignment.Right ? " style=\"text-align:right\"" : "";

    static string Encode(string text) => WebUtility.HtmlEncode(text);

    static bool LooksNumeric(string cell)
    {
        var t = cell.Trim().TrimEnd('%').Replace(",", "", StringComparison.Ordinal);
        return t.Length == 0 || t == "-" || double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
    }
}
