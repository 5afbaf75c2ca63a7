namespace Workbench.Experiments.Specs;

/// <summary>Reads the keys of one spec object with their expected types, collecting every problem (path and line)
/// instead of stopping at the first; <see cref="Finish"/> reports the keys nobody asked for.</summary>
internal sealed class SectionReader(LocatedJsonValue node, string path, string source, List<string> errors)
{
    readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public string Path => path;

    /// <summary>The keys this section has looked up so far (the keys it knows), in no particular order.</summary>
    public IEnumerable<string> KeysRead => _known;

    public void Error(int line, string keyPath, string message) => errors.Add($"{source}:{line}: {keyPath}: {message}");

    public int LineOf(string key) => node.Members.FirstOrDefault(m => m.Key == key) is { Value: not null } m ? m.Line : node.Line;

    LocatedJsonValue? Get(string key)
    {
        _known.Add(key);
        return node.Member(key);
    }

    bool Present(string key, out LocatedJsonValue value, bool allowNull = false)
    {
        value = Get(key)!;
        return value is not null && (allowNull || value.Kind != JsonValueKind.Null);
    }

    /// <summary>One rule for null, for every key type: null is accepted only where the key's default is null (it then
    /// means the same as leaving the key out); a key with a non-null default refuses null with its path.</summary>
    void TypeError(string key, LocatedJsonValue v, string expected) => Error(v.Line, $"{path}.{key}", $"expected {expected}, got {v.Describe()}" +
        (v.Kind == JsonValueKind.Null ? " (null is accepted only by keys whose default is null; leave the key out for its default)." : "."));

    /// <summary>The value of a non-nullable key: absent gives null (the caller's default), present null is refused.</summary>
    bool NonNull(string key, out LocatedJsonValue value, string expected)
    {
        value = Get(key)!;
        if (value is null) return false;
        if (value.Kind != JsonValueKind.Null) return true;
        TypeError(key, value, expected);
        return false;
    }

    /// <summary>A string. When <paramref name="fallback"/> is null and the key is optional, null is accepted (as absent);
    /// otherwise null is refused like any other wrong type.</summary>
    public string? String(string key, string? fallback, bool required = false)
    {
        var v = Get(key);
        if (v is null) { if (required) Error(node.Line, $"{path}.{key}", "missing; it is required."); return fallback; }
        if (v.Kind == JsonValueKind.Null && fallback is null && !required) return null;
        if (v.Kind != JsonValueKind.String) { TypeError(key, v, "a string"); return fallback; }
        return v.Text;
    }

    public bool Bool(string key, bool fallback)
    {
        if (!NonNull(key, out var v, "true or false")) return fallback;
        if (v.Kind is JsonValueKind.True or JsonValueKind.False) return v.Kind == JsonValueKind.True;
        TypeError(key, v, "true or false");
        return fallback;
    }

    public int Int(string key, int fallback) => NullableInt(key, fallback, allowNull: false) ?? fallback;

    public int? NullableInt(string key, int? fallback, bool allowNull = true) =>
        NullableNumber(key, fallback, allowNull, "an integer", t => int.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null);

    public double Double(string key, double fallback) => NullableDouble(key, fallback, allowNull: false) ?? fallback;

    public double? NullableDouble(string key, double? fallback, bool allowNull = true) =>
        NullableNumber(key, fallback, allowNull, "a number", t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null);

    /// <summary>A number key: absent gives the fallback, null is accepted only when <paramref name="allowNull"/>, text that
    /// <paramref name="parse"/> refuses is a type error.</summary>
    T? NullableNumber<T>(string key, T? fallback, bool allowNull, string expected, Func<string, T?> parse) where T : struct
    {
        var v = Get(key);
        if (v is null) return fallback;
        if (v.Kind == JsonValueKind.Null) { if (allowNull) return null; TypeError(key, v, expected); return fallback; }
        if (v.Kind == JsonValueKind.Number && parse(v.Text!) is { } value) return value;
        TypeError(key, v, allowNull ? expected + " or null" : expected);
        return fallback;
    }

