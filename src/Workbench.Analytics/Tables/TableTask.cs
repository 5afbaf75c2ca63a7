namespace Workbench.Analytics.Tables;

/// <summary>One-row-per-entity data (subscribers, leads, deals with an outcome): an id per row and text cells per
/// column, as read from a file (blank = null). The target and the optional date column are columns of it.</summary>
/// <param name="Ids">Row ids (unique).</param>
/// <param name="Columns">Column names.</param>
/// <param name="Rows">One cell per column per row; numbers in invariant culture.</param>
/// <param name="Source">How to name the data in messages (a file path).</param>
public sealed record EntityTable(IReadOnlyList<string> Ids, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string?>> Rows, string Source = "the table")
{
    public int RowCount => Ids.Count;

    /// <summary>The index of a column; an unknown name throws naming the columns there are (with a did-you-mean).</summary>
    public int ColumnIndex(string name, string role)
    {
        for (int j = 0; j < Columns.Count; j++) if (Columns[j] == name) return j;
        var near = Columns.OrderBy(c => Distance(c.ToLowerInvariant(), name.ToLowerInvariant())).FirstOrDefault();
        throw new OptionsValidationException($"{Source}: the {role} column '{name}' is not a column of the table" +
            (near is not null && Distance(near.ToLowerInvariant(), name.ToLowerInvariant()) <= Math.Max(2, name.Length / 3) ? $" (did you mean '{near}'?)" : "") +
            $". Columns: {string.Join(", ", Columns)}.");
    }

    /// <summary>The rows at <paramref name="rows"/>, same columns.</summary>
    public EntityTable Subset(IReadOnlyList<int> rows) => this with { Ids = rows.Select(i => Ids[i]).ToArray(), Rows = rows.Select(i => Rows[i]).ToArray() };

    static int Distance(string a, string b)
    {
        var d = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) d[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int prev = d[0]; d[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int tmp = d[j];
                d[j] = Math.Min(Math.Min(d[j] + 1, d[j - 1] + 1), prev + (a[i - 1] == b[j - 1] ? 0 : 1));
                prev = tmp;
            }
        }
        return d[b.Length];
    }
}

