using System.Text;
using Workbench.Analytics.Explanation;
using Workbench.Experiments.Artifacts;

namespace Workbench.Tests.Explanation;

/// <summary>narratives.json is written by a hand-made Utf8JsonWriter pass in chunks on every core; its bytes must be the
/// ones the serializer writes for the per-row objects it replaced.</summary>
public class NarrativesJsonTests
{
    static Narrative Row(int i)
    {
        var random = new Random(i);
        double Number() => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-12, 6));
        double Edge() => (i % 7) switch { 0 => double.NaN, 1 => double.PositiveInfinity, 2 => -0.0, 3 => 1e-11, _ => Number() };
        Reason Reason(int r) => new($"Concept{r}", Number(), i % 5 == 0 ? "Spend fell <fast> & \"hard\" for Caf\u00e9 \u2013 line\nbreak" : $"Sentence {i}/{r}",
            r % 2 == 0 ? null : $"accounts at or below {i}% churned 1.{r}x as often", [.. Enumerable.Range(0, r).Select(f => new ReasonFeature($"f{f}", f == 0 ? Edge() : (float)Number(), Number()))])
        { WhyNow = r % 3 == 0, Lead = r % 4 == 0 ? null : "lead", IsContext = r == 2 };
        return new Narrative($"A{i:000000}", $"P{i % 9:00}", new DateOnly(2025, 1 + i % 12, 1), i % 2 == 0 ? "churn" : "upsell",
            random.NextDouble(), Edge(), Number(), [.. Enumerable.Range(0, i % 4).Select(Reason)], [.. Enumerable.Range(0, i % 3).Select(Reason)]);
    }

    static string WrittenBySerializer(IReadOnlyList<Narrative> rows) => Json.Serialize(rows.Select(n => new
    {
        n.AccountId, n.ProductId, n.AsOf, n.Target, score = n.Probability, n.Margin, n.ExpectedValue,
        reasons_for = n.ReasonsFor, reasons_against = n.ReasonsAgainst,
    }).ToList());

    static string WrittenByChunks(IReadOnlyList<Narrative> rows)
    {
        using var stream = new MemoryStream();
        NarrativesJson.Write(stream, rows);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(5_000)] // several chunks in several waves
    public void The_chunked_writer_writes_the_serializers_bytes(int count)
    {
        var rows = Enumerable.Range(0, count).Select(Row).ToArray();
        string expected = WrittenBySerializer(rows), actual = WrittenByChunks(rows);
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected, actual);
    }
}
