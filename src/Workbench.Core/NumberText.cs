namespace Workbench;

/// <summary>
/// Fast paths for the few number formats the scored book's files and pages write hundreds of thousands of times, each
/// giving the same characters as the runtime's formatting (which for these values often falls back from Grisu to Dragon4)
/// or declining (false: format the usual way). Every method is checked against the runtime's text by
/// tests/Workbench.Tests/Support/NumberTextTests.cs over millions of values, ties and edges included.
/// </summary>
public static class NumberText
{
    static readonly long[] Pow10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000];

    /// <summary>
    /// The text <c>Math.Round(value, decimals).ToString("R")</c> gives (the shortest round-trip form), from the integer
    /// n = Math.Round(value * 10^decimals): r = Math.Round(value, decimals) is checked to be n / 10^decimals (the double
    /// nearest that decimal), and while a double's spacing at r is below 10^-decimals no other decimal with at most that
    /// many decimals reads back as r, so the shortest text is n / 10^decimals with its trailing zeros dropped. Declines
    /// zero (its sign), sizes below 10^-4 (the runtime may write an exponent) or where the spacing is too wide, and any
    /// value that fails the check. <paramref name="decimals"/>: 1 to 10.
    /// </summary>
    public static bool TryFormatRounded(double value, int decimals, Span<char> text, out int written)
    {
        written = 0;
        if ((uint)(decimals - 1) >= 10) return false;
        double rounded = Math.Round(value, decimals);
        double size = Math.Abs(rounded);
        // 2^e with 2^(e-53) < 10^-decimals: below it the spacing of doubles is under one unit of the last decimal.
        double upper = decimals switch { 1 => 1L << 49, 2 => 1L << 46, 3 => 1L << 42, 4 => 1L << 39, 5 => 1L << 36, 6 => 1L << 33, 7 => 1L << 29, 8 => 1L << 26, 9 => 1L << 23, _ => 1L << 19 };
        if (!(size >= 1e-4 && size < upper)) return false;
        long scale = Pow10[decimals];
        double n = Math.Round(value * scale);
        if (n / scale != rounded) return false;
        long units = (long)Math.Abs(n);
        return Fixed(n < 0, units / scale, units % scale, decimals, maxDecimals: decimals, text, out written);
    }

    /// <summary>
    /// The text of an integral double formatted with the custom format "0" (as <c>Math.Round(x).ToString("0")</c>): its
    /// digits, with a minus sign when negative. Declines zero (the runtime writes "-0" for negative zero), non-integral
    /// values and sizes of 10^15 or more (the custom format keeps 15 significant digits).
    /// </summary>
    public static bool TryFormatIntegral(double value, Span<char> text, out int written)
    {
        written = 0;
        if (!(Math.Abs(value) < 1e15) || value == 0 || value != Math.Floor(value)) return false;
        long units = (long)Math.Abs(value);
        return Fixed(value < 0, units, 0, 0, 0, text, out written);
    }

    /// <summary>
    /// The text of <c>Math.Round(value, 1).ToString("0.#")</c>: the tenths n = Math.Round(value * 10), checked to be the
    /// rounded value, written as n / 10 with a decimal only when it is not zero. Declines zero (its sign), sizes of 10^13
    /// or more (the custom format keeps 15 significant digits) and any value failing the check.
    /// </summary>
    public static bool TryFormatTenths(double value, Span<char> text, out int written)
    {
        written = 0;
        return Math.Abs(Math.Round(value, 1)) < 1e13 && TryFormatOptionalDecimals(value, 1, text, out written);
    }

    /// <summary>
    /// The text of <c>Math.Round(value, decimals).ToString("0.##...")</c> (custom format with <paramref name="decimals"/>
    /// optional digits): the same as <see cref="TryFormatRounded"/> where that applies and the value has at most 15
    /// significant digits (the custom format's precision), which holds below 10^(15 - decimals).
    /// </summary>
    public static bool TryFormatOptionalDecimals(double value, int decimals, Span<char> text, out int written)
    {
        written = 0;
        if ((uint)(decimals - 1) >= 10) return false;
        double rounded = Math.Round(value, decimals);
        // 15 significant digits of which `decimals` are decimals; the fixed-point text is then exactly what the 15-digit
        // buffer holds, since r is within half a unit of the 17th digit of n / 10^decimals.
        if (!(Math.Abs(rounded) < Math.Pow(10, 15 - decimals))) return false;
        return TryFormatRounded(value, decimals, text, out written);
    }

    /// <summary>
    /// The text of a non-negative value formatted "N0" in the invariant culture (digits grouped by commas, rounded to the
    /// nearest integer, ties to even as the runtime does): from Math.Round(value). Declines negative values and zero's sign
    /// (callers format the absolute value), sizes of 2^52 or more, and NaN.
    /// </summary>
    public static bool TryFormatGroupedInteger(double value, Span<char> text, out int written)
    {
        written = 0;
        if (!(value >= 0 && value < 4_503_599_627_370_496.0) || (value == 0 && double.IsNegative(value))) return false;
        long units = (long)Math.Round(value, MidpointRounding.ToEven);
        // digits, grouped in threes from the right
        Span<char> digits = stackalloc char[20];
        int count = 0;
        do { digits[count++] = (char)('0' + (int)(units % 10)); units /= 10; } while (units != 0);
        int length = count + (count - 1) / 3;
        if (length > text.Length) return false;
        int at = 0;
        for (int i = count - 1; i >= 0; i--)
        {
            text[at++] = digits[i];
            if (i > 0 && i % 3 == 0) text[at++] = ',';
        }
        written = at;
        return true;
    }

    /// <summary>[-]whole[.fraction] with the fraction's <paramref name="decimals"/> digits, trailing zeros dropped.</summary>
    static bool Fixed(bool negative, long whole, long fraction, int decimals, int maxDecimals, Span<char> text, out int written)
    {
        written = 0;
        int at = 0;
        if (text.Length < 22 + maxDecimals) return false;
        if (negative) text[at++] = '-';
        if (!whole.TryFormat(text[at..], out int w, default, System.Globalization.CultureInfo.InvariantCulture)) return false;
        at += w;
        if (fraction != 0)
        {
            int digits = decimals;
            while (fraction % 10 == 0) { fraction /= 10; digits--; }
            text[at++] = '.';
            for (int i = digits - 1; i >= 0; i--) { text[at + i] = (char)('0' + (int)(fraction % 10)); fraction /= 10; }
            at += digits;
        }
        written = at;
        return true;
    }
}
