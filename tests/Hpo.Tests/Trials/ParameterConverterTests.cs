using Hpo.SearchSpaces;
using Hpo.Trials;

namespace Hpo.Tests.Trials;

/// <summary>The conversion rules of <see cref="ITrial.Get{T}(string)"/>, which delegates to <see cref="ParameterConverter"/>.</summary>
public class ParameterConverterTests
{
    public enum Optimizer
    {
        Sgd,
        Adam,
    }

    [Fact]
    public void Convert_DoubleToDoubleFloatDecimalOrObject_Succeeds()
    {
        Assert.Equal(0.25, ParameterConverter.Convert<double>("lr", 0.25));
        Assert.Equal(0.25f, ParameterConverter.Convert<float>("lr", 0.25));
        Assert.Equal(0.25m, ParameterConverter.Convert<decimal>("lr", 0.25));
        Assert.Equal(0.25, ParameterConverter.Convert<object>("lr", 0.25));
        Assert.Equal(0.25, ParameterConverter.Convert<double?>("lr", 0.25));
    }

    [Fact]
    public void Convert_LongToWiderOrFittingTypes_Succeeds()
    {
        Assert.Equal(12, ParameterConverter.Convert<int>("n", 12L));
        Assert.Equal(12L, ParameterConverter.Convert<long>("n", 12L));
        Assert.Equal((short)12, ParameterConverter.Convert<short>("n", 12L));
        Assert.Equal((byte)12, ParameterConverter.Convert<byte>("n", 12L));
        Assert.Equal(12.0, ParameterConverter.Convert<double>("n", 12L));
        Assert.Equal(12f, ParameterConverter.Convert<float>("n", 12L));
        Assert.Equal(12m, ParameterConverter.Convert<decimal>("n", 12L));
        Assert.Equal(12, ParameterConverter.Convert<int?>("n", 12L));
        Assert.Equal(int.MinValue, ParameterConverter.Convert<int>("n", (long)int.MinValue));
    }

    [Theory]
    [InlineData(3_000_000_000L, typeof(int), "Int32")]
    [InlineData(-3_000_000_000L, typeof(int), "Int32")]
    [InlineData(40_000L, typeof(short), "Int16")]
    [InlineData(256L, typeof(byte), "Byte")]
    [InlineData(-1L, typeof(byte), "Byte")]
    public void Convert_LongOutOfRange_ThrowsNamingParameterValueAndType(long value, Type target, string typeName)
    {
        var e = Assert.Throws<InvalidCastException>(() => ParameterConverter.Convert("units", value, target));

        Assert.Equal($"Parameter 'units' has the value {value}, which does not fit in {typeName}.", e.Message);
    }

    [Fact]
    public void Convert_LongOutOfRangeForNullableInt_Throws()
    {
        Assert.Throws<InvalidCastException>(() => ParameterConverter.Convert<int?>("units", long.MaxValue));
    }

    [Theory]
    [InlineData("adam", Optimizer.Adam)]
    [InlineData("ADAM", Optimizer.Adam)]
    [InlineData("Sgd", Optimizer.Sgd)]
    public void Convert_StringToEnum_IgnoresCase(string value, Optimizer expected)
    {
        Assert.Equal(expected, ParameterConverter.Convert<Optimizer>("optimizer", value));
        Assert.Equal(expected, ParameterConverter.Convert<Optimizer?>("optimizer", value));
    }

    [Theory]
    [InlineData("rmsprop")]
    [InlineData("7")]
    [InlineData("1")]
    [InlineData("")]
    [InlineData("sgd, adam")]
    public void Convert_StringNotAnEnumMember_ThrowsListingTheMembers(string value)
    {
        var e = Assert.Throws<InvalidCastException>(() => ParameterConverter.Convert<Optimizer>("optimizer", value));

        Assert.Equal($"Parameter 'optimizer' has the value \"{value}\", which is not a member of the enum Optimizer (Sgd, Adam).", e.Message);
    }

    [Fact]
    public void Convert_SingleCharacterStringToChar_Succeeds()
    {
        Assert.Equal('x', ParameterConverter.Convert<char>("c", "x"));
        Assert.Throws<InvalidCastException>(() => ParameterConverter.Convert<char>("c", "xy"));
    }

