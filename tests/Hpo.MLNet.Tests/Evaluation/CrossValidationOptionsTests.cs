using Hpo.MLNet.Evaluation;

namespace Hpo.MLNet.Tests.Evaluation;

public class CrossValidationOptionsTests
{
    [Fact]
    public void Defaults_Always_AreFiveFoldsSeedZeroAndLabel()
    {
        var options = new CrossValidationOptions();

        Assert.Equal((5, 0, "Label", (string?)null), (options.FoldCount, options.Seed, options.LabelColumnName, options.SamplingKeyColumnName));
        options.Validate();
    }

    [Fact]
    public void Validate_BlankSamplingKey_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new CrossValidationOptions { SamplingKeyColumnName = " " }.Validate());

        Assert.Contains("SamplingKeyColumnName", e.Message, StringComparison.Ordinal);
    }
}
