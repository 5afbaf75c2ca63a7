using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Workbench.Analytics.Modeling;

/// <summary>
/// The knobs of a gradient-boosted tree learner (ML.NET FastTree or LightGBM) that every analysis training trees beside
/// the prioritizer shares: the next-product add-on model, the action policy's value models, the opportunity stage model.
/// Each analysis holds one as a part of its options with its own defaults, and builds its ML.NET trainer options from it
/// (single-threaded, so a fit is repeatable bit for bit). The prioritizer's <see cref="Ranking.PropensityOptions"/> keeps
/// ML.NET's own names (NumberOfTrees, ...) because notebooks and recorded spec errors use them (docs/decisions.md).
/// <code>
/// var options = new NextProductOptions { AddOnModel = new NextProductOptions().AddOnModel with { Trees = 80, Leaves = 16 } };
/// </code>
/// </summary>
/// <param name="Trees">Boosting rounds (trees). 1..10000.</param>
/// <param name="Leaves">Leaves per tree. 2..1024.</param>
/// <param name="MinExamplesPerLeaf">Minimum training rows in a leaf. At least 1.</param>
/// <param name="LearningRate">Shrinkage of each tree. In (0, 1].</param>
/// <remarks>No defaults of its own: every analysis states all four knobs, since good values differ by task and data size.</remarks>
public sealed record TreeOptions(int Trees, int Leaves, int MinExamplesPerLeaf, double LearningRate)
{
    /// <summary>Every invalid knob, each named as <paramref name="owner"/>.Knob (e.g. "StageModel.Trees must be 1..10000, got 0.").</summary>
    public IEnumerable<string> Problems(string owner)
    {
        if (Trees is < 1 or > 10_000) yield return $"{owner}.Trees must be 1..10000, got {Trees}.";
        if (Leaves is < 2 or > 1024) yield return $"{owner}.Leaves must be 2..1024, got {Leaves}.";
        if (MinExamplesPerLeaf < 1) yield return $"{owner}.MinExamplesPerLeaf must be >= 1, got {MinExamplesPerLeaf}.";
        if (!(LearningRate is > 0 and <= 1)) yield return $"{owner}.LearningRate must be in (0, 1], got {LearningRate.ToString(CultureInfo.InvariantCulture)}.";
    }

    /// <summary>FastTree binary classification with these knobs (minimum leaf: <paramref name="minExamplesPerLeaf"/> when given).</summary>
    public FastTreeBinaryTrainer.Options FastTreeBinary(int? minExamplesPerLeaf = null) => new()
    {
        NumberOfTrees = Trees, NumberOfLeaves = Leaves, MinimumExampleCountPerLeaf = minExamplesPerLeaf ?? MinExamplesPerLeaf,
        LearningRate = LearningRate, NumberOfThreads = 1,
    };

    /// <summary>FastTree regression with these knobs (minimum leaf: <paramref name="minExamplesPerLeaf"/> when given).</summary>
    public FastTreeRegressionTrainer.Options FastTreeRegression(int? minExamplesPerLeaf = null) => new()
    {
        NumberOfTrees = Trees, NumberOfLeaves = Leaves, MinimumExampleCountPerLeaf = minExamplesPerLeaf ?? MinExamplesPerLeaf,
        LearningRate = LearningRate, NumberOfThreads = 1,
    };

    /// <summary>LightGBM multiclass classification with these knobs, seeded and silent.</summary>
    public LightGbmMulticlassTrainer.Options LightGbmMulticlass(int seed) => new()
    {
        NumberOfIterations = Trees, NumberOfLeaves = Leaves, MinimumExampleCountPerLeaf = MinExamplesPerLeaf,
        LearningRate = LearningRate, NumberOfThreads = 1, Seed = seed, Silent = true, Verbose = false,
    };
}
