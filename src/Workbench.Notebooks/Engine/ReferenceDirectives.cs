using System.Text.RegularExpressions;

namespace Workbench.Notebooks;

/// <summary>A <c>#r "..."</c> line of a cell (a dll path or <c>nuget: Name[, Version]</c>), or, with
/// <paramref name="IsSource"/>, an <c>#i "nuget: SOURCE"</c> line adding a package source.</summary>
internal sealed record ReferenceDirective(int Line, string Value, bool IsSource = false)
{
    public bool IsNuGet => Value.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase);
}

internal static partial class ReferenceDirectives
{
    [GeneratedRegex("""^[ \t]*#(?<kind>[ri])[ \t]+"(?<value>[^"]*)"[ \t]*(//.*)?$""")]
    private static partial Regex DirectiveLine();

    /// <summary>Finds the #r and #i lines and replaces each with spaces of the same length, so the code Roslyn sees has
    /// the same line numbers and character offsets as the cell (errors and completion positions stay true).</summary>
    public static (string Code, IReadOnlyList<ReferenceDirective> Directives) Extract(string code)
    {
        var directives = new List<ReferenceDirective>();
        var chars = code.ToCharArray();
        var lineStart = 0;
        var lineNumber = 1;
        while (lineStart <= code.Length)
        {
            var lineEnd = code.IndexOf('\n', lineStart);
            if (lineEnd < 0) lineEnd = code.Length;
            var line = code[lineStart..lineEnd].TrimEnd('\r');
            var match = DirectiveLine().Match(line);
            if (match.Success)
            {
                directives.Add(new ReferenceDirective(lineNumber, match.Groups["value"].Value.Trim(), IsSource: match.Groups["kind"].Value == "i"));
                for (var i = lineStart; i < lineStart + line.Length; i++) chars[i] = ' ';
            }
            lineStart = lineEnd + 1;
            lineNumber++;
        }
        return (new string(chars), directives);
    }

    /// <summary>Splits "nuget: Name, Version" into its parts (version optional).</summary>
    public static (string Id, string? Version) ParseNuGet(string value)
    {
        var spec = value["nuget:".Length..];
        var parts = spec.Split(',', StringSplitOptions.TrimEntries);
        var version = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null;
        return (parts[0], version);
    }
}
