using System.Globalization;
using Hpo.Trials;

namespace Hpo.Execution.ChildProcess;

/// <summary>
/// The files and protocol values of one trial program: its artifacts directory with the parameters and search-space files, as
/// the worker sees them. A container sees the same files at other paths, so placeholders and variables are built per view.
/// </summary>
internal sealed class TrialFiles
{
    public TrialFiles(ITrial trial, string artifactsDirectory, string parametersJson, string searchSpaceJson)
    {
        Trial = trial;
        ArtifactsDirectory = artifactsDirectory;
        ParametersJson = parametersJson;
        SearchSpaceJson = searchSpaceJson;
    }

    public ITrial Trial { get; }

    /// <summary>Gets the artifacts directory on this machine.</summary>
    public string ArtifactsDirectory { get; }

    public string ParametersJson { get; }

    public string SearchSpaceJson { get; }

    /// <summary>Gets or sets the name the host gave this run (a container's name), so that it can stop it.</summary>
    public string? RunName { get; set; }

    public const string ParametersFileName = "parameters.json";

    public const string SearchSpaceFileName = "search-space.json";

    /// <summary>Gets the placeholder resolver of a command template for a program that sees the artifacts directory at <paramref name="artifacts"/>.</summary>
    public Func<string, string?> Resolver(string artifacts, char separator)
    {
        string parametersFile = artifacts + separator + ParametersFileName;
        string spaceFile = artifacts + separator + SearchSpaceFileName;
        return name => name switch
        {
            "trial_number" => Trial.Number.ToString(CultureInfo.InvariantCulture),
            "study_name" => Trial.StudyName,
            "artifacts_dir" => artifacts,
            "parameters_file" => parametersFile,
            "search_space_file" => spaceFile,
            _ when name.StartsWith("param:", StringComparison.Ordinal) => Trial.Parameters.TryGetValue(name[6..], out object? v) ? FormatParameter(v)
                : Trial.SearchSpace.Contains(name[6..]) ? string.Empty : null,
            _ => null,
        };
    }

    /// <summary>Expands every element of a command template for a program that sees the artifacts directory at <paramref name="artifacts"/>.</summary>
    /// <exception cref="FormatException">A template cannot be expanded.</exception>
    public List<string> Expand(IEnumerable<string> template, string artifacts, char separator)
    {
        Func<string, string?> resolve = Resolver(artifacts, separator);
        return [.. template.Select(part => CommandTemplate.Expand(part, resolve))];
    }

    /// <summary>
    /// Gets the protocol's environment variables for a program that sees the artifacts directory at <paramref name="artifacts"/>;
    /// a <see langword="null"/> value means the variable must be absent (a document too large to pass inline).
    /// </summary>
    public IEnumerable<KeyValuePair<string, string?>> ProtocolEnvironment(string artifacts, char separator)
    {
        yield return new(TrialProtocol.VersionVariable, TrialProtocol.Version.ToString(CultureInfo.InvariantCulture));
        yield return new(TrialProtocol.TrialNumberVariable, Trial.Number.ToString(CultureInfo.InvariantCulture));
        yield return new(TrialProtocol.StudyNameVariable, Trial.StudyName);
        yield return new(TrialProtocol.ArtifactsDirectoryVariable, artifacts);
        yield return new(TrialProtocol.ParametersFileVariable, artifacts + separator + ParametersFileName);
        yield return new(TrialProtocol.SearchSpaceFileVariable, artifacts + separator + SearchSpaceFileName);
        yield return new(TrialProtocol.ParametersVariable, ParametersJson.Length <= TrialProtocol.MaxInlineJsonLength ? ParametersJson : null);
        yield return new(TrialProtocol.SearchSpaceVariable, SearchSpaceJson.Length <= TrialProtocol.MaxInlineJsonLength ? SearchSpaceJson : null);
    }

    private static string FormatParameter(object value) => value switch
    {
        double d => TrialProtocol.FormatNumber(d),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
