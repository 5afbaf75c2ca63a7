namespace Workbench.Data;

/// <summary>A delimited file with a header read as text cells (blank unquoted = null): a user's wide table, or the
/// <c>account_attributes.csv</c> an import writes. Ids come from a named column, else the data row's number (1, 2, ...).</summary>
/// <param name="Path">The file read.</param>
/// <param name="IdColumn">The column the ids came from; null when they are row numbers.</param>
/// <param name="Ids">One id per row.</param>
/// <param name="Columns">The other columns' names.</param>
/// <param name="Rows">Cells of <paramref name="Columns"/>, per row.</param>
public sealed record TextTable(string Path, string? IdColumn, IReadOnlyList<string> Ids, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string?>> Rows)
{
    /// <summary>Reads <paramref name="path"/>: a CSV file, or a dataset folder holding <see cref="AttributeTableCsv.FileName"/>.
    /// <paramref name="idColumn"/>: the id column (default: <c>account_id</c> or <c>id</c> when present, else row numbers).
    /// A row with another number of fields, or a repeated id, names the file, line, column and value.</summary>
    public static TextTable Read(string path, string? idColumn = null, char delimiter = ',')
    {
        var file = Directory.Exists(path) ? System.IO.Path.Combine(path, AttributeTableCsv.FileName) : path;
        if (!File.Exists(file))
            throw new DataValidationException([new DataProblem(file, 0, null, null,
                Directory.Exists(path) ? $"a table file ({AttributeTableCsv.FileName}, written by 'workbench import' for a mapping with attributes)" : "a table file (not found)")]);
        using var reader = Io.CsvRecordReader.Open(file, delimiter);
        if (!reader.Read()) throw new DataValidationException([new DataProblem(file, 1, null, "", "a header row; the file is empty")]);
        var header = Enumerable.Range(0, reader.FieldCount).Select(f => reader.Field(f).Trim().ToString()).ToArray();
        int id = -1;
        if (idColumn is not null)
        {
            id = Array.IndexOf(header, idColumn);
            if (id < 0) throw new DataValidationException([new DataProblem(file, 1, idColumn, reader.RawText.ToString(),
                $"a column named '{idColumn}' (the id column){LocatedJson.DidYouMean(idColumn, header)}")]);
        }
        else id = Array.IndexOf(header, "account_id") is >= 0 and var a ? a : Array.IndexOf(header, "id");
        var columns = header.Where((_, j) => j != id).ToArray();
        var ids = new List<string>(); var rows = new List<IReadOnlyList<string?>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<DataProblem>();
        while (reader.Read())
        {
            if (reader.FieldCount == 1 && reader.Field(0).Length == 0 && !reader.Quoted(0)) continue; // blank line
            if (reader.FieldCount != header.Length)
            {
                problems.Add(new DataProblem(file, reader.Line, null, reader.RawText.ToString(), $"{header.Length} fields as in the header, found {reader.FieldCount}"));
                if (problems.Count >= 20) break;
                continue;
            }
            string rowId = id >= 0 ? reader.Field(id).Trim().ToString() : (rows.Count + 1).ToString(CultureInfo.InvariantCulture);
            if (rowId.Length == 0 || !seen.Add(rowId))
            {
                problems.Add(new DataProblem(file, reader.Line, header[id], rowId, rowId.Length == 0 ? "an id (required)" : "a unique id (this one repeats)"));
                if (problems.Count >= 20) break;
                continue;
            }
            var cells = new string?[columns.Length];
            for (int f = 0, k = 0; f < header.Length; f++)
            {
                if (f == id) continue;
                var v = reader.Field(f);
                cells[k++] = v.Length == 0 && !reader.Quoted(f) ? null : v.Trim().ToString();
            }
            ids.Add(rowId); rows.Add(cells);
        }
        if (problems.Count > 0) throw new DataValidationException(problems);
        return new TextTable(file, id >= 0 ? header[id] : null, ids, columns, rows);
    }
}
