using Workbench.Analytics.Explanation;

namespace Workbench.Tests.Explanation;

/// <summary>Chunks produced on worker threads in any timing are consumed in order, never more than the window ahead, and a
/// failure on either side stops the rest and reaches the caller.</summary>
public class OrderedChunksTests
{
    [Theory]
    [InlineData(0, 2, 1)]
    [InlineData(1, 3, 1)]
    [InlineData(50, 1, 1)]
    [InlineData(200, 2, 4)]
    [InlineData(200, 5, 3)]
    public void Chunks_are_consumed_in_order_within_the_window(int count, int workers, int window)
    {
        var consumed = new List<int>();
        OrderedChunks.Run(count, workers, window,
            i =>
            {
                // Later chunks often finish first: uneven work per chunk.
                Thread.SpinWait(i * 7919 % 13 * 2000);
                return i * 10;
            },
            (i, value) =>
            {
                Assert.Equal(i * 10, value);
                consumed.Add(i);
            });
        Assert.Equal(Enumerable.Range(0, count), consumed);
    }

    [Fact]
    public void No_chunk_is_produced_more_than_the_window_ahead_of_the_one_consumed()
    {
        int consumedCount = 0, maxAhead = 0;
        var gate = new object();
        OrderedChunks.Run(100, 4, 3,
            i =>
            {
                lock (gate) maxAhead = Math.Max(maxAhead, i - consumedCount);
                Thread.SpinWait(1000);
                return i;
            },
            (i, _) => { Thread.SpinWait(3000); lock (gate) consumedCount = i + 1; });
        Assert.InRange(maxAhead, 0, 2); // chunk i starts only once chunk i - 3 is consumed
    }

    [Fact]
    public void A_failing_producer_stops_the_rest_and_its_exception_reaches_the_caller()
    {
        var consumed = new List<int>();
        var ex = Assert.Throws<InvalidOperationException>(() => OrderedChunks.Run(100, 2, 4,
            i => i == 10 ? throw new InvalidOperationException("chunk 10") : i,
            (i, _) => consumed.Add(i)));
        Assert.Equal("chunk 10", ex.Message);
        Assert.Equal(Enumerable.Range(0, consumed.Count), consumed); // in order, and
        Assert.True(consumed.Count <= 10, $"{consumed.Count} consumed"); // none from the failed chunk on
    }

    [Fact]
    public void A_failing_consumer_stops_the_producers_and_its_exception_reaches_the_caller()
    {
        int produced = 0;
        var ex = Assert.Throws<IOException>(() => OrderedChunks.Run(1000, 2, 4,
            i => { Interlocked.Increment(ref produced); return i; },
            (i, _) => { if (i == 3) throw new IOException("disk full"); }));
        Assert.Equal("disk full", ex.Message);
        Assert.InRange(produced, 4, 8); // at most the window past the failed chunk
    }
}
