using System.Globalization;

namespace Workbench.Notebooks;

/// <summary>Fields of a Linux /proc/PID/stat text, "pid (comm) state ppid ...": the command name may hold spaces and
/// parentheses, so the fields are read after the last ')'.</summary>
internal static class ProcStat
{
    /// <summary>The process's state letter (R, S, T, Z, ...); null when the text is not that shape.</summary>
    public static char? State(string stat) => Fields(stat) is [var state, ..] && state.Length == 1 ? state[0] : null;

    /// <summary>The parent's pid; null when the text is not that shape.</summary>
    public static int? ParentPid(string stat) =>
        Fields(stat) is [_, var ppid, ..] && int.TryParse(ppid, NumberStyles.None, CultureInfo.InvariantCulture, out int parent) ? parent : null;

    static string[] Fields(string stat)
    {
        int close = stat.LastIndexOf(')');
        return close < 0 ? [] : stat[(close + 1)..].Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
    }
}
