using Hpo.SearchSpaces;

namespace Hpo.Tests.SearchSpaces;

public class IntDistributionTests
{
    [Theory]
    [InlineData(5L, 1L, "low=5, high=1")]
    [InlineData(3L, 3L, "low=3, high=3")]
    public void Constructor_LowNotBelowHigh_ThrowsNamingBothBounds(long low, long high, string values)
    {
        var e = Assert.Throws<ArgumentException>(() => new IntDistribution(low, high));

        Assert.Equal("high", e.ParamName);
        Assert.Contains("`high` must be greater than `low`", e.Message, StringComparison.Ordinal);
        Assert.Contains(values, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, "step=0")]
    [InlineData(-2L, "step=-2")]
    public void Constructor_StepNotPositive_Throws(long step, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => new IntDistribution(0, 10, step: step));

        Assert.Equal("step", e.ParamName);
        Assert.Contains("`step` must be positive", e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_StepLargerThanRange_ThrowsWithRangeAndStep()
    {
        var e = Assert.Throws<ArgumentException>(() => new IntDistribution(0, 10, step: 11));

        Assert.Equal("step", e.ParamName);
        Assert.Contains("`step` must not be larger than the range high - low = 10", e.Message, StringComparison.Ordinal);
        Assert.Contains("step=11", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, "low=0")]
    [InlineData(-4L, "low=-4")]
    public void Constructor_LogWithLowBelowOne_Throws(long low, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => new IntDistribution(low, 10, log: true));

        Assert.Equal("low", e.ParamName);
        Assert.Contains("at least 1 on a log scale", e.Message, StringComparison.Ordinal);
        Assert.Contains(value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_LogWithStepOtherThanOne_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new IntDistribution(1, 64, log: true, step: 2));

        Assert.Equal("step", e.ParamName);
        Assert.Contains("on a log scale must have step 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("step=2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BoundsBeyondTwoToThe53_Throw()
    {
        const long Limit = 1L << 53;

        var low = Assert.Throws<ArgumentException>(() => new IntDistribution(-Limit - 1, 0));
        var high = Assert.Throws<ArgumentException>(() => new IntDistribution(0, Limit + 1));

        Assert.Equal("low", low.ParamName);
        Assert.Contains("low=-9007199254740993", low.Message, StringComparison.Ordinal);
        Assert.Equal("high", high.ParamName);
        Assert.Contains("high=9007199254740993", high.Message, StringComparison.Ordinal);
        Assert.Equal(3, new IntDistribution(-Limit, Limit, step: Limit).Cardinality);
    }

    [Theory]
    [InlineData(0L, 10L, 1L, 11L)]
    [InlineData(0L, 10L, 3L, 4L)]
    [InlineData(-5L, 5L, 5L, 3L)]
    [InlineData(1L, 1000L, 1L, 1000L)]
    public void Cardinality_CountsGridValues(long low, long high, long step, long expected)
    {
        var d = new IntDistribution(low, high, step: step);

        Assert.True(d.IsDiscrete);
        Assert.Equal(expected, d.Cardinality);
        Assert.Equal(ParameterKind.Int, d.Kind);
    }

    [Theory]
    [InlineData(0.0, true)]
    [InlineData(9.0, true)]
    [InlineData(10.0, false)]
    [InlineData(4.0, false)]
    [InlineData(3.5, false)]
    [InlineData(-3.0, false)]
    public void ContainsInternal_Stepped_AcceptsGridValuesOnly(double value, bool expected)
    {
        var d = new IntDistribution(0, 10, step: 3);

        Assert.Equal(expected, d.ContainsInternal(value));
    }

    [Fact]
    public void ToInternal_IntegerTypesAndIntegralFloats_AreAccepted()
    {
        var d = new IntDistribution(0, 10);

        Assert.Equal(3.0, d.ToInternal(3));
        Assert.Equal(3.0, d.ToInternal(3L));
        Assert.Equal(3.0, d.ToInternal((short)3));
        Assert.Equal(3.0, d.ToInternal((byte)3));
        Assert.Equal(3.0, d.ToInternal(3.0));
        Assert.Equal(3.0, d.ToInternal(3.0f));
    }

    [Fact]
    public void ToInternal_FractionalValue_ThrowsNamingTheType()
    {
        var d = new IntDistribution(0, 10);

        var e = Assert.Throws<ArgumentException>(() => d.ToInternal(2.5));
        Assert.Contains("takes an integer", e.Message, StringComparison.Ordinal);
        Assert.Contains("Double (2.5)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToInternal_OffTheGrid_ThrowsNamingValueAndRange()
    {
        var d = new IntDistribution(0, 10, step: 3);

        var e = Assert.Throws<ArgumentException>(() => d.ToInternal(4));
        Assert.Contains("The value 4 lies outside int [0, 10] step 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToExternal_ReturnsLong()
    {
        var d = new IntDistribution(1, 100, log: true);

        Assert.Equal(42L, Assert.IsType<long>(d.ToExternal(42)));
        Assert.Throws<ArgumentException>(() => d.ToExternal(0));
        Assert.Throws<ArgumentException>(() => d.ToExternal(4.5));
    }

    [Fact]
    public void Equals_ComparesEverySetting()
    {
        Assert.Equal(new IntDistribution(1, 8, log: true), new IntDistribution(1, 8, log: true));
        Assert.Equal(new IntDistribution(0, 8, step: 2).GetHashCode(), new IntDistribution(0, 8, step: 2).GetHashCode());
        Assert.NotEqual(new IntDistribution(1, 8), new IntDistribution(1, 8, log: true));
        Assert.NotEqual(new IntDistribution(0, 8), new IntDistribution(0, 8, step: 2));
        Assert.NotEqual(new IntDistribution(0, 8), new IntDistribution(0, 9));
    }

    [Fact]
    public void ToString_DescribesScaleAndStep()
    {
        Assert.Equal("int [1, 64] log", new IntDistribution(1, 64, log: true).ToString());
        Assert.Equal("int [0, 10] step 3", new IntDistribution(0, 10, step: 3).ToString());
        Assert.Equal("int [0, 10]", new IntDistribution(0, 10).ToString());
    }
}
