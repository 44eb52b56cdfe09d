using System.Collections;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Scheduling;

/// <summary>
/// This process's copy of a study's trials, brought up to date incrementally from the storage's versions, so that a proposal
/// costs O(changes) in I/O rather than O(history). Snapshots are immutable and cost O(unfinished trials) to take.
/// </summary>
/// <remarks>
/// Finished trials never change (the storage contract), so the records are kept in one growing array that snapshots share:
/// a slot is written again only while its trial is unfinished, and every snapshot carries its own copy of the unfinished
/// records, so no snapshot ever sees a later write. Applying a change is O(1) amortised plus O(unfinished) bookkeeping,
/// where an immutable tree would allocate O(log history) nodes per change.
/// </remarks>
internal sealed class StudyHistory
{
    private readonly Lock gate = new();
    private readonly SemaphoreSlim syncGate = new(1, 1);
    private readonly List<int> unfinished = [];
    private TrialRecord[] items = new TrialRecord[16];
    private int count;
    private long version;
    private TrialCounts counts;
    private TrialRecord? best;
    private Snapshot? snapshot;

    public StudyHistory(StudyDirection direction)
    {
        Direction = direction;
    }

    public StudyDirection Direction { get; }

    /// <summary>Gets an immutable snapshot of the trials, ordered by number.</summary>
    public IReadOnlyList<TrialRecord> Trials
    {
        get
        {
            lock (gate)
            {
                return SnapshotLocked();
            }
        }
    }

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

    public async ValueTask<IReadOnlyList<TrialRecord>> SyncAsync(IStudyStorage storage, long studyId, CancellationToken cancellationToken)
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
                return SnapshotLocked();
            }
        }
        finally
        {
            syncGate.Release();
        }
    }

    /// <summary>Applies one record this process wrote (or read); a finished record is never replaced.</summary>
    public void Apply(TrialRecord record)
    {
        lock (gate)
        {
            ApplyLocked(record);
        }
    }

    private void ApplyLocked(TrialRecord t)
    {
        if (t.Number < count)
        {
            TrialRecord old = items[t.Number];
            if (old.IsFinished || ReferenceEquals(old, t))
            {
                return; // a finished trial never changes; the same record is no change
            }

            items[t.Number] = t; // safe: snapshots read unfinished slots from their own copies
            snapshot = null;
            if (t.IsFinished)
            {
                unfinished.RemoveAt(unfinished.BinarySearch(t.Number));
            }

            if (old.State != t.State)
            {
                counts = counts.Add(old.State, -1).Add(t.State);
            }
        }
        else
        {
            // Numbers are dense: a record beyond the end means those in between have not been seen yet; they arrive with
            // the next sync, so keep placeholders that are replaced then.
            while (count < t.Number)
            {
                Append(Placeholder(count));
                counts = counts.Add(TrialState.Running);
            }

            Append(t);
            counts = counts.Add(t.State);
        }

        if (StudyStorageBase.IsBetter(t, best, Direction))
        {
            best = t;
        }
    }

    private void Append(TrialRecord t)
    {
        if (count == items.Length)
        {
            // Snapshots keep the old array, whose finished slots are final; later writes go to the new one only.
            Array.Resize(ref items, items.Length * 2);
        }

        items[count] = t;
        if (!t.IsFinished)
        {
            unfinished.Add(count); // numbers only grow here, so the list stays sorted
        }

        count++;
        snapshot = null;
    }

    private Snapshot SnapshotLocked()
    {
        if (snapshot is null)
        {
            int[] indexes = [.. unfinished];
            var records = new TrialRecord[indexes.Length];
            for (int i = 0; i < indexes.Length; i++)
            {
                records[i] = items[indexes[i]];
            }

            snapshot = new Snapshot(items, count, indexes, records);
        }

        return snapshot;
    }

    private static TrialRecord Placeholder(int number) => new()
    {
        Id = -1,
        Number = number,
        State = TrialState.Running,
        Parameters = System.Collections.Immutable.ImmutableDictionary<string, object>.Empty,
    };

    /// <summary>
    /// The trials as they were when the snapshot was taken: finished ones from the shared array (final), unfinished ones from
    /// the snapshot's own sorted copies.
    /// </summary>
    private sealed class Snapshot(TrialRecord[] items, int count, int[] unfinishedNumbers, TrialRecord[] unfinishedRecords) : IReadOnlyList<TrialRecord>
    {
        public int Count => count;

        public TrialRecord this[int index]
        {
            get
            {
                if ((uint)index >= (uint)count)
                {
                    throw new ArgumentOutOfRangeException(nameof(index), index, $"The history has {count} trials.");
                }

                if (unfinishedNumbers.Length > 0)
                {
                    int k = Array.BinarySearch(unfinishedNumbers, index);
                    if (k >= 0)
                    {
                        return unfinishedRecords[k];
                    }
                }

                return items[index];
            }
        }

        public IEnumerator<TrialRecord> GetEnumerator()
        {
            int next = 0;
            for (int i = 0; i < count; i++)
            {
                if (next < unfinishedNumbers.Length && unfinishedNumbers[next] == i)
                {
                    yield return unfinishedRecords[next++];
                }
                else
                {
                    yield return items[i];
                }
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
