using Hpo.SearchSpaces;

namespace Hpo.Trials;

/// <summary>
/// An <see cref="ITrial"/> over a stored trial that only reads: its parameters and user attributes, for code that builds
/// something from a trial's parameters after the trial has finished (refitting the best trial's model on all the data).
/// Reporting, pruning questions and attribute writes throw: a finished trial never changes.
/// </summary>
/// <remarks>Added in 0.2.</remarks>
public sealed class ReadOnlyTrial : ITrial
{
    private readonly TrialRecord record;

    /// <summary>Initializes a new instance of the <see cref="ReadOnlyTrial"/> class.</summary>
    /// <param name="studyName">The trial's study.</param>
    /// <param name="searchSpace">The study's search space.</param>
    /// <param name="record">The stored trial.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public ReadOnlyTrial(string studyName, SearchSpace searchSpace, TrialRecord record)
    {
        ArgumentNullException.ThrowIfNull(studyName);
        ArgumentNullException.ThrowIfNull(searchSpace);
        ArgumentNullException.ThrowIfNull(record);
        StudyName = studyName;
        SearchSpace = searchSpace;
        this.record = record;
    }

    /// <inheritdoc/>
    public int Number => record.Number;

    /// <inheritdoc/>
    public string StudyName { get; }

    /// <inheritdoc/>
    public SearchSpace SearchSpace { get; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object> Parameters => record.Parameters;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> UserAttributes => record.UserAttributes;

    /// <inheritdoc/>
    public T Get<T>(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return record.Parameters.TryGetValue(name, out object? value)
            ? ParameterConverter.Convert<T>(name, value)
            : throw ParameterConverter.Missing(SearchSpace, name, record.Parameters);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Always: the trial only reads.</exception>
    public ValueTask ReportAsync(long step, double value, CancellationToken cancellationToken = default) => throw ReadOnly();

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Always: the trial only reads.</exception>
    public ValueTask<bool> ShouldPruneAsync(CancellationToken cancellationToken = default) => throw ReadOnly();

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Always: the trial only reads.</exception>
    public ValueTask SetUserAttributeAsync(string key, string value, CancellationToken cancellationToken = default) => throw ReadOnly();

    private InvalidOperationException ReadOnly() =>
        new($"Trial {record.Number} of study '{StudyName}' is read-only here ({nameof(ReadOnlyTrial)}): it cannot report, ask to prune or set attributes.");
}
