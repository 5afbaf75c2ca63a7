using System.Globalization;

namespace Workbench;

/// <summary>The run's seed, as-of date and culture. Every random draw in a run derives from Seed;
/// numbers meet text only through <see cref="Culture"/> (invariant).</summary>
public sealed record RunContext(int Seed, DateOnly? AsOf = null)
{
    public static CultureInfo Culture => CultureInfo.InvariantCulture;

    /// <summary>A deterministic random stream for a named purpose, so adding a draw in one stage
    /// does not shift the draws of another.</summary>
    public Random RandomFor(string purpose) => new(DeriveSeed(Seed, purpose));

    public static int DeriveSeed(int seed, string purpose)
    {
        // FNV-1a over the purpose, mixed with the seed: stable across processes and runtimes
        // (string.GetHashCode is randomized per process).
        unchecked
        {
            uint h = 2166136261;
            foreach (char c in purpose) { h ^= c; h *= 16777619; }
            h ^= (uint)seed; h *= 16777619;
            h ^= h >> 15;
            return (int)(h & 0x7FFFFFFF);
        }
    }
}
