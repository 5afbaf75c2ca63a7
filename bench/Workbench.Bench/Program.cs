using System.Diagnostics;
using System.Globalization;
using Workbench.Bench;

// Stopwatch modes for side-by-side comparisons with the Python peers in bench/.
//   dotnet run -c Release --project bench/Workbench.Bench -- kmeans [rows] [dims] [k] [nInit] [maxIter] [repeats]
if (args.Length > 0 && args[0] == "kmeans")
{
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
    KMeansBench.Run(rows: Arg(1, 1_000_000), dims: Arg(2, 16), k: Arg(3, 8), nInit: Arg(4, 3), maxIter: Arg(5, 50), repeats: Arg(6, 3));
    return;
}
Console.WriteLine("usage: Workbench.Bench kmeans [rows=1000000] [dims=16] [k=8] [nInit=3] [maxIter=50] [repeats=3]");
