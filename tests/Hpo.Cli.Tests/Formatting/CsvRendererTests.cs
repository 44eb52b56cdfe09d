using Hpo.Cli.Formatting;

namespace Hpo.Cli.Tests.Formatting;

public sealed class CsvRendererTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\rhere", "\"cr\rhere\"")]
    [InlineData(" padded", "\" padded\"")]
    [InlineData("padded ", "\"padded \"")]
    [InlineData("in ner", "in ner")]
    public void Quote_Field_QuotesOnlyWhenNeeded(string field, string expected)
    {
        Assert.Equal(expected, CsvRenderer.Quote(field));
    }

    [Fact]
    public void Write_Rows_WritesAHeaderThenExactValues()
    {
        OutputDocument document = OutputDocument.List(
        [
            Records.Of(("n", 0L), ("v", 0.1 + 0.2), ("p", Records.Of(("opt", "adam"))), ("at", new DateTimeOffset(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero))),
            Records.Of(("n", 1L), ("v", null), ("p", Records.Of(("opt", "a,b"), ("beta", 1e-7))), ("at", null), ("d", TimeSpan.FromMilliseconds(1500))),
        ]);

        string text = Records.Render(CsvRenderer.Write, document);

        Assert.Equal(
            "n,v,p.opt,p.beta,at,d\n" +
            "0,0.30000000000000004,adam,,2025-03-04T05:06:07.8900000Z,\n" +
            "1,,\"a,b\",1E-07,,1.5\n",
            text);
    }

    [Fact]
    public void Write_SingleObject_IsAHeaderAndOneRow()
    {
        string text = Records.Render(CsvRenderer.Write, OutputDocument.Single(Records.Of(("a", 1), ("b", false))));

        Assert.Equal("a,b\n1,false\n", text);
    }

    [Fact]
    public void Write_EmptyList_PrintsTheHeaderOnly()
    {
        Assert.Equal("x,y\n", Records.Render(CsvRenderer.Write, OutputDocument.List([], ["x", "y"])));
    }
}
