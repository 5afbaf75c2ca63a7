using Workbench.Data.Generation;

namespace Workbench.Tests.Generation;

public sealed class GeneratorOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var options = new GeneratorOptions();
        options.Validate();
        Assert.Equal((1000, 36, 5, 5), (options.Accounts, options.Months, options.Products, options.Segments));
        Assert.Equal(new DateOnly(2023, 1, 1), options.FirstMonth);
        Assert.Equal(new DateOnly(2024, 7, 1), options.ResolvedRolloutStart);
        Assert.Equal(9, options.ResolvedReps);
    }

    public static TheoryData<GeneratorOptions, string> InvalidOptions => new()
    {
        { new GeneratorOptions { Accounts = 0 }, "Accounts must be between 1 and" },
        { new GeneratorOptions { Accounts = 3_000_000 }, "Accounts must be between 1 and" },
        { new GeneratorOptions { Months = 0 }, "Months must be between 1 and 240; got 0" },
        { new GeneratorOptions { FirstMonth = new DateOnly(2023, 1, 15) }, "FirstMonth must be the first day of a month; got 2023-01-15" },
        { new GeneratorOptions { Products = 0 }, "Products must be between 1 and 8; got 0" },
        { new GeneratorOptions { Products = 9 }, "Products must be between 1 and 8; got 9" },
        { new GeneratorOptions { Segments = 3 }, "Segments must be between 4 and 6; got 3" },
        { new GeneratorOptions { Segments = 7 }, "Segments must be between 4 and 6; got 7" },
        { new GeneratorOptions { Reps = 3 }, "Reps must be at least 4 (one per region); got 3" },
        { new GeneratorOptions { RolloutUplift = double.NaN }, "RolloutUplift must be between -0.5 and 2" },
        { new GeneratorOptions { RolloutUplift = 3 }, "RolloutUplift must be between -0.5 and 2; got 3" },
        { new GeneratorOptions { RolloutStart = new DateOnly(2022, 12, 1) }, "RolloutStart must fall inside the generated window 2023-01-01..2025-12-01; got 2022-12-01" },
        { new GeneratorOptions { RolloutStart = new DateOnly(2023, 5, 2) }, "RolloutStart must be the first day of a month; got 2023-05-02" },
        { new GeneratorOptions { MaxDegreeOfParallelism = 0 }, "MaxDegreeOfParallelism must be -1 (all cores) or at least 1; got 0" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_rejected_before_generation_with_the_option_named(GeneratorOptions options, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => CrmGenerator.Generate(options));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Every_invalid_option_is_listed_at_once()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new GeneratorOptions { Accounts = -1, Segments = 9, Months = 500 }.Validate());
        Assert.Contains("Accounts", error.Message);
        Assert.Contains("Segments", error.Message);
        Assert.Contains("Months", error.Message);
    }

    [Fact]
    public void Null_options_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => CrmGenerator.Generate(null!));
    }
}
