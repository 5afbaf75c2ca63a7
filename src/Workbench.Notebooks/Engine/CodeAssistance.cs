using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Workbench.Notebooks;

/// <summary>Completion candidates for the word at the cursor: the text it replaces and the names.</summary>
public sealed record CompletionResult(int ReplaceStart, int ReplaceEnd, IReadOnlyList<string> Matches);

/// <summary>What the symbol at the cursor is: its signature and documentation summary.</summary>
public sealed record InspectionResult(bool Found, string Text);

/// <summary>Completion and inspection from the semantic model of the session's next submission (Roslyn's
/// Completion service needs the Workspaces packages, which this engine does not carry): symbols in scope, or
/// members of the expression before a '.'.</summary>
public static class CodeAssistance
{
    static readonly string[] Keywords =
    [
        "abstract", "as", "async", "await", "base", "bool", "break", "case", "catch", "char", "const", "continue", "decimal",
        "default", "do", "double", "else", "enum", "false", "finally", "float", "for", "foreach", "if", "in", "int", "is",
        "long", "new", "null", "object", "out", "ref", "return", "static", "string", "switch", "this", "throw", "true", "try",
        "typeof", "using", "var", "void", "while", "yield",
    ];

    /// <summary>Names that can complete the identifier ending at <paramref name="cursor"/> (a UTF-16 offset).</summary>
    public static CompletionResult Complete(NotebookSession session, string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var start = cursor;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_')) start--;
        var prefix = code[start..cursor];
        var (model, tree) = session.Analyze(code);
        IEnumerable<ISymbol> symbols;
        var afterDot = start > 0 && code[start - 1] == '.';
        if (afterDot)
        {
            var dot = tree.GetRoot().FindToken(start - 1);
            var receiver = dot.Parent switch
            {
                MemberAccessExpressionSyntax access => access.Expression,
                QualifiedNameSyntax qualified => qualified.Left,
                _ => null,
            };
            if (receiver is null) return new CompletionResult(start, cursor, []);
            var bound = model.GetSymbolInfo(receiver).Symbol;
            if (bound is INamespaceOrTypeSymbol container && bound is not ILocalSymbol)
                symbols = bound is INamespaceSymbol ns ? ns.GetMembers() : model.LookupStaticMembers(start, container);
            else if (model.GetTypeInfo(receiver).Type is { } type)
                symbols = model.LookupSymbols(start, type, includeReducedExtensionMethods: true).Where(s => !s.IsStatic || s is IMethodSymbol { ReducedFrom: not null });
            else
                symbols = [];
        }
        else
        {
            symbols = model.LookupSymbols(start);
        }
        var names = symbols.Where(s => s.CanBeReferencedByName && !s.IsImplicitlyDeclared)
            .Select(s => s.Name)
            .Concat(afterDot ? [] : Keywords)
            .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(n => !n.StartsWith(prefix, StringComparison.Ordinal))
            .ThenBy(n => n, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new CompletionResult(start, cursor, names);
    }

    /// <summary>The signature (and XML summary, when the assembly ships its documentation) of the symbol at the cursor.</summary>
    public static InspectionResult Inspect(NotebookSession session, string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var (model, tree) = session.Analyze(code);
        var root = tree.GetRoot();
        // The cursor is usually just after the name: look at the token before it as well.
        foreach (var position in new[] { cursor, cursor - 1 }.Where(p => p >= 0 && p < Math.Max(code.Length, 1)))
        {
            var token = root.FindToken(position);
            if (!token.IsKind(SyntaxKind.IdentifierToken) || token.Parent is null) continue;
            var node = token.Parent;
            var symbol = model.GetSymbolInfo(node).Symbol
                ?? model.GetSymbolInfo(node).CandidateSymbols.FirstOrDefault()
                ?? model.GetDeclaredSymbol(node);
            if (symbol is null) continue;
            var signature = symbol switch
            {
                ILocalSymbol local => $"{local.Type.ToDisplayString()} {local.Name}",
                IFieldSymbol field => $"{field.Type.ToDisplayString()} {field.Name}",
                _ => symbol.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat),
            };
            var text = $"{symbol.Kind}: {signature}";
            if (symbol is IMethodSymbol method)
            {
                var overloads = method.ContainingType?.GetMembers(method.Name).OfType<IMethodSymbol>().Count() ?? 1;
                if (overloads > 1) text += $"  (+{overloads - 1} overloads)";
            }
            var summary = Summary(symbol.GetDocumentationCommentXml());
            if (summary.Length > 0) text += "\n\n" + summary;
            return new InspectionResult(true, text);
        }
        return new InspectionResult(false, "");
    }

    static string Summary(string? xml)
    {
        if (string.IsNullOrWhiteSpace(xml)) return "";
        try
        {
            var doc = System.Xml.Linq.XDocument.Parse(xml);
            var summary = doc.Descendants("summary").FirstOrDefault();
            return summary is null ? "" : string.Join(" ", summary.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        }
        catch (System.Xml.XmlException) { return ""; }
    }
}
