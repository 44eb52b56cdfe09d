using Hpo.Cli.Formatting;

namespace Hpo.Cli.Tests.Formatting;

/// <summary>Builds output records tersely: <c>Records.Of(("a", 1), ("b", "x"))</c>.</summary>
internal static class Records
{
    public static OutputRecord Of(params (string Name, object? Value)[] fields) => new([.. fields.Select(f => new OutputField(f.Name, f.Value))]);

    public static string Render(Action<OutputDocument, TextWriter> write, OutputDocument document)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        write(document, writer);
        return writer.ToString();
    }
}
