namespace Workbench.Data.Io;

/// <summary>Returns one shared string per distinct text, so ten million rows naming 100,000 accounts hold
/// 100,000 strings. Stops pooling past a size cap (unique ids would only grow it).</summary>
internal sealed class StringPool
{
    readonly HashSet<string> set = new(StringComparer.Ordinal);
    readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> lookup;
    readonly int cap;

    public StringPool(int cap = 1 << 20) { lookup = set.GetAlternateLookup<ReadOnlySpan<char>>(); this.cap = cap; }

    public string Get(string text)
    {
        if (set.TryGetValue(text, out var s)) return s;
        if (set.Count < cap) set.Add(text);
        return text;
    }

    public string Get(ReadOnlySpan<char> text)
    {
        if (lookup.TryGetValue(text, out var s)) return s;
        s = text.ToString();
        if (set.Count < cap) set.Add(s);
        return s;
    }
}
