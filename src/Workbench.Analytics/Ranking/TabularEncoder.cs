namespace Workbench.Analytics.Ranking;

/// <summary>
/// Turns a flat attribute table (strings, as read from a file) into model rows: numeric columns parse with the
/// invariant culture (blank = NaN), other columns become one 0/1 column per level (levels sorted, so the encoding
/// is the same on every run). Used for data that is one row per customer rather than a CRM history (for example
/// the Telco churn file).
/// </summary>
public sealed class TabularEncoder
{
    readonly string[] _columns;
    readonly bool[] _numeric;
    readonly string[][] _levels;
    public IReadOnlyList<string> FeatureNames { get; }

    TabularEncoder(string[] columns, bool[] numeric, string[][] levels)
    {
        (_columns, _numeric, _levels) = (columns, numeric, levels);
        FeatureNames = columns.SelectMany((c, j) => numeric[j] ? [c] : levels[j].Select(l => $"{c}={l}")).ToArray();
    }

    /// <summary>The source columns, in order.</summary>
    public IReadOnlyList<string> Columns => _columns;
    /// <summary>Whether source column j was numeric when fitted.</summary>
    public bool IsNumeric(int column) => _numeric[column];
    /// <summary>The levels (one 0/1 feature each) of a text column; empty for a numeric one.</summary>
    public IReadOnlyList<string> Levels(int column) => _levels[column];

    /// <summary>Rebuilds a fitted encoder from its parts (a saved model).</summary>
    public static TabularEncoder FromParts(IReadOnlyList<string> columns, IReadOnlyList<bool> numeric, IReadOnlyList<IReadOnlyList<string>> levels)
    {
        if (columns.Count != numeric.Count || columns.Count != levels.Count) throw new ArgumentException("columns, numeric and levels differ in length.");
        return new TabularEncoder(columns.ToArray(), numeric.ToArray(), levels.Select(l => l.ToArray()).ToArray());
    }

    /// <summary>Learns which columns are numeric (every non-blank value parses) and the levels of the others.</summary>
    public static TabularEncoder Fit(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string?>> rows)
    {
        int d = columns.Count;
        var numeric = new bool[d]; var levels = new string[d][];
        for (int j = 0; j < d; j++)
        {
            var values = rows.Select(r => r[j]).Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
            numeric[j] = values.Count > 0 && values.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            levels[j] = numeric[j] ? [] : values.Select(v => v!.Trim()).Distinct().Order(StringComparer.Ordinal).ToArray();
        }
        return new TabularEncoder(columns.ToArray(), numeric, levels);
    }

    public TrainingSet Encode(IReadOnlyList<IReadOnlyList<string?>> rows, IReadOnlyList<bool> labels)
    {
        if (rows.Count != labels.Count) throw new ArgumentException($"{rows.Count} rows for {labels.Count} labels.");
        int width = FeatureNames.Count;
        var values = new float[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
        {
            int k = i * width;
            for (int j = 0; j < _columns.Length; j++)
            {
                string? v = rows[i][j]?.Trim();
                if (_numeric[j])
                {
                    values[k++] = string.IsNullOrEmpty(v) ? float.NaN
                        : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? (float)x
                        : throw new WorkbenchException($"Row {i + 1}, column '{_columns[j]}': value '{v}' is not a number (invariant culture), but the column was numeric when the encoder was fitted.");
                }
                else
                {
                    foreach (var level in _levels[j]) values[k++] = level == v ? 1 : 0; // an unseen level sets no column
                }
            }
        }
        return new TrainingSet(values, FeatureNames, labels.ToArray());
    }
}

/// <summary>Seeded splits of row indexes.</summary>
public static class Splits
{
    /// <summary>A stratified split: each class is shuffled with the seed and cut at the same share.</summary>
    public static (int[] Train, int[] Test) Stratified(IReadOnlyList<bool> labels, double trainShare, int seed)
    {
        if (trainShare is <= 0 or >= 1) throw new OptionsValidationException($"trainShare must be in (0, 1), got {trainShare}.");
        var rng = new Random(seed);
        var train = new List<int>(); var test = new List<int>();
        foreach (bool cls in new[] { false, true })
        {
            var idx = Enumerable.Range(0, labels.Count).Where(i => labels[i] == cls).ToArray();
            rng.Shuffle(idx);
            int cut = (int)Math.Round(idx.Length * trainShare);
            train.AddRange(idx[..cut]); test.AddRange(idx[cut..]);
        }
        train.Sort(); test.Sort();
        return (train.ToArray(), test.ToArray());
    }
}
