using Hpo.Cli.Parsing;

namespace Hpo.Cli.Tests.Parsing;

public sealed class CommandWordsTests
{
    public static TheoryData<string, string[]> Commands => new()
    {
        { "python train.py --lr {param:lr}", ["python", "train.py", "--lr", "{param:lr}"] },
        { "  sh   -c 'echo hpo:result {param:x}; exit 0'  ", ["sh", "-c", "echo hpo:result {param:x}; exit 0"] },
        { "a\"b c\"d", ["ab cd"] },
        { "say \"a \\\"quoted\\\" \\\\ word\"", ["say", "a \"quoted\" \\ word"] },
        { "one\\ word 'it''s' ''", ["one word", "its", ""] },
        { "", [] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Split_ShellQuoting_WordsWithoutExpansion(string text, string[] expected)
    {
        Assert.Equal(expected, CommandWords.Split(text));
    }

    [Theory]
    [InlineData("sh -c 'unclosed", "single quote at position 6")]
    [InlineData("echo \"unclosed", "double quote at position 5")]
    [InlineData("trailing\\", "lone backslash")]
    public void Split_Malformed_UsageErrorSayingWhere(string text, string expected)
    {
        UsageException e = Assert.Throws<UsageException>(() => CommandWords.Split(text));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
