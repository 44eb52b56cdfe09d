namespace Hpo.Cli.Parsing;

/// <summary>One <c>--name VALUE</c> option of a command.</summary>
/// <param name="Name">The option's name, with its leading dashes (<c>--study</c>).</param>
/// <param name="ValueName">What the value is, as the help shows it (<c>NAME</c>, <c>URL</c>).</param>
/// <param name="Description">One line of help.</param>
/// <param name="Required">Whether the command fails without it.</param>
/// <param name="Repeatable">
/// Whether it may be given several times (read with <see cref="ParsedOptions.GetAll"/>); its value is the next argument as is,
/// even when that starts with <c>--</c> (<c>--container-arg --network=none</c>).
/// </param>
internal sealed record OptionSpec(string Name, string ValueName, string Description, bool Required = false, bool Repeatable = false);
