namespace Workbench;

/// <summary>Where in an input a problem is: file, 1-based line, column name, the offending value,
/// and what was expected instead.</summary>
public sealed record DataProblem(string File, long Line, string? Column, string? Value, string Expected)
{
    /// <summary>The problem on one line; control characters of the data (ESC sequences, carriage returns, bidi
    /// overrides) are shown escaped, so a hostile cell cannot rewrite the terminal it is printed on.</summary>
    public override string ToString()
    {
        var where = Column is null ? $"{TerminalText.Escape(File)}:{Line}" : $"{TerminalText.Escape(File)}:{Line}, column '{TerminalText.Escape(Column)}'";
        return Value is null ? $"{where}: {TerminalText.Escape(Expected, keepNewlines: true)}" : $"{where}: value '{TerminalText.Escape(Value)}': {TerminalText.Escape(Expected, keepNewlines: true)}";
    }
}

/// <summary>Text from data made safe to print on a terminal: C0/C1 control characters, DEL and the Unicode
/// bidirectional and line-separator controls become visible escapes (<c>\x1b</c>, <c>\r</c>, <c>\u202e</c>).</summary>
public static class TerminalText
{
    public static string Escape(string text, bool keepNewlines = false)
    {
        int i = 0;
        while (i < text.Length && !Unsafe(text[i], keepNewlines)) i++;
        if (i == text.Length) return text;
        var sb = new System.Text.StringBuilder(text.Length + 16);
        sb.Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (!Unsafe(c, keepNewlines)) { sb.Append(c); continue; }
            sb.Append(c switch
            {
                '\n' => "\\n", '\r' => "\\r", '\t' => "\\t",
                < '\u0100' => "\\x" + ((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture),
                _ => "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture),
            });
        }
        return sb.ToString();
    }

    static bool Unsafe(char c, bool keepNewlines) =>
        (c < ' ' && !(keepNewlines && c == '\n')) || (c >= '\u007f' && c <= '\u009f')
        || c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u2028' or '\u2029' or '\u200e' or '\u200f' or '\u061c';
}

/// <summary>Base of every error the workbench raises on purpose (bad input, bad options).</summary>
public class WorkbenchException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The data has no account-product eligible for scoring at the as-of date (a partition of accounts may have none
/// while the others do).</summary>
public sealed class NothingToScoreException(string message) : WorkbenchException(message);

/// <summary>Input data failed validation. Message lists the first problems with their places.</summary>
public sealed class DataValidationException : WorkbenchException
{
    public IReadOnlyList<DataProblem> Problems { get; }

    public DataValidationException(IReadOnlyList<DataProblem> problems, int maxListed = 20)
        : base(Format(problems, maxListed)) => Problems = problems;

    /// <summary>Problems of which only the first were kept: the message states the totals
    /// ("9,994 rows rejected (9,994 problems); the first 20 shown:").</summary>
    public DataValidationException(IReadOnlyList<DataProblem> problems, int maxListed, long totalProblems, long rejectedRows)
        : base(FormatTotals(problems, maxListed, totalProblems, rejectedRows))
    {
        Problems = problems; TotalProblems = totalProblems; RejectedRows = rejectedRows;
    }

    /// <summary>Every problem found, including those not kept in <see cref="Problems"/>.</summary>
    public long TotalProblems { get; }
    /// <summary>Rows with at least one problem.</summary>
    public long RejectedRows { get; }

    static string FormatTotals(IReadOnlyList<DataProblem> problems, int maxListed, long total, long rows)
    {
        var shown = Math.Min(problems.Count, maxListed);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var head = string.Format(inv, "{0:N0} row{1} rejected ({2:N0} problem{3}); ", rows, rows == 1 ? "" : "s", total, total == 1 ? "" : "s")
            + (shown < total ? string.Format(inv, "the first {0:N0} shown:", shown) : "all shown:");
        return head + "\n" + string.Join("\n", problems.Take(maxListed).Select(p => "  " + p));
    }

    static string Format(IReadOnlyList<DataProblem> problems, int maxListed)
    {
        var lines = problems.Take(maxListed).Select(p => "  " + p);
        var more = problems.Count > maxListed ? $"\n  ... and {problems.Count - maxListed} more" : "";
        return $"{problems.Count} data problem(s):\n{string.Join("\n", lines)}{more}";
    }
}

/// <summary>Options or a spec failed validation (unknown key, out-of-range value).</summary>
public sealed class OptionsValidationException(string message) : WorkbenchException(message)
{
    /// <summary>1-based line in the options file, when the problem has one place (a JSON syntax error).</summary>
    public int? Line { get; init; }
    /// <summary>1-based column on <see cref="Line"/>.</summary>
    public int? Column { get; init; }
    /// <summary>What is wrong, without the location (the message starts with the file and line).</summary>
    public string? Reason { get; init; }
}

/// <summary>A table's feature columns are not the ones a model was trained on.</summary>
public sealed class FeatureSchemaException(string message, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected) : WorkbenchException(message)
{
    /// <summary>Features the model needs that the table lacks.</summary>
    public IReadOnlyList<string> Missing { get; } = missing;
    /// <summary>Columns of the table the model does not know.</summary>
    public IReadOnlyList<string> Unexpected { get; } = unexpected;
}
