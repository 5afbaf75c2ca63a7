using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Workbench.Notebooks;

/// <summary>A variable declared in the notebook's <c>parameters</c> cell, with the C# type the override must have.</summary>
public sealed record NotebookParameter(string Name, string TypeName);

/// <summary>The papermill convention for C#: the cell tagged <c>parameters</c> declares defaults; overrides become a
/// cell tagged <c>injected-parameters</c> inserted right after it, redeclaring each overridden variable with the
/// type of its default and a C# literal of the override's value.</summary>
public static class ParameterInjection
{
    /// <summary>Tag of the cell that declares the defaults.</summary>
    public const string ParametersTag = "parameters";
    /// <summary>Tag (and id) of the cell the runner inserts.</summary>
    public const string InjectedTag = "injected-parameters";

    static readonly CSharpParseOptions ScriptOptions = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);

    /// <summary>The variables declared at top level in a parameters cell and their types (explicit, or inferred from a literal).</summary>
    public static IReadOnlyList<NotebookParameter> ReadDeclarations(string parametersCell, string notebook)
    {
        var root = CSharpSyntaxTree.ParseText(parametersCell, ScriptOptions).GetCompilationUnitRoot();
        var declarations = root.Members.Select(m => m switch
        {
            FieldDeclarationSyntax field => field.Declaration,
            GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax local } => local.Declaration,
            _ => null,
        }).OfType<VariableDeclarationSyntax>();
        var result = new List<NotebookParameter>();
        foreach (var declaration in declarations)
        foreach (var variable in declaration.Variables)
        {
            var type = declaration.Type.IsVar ? InferFromLiteral(variable.Initializer?.Value) : declaration.Type.ToString();
            if (type is null)
            {
                var line = variable.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                throw new WorkbenchException($"{notebook}: parameters cell, line {line}: cannot tell the type of '{variable.Identifier.Text}' "
                    + "(declared with var and a non-literal value); declare it with an explicit type, e.g. `int seed = 42;`.");
            }
            result.Add(new NotebookParameter(variable.Identifier.Text, type));
        }
        return result;
    }

    static string? InferFromLiteral(ExpressionSyntax? value) => value switch
    {
        LiteralExpressionSyntax literal => literal.Token.Value switch
        {
            int => "int", long => "long", uint => "uint", ulong => "ulong", double => "double", float => "float",
            decimal => "decimal", bool => "bool", string => "string", char => "char", _ => null,
        },
        PrefixUnaryExpressionSyntax { OperatorToken.Text: "-" } negative => InferFromLiteral(negative.Operand),
        _ => null,
    };

    /// <summary>The source of the injected cell: one typed declaration per override, in the order given.</summary>
    public static string BuildInjectedSource(IReadOnlyList<NotebookParameter> declared, IReadOnlyList<KeyValuePair<string, string>> overrides, string notebook)
    {
        var lines = new List<string> { "// Parameters injected by `workbench notebooks run --param`." };
        foreach (var (name, text) in overrides)
        {
            var parameter = declared.FirstOrDefault(p => p.Name == name)
                ?? throw new WorkbenchException($"{notebook}: parameter '{name}' is not declared in the parameters cell "
                    + $"(declared: {(declared.Count == 0 ? "none" : string.Join(", ", declared.Select(p => p.Name)))}).");
            lines.Add($"{parameter.TypeName} {name} = {Literal(parameter, text, notebook)};");
        }
        return string.Join("\n", lines) + "\n";
    }

    static string Literal(NotebookParameter p, string text, string notebook)
    {
        var inv = CultureInfo.InvariantCulture;
        string Fail(string expected) => throw new WorkbenchException($"{notebook}: --param {p.Name}={text}: expected {expected} (the parameters cell declares {p.TypeName} {p.Name}).");
        var type = p.TypeName.TrimEnd('?');
        if (p.TypeName.EndsWith('?') && text == "null") return "null";
        switch (type)
        {
            case "string" or "String" or "System.String":
                return SymbolDisplay.FormatLiteral(text, quote: true);
            case "bool" or "Boolean":
                return bool.TryParse(text, out var b) ? (b ? "true" : "false") : Fail("true or false");
            case "int" or "Int32":
                return int.TryParse(text, NumberStyles.Integer, inv, out var i) ? i.ToString(inv) : Fail("an integer");
            case "long" or "Int64":
                return long.TryParse(text, NumberStyles.Integer, inv, out var l) ? l.ToString(inv) + "L" : Fail("an integer");
            case "double" or "Double":
                if (!double.TryParse(text, NumberStyles.Float, inv, out var d) || !double.IsFinite(d)) return Fail("a finite number like 0.25");
                return d.ToString("R", inv) + "d";
            case "float" or "Single":
                return float.TryParse(text, NumberStyles.Float, inv, out var f) && float.IsFinite(f) ? f.ToString("R", inv) + "f" : Fail("a finite number");
            case "decimal" or "Decimal":
                return decimal.TryParse(text, NumberStyles.Number, inv, out var m) ? m.ToString(inv) + "m" : Fail("a decimal number");
            case "DateOnly":
                return DateOnly.TryParseExact(text, "yyyy-MM-dd", inv, DateTimeStyles.None, out var date)
                    ? $"new DateOnly({date.Year}, {date.Month}, {date.Day})" : Fail("a date yyyy-MM-dd");
            default:
                return Fail("a type the runner can write as a literal (string, bool, int, long, double, float, decimal, DateOnly)");
        }
    }

    /// <summary>Removes a previous injected cell and inserts a new one after the parameters cell.
    /// Does nothing without overrides. Throws when there are overrides but no parameters cell.</summary>
    public static void Apply(NotebookDocument notebook, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        if (overrides.Count == 0) return;
        var cells = notebook.Cells;
        for (var i = cells.Count - 1; i >= 0; i--)
            if (cells[i].HasTag(InjectedTag)) notebook.RemoveCellAt(i);
        cells = notebook.Cells;
        var index = cells.ToList().FindIndex(c => c.CellType == "code" && c.HasTag(ParametersTag));
        if (index < 0)
            throw new WorkbenchException($"{notebook.Source}: no code cell is tagged '{ParametersTag}', so --param {overrides[0].Key} has nowhere to go; "
                + "tag the cell that sets the defaults (cell toolbar > tags) with 'parameters'.");
        var declared = ReadDeclarations(cells[index].Source, notebook.Source);
        var source = BuildInjectedSource(declared, overrides, notebook.Source);
        notebook.InsertCell(index + 1, "code", source, InjectedTag, InjectedTag);
    }
}
