namespace Workbench.Notebooks;

/// <summary>The IPython-style magics a cell may use, in either spelling: <c>%%time</c> / <c>#!time</c> on the first
/// line times the whole cell; <c>%time statement</c> times the cell with that statement (the line stays code);
/// <c>%whos</c> / <c>#!whos</c> lists the session's variables after the cell; <c>%lsmagic</c> / <c>#!lsmagic</c> lists
/// the magics. Magic text is replaced by spaces of the same length, so the code Roslyn sees keeps the cell's line
/// numbers and columns. Any other <c>%name</c> at the start of a line is an <see cref="UnknownMagicException"/>.</summary>
internal sealed record MagicSet(bool Time, bool Whos, bool LsMagic)
{
    public static readonly MagicSet None = new(false, false, false);
    public bool Any => Time || Whos || LsMagic;
}

/// <summary>A <c>%name</c> the engine does not know (told apart from a compile error by type).</summary>
internal sealed class UnknownMagicException(string message) : WorkbenchException(message);

internal static class Magics
{
    /// <summary>The magics this engine knows, as <c>%lsmagic</c> lists them.</summary>
    public const string Listing =
        "Available line magics:\n%time  %whos  %lsmagic\n\nAvailable cell magics:\n%%time\n\n" +
        ".NET Interactive spellings: #!time  #!whos  #!lsmagic\n" +
        "%time STATEMENT times the cell with that statement; %%time (or #!time) on the first line times the whole cell.\n";

    /// <summary>Blanks the magics of <paramref name="code"/> and says which were present. Lines inside a multi-line
    /// string are not magics only when they do not start with '%' or '#!': cells rarely hold such strings.</summary>
    public static (string Code, MagicSet Magics) Extract(string code, string cellName)
    {
        if (code.IndexOf('%') < 0 && !code.Contains("#!", StringComparison.Ordinal)) return (code, MagicSet.None);
        var chars = code.ToCharArray();
        bool time = false, whos = false, ls = false;
        var lineStart = 0;
        var lineNumber = 1;
        var firstCodeLine = true;
        while (lineStart <= code.Length)
        {
            var lineEnd = code.IndexOf('\n', lineStart);
            if (lineEnd < 0) lineEnd = code.Length;
            var line = code[lineStart..lineEnd].TrimEnd('\r');
            var indent = line.Length - line.TrimStart().Length;
            var body = line.TrimStart();
            void Blank(int length) { for (var i = lineStart + indent; i < lineStart + indent + length; i++) chars[i] = ' '; }
            if (body.StartsWith('%') || body.StartsWith("#!", StringComparison.Ordinal))
            {
                var cellMagic = body.StartsWith("%%", StringComparison.Ordinal);
                var prefix = cellMagic ? 2 : body.StartsWith('%') ? 1 : 2;
                var nameEnd = prefix;
                while (nameEnd < body.Length && (char.IsLetterOrDigit(body[nameEnd]) || body[nameEnd] == '_')) nameEnd++;
                var name = body[prefix..nameEnd];
                var rest = body[nameEnd..].Trim();
                switch (name)
                {
                    case "time" when cellMagic || prefix == 2 && body[0] == '#':
                        if (!firstCodeLine) throw new UnknownMagicException($"{cellName}, line {lineNumber}: {body[..nameEnd]} must be the first line of the cell (it times the whole cell)");
                        time = true;
                        Blank(line.Length - indent);
                        break;
                    case "time":
                        time = true;
                        Blank(nameEnd); // the statement after %time stays code
                        break;
                    case "whos" or "who" when !cellMagic && rest.Length == 0:
                        whos = true;
                        Blank(line.Length - indent);
                        break;
                    case "lsmagic" when !cellMagic && rest.Length == 0:
                        ls = true;
                        Blank(line.Length - indent);
                        break;
                    default:
                        if (body[0] == '#' && name.Length == 0) break; // "#!" shebang-like text: leave it to the compiler
                        throw new UnknownMagicException($"{cellName}, line {lineNumber}: {body[..nameEnd]} is not a magic this kernel knows; %lsmagic lists them");
                }
            }
            if (body.Length > 0 && !body.StartsWith("//", StringComparison.Ordinal) && !body.StartsWith("#r", StringComparison.Ordinal)) firstCodeLine = false;
            lineStart = lineEnd + 1;
            lineNumber++;
        }
        return (new string(chars), new MagicSet(time, whos, ls));
    }

    /// <summary>Blanks the magics without validating them (completion, inspection, is_complete must not throw).</summary>
    public static string Strip(string code)
    {
        try { return Extract(code, "cell").Code; }
        catch (UnknownMagicException) { return code; }
    }

    /// <summary>What <c>%%time</c> prints, as IPython does: CPU times (user, sys, total) and wall time.</summary>
    public static string TimeReport(TimeSpan user, TimeSpan sys, TimeSpan wall) =>
        $"CPU times: user {Duration(user)}, sys {Duration(sys)}, total {Duration(user + sys)}\nWall time: {Duration(wall)}\n";

    static string Duration(TimeSpan t)
    {
        var s = t.TotalSeconds;
        var inv = CultureInfo.InvariantCulture;
        return s >= 1 ? s.ToString("0.##", inv) + " s"
            : s >= 1e-3 ? (s * 1e3).ToString("0.##", inv) + " ms"
            : s > 0 ? (s * 1e6).ToString("0.#", inv) + " µs"
            : "0 ns";
    }

    /// <summary>The <c>%whos</c> table: each variable once (its latest declaration), with type and a short value.</summary>
    public static string Whos(IEnumerable<(string Name, Type Type, object? Value)> variables)
    {
        var latest = new List<(string Name, string Type, string Value)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, type, value) in variables.Reverse())
        {
            if (!seen.Add(name)) continue;
            latest.Add((name, TypeName(type), Short(value)));
        }
        latest.Reverse();
        if (latest.Count == 0) return "Interactive namespace is empty.\n";
        var w1 = Math.Max("Variable".Length, latest.Max(v => v.Name.Length)) + 3;
        var w2 = Math.Max("Type".Length, latest.Max(v => v.Type.Length)) + 3;
        var sb = new StringBuilder();
        sb.Append("Variable".PadRight(w1)).Append("Type".PadRight(w2)).Append("Data/Info\n");
        sb.Append('-', w1 + w2 + "Data/Info".Length).Append('\n');
        foreach (var (name, type, value) in latest) sb.Append(name.PadRight(w1)).Append(type.PadRight(w2)).Append(value).Append('\n');
        return sb.ToString();
    }

    static string Short(object? value)
    {
        string text;
        try { text = value is null ? "null" : Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""; }
        catch (Exception ex) when (ex is not OutOfMemoryException) { text = $"<{ex.GetType().Name} in ToString>"; }
        text = text.ReplaceLineEndings(" ");
        return text.Length > 60 ? text[..57] + "..." : text;
    }

    static string TypeName(Type type)
    {
        if (type == typeof(int)) return "int";
        if (type == typeof(long)) return "long";
        if (type == typeof(double)) return "double";
        if (type == typeof(string)) return "string";
        if (type == typeof(bool)) return "bool";
        if (type == typeof(object)) return "object";
        if (!type.IsGenericType) return type.Name;
        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return name + "<" + string.Join(", ", type.GetGenericArguments().Select(TypeName)) + ">";
    }
}
