namespace Hpo.Cli.Parsing;

/// <summary>One <c>--name VALUE</c> option (or one positional argument, when the name has no leading dashes) of a command.</summary>
/// <param name="Name">The option's name, with its leading dashes (<c>--study</c>); a positional argument's name has none (<c>KIND</c>).</param>
/// <param name="ValueName">What the value is, as the help shows it (<c>NAME</c>, <c>URL</c>).</param>
/// <param name="Description">One line of help.</param>
/// <param name="Required">Whether the command fails without it.</param>
/// <param name="Repeatable">
/// Whether it may be given several times (read with <see cref="ParsedOptions.GetAll"/>); its value is the next argument as is,
/// even when that starts with <c>--</c> (<c>--container-arg --network=none</c>).
/// </param>
/// <param name="Completions">The values tab completion offers (the words of a choice); <see langword="null"/> for free text.</param>
internal sealed record OptionSpec(string Name, string ValueName, string Description, bool Required = false, bool Repeatable = false, IReadOnlyList<string>? Completions = null)
{
    /// <summary>Gets a value indicating whether this is a positional argument rather than a <c>--name VALUE</c> option.</summary>
    public bool IsPositional => !Name.StartsWith('-');
}
