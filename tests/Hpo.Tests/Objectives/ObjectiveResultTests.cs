using Hpo.Objectives;

namespace Hpo.Tests.Objectives;

public class ObjectiveResultTests
{
    [Fact]
    public void ImplicitConversion_Double_IsASuccessfulResult()
    {
        ObjectiveResult result = 0.75;

        Assert.Equal(0.75, result.Value);
        Assert.False(result.IsPruned);
        Assert.Equal(ObjectiveResult.FromValue(0.75), result);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void FromValue_NonFinite_IsAcceptedForTheStudyToRecordAsFailed(double value)
    {
        ObjectiveResult result = ObjectiveResult.FromValue(value);

        Assert.Equal(value, result.Value);
        Assert.False(result.IsPruned);
    }

    [Fact]
    public void Pruned_WithoutValue_HasNoValue()
    {
        ObjectiveResult result = ObjectiveResult.Pruned();

        Assert.True(result.IsPruned);
        Assert.Null(result.Value);
    }

    [Fact]
    public void Pruned_WithLastValue_KeepsIt()
    {
        ObjectiveResult result = ObjectiveResult.Pruned(0.4);

        Assert.True(result.IsPruned);
        Assert.Equal(0.4, result.Value);
        Assert.NotEqual(ObjectiveResult.FromValue(0.4), result);
    }

    [Fact]
    public void Default_IsNeitherAValueNorPruned()
    {
        ObjectiveResult result = default;

        Assert.Null(result.Value);
        Assert.False(result.IsPruned);
    }

    [Fact]
    public void ToString_ShowsValueAndPruning()
    {
        Assert.Equal("0.5", ObjectiveResult.FromValue(0.5).ToString());
        Assert.Equal("pruned (0.5)", ObjectiveResult.Pruned(0.5).ToString());
        Assert.Equal("pruned ()", ObjectiveResult.Pruned().ToString());
    }
}
