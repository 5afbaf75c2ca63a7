using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Workbench.Analytics.Modeling;

namespace Workbench.Analytics.Actions;

/// <summary>
/// One regression per action (ML.NET FastTree) predicting a decision's value per unit of annual value from its
/// context; a prediction is multiplied back by the annual value. Dividing by the account's size makes the
/// planted effects (shares of the run-rate) the same across sizes, which is what lets a few hundred decisions per
/// action learn them.
/// </summary>
internal sealed class RewardModel
{
    readonly MLContext _ml;
    readonly ITransformer?[] _models;
    readonly double[] _fallback; // mean scaled reward per action, used when an action has too few decisions
    public int ActionCount => _models.Length;

    RewardModel(MLContext ml, ITransformer?[] models, double[] fallback) => (_ml, _models, _fallback) = (ml, models, fallback);

    static double Scale(ReadOnlySpan<float> ctx) => Math.Max(1.0, ctx[DecisionFrame.AnnualValueColumn]);

    /// <summary>Fits on the given rows of the frame; <paramref name="target"/> picks the reward (long-term or immediate).</summary>
    public static RewardModel Fit(DecisionFrame frame, IReadOnlyList<int> rows, Func<Decision, double> target, ActionOptions o, int seed)
    {
        var ml = new MLContext(seed);
        int k = frame.Actions.Count, w = DecisionFrame.Width;
        var models = new ITransformer?[k];
        var fallback = new double[k];
        for (int a = 0; a < k; a++)
        {
            var mine = rows.Where(i => frame.Decisions[i].Action == a).ToArray();
            var x = new float[mine.Length * w];
            var y = new float[mine.Length];
            for (int j = 0; j < mine.Length; j++)
            {
                var ctx = frame.Context(mine[j]);
                ctx.CopyTo(x.AsSpan(j * w, w));
                y[j] = (float)(target(frame.Decisions[mine[j]]) / Scale(ctx));
            }
            fallback[a] = y.Length > 0 ? y.Average(v => (double)v) : 0;
            if (mine.Length < 2 * o.MinLeafCount) continue;
            var trainer = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
            {
                NumberOfTrees = o.Trees, NumberOfLeaves = o.Leaves, MinimumExampleCountPerLeaf = o.MinLeafCount,
                LearningRate = o.LearningRate, NumberOfThreads = 1, FeatureFraction = 1.0,
            });
            models[a] = trainer.Fit(new DenseDataView(x, DecisionFrame.ContextNames, y));
        }
        return new RewardModel(ml, models, fallback);
    }

    /// <summary>Predicted reward of every action for each context: [row][action].</summary>
    public double[][] Predict(float[] contexts)
    {
        int w = DecisionFrame.Width, n = contexts.Length / w, k = _models.Length;
        var result = new double[n][];
        for (int i = 0; i < n; i++) result[i] = new double[k];
        var view = new DenseDataView(contexts, DecisionFrame.ContextNames, new float[n]);
        for (int a = 0; a < k; a++)
        {
            if (_models[a] is not { } model) { for (int i = 0; i < n; i++) result[i][a] = _fallback[a]; continue; }
            var scores = model.Transform(view).GetColumn<float>("Score").ToArray();
            for (int i = 0; i < n; i++) result[i][a] = scores[i];
        }
        for (int i = 0; i < n; i++)
        {
            double s = Math.Max(1.0, contexts[i * w + DecisionFrame.AnnualValueColumn]);
            for (int a = 0; a < k; a++) result[i][a] *= s;
        }
        return result;
    }

    public void Save(ModelFileWriter writer, string prefix)
    {
        var schema = RewardSchema();
        for (int a = 0; a < _models.Length; a++)
            if (_models[a] is { } m)
            {
                using var s = writer.OpenEntry($"{prefix}-{a}.zip");
                _ml.Model.Save(m, schema, s);
            }
    }

    public static RewardModel Load(ModelFileReader reader, string prefix, double[] fallback, int seed)
    {
        var ml = new MLContext(seed);
        var models = new ITransformer?[fallback.Length];
        for (int a = 0; a < models.Length; a++)
        {
            string name = $"{prefix}-{a}.zip";
            if (!reader.Has(name)) continue;
            using var ms = new MemoryStream(reader.ReadBytes(name));
            models[a] = ml.Model.Load(ms, out _);
        }
        return new RewardModel(ml, models, fallback);
    }

    public double[] Fallback => _fallback;

    static DataViewSchema RewardSchema()
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, DecisionFrame.Width));
        b.AddColumn("Label", NumberDataViewType.Single);
        return b.ToSchema();
    }
}