    [Fact]
    public void Convert_ChoiceToItsOwnType_Succeeds()
    {
        Assert.Equal("adam", ParameterConverter.Convert<string>("optimizer", "adam"));
        Assert.True(ParameterConverter.Convert<bool>("nesterov", true));
        Assert.Equal(64L, ParameterConverter.Convert<object>("batch", 64L));
        Assert.IsType<long>(ParameterConverter.Convert<object>("batch", 64L));
    }

    [Fact]
    public void Convert_DoubleToInteger_ThrowsNamingParameterTypesAndAFix()
    {
        var e = Assert.Throws<InvalidCastException>(() => ParameterConverter.Convert<int>("dropout", 0.5));

        Assert.Equal("Parameter 'dropout' holds the float 0.5 (Double), which cannot be read as Int32. Read floats as double, float or decimal.", e.Message);
    }

    [Fact]
    public void Convert_IntegralDoubleToLong_StillThrows()
    {
        var e = Assert.Throws<InvalidCastException>(() => ParameterConverter.Convert<long>("x", 2.0));

        Assert.Contains("cannot be read as Int64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_StringToNumber_ThrowsNamingParameterTypesAndAFix()
    {
        var e = Assert.Throws<InvalidCastException>(() => ParameterConverter.Convert<double>("optimizer", "adam"));

        Assert.Equal("Parameter 'optimizer' holds the string \"adam\", which cannot be read as Double. Read string choices as string, object or an enum.", e.Message);
    }

    [Fact]
    public void Convert_BoolToString_ThrowsNamingParameterAndTypes()
    {
        var e = Assert.Throws<InvalidCastException>(() => ParameterConverter.Convert<string>("nesterov", true));

        Assert.Equal("Parameter 'nesterov' holds the boolean true, which cannot be read as String. Read boolean choices as bool or object.", e.Message);
    }

    [Fact]
    public void Convert_LongToBoolOrEnum_ThrowsNamingTheIntegerAndTheHint()
    {
        var e = Assert.Throws<InvalidCastException>(() => ParameterConverter.Convert<bool>("layers", 2L));
        var toEnum = Assert.Throws<InvalidCastException>(() => ParameterConverter.Convert<Optimizer>("layers", 1L));

        Assert.Equal("Parameter 'layers' holds the integer 2 (Int64), which cannot be read as Boolean. Read integers as int, long, short, byte, double, float or decimal.", e.Message);
        Assert.Contains("cannot be read as Optimizer", toEnum.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_UnknownName_ListsTheParameters()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("lr", 1e-4, 1).AddInt("layers", 1, 3).Build();

        KeyNotFoundException e = ParameterConverter.Missing(space, "learning_rate", new Dictionary<string, object>());

        Assert.Equal("The search space has no parameter 'learning_rate'. Its parameters are: lr, layers.", e.Message);
    }

    [Fact]
    public void Missing_InactiveChild_NamesTheConditionAndTheParentValue()
    {
        SearchSpace space = new SearchSpaceBuilder()
            .AddCategorical("optimizer", "sgd", "adam")
            .AddFloat("beta1", 0.8, 0.99, condition: ParameterCondition.When("optimizer", "adam"))
            .Build();

        KeyNotFoundException e = ParameterConverter.Missing(space, "beta1", new Dictionary<string, object> { ["optimizer"] = "sgd" });

        Assert.Contains("Parameter 'beta1' is inactive in this trial: it exists only when optimizer in [\"adam\"], and 'optimizer' is \"sgd\".", e.Message, StringComparison.Ordinal);
        Assert.Contains("trial.Parameters.ContainsKey(\"beta1\")", e.Message, StringComparison.Ordinal);
        Assert.Contains("nullable property", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_ChildOfInactiveParent_SaysTheParentIsInactive()
    {
        SearchSpace space = new SearchSpaceBuilder()
            .AddCategorical("optimizer", "sgd", "adam")
            .AddCategorical("amsgrad", ParameterCondition.When("optimizer", "adam"), true, false)
            .AddFloat("beta2", 0.9, 0.999, condition: ParameterCondition.When("amsgrad", true))
            .Build();

        KeyNotFoundException e = ParameterConverter.Missing(space, "beta2", new Dictionary<string, object> { ["optimizer"] = "sgd" });

        Assert.Contains("it exists only when amsgrad in [true], and 'amsgrad' is itself inactive.", e.Message, StringComparison.Ordinal);
    }
}
