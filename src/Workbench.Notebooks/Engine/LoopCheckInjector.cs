using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Workbench.Notebooks;

/// <summary>Rewrites a cell so every loop body starts with <c>CellInterrupt.Check()</c>: an interrupt then stops
/// <c>while (true) { }</c> without killing the thread. The call is inserted without line breaks, so line numbers
/// of errors stay those of the cell.</summary>
internal sealed class LoopCheckInjector : CSharpSyntaxRewriter
{
    static readonly StatementSyntax CheckCall =
        SyntaxFactory.ParseStatement("global::Workbench.Notebooks.CellInterrupt.Check();").WithoutTrivia();

    static readonly StatementSyntax EnterCall =
        SyntaxFactory.ParseStatement("global::Workbench.Notebooks.CellInterrupt.Enter();").WithoutTrivia();

    public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node)
    {
        var visited = (MethodDeclarationSyntax)base.VisitMethodDeclaration(node)!;
        return EnteredBody(visited.Body, visited.ExpressionBody, visited.ReturnType, visited.Modifiers, visited.SemicolonToken) is { } body
            ? visited.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body)
            : visited;
    }

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
    {
        var visited = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
        return EnteredBody(visited.Body, visited.ExpressionBody, visited.ReturnType, visited.Modifiers, visited.SemicolonToken) is { } body
            ? visited.WithExpressionBody(null).WithSemicolonToken(default).WithBody(body)
            : visited;
    }

    /// <summary>The body of a method or local function with <c>Enter()</c> first (an arrow body becomes a block on the same
    /// line); null when it has neither a body nor an arrow.</summary>
    static BlockSyntax? EnteredBody(BlockSyntax? body, ArrowExpressionClauseSyntax? arrow, TypeSyntax returnType, SyntaxTokenList modifiers, SyntaxToken semicolon)
    {
        if (body is not null) return body.WithStatements(body.Statements.Insert(0, EnterCall));
        if (arrow is null) return null;
        bool isAsync = modifiers.Any(SyntaxKind.AsyncKeyword);
        return GuardedBlock(arrow, ReturnsNothing(returnType, isAsync)).WithTrailingTrivia(semicolon.TrailingTrivia);
    }

    static bool ReturnsNothing(TypeSyntax type, bool isAsync)
    {
        var text = type.ToString();
        if (text == "void") return true;
        return isAsync && text is "Task" or "ValueTask" or "System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask";
    }

    /// <summary><c>=> expr;</c> as <c>{ Enter(); return expr; }</c> (or <c>expr;</c> when nothing is returned), on the same line.</summary>
    static BlockSyntax GuardedBlock(ArrowExpressionClauseSyntax arrow, bool returnsNothing)
    {
        var expr = arrow.Expression.WithoutTrivia();
        StatementSyntax statement = returnsNothing
            ? SyntaxFactory.ExpressionStatement(expr)
            : SyntaxFactory.ReturnStatement(SyntaxFactory.Token(SyntaxKind.ReturnKeyword).WithTrailingTrivia(SyntaxFactory.Space), expr, SyntaxFactory.Token(SyntaxKind.SemicolonToken));
        return SyntaxFactory.Block(EnterCall, statement)
            .WithOpenBraceToken(SyntaxFactory.Token(SyntaxKind.OpenBraceToken).WithLeadingTrivia(arrow.GetLeadingTrivia()))
            .WithCloseBraceToken(SyntaxFactory.Token(SyntaxKind.CloseBraceToken));
    }

    public static string Inject(string code, CSharpParseOptions options)
    {
        var tree = CSharpSyntaxTree.ParseText(code, options);
        // Only rewrite code that parses: with syntax errors the compiler's own positions must be shown untouched.
        if (tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)) return code;
        var root = new LoopCheckInjector().Visit(tree.GetRoot())!;
        return root.ToFullString();
    }

    /// <summary>Every loop body (and every labelled statement: a possible backward goto target) gets the check.</summary>
    public override SyntaxNode? Visit(SyntaxNode? node) => base.Visit(node) switch
    {
        WhileStatementSyntax s => s.WithStatement(WithCheck(s.Statement)),
        DoStatementSyntax s => s.WithStatement(WithCheck(s.Statement)),
        ForStatementSyntax s => s.WithStatement(WithCheck(s.Statement)),
        ForEachStatementSyntax s => s.WithStatement(WithCheck(s.Statement)),
        ForEachVariableStatementSyntax s => s.WithStatement(WithCheck(s.Statement)),
        LabeledStatementSyntax s => s.WithStatement(WithCheck(s.Statement)),
        var other => other,
    };

    static StatementSyntax WithCheck(StatementSyntax body)
    {
        if (body is BlockSyntax block)
            return block.WithStatements(block.Statements.Insert(0, CheckCall));
        // Keep the statement's own trivia (line breaks) inside the new braces; the braces add none.
        return SyntaxFactory.Block(CheckCall, body)
            .WithOpenBraceToken(SyntaxFactory.Token(SyntaxKind.OpenBraceToken))
            .WithCloseBraceToken(SyntaxFactory.Token(SyntaxKind.CloseBraceToken));
    }
}
