namespace Hpo;

/// <summary>
/// The one way options objects report their problems: every problem is collected, then one exception lists them all
/// (Polly's format), each line naming the property, the rule and the value that broke it.
/// </summary>
/// <remarks>
/// Every options class of Hpo's packages follows one pattern: it is validated once, when the component that takes it is
/// built, with this helper; the component keeps its own copy (a clone) so that later changes to the caller's object have no
/// effect; and where a study stores the component's settings (tuners and pruners), the options serialise as themselves.
/// A storage provider or a custom tuner outside this assembly can use the helper to report problems the same way.
/// </remarks>
public static class OptionsValidation
{
    /// <summary>Throws one <see cref="ArgumentException"/> that lists every problem, when there is at least one.</summary>
    /// <param name="optionsName">The options type's name, for example <c>nameof(MyTunerOptions)</c>.</param>
    /// <param name="problems">
    /// One full sentence per problem, naming the property, the rule and the value ("'Interval' must be at least 1, but got 0.").
    /// </param>
    /// <exception cref="ArgumentException">
    /// <paramref name="problems"/> is not empty (the message is "The 'X' are invalid." and one line per problem), or
    /// <paramref name="optionsName"/> is empty.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="optionsName"/> or <paramref name="problems"/> is null.</exception>
    public static void ThrowIfAny(string optionsName, IReadOnlyCollection<string> problems)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(optionsName);
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"The '{optionsName}' are invalid.{Environment.NewLine}{string.Join(Environment.NewLine, problems.Select(p => "- " + p))}");
        }
    }
}
