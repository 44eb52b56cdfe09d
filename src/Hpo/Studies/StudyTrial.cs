using System.Collections.Immutable;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Studies;

/// <summary>The <see cref="ITrial"/> an objective or an ask/tell caller holds: reads go to the snapshot, writes to the storage.</summary>
internal sealed class StudyTrial : ITrial
{
    private readonly Study study;
    private ImmutableDictionary<string, string> userAttributes;
    private long lastStep = long.MinValue;
    private double? lastValue;

    public StudyTrial(Study study, TrialRecord record)
    {
        this.study = study;
        Record = record;
        userAttributes = record.UserAttributes;
    }

    public TrialRecord Record { get; }

    public long Id => Record.Id;

    public int Number => Record.Number;

    public string StudyName => study.Name;

    public SearchSpace SearchSpace => study.SearchSpace;

    public IReadOnlyDictionary<string, object> Parameters => Record.Parameters;

    public IReadOnlyDictionary<string, string> UserAttributes => userAttributes;

    /// <summary>Gets the value reported for the highest step so far, if any (the value of a pruned trial).</summary>
    public double? LastReportedValue => lastValue;

    public T Get<T>(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Record.Parameters.TryGetValue(name, out object? value)
            ? ParameterConverter.Convert<T>(name, value)
            : throw ParameterConverter.Missing(SearchSpace, name, Record.Parameters);
    }

    public async ValueTask ReportAsync(long step, double value, CancellationToken cancellationToken = default)
    {
        await study.Storage.ReportIntermediateValueAsync(Id, step, value, cancellationToken).ConfigureAwait(false);
        if (step >= lastStep)
        {
            lastStep = step;
            lastValue = value;
        }
    }

    public ValueTask<bool> ShouldPruneAsync(CancellationToken cancellationToken = default)
    {
        // No pruner is configured on this study, so every trial runs to the end.
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(false);
    }

    public async ValueTask SetUserAttributeAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        await study.Storage.SetTrialUserAttributeAsync(Id, key, value, cancellationToken).ConfigureAwait(false);
        ImmutableInterlocked.Update(ref userAttributes, (d, kv) => d.SetItem(kv.Key, kv.Value), new KeyValuePair<string, string>(key, value));
    }
}
