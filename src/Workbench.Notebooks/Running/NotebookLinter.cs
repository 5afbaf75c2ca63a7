using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Workbench.Notebooks;

/// <summary>A rule a notebook breaks, with the 1-based cell number and line.</summary>
public sealed record LintProblem(string Notebook, int CellNumber, int Line, string Rule, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Notebook}: cell {CellNumber}, line {Line}: {Rule}: {Message}";
}

/// <summary>Keeps notebooks thin and reproducible: no type definitions in cells (they belong in src/), a
/// <c>parameters</c> cell, and every code cell executed (notebooks are committed with their outputs).</summary>
public static class NotebookLinter
{
    static readonly CSharpParseOptions ScriptOptions = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);

    /// <summary>All problems found, in cell order.</summary>
    public static IReadOnlyList<LintProblem> Lint(NotebookDocument notebook)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var problems = new List<LintProblem>();
        var cells = notebook.Cells;
        if (!cells.Any(c => c.CellType == "code" && c.HasTag(ParameterInjection.ParametersTag)))
            problems.Add(new LintProblem(notebook.Source, 0, 0, "parameters-cell",
                "no code cell is tagged 'parameters'; tag the cell that sets seed, data path and sizes so the runner can override them"));
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            if (cell.CellType != "code") continue;
            var root = CSharpSyntaxTree.ParseText(ReferenceDirectives.Extract(cell.Source).Code, ScriptOptions).GetRoot();
            foreach (var type in root.DescendantNodes().OfType<TypeDeclarationSyntax>().Where(t => t is ClassDeclarationSyntax or RecordDeclarationSyntax or StructDeclarationSyntax))
            {
                var line = type.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                var keyword = type is RecordDeclarationSyntax r ? "record" + (r.ClassOrStructKeyword.Text is { Length: > 0 } k ? " " + k : "") : type.Keyword.Text;
                problems.Add(new LintProblem(notebook.Source, i + 1, line, "no-type-definitions",
                    $"{keyword} '{type.Identifier.Text}' is defined in a cell; move it to a library project under src/ and call it from the notebook"));
            }
            if (!string.IsNullOrWhiteSpace(cell.Source) && cell.ExecutionCount is null && !cell.HasTag(ParameterInjection.InjectedTag))
                problems.Add(new LintProblem(notebook.Source, i + 1, 1, "outputs-present",
                    "code cell has not been executed (no execution_count); commit notebooks executed (`workbench notebooks run --inplace`)"));
        }
        return problems;
    }
}
