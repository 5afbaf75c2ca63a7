using System.Globalization;
using Workbench.Bench;

// Stopwatch modes for the benchmarks in bench/README.md and side-by-side comparisons with the Python peers.
//   dotnet run -c Release --project bench/Workbench.Bench -- <mode> [args]
string mode = args.Length > 0 ? args[0] : "";
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
switch (mode)
{
    case "data-io": return DataIoBench.Run(args[1..]);
    case "generate": return GeneratorBench.Run(args[1..]);
    case "shap": return ShapThroughput.Run(args[1..]);
    case "tree-walk": return TreeWalkBench.Run(args[1..]);
    case "score-write": return ScoreWriteBench.Run(args[1..]);
    case "score-alloc": return ScoreAllocBench.Run(args[1..]);
    case "load": return LoadBench.Run(args[1..]);
    case "load-split": return LoadSplit.Run(args[1..]);
    case "parquet-probe": return ParquetProbe.Run(args[1..]);
    case "load-compare": return LoadCompare.Run(args[1..]);
    case "features": return FeaturesBench.Run(args[1..]);
    case "load-features": return LoadFeaturesBench.Run(args[1..]);
    case "train": return TrainBench.Run(args[1..]);
    case "train-sweep": return TrainSweep.Run(args[1..]);
    case "territory": return TerritoryBench.Run(args[1..]);
    case "clv": return ClvBench.Run(args[1..]);
    case "kernel-cells": return KernelCellBench.Run(args[1..]);
    case "kmeans":
        KMeansBench.Run(rows: Arg(1, 1_000_000), dims: Arg(2, 16), k: Arg(3, 8), nInit: Arg(4, 3), maxIter: Arg(5, 50), repeats: Arg(6, 3));
        return 0;
    default:
        Console.WriteLine("usage: Workbench.Bench <mode>\n  data-io [accounts] [months]\n  generate [accounts] [months]\n  load [accounts=100000] [months=36] [parquet|csv] [repeats=3] [--truth] [--stages]\n  load-split [accounts] [months] [--no-raw] [--csv] [--table name]\n  load-compare\n  parquet-probe [table...]\n  features [accounts=100000] [months=36] [step=1] [repeats=3]\n  load-features run SPEC [repeats=1] | load-features score DATA [repeats=1]\n  train [accounts=100000] [months=36] [step=1] [threads=1] [--fixed-trees] [--no-dump]\n  shap --rows N --threads T --repeat R\n  kmeans [rows=1000000] [dims=16] [k=8] [nInit=3] [maxIter=50] [repeats=3]\n  territory [accounts=100000] [months=24] [reps=200] [moveShare=0.10]\n  clv [repeats=5]");
        return mode == "" ? 0 : 2;
}
