namespace Workbench.Experiments.Scoring;

/// <summary>
/// The JSON text of <c>Math.Round(v, 10)</c> for book.json, written from the rounded integer n = Math.Round(v * 1e10)
/// instead of by the runtime's shortest round-trip search (which for these values often falls back from Grisu to Dragon4
/// and was about 40% of book.json's CPU). The text is the same: r = Math.Round(v, 10) is the double nearest to n / 10^10,
/// so the decimal n / 10^10 reads back as r; when |r| is below 2^19 a double's spacing is under 10^-10, so no other
/// decimal with at most as many significant digits reads back as r, and the shortest round-trip text is n / 10^10 with
/// its trailing zeros dropped. Values outside [10^-4, 2^19) in size, zero (its sign), and any value where the check
/// <c>n / 1e10 == Math.Round(v, 10)</c> fails are left to the runtime (<see cref="TryFormat"/> returns false).
/// tests/Workbench.Tests/Scoring/BookFilesTests.cs compares the bytes with <see cref="System.Text.Json.Utf8JsonWriter"/>'s.
/// </summary>
internal static class RoundedNumberText
{
    const double Scale = 1e10;
    const long ScaleInt = 10_000_000_000;
    const double Upper = 524_288; // 2^19
    const double Lower = 1e-4;    // below 1e-5 the runtime writes an exponent (1E-05); keep a decade of margin

    /// <summary>Writes the text of <c>Math.Round(value, 10)</c> into <paramref name="utf8"/> (at least 32 bytes) when the
    /// fast path applies and says how many bytes; false: format it the usual way.</summary>
    public static bool TryFormat(double value, Span<byte> utf8, out int written)
    {
        written = 0;
        double rounded = Math.Round(value, 10);
        double size = Math.Abs(rounded);
        if (!(size >= Lower && size < Upper)) return false;
        double n = Math.Round(value * Scale);
        if (n / Scale != rounded) return false;
        long units = (long)Math.Abs(n);
        long whole = units / ScaleInt, fraction = units % ScaleInt;
        int at = 0;
        if (n < 0) utf8[at++] = (byte)'-';
        if (!whole.TryFormat(utf8[at..], out int w, default, System.Globalization.CultureInfo.InvariantCulture)) return false;
        at += w;
        if (fraction != 0)
        {
            int digits = 10;
            while (fraction % 10 == 0) { fraction /= 10; digits--; }
            utf8[at++] = (byte)'.';
            for (int i = digits - 1; i >= 0; i--) { utf8[at + i] = (byte)('0' + (int)(fraction % 10)); fraction /= 10; }
            at += digits;
        }
        written = at;
        return true;
    }
}
