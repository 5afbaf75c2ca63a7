namespace Workbench;

/// <summary>
/// Implemented by a stage progress sink (an <see cref="IProgress{T}"/> of stage names) that also takes the measured time of
/// a stage's parts: a job whose parts run side by side (the files scoring writes on every core, the accounts' context built
/// on a thread beside the scoring) times them only when its progress sink is one of these, and reports them here rather than
/// printing them itself. The CLI's timings (WORKBENCH_TIMINGS=1) print each part under the current stage.
/// </summary>
public interface IStagePartTimings
{
    /// <summary>A part of the current stage, e.g. "writing book.json: 1 file(s)", and its wall seconds (summed over the
    /// threads that ran it, when it ran on several).</summary>
    void Part(string part, double seconds);
}

/// <summary>Times the consecutive parts of a stage for an <see cref="IStagePartTimings"/> sink: each <see cref="Lap"/>
/// reports the wall seconds since the previous lap (or since the clock was made). Nothing is reported without a sink.</summary>
public sealed class StagePartClock(IStagePartTimings? parts)
{
    long last = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Ends the part called <paramref name="part"/> here and starts the next one.</summary>
    public void Lap(string part)
    {
        if (parts is null) return;
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        parts.Part(part, System.Diagnostics.Stopwatch.GetElapsedTime(last, now).TotalSeconds);
        last = now;
    }
}
