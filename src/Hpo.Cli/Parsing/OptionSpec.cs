namespace Hpo.Cli.Parsing;

/// <summary>One <c>--name VALUE</c> option of a command.</summary>
/// <param name="Name">The option's name, with its leading dashes (<c>--study</c>).</param>
/// <param name="ValueName">What the value is, as the help shows it (<c>NAME</c>, <c>URL</c>).</param>
/// <param name="Description">One line of help.</param>
/// <param name="Required">Whether the command fails without it.</param>
internal sealed record OptionSpec(string Name, string ValueName, string Description, bool Required = false);
