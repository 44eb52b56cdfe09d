using System.Text.Json;
using Hpo.Cli.Formatting;

namespace Hpo.Cli.Tests.Formatting;

public sealed class JsonRendererTests
{
    [Fact]
    public void Write_SingleObject_IsOneObjectWithTypedValues()
    {
        OutputDocument document = OutputDocument.Single(Records.Of(
            ("s", "x+y <ü>"), ("i", 3), ("l", 5L), ("d", 0.1 + 0.2), ("b", true), ("none", null),
            ("at", new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(1))), ("took", TimeSpan.FromMilliseconds(2500)),
            ("params", Records.Of(("lr", 1e-5), ("opt", "adam")))));

        string text = Records.Render(JsonRenderer.Write, document);

        JsonElement root = JsonDocument.Parse(text).RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal("x+y <ü>", root.GetProperty("s").GetString());
        Assert.Contains("\"x+y <ü>\"", text, StringComparison.Ordinal);
        Assert.Equal(3, root.GetProperty("i").GetInt32());
        Assert.Equal(5L, root.GetProperty("l").GetInt64());
        Assert.Equal(0.1 + 0.2, root.GetProperty("d").GetDouble());
        Assert.True(root.GetProperty("b").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("none").ValueKind);
        Assert.Equal("2025-03-04T04:06:07.0000000Z", root.GetProperty("at").GetString());
        Assert.Equal(2.5, root.GetProperty("took").GetDouble());
        Assert.Equal(1e-5, root.GetProperty("params").GetProperty("lr").GetDouble());
        Assert.Equal("adam", root.GetProperty("params").GetProperty("opt").GetString());
    }

    [Fact]
    public void Write_List_IsAnArrayOfObjects()
    {
        string text = Records.Render(JsonRenderer.Write, OutputDocument.List([Records.Of(("n", 1)), Records.Of(("n", 2))]));

        JsonElement root = JsonDocument.Parse(text).RootElement;
        Assert.Equal([1, 2], root.EnumerateArray().Select(e => e.GetProperty("n").GetInt32()));
        Assert.Equal("[]\n", Records.Render(JsonRenderer.Write, OutputDocument.List([])));
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void Write_NotFiniteNumber_IsAString(double value, string expected)
    {
        string text = Records.Render(JsonRenderer.Write, OutputDocument.Single(Records.Of(("v", value))));

        Assert.Equal(expected, JsonDocument.Parse(text).RootElement.GetProperty("v").GetString());
    }
}
