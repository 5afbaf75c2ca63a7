using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Workbench.Notebooks;

/// <summary>The value of a cell answered by <see cref="ConstantCells"/> (null is a valid constant).</summary>
internal sealed record ConstantValue(object? Value);

/// <summary>
/// Cells that are one constant expression made of literals and operators only (<c>1 + 1</c>, <c>"a" + "b"</c>,
/// <c>(byte)3 * 2.5</c>): their value cannot depend on the session's state (there is no name in them to bind, and the
/// operators of built-in types cannot be redefined) and they declare nothing, so compiling and loading a script
/// submission for them (several milliseconds of Roslyn work per cell) changes nothing but the time. The C# compiler
/// still decides: the expression is bound in a tiny compilation against the core library only, with the overflow
/// checking of the session's scripts (off), and only a value the compiler folds to a constant without any error is
/// used; anything else (an identifier, a method call, an overflow, a type error) returns null and the cell compiles
/// as usual, errors included. Answers are memoised by the cell's text (bounded), so a repeated trivial cell costs a
/// dictionary lookup.
/// </summary>
internal static class ConstantCells
{
    const int MaxLength = 256;
    const int MaxEntries = 512;

    static readonly CSharpParseOptions ScriptParse = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);
    static readonly CSharpParseOptions RegularParse = new(LanguageVersion.Latest);
    static readonly ConcurrentDictionary<string, ConstantValue?> Answers = new(StringComparer.Ordinal);
    static readonly Lazy<CSharpCompilation> Empty = new(() => CSharpCompilation.Create("workbench-constant-cells", [],
        [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, checkOverflow: false, nullableContextOptions: NullableContextOptions.Disable)));

    /// <summary>The constant value of <paramref name="code"/> when the cell is a constant expression of literals and
    /// operators, else null (the cell must be compiled).</summary>
    public static ConstantValue? TryEvaluate(string code)
    {
        if (code.Length > 4 * MaxLength) return null;
        var text = code.Trim();
        if (text.Length == 0 || text.Length > MaxLength) return null;
        if (Answers.TryGetValue(text, out var known)) return known;
        var answer = Evaluate(text);
        if (Answers.Count < MaxEntries) Answers.TryAdd(text, answer);
        return answer;
    }

    static ConstantValue? Evaluate(string text)
    {
        var root = CSharpSyntaxTree.ParseText(text, ScriptParse).GetCompilationUnitRoot();
        if (root.ContainsDiagnostics || root.ContainsDirectives || root.Usings.Count > 0 || root.Externs.Count > 0 || root.AttributeLists.Count > 0
            || root.Members.Count != 1
            || root.Members[0] is not GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } statement }
            || !statement.Expression.DescendantNodesAndSelf().All(IsLiteralOrOperator))
            return null;

        // Bind the same expression text as a field initializer: the expression alone on its own lines, so a trailing
        // comment cannot swallow the wrapper.
        var wrapper = CSharpSyntaxTree.ParseText("static class C\n{\nstatic object V = (\n" + statement.Expression.ToFullString() + "\n);\n}\n", RegularParse);
        var compilation = Empty.Value.AddSyntaxTrees(wrapper);
        var model = compilation.GetSemanticModel(wrapper);
        if (model.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)) return null;
        var initializer = wrapper.GetRoot().DescendantNodes().OfType<EqualsValueClauseSyntax>().Single().Value;
        var expression = ((ParenthesizedExpressionSyntax)initializer).Expression;
        var constant = model.GetConstantValue(expression);
        return constant.HasValue ? new ConstantValue(constant.Value) : null;
    }

    static bool IsLiteralOrOperator(SyntaxNode node) => node switch
    {
        LiteralExpressionSyntax literal => !literal.IsKind(SyntaxKind.DefaultLiteralExpression) && !literal.IsKind(SyntaxKind.Utf8StringLiteralExpression),
        ParenthesizedExpressionSyntax => true,
        BinaryExpressionSyntax binary => !binary.IsKind(SyntaxKind.AsExpression) && !binary.IsKind(SyntaxKind.IsExpression) && !binary.IsKind(SyntaxKind.CoalesceExpression),
        PrefixUnaryExpressionSyntax unary => unary.Kind() is SyntaxKind.UnaryPlusExpression or SyntaxKind.UnaryMinusExpression
            or SyntaxKind.LogicalNotExpression or SyntaxKind.BitwiseNotExpression,
        ConditionalExpressionSyntax => true,
        CastExpressionSyntax cast => cast.Type is PredefinedTypeSyntax,
        PredefinedTypeSyntax => true,
        _ => false,
    };
}
