namespace Hpo.Models;

/// <summary>The rules of artifact paths and model names, shared by the artifact stores and the model repository.</summary>
/// <remarks>Added in 0.2.</remarks>
public static class ArtifactPath
{
    /// <summary>Checks a relative artifact path: segments separated by <c>/</c>, each of ASCII letters, digits, <c>-</c>, <c>_</c> and <c>.</c>, not starting with <c>.</c>.</summary>
    /// <param name="path">The path.</param>
    /// <param name="argumentName">The argument's name, for the message.</param>
    /// <returns>The path.</returns>
    /// <exception cref="ArgumentException">The path breaks a rule; the message names it and the value.</exception>
    public static string Validate(string path, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(path, argumentName);
        if (path.Length == 0 || path.Length > 512)
        {
            throw new ArgumentException($"'{argumentName}' must be a relative path of 1 to 512 characters, but got \"{path}\".", argumentName);
        }

        foreach (string segment in path.Split('/'))
        {
            if (!IsName(segment))
            {
                throw new ArgumentException(
                    $"'{argumentName}' must be segments separated by '/', each of ASCII letters, digits, '-', '_' and '.', not empty and not starting with '.', but got \"{path}\".",
                    argumentName);
            }
        }

        return path;
    }

    /// <summary>Checks a model name (a folder of the model repository): ASCII letters, digits, <c>-</c>, <c>_</c> and <c>.</c>, not starting with <c>.</c>, at most 128 characters.</summary>
    /// <param name="name">The name.</param>
    /// <param name="argumentName">The argument's name, for the message.</param>
    /// <returns>The name.</returns>
    /// <exception cref="ArgumentException">The name breaks a rule.</exception>
    public static string ValidateName(string name, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(name, argumentName);
        if (name.Length > 128 || !IsName(name))
        {
            throw new ArgumentException(
                $"'{argumentName}' must be 1 to 128 ASCII letters, digits, '-', '_' and '.', not starting with '.', but got \"{name}\".",
                argumentName);
        }

        return name;
    }

    /// <summary>Gets the folder name of a study in a file-system layout: every character but ASCII letters, digits, <c>-</c>, <c>_</c> and <c>.</c> becomes <c>_</c>.</summary>
    /// <param name="studyName">The study's name.</param>
    /// <returns>The folder name (<c>study</c> when nothing usable is left).</returns>
    public static string StudyFolder(string studyName)
    {
        ArgumentNullException.ThrowIfNull(studyName);
        var text = new System.Text.StringBuilder(studyName.Length);
        foreach (char c in studyName)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return text.Length == 0 || text.ToString() is "." or ".." ? "study" : text.ToString();
    }

    private static bool IsName(string segment) =>
        segment.Length > 0 && segment[0] != '.' && segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