/// <summary>How a table task is split and trained. The target column holds a yes/no outcome (true/false, yes/no,
/// 1/0, churned/..., any two values with <see cref="PositiveValue"/> naming the positive one); every other column
/// except <see cref="Exclude"/> and <see cref="DateColumn"/> is a feature (numbers as they are, text one-hot encoded
/// with the training rows' levels).</summary>
public sealed record TableTaskOptions
{
    /// <summary>The outcome column.</summary>
    public required string Target { get; init; }
    /// <summary>The outcome value that counts as positive; default: true, yes, 1 (case-insensitive).</summary>
    public string? PositiveValue { get; init; }
    /// <summary>Columns left out of the features (identifiers, leaks).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];
    /// <summary>A date column (yyyy-MM-dd): the latest <see cref="TestShare"/> of rows are the test rows (a time split).
    /// Without one, a seeded stratified split.</summary>
    public string? DateColumn { get; init; }
    /// <summary>Share of rows held out for the test.</summary>
    public double TestShare { get; init; } = 0.25;
    /// <summary>Share of the training rows used for early stopping and calibration (never the test rows).</summary>
    public double ValidationShare { get; init; } = 0.2;
    public int Seed { get; init; } = 42;
    /// <summary>The tree model. Defaults suit thousands of independent rows (smaller leaves than the prioritizer's
    /// snapshot defaults, a slower learning rate with early stopping).</summary>
    public PropensityOptions Model { get; init; } = new() { NumberOfLeaves = 8, LearningRate = 0.03, MinExamplesPerLeaf = 30, NumberOfTrees = 600 };

    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Target)) problems.Add("Target: name the outcome column.");
        if (TestShare is <= 0 or >= 1) problems.Add($"TestShare must be in (0, 1), got {TestShare.ToString(CultureInfo.InvariantCulture)}.");
        if (ValidationShare is <= 0 or >= 1) problems.Add($"ValidationShare must be in (0, 1), got {ValidationShare.ToString(CultureInfo.InvariantCulture)}.");
        if (Exclude.Contains(Target)) problems.Add($"Exclude lists the target '{Target}'.");
        if (DateColumn is not null && DateColumn == Target) problems.Add("DateColumn is the target.");
        try { Model.Validate(); } catch (OptionsValidationException ex) { problems.Add("Model: " + ex.Message); }
        if (problems.Count > 0) throw new OptionsValidationException("Table task options: " + string.Join(" ", problems));
    }

    /// <summary>Adds the task's settings to <paramref name="json"/> under their snake_case names (target,
    /// positive_value, date_column, exclude, test_share, validation_share, seed), as the model file's <c>table.json</c>
    /// and a table run's spec record store them, and returns it.</summary>
    public JsonObject AddTo(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json["target"] = Target;
        json["positive_value"] = PositiveValue;
        json["date_column"] = DateColumn;
        json["exclude"] = new JsonArray(Exclude.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray());
        json["test_share"] = TestShare;
        json["validation_share"] = ValidationShare;
        json["seed"] = Seed;
        return json;
    }

    /// <summary>The rows' outcomes; a blank or unreadable outcome names the row's id, the column and the value.</summary>
    internal bool[] Labels(EntityTable table)
    {
        int t = table.ColumnIndex(Target, "target");
        var values = table.Rows.Select(r => r[t]?.Trim()).ToArray();
        var distinct = values.Where(v => !string.IsNullOrEmpty(v)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var labels = new bool[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (string.IsNullOrEmpty(v))
                throw new WorkbenchException($"{table.Source}: row '{table.Ids[i]}', column '{Target}': value '': an outcome (every training row needs one).");
            if (PositiveValue is { } pos) labels[i] = string.Equals(v, pos, StringComparison.OrdinalIgnoreCase);
            else
            {
                switch (v.ToLowerInvariant())
                {
                    case "true" or "yes" or "1" or "y": labels[i] = true; break;
                    case "false" or "no" or "0" or "n": labels[i] = false; break;
                    default:
                        throw new WorkbenchException($"{table.Source}: row '{table.Ids[i]}', column '{Target}': value '{v}': true/false, yes/no or 1/0 " +
                            $"(the column holds {string.Join(", ", distinct.Take(5).Select(x => "'" + x + "'"))}; name the positive one with --positive).");
                }
            }
        }
        if (PositiveValue is { } p && !distinct.Contains(p, StringComparer.OrdinalIgnoreCase))
            throw new OptionsValidationException($"{table.Source}: the positive value '{p}' never occurs in column '{Target}' (it holds {string.Join(", ", distinct.Take(5).Select(x => "'" + x + "'"))}).");
        return labels;
    }

    /// <summary>The feature columns: everything but the target, the date column and the excluded columns.</summary>
    internal IReadOnlyList<string> FeatureColumns(EntityTable table)
    {
        table.ColumnIndex(Target, "target");
        foreach (var e in Exclude) table.ColumnIndex(e, "excluded");
        if (DateColumn is { } d) table.ColumnIndex(d, "date");
        return table.Columns.Where(c => c != Target && c != DateColumn && !Exclude.Contains(c)).ToArray();
    }
}

/// <summary>Train and test rows of a table task.</summary>
public sealed record TableSplit(EntityTable Train, EntityTable Test, string Method);

/// <summary>Splits a table task's rows: by date when the options name a date column (latest rows are the test), else
/// a seeded stratified split.</summary>
public static class TableSplitter
{
    public static TableSplit Split(EntityTable table, TableTaskOptions options)
    {
        ArgumentNullException.ThrowIfNull(table);
        options.Validate();
        var labels = options.Labels(table);
        if (options.DateColumn is { } dc)
        {
            int j = table.ColumnIndex(dc, "date");
            var dates = new DateOnly[table.RowCount];
            for (int i = 0; i < dates.Length; i++)
                if (!DateOnly.TryParseExact(table.Rows[i][j]?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out dates[i]))
                    throw new WorkbenchException($"{table.Source}: row '{table.Ids[i]}', column '{dc}': value '{table.Rows[i][j]}': a date in yyyy-MM-dd (the time split reads it).");
            var order = Enumerable.Range(0, table.RowCount).OrderBy(i => dates[i]).ThenBy(i => table.Ids[i], StringComparer.Ordinal).ToArray();
            int cut = (int)Math.Round(order.Length * (1 - options.TestShare));
            return new TableSplit(table.Subset(order[..cut].Order().ToArray()), table.Subset(order[cut..].Order().ToArray()),
                $"time split on {dc}: test rows dated {dates[order[Math.Min(cut, order.Length - 1)]]:yyyy-MM-dd} or later");
        }
        var (train, test) = Splits.Stratified(labels, 1 - options.TestShare, RunContext.DeriveSeed(options.Seed, "table-split"));
        return new TableSplit(table.Subset(train), table.Subset(test), "seeded stratified split");
    }
}
