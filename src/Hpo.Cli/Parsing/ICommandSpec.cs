namespace Hpo.Cli.Parsing;

/// <summary>What the parser needs to know of a command: its name, its one-line summary and its options.</summary>
internal interface ICommandSpec
{
    /// <summary>Gets the command's name, as typed after <c>hpo</c>.</summary>
    string Name { get; }

    /// <summary>Gets one line that says what the command does (for <c>hpo --help</c>).</summary>
    string Summary { get; }

    /// <summary>Gets every option the command accepts, in help order.</summary>
    IReadOnlyList<OptionSpec> Options { get; }
}
