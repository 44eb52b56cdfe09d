using Hpo.SearchSpaces;

namespace Hpo.Tests.SearchSpaces;

public class CategoricalDistributionTests
{
    [Fact]
    public void Constructor_NoChoices_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new CategoricalDistribution([]));

        Assert.Equal("choices", e.ParamName);
        Assert.Contains("needs at least one choice, but got none", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DuplicateChoice_ThrowsNamingBothPositions()
    {
        var e = Assert.Throws<ArgumentException>(() => new CategoricalDistribution(["sgd", "adam", "sgd"]));

        Assert.Equal("choices", e.ParamName);
        Assert.Contains("must be distinct", e.Message, StringComparison.Ordinal);
        Assert.Contains("choice 2 (\"sgd\") repeats choice 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SameIntegerAsIntAndLong_IsADuplicate()
    {
        var e = Assert.Throws<ArgumentException>(() => new CategoricalDistribution([1, 1L]));

        Assert.Contains("choice 1 (1) repeats choice 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnsupportedType_ThrowsNamingTheType()
    {
        var e = Assert.Throws<ArgumentException>(() => new CategoricalDistribution(["a", TimeSpan.FromSeconds(1)]));

        Assert.Equal("choices", e.ParamName);
        Assert.Contains("must be strings, numbers or booleans", e.Message, StringComparison.Ordinal);
        Assert.Contains("choice 1 has type TimeSpan", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullChoice_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new CategoricalDistribution(["a", null!]));

        Assert.Equal("choices", e.ParamName);
        Assert.Contains("choice 1 is null", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void Constructor_NonFiniteNumber_Throws(double value, string text)
    {
        var e = Assert.Throws<ArgumentException>(() => new CategoricalDistribution([1.0, value]));

        Assert.Equal("choices", e.ParamName);
        Assert.Contains($"must be finite numbers, but choice 1 is {text}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NumbersOfAnyWidth_AreNormalizedToLongOrDouble()
    {
        var d = new CategoricalDistribution([1, (short)2, (byte)3, 4L, 0.5f, 0.25m, 0.125, true, "x"]);

        Assert.Equal<object>([1L, 2L, 3L, 4L, 0.5, 0.25, 0.125, true, "x"], d.Choices);
        Assert.All(d.Choices.Take(4), c => Assert.IsType<long>(c));
        Assert.All(d.Choices.Skip(4).Take(3), c => Assert.IsType<double>(c));
    }

    [Fact]
    public void Constructor_IntegerAndEqualDouble_AreDistinctChoices()
    {
        var d = new CategoricalDistribution([1, 1.0]);

        Assert.Equal(2, d.Cardinality);
        Assert.Equal(0, d.IndexOf(1));
        Assert.Equal(1, d.IndexOf(1.0));
    }

    [Fact]
    public void IndexOf_FindsNormalizedValuesAndRejectsOthers()
    {
        var d = new CategoricalDistribution(["sgd", 32, 0.5, false]);

        Assert.Equal(0, d.IndexOf("sgd"));
        Assert.Equal(1, d.IndexOf(32L));
        Assert.Equal(1, d.IndexOf((short)32));
        Assert.Equal(2, d.IndexOf(0.5f));
        Assert.Equal(3, d.IndexOf(false));
        Assert.Equal(-1, d.IndexOf("SGD"));
        Assert.Equal(-1, d.IndexOf(true));
        Assert.Equal(-1, d.IndexOf(TimeSpan.Zero));
        Assert.Equal(-1, d.IndexOf(double.NaN));
    }

    [Fact]
    public void ToInternalAndToExternal_RoundTripThroughTheIndex()
    {
        var d = new CategoricalDistribution(["relu", "tanh", "gelu"]);

        Assert.Equal(2.0, d.ToInternal("gelu"));
        Assert.Equal("tanh", d.ToExternal(1));
        Assert.True(d.IsDiscrete);
        Assert.Equal(3, d.Cardinality);
        Assert.Equal(ParameterKind.Categorical, d.Kind);
    }

    [Fact]
    public void ToInternal_NotAChoice_ThrowsListingTheChoices()
    {
        var d = new CategoricalDistribution(["relu", "tanh"]);

        var e = Assert.Throws<ArgumentException>(() => d.ToInternal("gelu"));
        Assert.Contains("\"gelu\" is not one of the choices [\"relu\", \"tanh\"]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(2.0)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    public void ToExternal_NotAnIndex_Throws(double internalValue)
    {
        var d = new CategoricalDistribution(["relu", "tanh"]);

        Assert.False(d.ContainsInternal(internalValue));
        var e = Assert.Throws<ArgumentException>(() => d.ToExternal(internalValue));
        Assert.Contains("[0, 1]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equals_ComparesChoicesInOrderAndByType()
    {
        Assert.Equal(new CategoricalDistribution(["a", 1]), new CategoricalDistribution(["a", 1L]));
        Assert.Equal(new CategoricalDistribution(["a", 1]).GetHashCode(), new CategoricalDistribution(["a", 1L]).GetHashCode());
        Assert.NotEqual(new CategoricalDistribution(["a", "b"]), new CategoricalDistribution(["b", "a"]));
        Assert.NotEqual(new CategoricalDistribution([1L]), new CategoricalDistribution([1.0]));
    }

    [Fact]
    public void ToString_ListsTheChoices()
    {
        Assert.Equal("categorical [\"a\", 1, 0.5, true]", new CategoricalDistribution(["a", 1, 0.5, true]).ToString());
    }
}
