using System.Collections.Concurrent;
using Hpo.Storage.Providers;
using Hpo.Trials;

namespace Hpo.Storage.InMemory;

/// <summary>
/// A storage that keeps everything in this process's memory: the fastest, for tests, benchmarks and throw-away studies.
/// Nothing survives the process. Thread-safe; each study has its own lock, under which the trial rules of
/// <see cref="TrialLifecycle"/> run over the study's lists (<see cref="ITrialLifecycleStore"/>).
/// </summary>
public sealed class InMemoryStudyStorage : StudyStorageBase
{
    private readonly TimeProvider timeProvider;
    private readonly Lock studiesLock = new();
    private readonly Dictionary<string, StudyState> byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, StudyState> byId = new();
    private readonly TrialIndex trialsById = new();
    private long nextStudyId;
    private long nextTrialId;

    /// <summary>Initializes a new instance of the <see cref="InMemoryStudyStorage"/> class.</summary>
    /// <param name="timeProvider">The clock for timestamps and leases; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public InMemoryStudyStorage(TimeProvider? timeProvider = null)
    {
        this.timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public override ValueTask<StudyRecord> CreateStudyAsync(StudyDefinition definition, CancellationToken cancellationToken)
    {
        StorageGuards.Definition(definition);
        cancellationToken.ThrowIfCancellationRequested();
        lock (studiesLock)
        {
            if (byName.ContainsKey(definition.Name))
            {
                throw new DuplicateStudyException($"A study named '{definition.Name}' already exists in this storage. Load it instead (Study.LoadAsync, or CreateOrLoadAsync to resume it), or choose another name.");
            }

            var record = new StudyRecord(++nextStudyId, definition, timeProvider.GetUtcNow());
            var state = new StudyState(this, record);
            byName[definition.Name] = state;
            byId[record.Id] = state;
            return ValueTask.FromResult(record);
        }
    }

    /// <inheritdoc/>
    public override ValueTask<StudyRecord?> GetStudyAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (studiesLock)
        {
            return ValueTask.FromResult(byName.TryGetValue(name, out StudyState? s) ? s.Record : null);
        }
    }

