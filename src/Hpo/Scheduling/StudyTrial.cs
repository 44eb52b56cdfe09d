using System.Collections.Immutable;
using Hpo.Pruners;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Scheduling;

/// <summary>The <see cref="ITrial"/> an objective or an ask/tell caller holds: reads go to the snapshot, writes to the storage.</summary>
internal sealed class StudyTrial : ITrial
{
    private readonly TrialScheduler study;
    private ImmutableDictionary<string, string> userAttributes;
    private ImmutableSortedDictionary<long, double> reported;

    public StudyTrial(TrialScheduler study, TrialRecord record)
    {
        this.study = study;
        Record = record;
        userAttributes = record.UserAttributes;
        reported = record.IntermediateValues;
    }

    public TrialRecord Record { get; }

    public long Id => Record.Id;

    public int Number => Record.Number;

    public string StudyName => study.Name;

    public SearchSpace SearchSpace => study.SearchSpace;

    public IReadOnlyDictionary<string, object> Parameters => Record.Parameters;

    public IReadOnlyDictionary<string, string> UserAttributes => userAttributes;

    /// <summary>Gets the value reported for the highest step so far, if any (the value of a pruned trial).</summary>
    public double? LastReportedValue
    {
        get
        {
            ImmutableSortedDictionary<long, double> values = reported;
            return values.IsEmpty ? null : values.Values.Last();
        }
    }

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
        ImmutableInterlocked.Update(ref reported, (d, kv) => d.SetItem(kv.Key, kv.Value), new KeyValuePair<long, double>(step, value));
    }

    public async ValueTask<bool> ShouldPruneAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (study.Pruner is not IPruner pruner)
        {
            return false; // no pruner: every trial runs to the end
        }

        // The other trials come from the storage (brought up to date incrementally), so reports of other workers count. This
        // trial's own values are the ones it reported: only its owner reports them, and a concurrent sync may hold an older copy.
        IReadOnlyList<TrialRecord> trials = await study.SyncHistoryAsync(cancellationToken).ConfigureAwait(false);
        TrialRecord self = Number < trials.Count && trials[Number].Id == Id ? trials[Number] : Record;
        var context = new PruningContext(self with { IntermediateValues = reported }, trials, study.Record.Definition.Directions, study.Record.Definition.Seed, study.Record.Definition.Budget);
        return pruner.ShouldPrune(context);
    }

    public async ValueTask SetUserAttributeAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        await study.Storage.SetTrialUserAttributeAsync(Id, key, value, cancellationToken).ConfigureAwait(false);
        ImmutableInterlocked.Update(ref userAttributes, (d, kv) => d.SetItem(kv.Key, kv.Value), new KeyValuePair<string, string>(key, value));
    }
}
