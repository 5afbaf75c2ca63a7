namespace Workbench.Data.Io;

/// <summary>Returns one shared string per distinct text, so ten million rows naming 100,000 accounts hold
/// 100,000 strings, and gives each distinct text a small id (0, 1, 2... in order of first sight) so row checks can
/// compare and look up ids instead of hashing strings again. Stops pooling past a size cap (unique ids would only
/// grow it): texts first seen after that get id -1.</summary>
internal sealed class StringPool
{
    readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup;
    readonly int cap;

    public StringPool(int cap = 1 << 20) { lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>(); this.cap = cap; }

    /// <summary>Number of pooled texts (ids are below it).</summary>
    public int Count => ids.Count;

    public string Get(string text) => Get(text, out _);

    public string Get(ReadOnlySpan<char> text) => Get(text, out _);

    public string Get(string text, out int id)
    {
        if (lookup.TryGetValue(text.AsSpan(), out var s, out id)) return s;
        id = Add(text);
        return text;
    }

    public string Get(ReadOnlySpan<char> text, out int id)
    {
        if (lookup.TryGetValue(text, out var s, out id)) return s;
        s = text.ToString();
        id = Add(s);
        return s;
    }

    int Add(string s)
    {
        if (ids.Count >= cap) return -1;
        int id = ids.Count;
        ids.Add(s, id);
        return id;
    }
}
