using Hpo.SearchSpaces;

namespace Hpo.Tests.SearchSpaces;

public class FloatDistributionTests
{
    [Theory]
    [InlineData(5.0, 1.0, "low=5, high=1")]
    [InlineData(1.0, 1.0, "low=1, high=1")]
    [InlineData(-0.5, -2.5, "low=-0.5, high=-2.5")]
    public void Constructor_LowNotBelowHigh_ThrowsNamingBothBounds(double low, double high, string values)
    {
        var e = Assert.Throws<ArgumentException>(() => new FloatDistribution(low, high));

        Assert.Equal("high", e.ParamName);
        Assert.Contains("`high` must be greater than `low`", e.Message, StringComparison.Ordinal);
        Assert.Contains(values, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, "low=0")]
    [InlineData(-1e-3, "low=-0.001")]
    public void Constructor_LogWithLowNotPositive_Throws(double low, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => new FloatDistribution(low, 1, log: true));

        Assert.Equal("low", e.ParamName);
        Assert.Contains("greater than 0 on a log scale", e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, 1.0, "low", "low=NaN")]
    [InlineData(double.NegativeInfinity, 1.0, "low", "low=-Infinity")]
    [InlineData(0.0, double.NaN, "high", "high=NaN")]
    [InlineData(0.0, double.PositiveInfinity, "high", "high=Infinity")]
    public void Constructor_BoundNotFinite_ThrowsNamingIt(double low, double high, string paramName, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => new FloatDistribution(low, high));

        Assert.Equal(paramName, e.ParamName);
        Assert.Contains($"`{paramName}` must be a finite number", e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, "step=0")]
    [InlineData(-0.25, "step=-0.25")]
    [InlineData(double.NaN, "step=NaN")]
    [InlineData(double.PositiveInfinity, "step=Infinity")]
    public void Constructor_StepNotPositiveFinite_Throws(double step, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => new FloatDistribution(0, 1, step: step));

        Assert.Equal("step", e.ParamName);
        Assert.Contains("`step` must be a positive finite number", e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_StepLargerThanRange_ThrowsWithRangeAndStep()
    {
        var e = Assert.Throws<ArgumentException>(() => new FloatDistribution(0, 1, step: 2));

        Assert.Equal("step", e.ParamName);
        Assert.Contains("`step` must not be larger than the range high - low = 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("step=2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_StepOnLogScale_IsRejectedWithAFix()
    {
        var e = Assert.Throws<ArgumentException>(() => new FloatDistribution(1, 100, log: true, step: 1));

        Assert.Equal("step", e.ParamName);
        Assert.Contains("log scale cannot have a step", e.Message, StringComparison.Ordinal);
        Assert.Contains("step=1", e.Message, StringComparison.Ordinal);
        Assert.Contains("remove the step or the log scale", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_StepEqualToRange_HasTwoValues()
    {
        var d = new FloatDistribution(0, 0.5, step: 0.5);

        Assert.Equal(2, d.Cardinality);
        Assert.True(d.ContainsInternal(0));
        Assert.True(d.ContainsInternal(0.5));
    }

    [Theory]
    [InlineData(0.0, 1.0, 0.1, 11)]
    [InlineData(0.0, 0.3, 0.1, 4)]
    [InlineData(0.0, 1.0, 0.3, 4)]
    [InlineData(-1.0, 1.0, 0.5, 5)]
    [InlineData(0.0, 0.95, 0.1, 10)]
    public void Cardinality_Stepped_CountsGridPointsNotAboveHigh(double low, double high, double step, long expected)
    {
        var d = new FloatDistribution(low, high, step: step);

        Assert.True(d.IsDiscrete);
        Assert.Equal(expected, d.Cardinality);
    }

    [Fact]
    public void Cardinality_Continuous_IsNull()
    {
        var d = new FloatDistribution(0, 1, log: false);

        Assert.False(d.IsDiscrete);
        Assert.Null(d.Cardinality);
        Assert.Equal(ParameterKind.Float, d.Kind);
    }

    [Theory]
    [InlineData(0.0, true)]
    [InlineData(0.3, true)]
    [InlineData(0.30000000000000004, true)]
    [InlineData(0.35, false)]
    [InlineData(1.0, true)]
    [InlineData(1.1, false)]
    [InlineData(-0.1, false)]
    [InlineData(double.NaN, false)]
    public void ContainsInternal_Stepped_AcceptsGridPointsOnly(double value, bool expected)
    {
        var d = new FloatDistribution(0, 1, step: 0.1);

        Assert.Equal(expected, d.ContainsInternal(value));
    }

    [Fact]
    public void ContainsInternal_Log_AcceptsTheWholeRange()
    {
        var d = new FloatDistribution(1e-5, 1e-1, log: true);

        Assert.True(d.ContainsInternal(1e-5));
        Assert.True(d.ContainsInternal(3.3e-3));
        Assert.True(d.ContainsInternal(1e-1));
        Assert.False(d.ContainsInternal(1e-6));
    }

    [Fact]
    public void ToInternal_Numbers_AreAcceptedAndSnappedToTheGrid()
    {
        var d = new FloatDistribution(0, 1, step: 0.25);

        Assert.Equal(0.5, d.ToInternal(0.5));
        Assert.Equal(0.5, d.ToInternal(0.5f));
        Assert.Equal(0.75, d.ToInternal(0.75m));
        Assert.Equal(1.0, d.ToInternal(1));
        Assert.Equal(0.0, d.ToInternal(0L));
    }

    [Fact]
    public void ToInternal_WrongType_ThrowsNamingTheType()
    {
        var d = new FloatDistribution(0, 1);

        var e = Assert.Throws<ArgumentException>(() => d.ToInternal("0.5"));
        Assert.Contains("String", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"0.5\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToInternal_OutOfRange_ThrowsNamingValueAndRange()
    {
        var d = new FloatDistribution(0, 1, step: 0.5);

        var e = Assert.Throws<ArgumentException>(() => d.ToInternal(0.7));
        Assert.Contains("0.7", e.Message, StringComparison.Ordinal);
        Assert.Contains("float [0, 1] step 0.5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToExternal_OutsideRange_Throws()
    {
        var d = new FloatDistribution(0, 1);

        Assert.Equal(0.25, d.ToExternal(0.25));
        Assert.Throws<ArgumentException>(() => d.ToExternal(2));
    }

    [Fact]
    public void Equals_SameSettings_AreEqualWithEqualHashCodes()
    {
        var a = new FloatDistribution(0, 1, step: 0.1);
        var b = new FloatDistribution(0, 1, step: 0.1);

        Assert.Equal(a, b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new FloatDistribution(0, 1));
        Assert.NotEqual(new FloatDistribution(1, 2), new FloatDistribution(1, 2, log: true));
        Assert.NotEqual<Distribution>(new FloatDistribution(0, 1), new IntDistribution(0, 1));
    }

    [Fact]
    public void ToString_DescribesScaleAndStep()
    {
        Assert.Equal("float [0.001, 1] log", new FloatDistribution(1e-3, 1, log: true).ToString());
        Assert.Equal("float [0, 1] step 0.25", new FloatDistribution(0, 1, step: 0.25).ToString());
    }
}
