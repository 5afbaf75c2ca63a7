using System.Diagnostics;
using System.Globalization;
using Workbench.Analytics.Segmentation;

namespace Workbench.Bench;

/// <summary>K-Means on seeded Gaussian blobs written to bench/data/kmeans_{rows}x{dims}.f64 (raw little-endian
/// float64, row-major), the same file bench/kmeans_sklearn.py reads. Tolerance 0 and a fixed iteration cap so
/// both sides do the same number of Lloyd iterations (unless labels stop changing first; iterations are printed).</summary>
static class KMeansBench
{
    public static void Run(int rows, int dims, int k, int nInit, int maxIter, int repeats)
    {
        var dir = Path.Combine(FindBenchDir(), "data");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"kmeans_{rows}x{dims}.f64");
        var x = File.Exists(path) && new FileInfo(path).Length == (long)rows * dims * 8 ? Read(path, rows * dims) : Generate(path, rows, dims, k);
        var columns = Enumerable.Range(0, dims).Select(j => "x" + j).ToArray();
        var matrix = FeatureMatrix.FromFlat(x, rows, columns);
        Console.WriteLine($"data {path}; cores {Environment.ProcessorCount}; Vector<double>.Count {System.Numerics.Vector<double>.Count}");

        // Warm-up (JIT) on a small slice.
        KMeans.Fit(FeatureMatrix.FromFlat(x[..(10_000 * dims)], 10_000, columns), new KMeansOptions(k) { NInit = 1, MaxIterations = 5, Tolerance = 0 });

        for (int rep = 0; rep < repeats; rep++)
        {
            KMeans.GenericKernelOnly = true;
            var g = Stopwatch.StartNew();
            var gm = KMeans.Fit(x, rows, dims, new KMeansOptions(k) { NInit = 1, MaxIterations = maxIter, Tolerance = 0 }, x[..(k * dims)]);
            KMeans.GenericKernelOnly = false;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"csharp lloyd-from-fixed-init generic kernel: iterations {gm.Iterations}, per iteration {g.Elapsed.TotalSeconds / gm.Iterations * 1000:F2} ms"));
        }
        for (int rep = 0; rep < repeats; rep++) {
        // 1) Lloyd iterations alone from fixed starting centroids (the first k rows), as in the sklearn script.
        var init = x[..(k * dims)];
        var sw = Stopwatch.StartNew();
        var fixedStart = KMeans.Fit(x, rows, dims, new KMeansOptions(k) { NInit = 1, MaxIterations = maxIter, Tolerance = 0 }, init);
        double lloyd = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"csharp lloyd-from-fixed-init: iterations {fixedStart.Iterations}, total {lloyd:F3} s, per iteration {lloyd / fixedStart.Iterations * 1000:F2} ms, inertia {fixedStart.Inertia:R}"));

        // 2) Full fit: k-means++ seeding, nInit restarts, maxIter each, tol 0.
        sw.Restart();
        var full = KMeans.Fit(matrix, new KMeansOptions(k) { NInit = nInit, MaxIterations = maxIter, Tolerance = 0, Seed = 42 });
        double total = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"csharp full fit (k-means++, n_init={nInit}, max_iter={maxIter}, tol=0): total {total:F3} s, best-run iterations {full.Iterations}, inertia {full.Inertia:R}"));
        }
    }

    static double[] Generate(string path, int rows, int dims, int k)
    {
        var rng = new Random(20261122);
        var centers = new double[k * dims];
        for (int q = 0; q < centers.Length; q++) centers[q] = rng.NextDouble() * 2 - 1;
        var x = new double[rows * dims];
        for (int i = 0; i < rows; i++)
        {
            int c = rng.Next(k);
            for (int j = 0; j < dims; j++)
            {
                // Box-Muller normal noise with sd 1 around centres in [-1,1]: heavily overlapping blobs, so Lloyd keeps moving for many iterations.
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                x[i * dims + j] = centers[c * dims + j] + Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            }
        }
        var tmp = path + ".tmp";
        using (var fs = File.Create(tmp)) fs.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()));
        File.Move(tmp, path, overwrite: true);
        return x;
    }

    static double[] Read(string path, int count)
    {
        var x = new double[count];
        using var fs = File.OpenRead(path);
        fs.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()));
        return x;
    }

    static string FindBenchDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workbench.sln"))) return Path.Combine(dir.FullName, "bench");
        throw new InvalidOperationException("Workbench.sln not found");
    }
}
