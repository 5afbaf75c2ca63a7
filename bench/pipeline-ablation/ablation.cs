#:project ../../src/Workbench.Analytics/Workbench.Analytics.csproj
#:project ../../src/Workbench.Data/Workbench.Data.csproj
#:property TreatWarningsAsErrors=false
// Win-model ablations of the opportunity pipeline (docs/pipeline.md, "Measured"): the committed sample and the test data
// (800 accounts x 30 months, 16 reps, seed 5), with feature groups blanked or options changed.
// Run from the repo root: dotnet run bench/pipeline-ablation/ablation.cs -- all [data-samples/generated]
using Workbench.Analytics.Pipeline;
using Workbench.Data;
using Workbench.Data.Generation;

var which = args.Length > 0 ? args[0] : "all";
var sets = new List<(string, Workbench.Domain.CrmDataset)>();
sets.Add(("sample", new CrmCatalog(args.Length > 1 ? args[1] : "data-samples/generated").Load(new LoadOptions()).Dataset));
sets.Add(("test800", CrmGenerator.Generate(new GeneratorOptions { Accounts = 800, Months = 30, Seed = 5, Reps = 16 })));
string[] account = OpportunityFeatures.AccountHealth.Names.ToArray();
string[] pace = ["recorded_stage_changes", "age_vs_first_stage_change", "age_vs_proposal_age", "days_since_proposal", "stage_changes_since_proposal"];
var baseOpt = new OpportunityOptions { TestMonths = 12 };
var variants = new List<(string, OpportunityOptions, string[])>
{
    ("all", baseOpt, []),
    ("no-account", baseOpt, account),
    ("no-pace", baseOpt, pace),
    ("no-both", baseOpt, account.Concat(pace).ToArray()),
    ("no-repseg", baseOpt, ["rep_segment_prior_win_rate"]),
    ("leaves31-min20", baseOpt with { Win = baseOpt.Win with { NumberOfLeaves = 31, MinExamplesPerLeaf = 20 } }, []),
    ("lr0.05-600", baseOpt with { Win = baseOpt.Win with { LearningRate = 0.05, NumberOfTrees = 600 } }, []),
    ("valid0.15", baseOpt with { ValidationShare = 0.15 }, []),
    ("valid0.35", baseOpt with { ValidationShare = 0.35 }, []),
    ("prior5", baseOpt with { PriorStrength = 5 }, []),
    ("prior60", baseOpt with { PriorStrength = 60 }, []),
    ("min100", baseOpt with { Win = baseOpt.Win with { MinExamplesPerLeaf = 100, NumberOfLeaves = 7 } }, []),
    ("platt", baseOpt with { Win = baseOpt.Win with { Calibration = Workbench.Analytics.Ranking.CalibrationMethod.Platt } }, []),
};
foreach (var (name, data) in sets)
foreach (var (vn, opt, drop) in variants)
{
    if (which != "all" && !which.Split(',').Contains(vn)) continue;
    var sw = System.Diagnostics.Stopwatch.StartNew();
    var frame = OpportunityFrame.Build(data, opt);
    var t = frame.Table;
    foreach (var f in drop) { int c = OpportunityFeatures.Index(f); for (int r = 0; r < t.RowCount; r++) t.Values[r * t.ColumnCount + c] = float.NaN; }
    var model = OpportunityEstimator.Fit(frame, opt);
    var e = OpportunityEvaluation.Evaluate(model, frame);
    double ece = e.Reliability.Sum(b => b.Count * Math.Abs(b.MeanPredicted - b.ObservedRate)) / e.Reliability.Sum(b => b.Count);
    Console.WriteLine($"{name,-8} {vn,-16} auc {e.WinAuc:0.0000} oracle {e.OracleWinAuc:0.0000} gap {e.OracleWinAuc - e.WinAuc:0.0000} brier {e.Brier:0.0000} ece {ece:0.0000} [{sw.Elapsed.TotalSeconds:0}s]");
    Console.WriteLine("   rel: " + string.Join(" ", e.Reliability.Select(b => $"{b.MeanPredicted:0.000}/{b.ObservedRate:0.000}")));
}
