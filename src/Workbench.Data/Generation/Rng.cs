namespace Workbench.Data.Generation;

/// <summary>
/// A small, fast, explicitly seeded random stream (xoshiro256**), one per account and per global purpose.
/// Why not System.Random: the generator makes ~10^8 draws and needs 64-bit stream ids (one stream per
/// account, so parallel scheduling cannot change results); this algorithm is fixed here, so the same seed
/// gives the same numbers on every runtime version.
/// </summary>
internal sealed class Rng
{
    ulong _s0, _s1, _s2, _s3;
    double _spareNormal;
    bool _hasSpare;

    public Rng(ulong seed)
    {
        // SplitMix64 expands the seed into the four state words (never all zero).
        _s0 = SplitMix(ref seed); _s1 = SplitMix(ref seed); _s2 = SplitMix(ref seed); _s3 = SplitMix(ref seed);
    }

    /// <summary>A stream for one purpose and one index (for example "account", 17) under the run's seed.</summary>
    public static Rng For(int runSeed, string purpose, long index = 0)
    {
        ulong purposeSeed = (ulong)(uint)RunContext.DeriveSeed(runSeed, purpose);
        return new Rng((purposeSeed << 32) ^ (ulong)runSeed ^ ((ulong)index * 0x9E3779B97F4A7C15UL));
    }

    static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform integer in [0, maxExclusive).</summary>
    /// <remarks>Always consumes one draw, even when the range holds a single value, so later draws do not shift.</remarks>
    public int NextInt(int maxExclusive)
    {
        ulong bits = NextULong() >> 32;
        return maxExclusive <= 1 ? 0 : (int)((bits * (ulong)maxExclusive) >> 32);
    }

    public int NextInt(int min, int maxExclusive) => min + NextInt(maxExclusive - min);

    public bool Chance(double p) => NextDouble() < p;

    public double Normal()
    {
        if (_hasSpare) { _hasSpare = false; return _spareNormal; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1)), theta = 2.0 * Math.PI * u2;
        _spareNormal = r * Math.Sin(theta); _hasSpare = true;
        return r * Math.Cos(theta);
    }

    public double Normal(double mean, double sd) => mean + sd * Normal();

    public double LogNormal(double mu, double sigma) => Math.Exp(mu + sigma * Normal());

    /// <summary>Poisson count: exact (Knuth) for small means, rounded normal approximation above 30.</summary>
    public int Poisson(double lambda)
    {
        if (lambda <= 0) return 0;
        if (lambda > 30) return Math.Max(0, (int)Math.Round(lambda + Math.Sqrt(lambda) * Normal()));
        double limit = Math.Exp(-lambda), product = NextDouble();
        int k = 0;
        while (product > limit) { k++; product *= NextDouble(); }
        return k;
    }

    /// <summary>Index drawn with the given (unnormalized, non-negative) weights.</summary>
    public int Weighted(ReadOnlySpan<double> weights)
    {
        double total = 0;
        foreach (var w in weights) total += w;
        double x = NextDouble() * total;
        for (int i = 0; i < weights.Length; i++)
        {
            x -= weights[i];
            if (x < 0) return i;
        }
        return weights.Length - 1;
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[NextInt(items.Count)];

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(T[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
