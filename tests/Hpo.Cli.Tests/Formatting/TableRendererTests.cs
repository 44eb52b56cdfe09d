using Hpo.Cli.Formatting;

namespace Hpo.Cli.Tests.Formatting;

public sealed class TableRendererTests
{
    [Fact]
    public void Write_Rows_AlignsColumnsRightAligningNumbers()
    {
        OutputDocument document = OutputDocument.List(
        [
            Records.Of(("name", "a"), ("value", 1.5), ("n", 7L)),
            Records.Of(("name", "longer name"), ("value", 123.25), ("n", 12345L)),
            Records.Of(("name", "c"), ("value", null), ("n", 0L)),
        ]);

        string text = Records.Render(TableRenderer.Write, document);

        Assert.Equal(
            """
            name          value      n
            -----------  ------  -----
            a               1.5      7
            longer name  123.25  12345
            c                 -      0

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void Write_ColumnWithoutAnyValue_IsLeftAligned()
    {
        OutputDocument document = OutputDocument.List([Records.Of(("n", 1L), ("reason", null), ("end", "x")), Records.Of(("n", 2L), ("reason", null), ("end", "y"))]);

        string text = Records.Render(TableRenderer.Write, document);

        Assert.Equal("n  reason  end\n-  ------  ---\n1  -       x\n2  -       y\n", text);
    }

    [Fact]
    public void Write_SingleObject_AlignsNamesAndValues()
    {
        OutputDocument document = OutputDocument.Single(Records.Of(("study", "s"), ("params", Records.Of(("lr", 0.001), ("layers", 3L))), ("budget", null)));

        string text = Records.Render(TableRenderer.Write, document);

        Assert.Equal("study          s\nparams.lr      0.001\nparams.layers  3\nbudget         -\n", text);
    }

    [Fact]
    public void Write_LongOrMultilineText_StaysOnOneLineCutToTheMaximumWidth()
    {
        string reason = new string('x', 100) + "\nnext";
        OutputDocument document = OutputDocument.List([Records.Of(("n", 1L), ("reason", reason)), Records.Of(("n", 2L), ("reason", "a\r\nb"))]);

        string[] lines = Records.Render(TableRenderer.Write, document).TrimEnd('\n').Split('\n');

        Assert.Equal(4, lines.Length);
        Assert.Equal(TableRenderer.MaxCellWidth, lines[2].Split("  ", 2)[1].Length);
        Assert.EndsWith("…", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("a b", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Write_RoundsNumbersAndFormatsTimesAndDurationsForPeople()
    {
        OutputDocument document = OutputDocument.Single(Records.Of(
            ("x", 0.123456789),
            ("at", new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2))),
            ("short", TimeSpan.FromMilliseconds(1234)),
            ("minutes", TimeSpan.FromSeconds(125)),
            ("hours", TimeSpan.FromMinutes(187)),
            ("flag", true)));

        string text = Records.Render(TableRenderer.Write, document);

        Assert.Equal("x        0.123457\nat       2025-03-04 03:06:07Z\nshort    1.234s\nminutes  2m05s\nhours    3h07m\nflag     true\n", text);
    }

    [Fact]
    public void Write_EmptyList_PrintsTheHeaderOnly()
    {
        string text = Records.Render(TableRenderer.Write, OutputDocument.List([], ["number", "state"]));

        Assert.Equal("number  state\n------  -----\n", text);
    }
}
