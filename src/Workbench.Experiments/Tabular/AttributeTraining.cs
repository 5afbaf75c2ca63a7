using Workbench.Analytics.Ranking;
using Workbench.Data;

namespace Workbench.Experiments.Tabular;

/// <summary>Train and test rows cut from a one-row-per-account attribute table, with the encoder fitted on the
/// training rows only (so test levels and test values never shape the encoding).</summary>
public sealed record AttributeSplit(TrainingSet Train, TrainingSet Test, TabularEncoder Encoder, string LabelColumn);

/// <summary>
/// Bridges bring-your-own attribute data (<see cref="MappedData.AccountAttributes"/>, for example the Telco churn
/// file) to the propensity trainer: a boolean attribute is the label, every other attribute a feature.
/// </summary>
public static class AttributeTraining
{
    /// <summary>A seeded stratified split of <paramref name="attributes"/> into train and test rows.</summary>
    /// <param name="attributes">The mapped attribute table.</param>
    /// <param name="labelColumn">A bool attribute (true = positive).</param>
    /// <param name="trainShare">Share of each class used for training, in (0, 1).</param>
    /// <param name="seed">Seed of the split.</param>
    public static AttributeSplit Split(AttributeTable attributes, string labelColumn, double trainShare, int seed)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var label = attributes[labelColumn];
        if (label.Type != "bool")
            throw new OptionsValidationException($"Label attribute '{labelColumn}' has type {label.Type}; it must be bool (map it with \"type\": \"bool\").");
        var labels = new bool[label.Values.Count];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = label.Values[i] as bool? ?? throw new WorkbenchException(
                $"Account {attributes.AccountIds[i]} has no value for the label attribute '{labelColumn}'; every row needs a label.");
        var features = attributes.Columns.Where(c => c.Name != labelColumn).ToList();
        var rows = Enumerable.Range(0, labels.Length)
            .Select(i => (IReadOnlyList<string?>)features.Select(c => Text(c.Values[i])).ToArray()).ToList();
        var (trainIdx, testIdx) = Splits.Stratified(labels, trainShare, seed);
        var encoder = TabularEncoder.Fit(features.Select(c => c.Name).ToArray(), trainIdx.Select(i => rows[i]).ToList());
        var all = encoder.Encode(rows, labels);
        return new AttributeSplit(all.Subset(trainIdx), all.Subset(testIdx), encoder, labelColumn);
    }

    static string? Text(object? value) => value switch
    {
        null => null,
        bool b => b ? "1" : "0",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
