using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.Execution;
using Hpo.SearchSpaces;

namespace Hpo.Tests.Execution;

public sealed class TrialProtocolTests
{
    [Property(MaxTest = 300)]
    public bool FormatReport_AnyStepAndValue_ParsesBackExactly(long step, double value)
    {
        ProtocolLine? line = TrialProtocol.Parse(TrialProtocol.FormatReport(step, value));
        return line is { Kind: ProtocolLineKind.Report } && line.Step == step && line.Value!.Value.Equals(value);
    }

    [Property(MaxTest = 300)]
    public bool FormatResult_AnyValue_ParsesBackExactly(double value)
    {
        ProtocolLine? line = TrialProtocol.Parse(TrialProtocol.FormatResult(value));
        return line is { Kind: ProtocolLineKind.Result } && line.Value!.Value.Equals(value);
    }

    [Property(MaxTest = 1000)]
    public bool Parse_AnyLine_NeverThrowsAndClassifiesIt(string? text)
    {
        // A trial program may print anything: a line is log (null), a well-formed protocol line, or Malformed with a reason.
        ProtocolLine? line = TrialProtocol.Parse(text ?? string.Empty);
        return line is null || line.Kind != ProtocolLineKind.Malformed || !string.IsNullOrEmpty(line.Error);
    }

    [Property(MaxTest = 1000)]
    public bool Parse_AnyProtocolPrefixedLine_IsNeverTakenForLog(string? rest)
    {
        // Whatever follows the prefix, the line is read as protocol (well formed or Malformed), never silently dropped as log.
        ProtocolLine? line = TrialProtocol.Parse("hpo:" + rest);
        return line is not null && (line.Kind != ProtocolLineKind.Malformed || !string.IsNullOrEmpty(line.Error));
    }

    [Theory]
    [InlineData("nan", double.NaN)]
    [InlineData("NaN", double.NaN)]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("+Infinity", double.PositiveInfinity)]
    [InlineData("-inf", double.NegativeInfinity)]
    [InlineData("1e-3", 1e-3)]
    [InlineData("-0.5", -0.5)]
    public void Parse_ResultSpellings_ReadInvariantly(string text, double expected)
    {
        ProtocolLine? line = TrialProtocol.Parse("hpo:result " + text);

        Assert.Equal(ProtocolLineKind.Result, line!.Kind);
        Assert.Equal(expected, line.Value);
    }

    [Theory]
    [InlineData("epoch 1 loss 0.5")]
    [InlineData(" hpo:result 1")]
    [InlineData("HPO:result 1")]
    [InlineData("")]
    public void Parse_OtherLines_AreLog(string text)
    {
        Assert.Null(TrialProtocol.Parse(text));
    }

    [Theory]
    [InlineData("hpo:report 1")]
    [InlineData("hpo:report 1.5 2")]
    [InlineData("hpo:report 1 2 3")]
    [InlineData("hpo:result")]
    [InlineData("hpo:result 0,5")]
    [InlineData("hpo:attr")]
    [InlineData("hpo:reslt 1")]
    [InlineData("hpo:report 99999999999999999999 0.5")]
    [InlineData("hpo:result 0.5 0.6")]
    [InlineData("hpo:pruned later")]
    [InlineData("hpo:")]
    public void Parse_MalformedProtocolLines_AreMarkedMalformed(string text)
    {
        ProtocolLine? line = TrialProtocol.Parse(text);

        Assert.Equal(ProtocolLineKind.Malformed, line!.Kind);
        Assert.NotNull(line.Error);
    }

    [Fact]
    public void Parse_AttributeLine_KeepsTheRestOfTheLineAsValue()
    {
        ProtocolLine? line = TrialProtocol.Parse("hpo:attr gpu  NVIDIA A100 (80 GB)\r");

        Assert.Equal(ProtocolLineKind.Attribute, line!.Kind);
        Assert.Equal("gpu", line.Key);
        Assert.Equal(" NVIDIA A100 (80 GB)", line.Text);
    }

    [Fact]
    public void Parse_PrunedLine_WithAndWithoutValue()
    {
        Assert.Null(TrialProtocol.Parse("hpo:pruned")!.Value);
        Assert.Equal(0.75, TrialProtocol.Parse("hpo:pruned 0.75")!.Value);
    }

    [Theory]
    [InlineData("two words", "v")]
    [InlineData("", "v")]
    [InlineData("k", "line\nbreak")]
    public void FormatAttribute_InvalidKeyOrValue_Throws(string key, string value)
    {
        Assert.ThrowsAny<ArgumentException>(() => TrialProtocol.FormatAttribute(key, value));
    }

    [Fact]
    public void ReadParameters_WithSpace_RestoresTheStudyTypes()
    {
        SearchSpace space = new SearchSpaceBuilder()
            .AddFloat("lr", 0, 10)
            .AddInt("n", 0, 10)
            .AddCategorical("width", [64L, 128L])
            .AddCategorical("rate", [1.0, 2.5])
            .Build();

        Dictionary<string, object> values = TrialProtocol.ReadParameters("{\"lr\":3,\"n\":4,\"width\":128,\"rate\":1}", space);

        Assert.Equal(3.0, Assert.IsType<double>(values["lr"]));
        Assert.Equal(4L, Assert.IsType<long>(values["n"]));
        Assert.Equal(128L, Assert.IsType<long>(values["width"]));
        Assert.Equal(1.0, Assert.IsType<double>(values["rate"]));
    }

    [Fact]
    public void ReadParameters_ValueNotAChoice_Throws()
    {
        SearchSpace space = new SearchSpaceBuilder().AddCategorical("c", ["a", "b"]).Build();

        Assert.Throws<FormatException>(() => TrialProtocol.ReadParameters("{\"c\":\"z\"}", space));
    }

    [Property(MaxTest = 100)]
    public bool WriteParameters_ThenRead_RoundTripsValuesAndTypes(NormalFloat x, long n, bool flag, NonNull<string> text)
    {
        var parameters = new Dictionary<string, object> { ["x"] = x.Get, ["n"] = n, ["flag"] = flag, ["text"] = text.Get };

        Dictionary<string, object> back = TrialProtocol.ReadParameters(TrialProtocol.WriteParameters(parameters), null);

        return back.Count == 4 && back["x"] is double d && d.Equals(x.Get) && back["n"] is long l && l == n
            && back["flag"] is bool b && b == flag && back["text"] is string s && s == text.Get;
    }
}
