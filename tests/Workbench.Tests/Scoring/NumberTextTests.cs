using System.Globalization;

namespace Workbench.Tests.Scoring;

/// <summary><see cref="NumberText"/>'s fast paths give the runtime's characters wherever they do not decline, over values of
/// every size and sign, exact ties, values with few bits (which round to short decimals), and the edges of each range; and
/// they take the common values (so the fast path is the one used).</summary>
public class NumberTextTests
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Doubles the book writes: money and counts of every size (with cents, exact halves, few-bit values), probabilities,
    /// tiny and huge values, both signs and zeros.</summary>
    static IEnumerable<double> Values(int seed, int count)
    {
        var random = new Random(seed);
        double[] fixedValues = [0.0, -0.0, 0.5, 1.5, 2.5, -0.5, -2.5, 0.25, 0.125, 0.005, 0.015, 0.045, 1e-4, 9.9999e-5, 1e-5, 0.99995, 0.05, 0.95,
            1e12, 1e13, 1e14, 999_999_999_999_999.0, 1e15, 1e16, 4_503_599_627_370_495.5, 4_503_599_627_370_496.0, 524_287.99999999995, 524_288.0,
            (1L << 46) - 0.005, 1L << 46, 123_456.785, 0.1 + 0.2, 1.0 / 3, 2.0 / 3, double.Epsilon, double.MaxValue, -double.MaxValue];
        foreach (var v in fixedValues) yield return v;
        for (int i = 0; i < count; i++)
        {
            double magnitude = Math.Pow(10, random.Next(-7, 17));
            double v = random.Next(6) switch
            {
                0 => random.NextDouble() * magnitude,                                  // any value
                1 => Math.Round(random.NextDouble() * magnitude) + 0.5,                // exact halves
                2 => Math.Round(random.NextDouble() * 1e6, random.Next(0, 11)),        // already rounded
                3 => random.Next(1 << 20) / (double)(1 << random.Next(0, 21)),          // few bits: binary fractions, many ties
                4 => random.NextDouble(),                                              // probabilities
                _ => Math.Round(random.NextDouble() * 1e7) / 100,                      // cents
            };
            yield return random.Next(4) == 0 ? -v : v;
        }
    }

    static void Same(Func<double, string> runtime, NumberTextTry fast, int seed, int minTaken)
    {
        Span<char> text = stackalloc char[64];
        int taken = 0;
        foreach (var v in Values(seed, 400_000))
        {
            if (!fast(v, text, out int n)) continue;
            taken++;
            string expected = runtime(v), actual = new(text[..n]);
            if (expected != actual) Assert.Fail($"{v.ToString("R", Inv)}: runtime '{expected}', fast '{actual}'");
        }
        Assert.True(taken >= minTaken, $"the fast path took only {taken} values");
    }

    delegate bool NumberTextTry(double value, Span<char> text, out int written);

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(1)]
    [InlineData(7)]
    public void Rounded_values_read_as_the_runtimes_shortest_round_trip_text(int decimals) =>
        Same(v => Math.Round(v, decimals).ToString("R", Inv), (double v, Span<char> t, out int n) => NumberText.TryFormatRounded(v, decimals, t, out n), 1 + decimals, 100_000);

    [Theory]
    [InlineData(2, "0.##")]
    [InlineData(10, "0.##########")]
    public void Rounded_values_read_as_the_runtimes_custom_format(int decimals, string format) =>
        Same(v => Math.Round(v, decimals).ToString(format, Inv), (double v, Span<char> t, out int n) => NumberText.TryFormatOptionalDecimals(v, decimals, t, out n), 20 + decimals, 100_000);

    [Fact]
    public void Whole_values_read_as_the_runtimes_zero_format() =>
        Same(v => Math.Round(v).ToString("0", Inv), (double v, Span<char> t, out int n) => NumberText.TryFormatIntegral(Math.Round(v), t, out n), 31, 100_000);

    [Fact]
    public void Tenths_read_as_the_runtimes_optional_decimal_format() =>
        Same(v => Math.Round(v, 1).ToString("0.#", Inv), (double v, Span<char> t, out int n) => NumberText.TryFormatTenths(v, t, out n), 32, 100_000);

    [Fact]
    public void Grouped_integers_read_as_the_runtimes_N0_with_ties_to_even() =>
        Same(v => v.ToString("N0", Inv), (double v, Span<char> t, out int n) => NumberText.TryFormatGroupedInteger(v, t, out n), 33, 100_000);

    [Fact]
    public void Each_fast_path_declines_what_it_cannot_write_the_same()
    {
        Span<char> text = stackalloc char[64];
        Assert.False(NumberText.TryFormatRounded(-0.0001, 2, text, out _));      // rounds to negative zero
        Assert.False(NumberText.TryFormatRounded(1e-5, 10, text, out _));        // the runtime writes 1E-05
        Assert.False(NumberText.TryFormatRounded(double.NaN, 2, text, out _));
        Assert.False(NumberText.TryFormatRounded(1e15, 2, text, out _));
        Assert.False(NumberText.TryFormatIntegral(-0.0, text, out _));
        Assert.False(NumberText.TryFormatIntegral(0.5, text, out _));
        Assert.False(NumberText.TryFormatTenths(-0.03, text, out _));            // "-0"
        Assert.False(NumberText.TryFormatGroupedInteger(-1, text, out _));
        Assert.False(NumberText.TryFormatGroupedInteger(-0.0, text, out _));
        Assert.False(NumberText.TryFormatGroupedInteger(double.PositiveInfinity, text, out _));
        Assert.True(NumberText.TryFormatGroupedInteger(1234567.5, text, out int n));
        Assert.Equal("1,234,568", new string(text[..n]));
        Assert.True(NumberText.TryFormatGroupedInteger(2.5, text, out n));
        Assert.Equal("2", new string(text[..n]));
    }
}