    /// <inheritdoc/>
    public override ValueTask<StudyRecord?> GetStudyAsync(long studyId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(byId.TryGetValue(studyId, out StudyState? s) ? s.Record : null);

    /// <inheritdoc/>
    public override ValueTask<IReadOnlyList<StudyRecord>> GetStudiesAsync(CancellationToken cancellationToken)
    {
        lock (studiesLock)
        {
            return ValueTask.FromResult<IReadOnlyList<StudyRecord>>(byName.Values.Select(s => s.Record).OrderBy(r => r.Id).ToList());
        }
    }

    /// <inheritdoc/>
    public override ValueTask<bool> DeleteStudyAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (studiesLock)
        {
            if (!byName.Remove(name, out StudyState? s))
            {
                return ValueTask.FromResult(false);
            }

            // The study's trials become unreachable with it: the trial index resolves ids through byId.
            byId.TryRemove(s.Record.Id, out _);

            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public override ValueTask<TrialRecord> EnqueueTrialAsync(long studyId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        StudyState s = Study(studyId);
        lock (s.Lock)
        {
            return ValueTask.FromResult(TrialLifecycle.Enqueue(s, parameters, timeProvider.GetUtcNow()));
        }
    }

    /// <inheritdoc/>
    public override ValueTask<TrialRecord?> StartTrialAsync(long studyId, string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        cancellationToken.ThrowIfCancellationRequested();
        StudyState s = Study(studyId);
        lock (s.Lock)
        {
            return ValueTask.FromResult(TrialLifecycle.Start(s, s.Policy, owner, timeProvider.GetUtcNow()));
        }
    }

    /// <inheritdoc/>
    public override ValueTask<TrialRecord> SetTrialParametersAsync(long trialId, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        (StudyState s, int number) = Trial(trialId);
        lock (s.Lock)
        {
            TrialRecord t = Unfinished(s, number, "take parameters");
            if (t.Parameters.Count > 0)
            {
                throw new InvalidOperationException($"Trial {t.Number} already has parameters; they are set once.");
            }

            TrialRecord updated = t with { Parameters = parameters };
            s.Replace(updated);
            return ValueTask.FromResult(updated);
        }
    }

    /// <inheritdoc/>
    public override ValueTask ReportIntermediateValueAsync(long trialId, long step, double value, CancellationToken cancellationToken)
    {
        ChangeUnfinished(trialId, "report intermediate values", t => t with { IntermediateValues = t.IntermediateValues.SetItem(step, value) });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override ValueTask SetTrialUserAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken)
    {
        StorageGuards.AttributeKey(key);
        ArgumentNullException.ThrowIfNull(value);
        ChangeUnfinished(trialId, "change its attributes", t => t with { UserAttributes = t.UserAttributes.SetItem(key, value) });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override ValueTask SetTrialSystemAttributeAsync(long trialId, string key, string value, CancellationToken cancellationToken)
    {
        StorageGuards.AttributeKey(key);
        ArgumentNullException.ThrowIfNull(value);
        ChangeUnfinished(trialId, "change its attributes", t => t with { SystemAttributes = t.SystemAttributes.SetItem(key, value) });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override ValueTask<TrialRecord> FinishTrialAsync(long trialId, TrialFinish finish, CancellationToken cancellationToken)
    {
        (StudyState s, int number) = Trial(trialId);
        StorageGuards.Finish(finish, s.Record.Definition.Directions.Count);
        lock (s.Lock)
        {
            return ValueTask.FromResult(TrialLifecycle.Finish(s, s.Trials[number], finish, timeProvider.GetUtcNow()));
        }
    }

    /// <inheritdoc/>
    public override ValueTask<int> RenewHeartbeatsAsync(long studyId, string owner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        StudyState s = Study(studyId);
        int renewed = 0;
        lock (s.Lock)
        {
            DateTimeOffset now = timeProvider.GetUtcNow();
            foreach (int number in s.Running.ToArray())
            {
                TrialRecord t = s.Trials[number];
                if (t.Owner == owner)
                {
                    // A heartbeat is not a change that other workers need to see, so it does not advance the version.
                    s.Trials[number] = t with { Heartbeat = now };
                    renewed++;
                }
            }
        }

        return ValueTask.FromResult(renewed);
    }

    /// <inheritdoc/>
    public override ValueTask<IReadOnlyList<TrialRecord>> FailOrphanedTrialsAsync(long studyId, CancellationToken cancellationToken)
    {
        StudyState s = Study(studyId);
        lock (s.Lock)
        {
            return ValueTask.FromResult(TrialLifecycle.FailExpired(s, s.Policy, timeProvider.GetUtcNow()));
        }
    }

    /// <inheritdoc/>
    public override ValueTask<TrialRecord?> FailAbandonedTrialAsync(long trialId, string owner, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        (StudyState s, int number) = Trial(trialId);
        lock (s.Lock)
        {
            return ValueTask.FromResult(TrialLifecycle.FailAbandoned(s, s.Policy, s.Trials[number], owner, reason, timeProvider.GetUtcNow()));
        }
    }

    /// <inheritdoc/>
    public override ValueTask<TrialChanges> GetTrialsAsync(long studyId, long sinceVersion, CancellationToken cancellationToken)
    {
        StudyState s = Study(studyId);
        lock (s.Lock)
        {
            long version = s.ChangeLog.Count;
            if (sinceVersion <= 0)
            {
                return ValueTask.FromResult(new TrialChanges(s.Trials.ToArray(), version));
            }

            // The numbers changed since then, sorted and without repeats: usually a handful, so no sorted set.
            int from = (int)Math.Min(sinceVersion, version);
            int changed = (int)version - from;
            if (changed == 0)
            {
                return ValueTask.FromResult(new TrialChanges([], version));
            }

            int[] numbers = new int[changed];
            s.ChangeLog.CopyTo(from, numbers, 0, changed);
            Array.Sort(numbers);
            var records = new List<TrialRecord>(changed);
            for (int i = 0; i < numbers.Length; i++)
            {
                if (i == 0 || numbers[i] != numbers[i - 1])
                {
                    records.Add(s.Trials[numbers[i]]);
                }
            }

            return ValueTask.FromResult(new TrialChanges(records, version));
        }
    }

    /// <inheritdoc/>
    public override ValueTask<TrialRecord?> GetTrialAsync(long studyId, int number, CancellationToken cancellationToken)
    {
        StudyState s = Study(studyId);
        lock (s.Lock)
        {
            return ValueTask.FromResult(number >= 0 && number < s.Trials.Count ? s.Trials[number] : null);
        }
    }

    /// <inheritdoc/>
    public override ValueTask<TrialCounts> GetTrialCountsAsync(long studyId, CancellationToken cancellationToken)
    {
        StudyState s = Study(studyId);
        lock (s.Lock)
        {
            return ValueTask.FromResult(s.Counts);
        }
    }

    /// <inheritdoc/>
    public override ValueTask<TrialRecord?> GetBestTrialAsync(long studyId, CancellationToken cancellationToken)
    {
        StudyState s = Study(studyId);
        lock (s.Lock)
        {
            return ValueTask.FromResult(s.Best);
        }
    }

    /// <summary>Replaces an unfinished trial by <paramref name="change"/> of it, under its study's lock; a finished trial cannot change.</summary>
    private void ChangeUnfinished(long trialId, string action, Func<TrialRecord, TrialRecord> change)
    {
        (StudyState s, int number) = Trial(trialId);
        lock (s.Lock)
        {
            s.Replace(change(Unfinished(s, number, action)));
        }
    }

    private static TrialRecord Unfinished(StudyState s, int number, string action)
    {
        TrialRecord t = s.Trials[number];
        return t.IsFinished ? throw StorageGuards.AlreadyFinished(t, action) : t;
    }

    private StudyState Study(long studyId) =>
        byId.TryGetValue(studyId, out StudyState? s) ? s : throw new InvalidOperationException($"There is no study with id {studyId} in this storage (was it deleted?).");

    private (StudyState Study, int Number) Trial(long trialId) =>
        trialsById.TryGet(trialId, out long studyId, out int number) && byId.TryGetValue(studyId, out StudyState? s)
            ? (s, number)
            : throw new InvalidOperationException($"There is no trial with id {trialId} in this storage.");

    /// <summary>A study's trials, and the primitives the trial rules run over; used under <see cref="Lock"/> only.</summary>
    private sealed class StudyState(InMemoryStudyStorage storage, StudyRecord record) : ITrialLifecycleStore
    {
        public Lock Lock { get; } = new();

        public StudyRecord Record { get; } = record;

        public TrialPolicy Policy { get; } = TrialPolicy.Of(record.Definition);

        public List<TrialRecord> Trials { get; } = [];

        public List<int> ChangeLog { get; } = [];

        public Queue<int> Waiting { get; } = new();

        public HashSet<int> Running { get; } = [];

        public TrialCounts Counts { get; private set; }

        public TrialRecord? Best { get; private set; }

        public IReadOnlyList<TrialRecord> GetExpiredTrials(DateTimeOffset cutoff)
        {
            // Called on every start: look first without allocating, and list the trials only when a lease has expired.
            List<TrialRecord>? expired = null;
            foreach (int number in Running)
            {
                if (Trials[number].Heartbeat is { } hb && hb < cutoff)
                {
                    (expired ??= []).Add(Trials[number]);
                }
            }

            if (expired is null)
            {
                return [];
            }

            expired.Sort((a, b) => a.Number.CompareTo(b.Number));
            return expired;
        }

        public TrialRecord? GetOldestWaitingTrial() => Waiting.TryPeek(out int number) ? Trials[number] : null;

        public TrialRecord InsertTrial(TrialRecord trial)
        {
            TrialRecord t = trial with { Id = Interlocked.Increment(ref storage.nextTrialId), Number = Trials.Count };
            Trials.Add(t);
            ChangeLog.Add(t.Number);
            Counts = Counts.Add(t.State);
            if (t.State == TrialState.Running)
            {
                Running.Add(t.Number);
            }
            else if (t.State == TrialState.Waiting)
            {
                Waiting.Enqueue(t.Number);
            }

            storage.trialsById.Add(t.Id, Record.Id, t.Number);
            return t;
        }

        public TrialRecord UpdateTrial(TrialRecord previous, TrialRecord updated)
        {
            Trials[updated.Number] = updated;
            ChangeLog.Add(updated.Number);
            if (previous.State != updated.State)
            {
                Counts = Counts.Add(previous.State, -1).Add(updated.State);
                if (previous.State == TrialState.Running)
                {
                    Running.Remove(updated.Number);
                }
                else if (previous.State == TrialState.Waiting)
                {
                    RemoveWaiting(updated.Number);
                }

                if (updated.State == TrialState.Running)
                {
                    Running.Add(updated.Number);
                }
            }

            if (IsBetter(updated, Best, Record.Definition.Direction))
            {
                Best = updated;
            }

            return updated;
        }

        /// <summary>Replaces a trial whose state does not change (parameters, values, attributes).</summary>
        public void Replace(TrialRecord updated) => UpdateTrial(Trials[updated.Number], updated);

        private void RemoveWaiting(int number)
        {
            // A claim takes the oldest (the head); a waiting trial finished directly is looked for.
            if (Waiting.TryPeek(out int head) && head == number)
            {
                Waiting.Dequeue();
                return;
            }

            int count = Waiting.Count;
            for (int i = 0; i < count; i++)
            {
                int n = Waiting.Dequeue();
                if (n != number)
                {
                    Waiting.Enqueue(n);
                }
            }
        }
    }

    /// <summary>
    /// Maps trial ids (dense, from 1) to their study id and number: one 64-bit word per trial in chunks that never move, written
    /// once when the trial is created and read without locks (a concurrent dictionary cost a node and a lock per trial).
    /// </summary>
    private sealed class TrialIndex
    {
        private const int ChunkBits = 12;
        private const int ChunkSize = 1 << ChunkBits;
        private readonly Lock growLock = new();
        private long[]?[] chunks = new long[]?[16];

        public void Add(long trialId, long studyId, int number)
        {
            long index = trialId - 1;
            long[] chunk = Chunk((int)(index >> ChunkBits));
            Volatile.Write(ref chunk[index & (ChunkSize - 1)], ((studyId + 1) << 32) | (uint)number);
        }

        public bool TryGet(long trialId, out long studyId, out int number)
        {
            long index = trialId - 1;
            long[]?[] current = Volatile.Read(ref chunks);
            long c = index >> ChunkBits;
            long entry = index >= 0 && c < current.Length && Volatile.Read(ref current[c]) is { } chunk ? Volatile.Read(ref chunk[index & (ChunkSize - 1)]) : 0;
            studyId = (entry >> 32) - 1;
            number = (int)(uint)entry;
            return entry != 0;
        }

        private long[] Chunk(int c)
        {
            long[]?[] current = Volatile.Read(ref chunks);
            if (c < current.Length && Volatile.Read(ref current[c]) is { } existing)
            {
                return existing;
            }

            lock (growLock)
            {
                current = chunks;
                if (c >= current.Length)
                {
                    long[]?[] grown = new long[]?[Math.Max(c + 1, current.Length * 2)];
                    Array.Copy(current, grown, current.Length);
                    Volatile.Write(ref chunks, grown);
                    current = grown;
                }

                if (current[c] is not { } chunk)
                {
                    chunk = new long[ChunkSize];
                    Volatile.Write(ref current[c], chunk);
                }

                return chunk;
            }
        }
    }
}
