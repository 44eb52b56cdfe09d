using System.Globalization;
using Hpo.Cli.Formatting;

namespace Hpo.Cli.Tests.Formatting;

public sealed class CellTextTests
{
    [Fact]
    public void ExactAndReadable_UnderACultureWithADecimalComma_UseAPoint()
    {
        CultureInfo previous = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NumberGroupSeparator = ".";
        CultureInfo.CurrentCulture = comma;
        try
        {
            Assert.Equal("1234.5", CellText.Exact(1234.5));
            Assert.Equal("1234.5", CellText.Readable(1234.5));
            Assert.Equal("1.5", CellText.Exact(TimeSpan.FromSeconds(1.5)));
            Assert.Equal("1.500s", CellText.Readable(TimeSpan.FromSeconds(1.5)));
            Assert.Equal("1234567", CellText.Exact(1234567L));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Exact_Double_RoundTrips()
    {
        double value = 0.1 + 0.2;

        Assert.Equal(value, double.Parse(CellText.Exact(value), CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(null, "", "-")]
    [InlineData(true, "true", "true")]
    [InlineData("text", "text", "text")]
    public void ExactAndReadable_SimpleValues(object? value, string exact, string readable)
    {
        Assert.Equal(exact, CellText.Exact(value));
        Assert.Equal(readable, CellText.Readable(value));
    }

    [Fact]
    public void IsNumeric_NumbersAndDurations_AreNumericOthersNot()
    {
        Assert.True(CellText.IsNumeric(1));
        Assert.True(CellText.IsNumeric(1L));
        Assert.True(CellText.IsNumeric(1.0));
        Assert.True(CellText.IsNumeric(TimeSpan.Zero));
        Assert.False(CellText.IsNumeric("1"));
        Assert.False(CellText.IsNumeric(null));
        Assert.False(CellText.IsNumeric(DateTimeOffset.UnixEpoch));
    }
}