    public IReadOnlyList<double> Doubles(string key, IReadOnlyList<double> fallback)
    {
        if (!NonNull(key, out var v, "an array of numbers")) return fallback;
        if (v.Kind != JsonValueKind.Array) { TypeError(key, v, "an array of numbers"); return fallback; }
        var list = new List<double>();
        for (int i = 0; i < v.Items.Count; i++)
        {
            var item = v.Items[i];
            if (item.Kind == JsonValueKind.Number && double.TryParse(item.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) list.Add(d);
            else { Error(item.Line, $"{path}.{key}[{i}]", $"expected a number, got {item.Describe()}."); return fallback; }
        }
        return list;
    }

    /// <summary>An enum by name: case, '_' and '-' do not matter ("light_gbm", "LightGbm"); <paramref name="aliases"/> add short names.</summary>
    public T Enum<T>(string key, T fallback, IReadOnlyDictionary<string, T>? aliases = null) where T : struct, System.Enum
    {
        var names = System.Enum.GetValues<T>().Select(SpecText.EnumName).Concat(aliases?.Keys ?? []).ToList();
        if (!NonNull(key, out var v, "one of " + string.Join(", ", names))) return fallback;
        if (v.Kind != JsonValueKind.String) { TypeError(key, v, "one of " + string.Join(", ", names)); return fallback; }
        static string Norm(string s) => s.Replace("_", "").Replace("-", "").ToLowerInvariant();
        if (aliases is not null)
            foreach (var (alias, value) in aliases) if (Norm(alias) == Norm(v.Text!)) return value;
        foreach (var e in System.Enum.GetValues<T>()) if (Norm(e.ToString()) == Norm(v.Text!)) return e;
        var near = LocatedJson.Closest(v.Text!, names);
        Error(v.Line, $"{path}.{key}", $"unknown value \"{v.Text}\"; expected one of {string.Join(", ", names)}" + (near.Count > 0 ? $" (did you mean \"{near[0]}\"?)" : "") + ".");
        return fallback;
    }

    /// <summary>An enum or the word <paramref name="nullName"/> (for example "auto"), which reads as null.</summary>
    public T? OptionalEnum<T>(string key, string nullName) where T : struct, System.Enum
    {
        if (Present(key, out var v) && v.Kind == JsonValueKind.String && string.Equals(v.Text, nullName, StringComparison.OrdinalIgnoreCase)) return null;
        if (v is null || v.Kind == JsonValueKind.Null) return null;
        var before = errors.Count;
        var value = Enum(key, default(T));
        if (errors.Count > before) errors[^1] = errors[^1].TrimEnd('.') + $" or \"{nullName}\".";
        return errors.Count > before ? null : value;
    }

    /// <summary>An object of name -> number (promotion floors), in file order.</summary>
    public IReadOnlyList<(string Name, int Line, double Value)> NumberMap(string key)
    {
        if (!NonNull(key, out var v, "an object of metric name -> number")) return [];
        if (v.Kind != JsonValueKind.Object) { TypeError(key, v, "an object of metric name -> number"); return []; }
        var list = new List<(string, int, double)>();
        foreach (var (name, line, value) in v.Members)
        {
            if (value.Kind == JsonValueKind.Number && double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                list.Add((name, line, d));
            else Error(value.Line, $"{path}.{key}.{name}", $"expected a number, got {value.Describe()}.");
        }
        return list;
    }

    /// <summary>A nested object; null (with no error) when absent, so its defaults apply. A null value is refused unless
    /// <paramref name="nullable"/> (an optional analysis whose default is "not run": null then reads as absent).</summary>
    public SectionReader? Section(string key, bool nullable = false)
    {
        if (nullable ? !Present(key, out var v) : !NonNull(key, out v, "an object")) return null;
        if (v.Kind != JsonValueKind.Object) { TypeError(key, v, "an object"); return null; }
        return new SectionReader(v, $"{path}.{key}", source, errors);
    }

    /// <summary>Reports every key that no read asked for, with the closest known key.</summary>
    public void Finish()
    {
        foreach (var (key, line, _) in node.Members)
        {
            if (_known.Contains(key)) continue;
            var near = LocatedJson.Closest(key, _known);
            Error(line, $"{path}.{key}", "unknown key" + (near.Count > 0 ? $"; did you mean '{near[0]}'?" : ".") +
                $" Known keys here: {string.Join(", ", _known.Order(StringComparer.Ordinal))}.");
        }
    }
}

internal static class SpecText
{
    /// <summary>snake_case enum name ("LightGbm" -> "light_gbm", "KeepNaN" -> "keep_nan").</summary>
    public static string EnumName<T>(T value) where T : struct, System.Enum =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString().Replace("NaN", "Nan", StringComparison.Ordinal));
}
