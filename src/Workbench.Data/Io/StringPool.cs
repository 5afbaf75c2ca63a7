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
    // The last text returned: files are grouped (an account's rows together), so the same id often comes again
    // on the next row, and comparing a few chars is cheaper than hashing them.
    string? last;
    int lastId = -1;

    public StringPool(int cap = 1 << 20) { lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>(); this.cap = cap; }

    /// <summary>Number of pooled texts (ids are below it).</summary>
    public int Count => ids.Count;

    /// <summary>The id of a text already pooled, or -1 (never adds).</summary>
    public int IdOf(string text) => ids.TryGetValue(text, out int id) ? id : -1;

    public string Get(string text) => Get(text, out _);

    public string Get(ReadOnlySpan<char> text) => Get(text, out _);

    public string Get(string text, out int id) => Get(text.AsSpan(), text, out id);

    public string Get(ReadOnlySpan<char> text, out int id) => Get(text, null, out id);

    string Get(ReadOnlySpan<char> text, string? asString, out int id)
    {
        if (last is not null && text.SequenceEqual(last)) { id = lastId; return last; }
        if (!lookup.TryGetValue(text, out var s, out id))
        {
            s = asString ?? text.ToString();
            id = Add(s);
        }
        if (id >= 0) { last = s; lastId = id; }
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
