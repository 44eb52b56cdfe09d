using Hpo.Cli.Formatting;

namespace Hpo.Cli.Tests.Formatting;

public sealed class OutputDocumentTests
{
    [Fact]
    public void Columns_FieldFirstSeenInALaterRecord_LandsBeforeItsSuccessor()
    {
        OutputDocument document = OutputDocument.List(
        [
            Records.Of(("n", 0), ("p", Records.Of(("a", 1), ("c", 3))), ("end", "x")),
            Records.Of(("n", 1), ("p", Records.Of(("a", 1), ("b", 2), ("c", 3))), ("end", "y")),
            Records.Of(("n", 2), ("p", Records.Of(("z", 9))), ("end", "z")),
            Records.Of(("first", 0), ("n", 3), ("last", 0)),
        ]);

        Assert.Equal(["first", "n", "p.a", "p.b", "p.c", "p.z", "end", "last"], document.Columns());
    }

    [Fact]
    public void Columns_NoRecords_AreTheEmptyColumns()
    {
        Assert.Equal(["a", "b"], OutputDocument.List([], ["a", "b"]).Columns());
        Assert.Empty(OutputDocument.List([]).Columns());
    }

    [Fact]
    public void Flatten_NestedRecords_NamesFieldsOuterDotInner()
    {
        OutputRecord record = Records.Of(("a", 1), ("p", Records.Of(("x", 2), ("q", Records.Of(("y", 3))))), ("empty", Records.Of()));

        Assert.Equal(["a", "p.x", "p.q.y"], record.Flatten().Select(f => f.Name));
        Assert.Equal([1, 2, 3], record.Flatten().Select(f => (int)f.Value!));
    }
}
