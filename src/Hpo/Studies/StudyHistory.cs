using System.Collections.Immutable;
using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Studies;

/// <summary>
/// This process's copy of a study's trials, brought up to date incrementally from the storage's versions, so that a proposal
/// costs O(changes) in I/O rather than O(history). Snapshots are immutable and free to take.
/// </summary>
internal sealed class StudyHistory
{
    private readonly Lock gate = new();
    private readonly SemaphoreSlim syncGate = new(1, 1);
    private ImmutableList<TrialRecord> trials = ImmutableList<TrialRecord>.Empty;
    private long version;
    private TrialCounts counts;
    private TrialRecord? best;

    public StudyHistory(StudyDirection direction)
    {
        Direction = direction;
    }

    public StudyDirection Direction { get; }

    public ImmutableList<TrialRecord> Trials => trials;

    public long Version
    {
        get
        {
            lock (gate)
            {
                return version;
            }
        }
    }

    public (TrialCounts Counts, TrialRecord? Best) Summary
    {
        get
        {
            lock (gate)
            {
                return (counts, best);
            }
        }
    }

    public async ValueTask<ImmutableList<TrialRecord>> SyncAsync(IStudyStorage storage, long studyId, CancellationToken cancellationToken)
    {
        // One sync at a time: two overlapping reads could otherwise apply in the wrong order, and the older read would put back
        // an earlier copy of a running trial (fewer intermediate values) that no later sync replaces until the trial changes again.
        await syncGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            TrialChanges changes = await storage.GetTrialsAsync(studyId, Version, cancellationToken).ConfigureAwait(false);
            lock (gate)
            {
                foreach (TrialRecord t in changes.Trials)
                {
                    ApplyLocked(t);
                }

                version = Math.Max(version, changes.Version);
                return trials;
            }
        }
        finally
        {
            syncGate.Release();
        }
    }

    /// <summary>Applies one record this process wrote (or read); a finished record is never replaced by an unfinished one.</summary>
    public void Apply(TrialRecord record)
    {
        lock (gate)
        {
            ApplyLocked(record);
        }
    }

    private void ApplyLocked(TrialRecord t)
    {
        if (t.Number < trials.Count)
        {
            TrialRecord old = trials[t.Number];
            if (old.IsFinished && !t.IsFinished)
            {
                return;
            }

            trials = trials.SetItem(t.Number, t);
            if (old.State != t.State)
            {
                counts = counts.Add(old.State, -1).Add(t.State);
            }
        }
        else
        {
            // Numbers are dense: a record beyond the end means those in between have not been seen yet; they arrive with
            // the next sync, so keep placeholders that are replaced then.
            while (trials.Count < t.Number)
            {
                trials = trials.Add(Placeholder(trials.Count));
                counts = counts.Add(TrialState.Running);
            }

            trials = trials.Add(t);
            counts = counts.Add(t.State);
        }

        if (StudyStorageBase.IsBetter(t, best, Direction))
        {
            best = t;
        }
    }

    private static TrialRecord Placeholder(int number) => new()
    {
        Id = -1,
        Number = number,
        State = TrialState.Running,
        Parameters = ImmutableDictionary<string, object>.Empty,
    };
}
