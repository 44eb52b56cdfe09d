using System.Collections.Immutable;
using Hpo.Storage.Providers;
using Hpo.Trials;

namespace Hpo.Storage.Testing;

/// <summary>
/// The reference the differential test compares storages with: <see cref="TrialLifecycle"/>'s rules over the plainest primitives
/// there are (a list of trials, scanned every time), plus the few writes that are not trial rules (parameters, values, heartbeats).
/// </summary>
internal sealed class ReferenceStudy(StudyDefinition definition) : ITrialLifecycleStore
{
    private long nextId;

    public StudyDefinition Definition { get; } = definition;

    public TrialPolicy Policy { get; } = TrialPolicy.Of(definition);

    public List<TrialRecord> Trials { get; } = [];

    public TrialCounts Counts => Trials.Aggregate(default(TrialCounts), (c, t) => c.Add(t.State));

    /// <summary>Gets when a throttled finish-and-start last looked for expired leases and found none (see <see cref="FinishAndStart"/>).</summary>
    public DateTimeOffset? LeasesCheckedAt { get; private set; }

    /// <summary>Gets a value indicating whether the operation under way ignores expired leases (a throttled finish-and-start between looks).</summary>
    private bool IgnoringLeases { get; set; }

    public IReadOnlyList<TrialRecord> GetExpiredTrials(DateTimeOffset cutoff) => IgnoringLeases
        ? []
        : [.. Trials.Where(t => t.State == TrialState.Running && t.Heartbeat < cutoff).OrderBy(t => t.Number)];

    public TrialRecord? GetOldestWaitingTrial() => Trials.Where(t => t.State == TrialState.Waiting).MinBy(t => t.Number);

    public TrialRecord InsertTrial(TrialRecord trial)
    {
        TrialRecord t = trial with { Id = ++nextId, Number = Trials.Count };
        Trials.Add(t);
        return t;
    }

    public TrialRecord UpdateTrial(TrialRecord previous, TrialRecord updated)
    {
        Assert.Same(Trials[previous.Number], previous);
        Trials[updated.Number] = updated;
        return updated;
    }

    public TrialRecord SetParameters(int number, IReadOnlyDictionary<string, object> parameters)
    {
        TrialRecord t = Unfinished(number, "take parameters");
        if (t.Parameters.Count > 0)
        {
            throw new InvalidOperationException($"Trial {t.Number} already has parameters; they are set once.");
        }

        return UpdateTrial(t, t with { Parameters = Definition.SearchSpace.Validate(parameters) });
    }

    public void Report(int number, long step, double value)
    {
        TrialRecord t = Unfinished(number, "report intermediate values");
        UpdateTrial(t, t with { IntermediateValues = t.IntermediateValues.SetItem(step, value) });
    }

    public void SetUserAttribute(int number, string key, string value)
    {
        TrialRecord t = Unfinished(number, "change its attributes");
        UpdateTrial(t, t with { UserAttributes = t.UserAttributes.SetItem(key, value) });
    }

    public int Renew(string owner, DateTimeOffset now)
    {
        int renewed = 0;
        foreach (TrialRecord t in Trials.Where(t => TrialLifecycle.IsRunningUnder(t, owner)).ToList())
        {
            Trials[t.Number] = t with { Heartbeat = now };
            renewed++;
        }

        return renewed;
    }

    public TrialRecord Finish(int number, TrialFinish finish, DateTimeOffset now)
    {
        StorageGuards.Finish(finish, Definition.Directions.Count);
        return TrialLifecycle.Finish(this, Trials[number], finish, now);
    }

    /// <summary>
    /// Finishes a trial and starts the next for <paramref name="owner"/>, as <see cref="IStudyStorage.FinishAndStartTrialAsync"/>
    /// does: <see cref="TrialLifecycle.Finish"/> then <see cref="TrialLifecycle.Start"/>. A storage that looks for expired leases at
    /// most every <paramref name="checkEvery"/> (PostgreSQL: an eighth of the lease) is modelled exactly: a finish without a retry
    /// looks when it never looked, when the clock went back or when the interval has passed since the last look that found none (a
    /// look that finds some leaves them to the start, which marks them stale); in between, its start ignores expired leases.
    /// </summary>
    public (TrialRecord Finished, TrialRecord? Started) FinishAndStart(int number, TrialFinish finish, string owner, DateTimeOffset now, TimeSpan checkEvery)
    {
        TrialRecord done = Finish(number, finish, now);
        if (checkEvery > TimeSpan.Zero && !finish.RetryAsNewTrial)
        {
            bool due = LeasesCheckedAt is not { } at || at > now || at <= now - checkEvery;
            if (!due)
            {
                IgnoringLeases = true;
                try
                {
                    return (done, TrialLifecycle.Start(this, Policy, owner, now));
                }
                finally
                {
                    IgnoringLeases = false;
                }
            }

            if (GetExpiredTrials(TrialLifecycle.LeaseCutoff(now, Policy.Lease)).Count == 0)
            {
                LeasesCheckedAt = now;
            }
        }

        return (done, TrialLifecycle.Start(this, Policy, owner, now));
    }

    private TrialRecord Unfinished(int number, string action)
    {
        TrialRecord t = Trials[number];
        return t.IsFinished ? throw StorageGuards.AlreadyFinished(t, action) : t;
    }

    /// <summary>Gives the trial the owner a storage gave it (concurrent starts assign owners in whichever order they ran).</summary>
    public void SetOwner(int number, string? owner) => Trials[number] = Trials[number] with { Owner = owner };

    /// <summary>The empty parameters of a new trial, as the reference compares them.</summary>
    public static IReadOnlyDictionary<string, object> NoParameters => ImmutableDictionary<string, object>.Empty;
}
