namespace Workbench;

/// <summary>Where in an input a problem is: file, 1-based line, column name, the offending value,
/// and what was expected instead.</summary>
public sealed record DataProblem(string File, long Line, string? Column, string? Value, string Expected)
{
    public override string ToString()
    {
        var where = Column is null ? $"{File}:{Line}" : $"{File}:{Line}, column '{Column}'";
        return Value is null ? $"{where}: {Expected}" : $"{where}: value '{Value}': {Expected}";
    }
}

/// <summary>Base of every error the workbench raises on purpose (bad input, bad options).</summary>
public class WorkbenchException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Input data failed validation. Message lists the first problems with their places.</summary>
public sealed class DataValidationException : WorkbenchException
{
    public IReadOnlyList<DataProblem> Problems { get; }

    public DataValidationException(IReadOnlyList<DataProblem> problems, int maxListed = 20)
        : base(Format(problems, maxListed)) => Problems = problems;

    static string Format(IReadOnlyList<DataProblem> problems, int maxListed)
    {
        var lines = problems.Take(maxListed).Select(p => "  " + p);
        var more = problems.Count > maxListed ? $"\n  ... and {problems.Count - maxListed} more" : "";
        return $"{problems.Count} data problem(s):\n{string.Join("\n", lines)}{more}";
    }
}

/// <summary>Options or a spec failed validation (unknown key, out-of-range value).</summary>
public sealed class OptionsValidationException(string message) : WorkbenchException(message);

/// <summary>A table's feature columns are not the ones a model was trained on.</summary>
public sealed class FeatureSchemaException(string message, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected) : WorkbenchException(message)
{
    /// <summary>Features the model needs that the table lacks.</summary>
    public IReadOnlyList<string> Missing { get; } = missing;
    /// <summary>Columns of the table the model does not know.</summary>
    public IReadOnlyList<string> Unexpected { get; } = unexpected;
}
