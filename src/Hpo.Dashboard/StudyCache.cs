using System.Collections.Concurrent;
using Hpo.Storage;
using Hpo.Trials;
using Hpo.Visualization;

namespace Hpo.Dashboard;

/// <summary>
/// The dashboard's copy of the studies it has been asked about: each study's trials are read once, then only the changes since
/// the last version (<see cref="IStudyStorage.GetTrialsAsync(long, long, CancellationToken)"/>), at most once per refresh interval
/// however many browsers ask. Every answer is computed from an immutable <see cref="StudyView"/>.
/// </summary>
internal sealed class StudyCache(IStudyStorage storage, TimeProvider time, TimeSpan refreshInterval)
{
    private readonly ConcurrentDictionary<string, StudyEntry> entries = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim listGate = new(1, 1);
    private (DateTimeOffset At, IReadOnlyList<StudyListItem> Items)? list;

    /// <summary>Gets the current view of a study, refreshed when older than the refresh interval; <see langword="null"/> when there is no such study.</summary>
    public async Task<StudyView?> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (!entries.TryGetValue(name, out StudyEntry? entry))
        {
            StudyRecord? study = await storage.GetStudyAsync(name, cancellationToken).ConfigureAwait(false);
            if (study is null)
            {
                return null;
            }

            entry = entries.GetOrAdd(name, _ => new StudyEntry(study));
        }

        return await entry.RefreshAsync(storage, time, refreshInterval, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Determines whether a study's trials have been read once (its view exists), so that <see cref="GetAsync"/> only reads changes.</summary>
    public bool HasView(string name) => entries.TryGetValue(name, out StudyEntry? entry) && entry.HasView;

    /// <summary>Gets a study's item of the studies list when the list is fresh (read within the refresh interval), else <see langword="null"/>.</summary>
    public StudyListItem? FreshListItem(string name) =>
        list is { } cached && time.GetUtcNow() - cached.At < refreshInterval ? cached.Items.FirstOrDefault(i => i.Study.Name == name) : null;

    /// <summary>Gets every study with its counts and best value (the storage's aggregate queries), cached for the refresh interval.</summary>
    public async Task<IReadOnlyList<StudyListItem>> ListAsync(CancellationToken cancellationToken)
    {
        if (list is { } cached && time.GetUtcNow() - cached.At < refreshInterval)
        {
            return cached.Items;
        }

        await listGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (list is { } again && time.GetUtcNow() - again.At < refreshInterval)
            {
                return again.Items;
            }

            var items = new List<StudyListItem>();
            foreach (StudyRecord s in await storage.GetStudiesAsync(cancellationToken).ConfigureAwait(false))
            {
                TrialCounts counts = await storage.GetTrialCountsAsync(s.Id, cancellationToken).ConfigureAwait(false);
                TrialRecord? best = await storage.GetBestTrialAsync(s.Id, cancellationToken).ConfigureAwait(false);
                items.Add(new StudyListItem(s, counts, best));
            }

            list = (time.GetUtcNow(), items);
            return items;
        }
        finally
        {
            listGate.Release();
        }
    }

    private sealed class StudyEntry(StudyRecord study)
    {
        private readonly SemaphoreSlim gate = new(1, 1);
        private StudyView? current;
        private DateTimeOffset refreshedAt;

        public bool HasView => Volatile.Read(ref current) is not null;

        public async Task<StudyView> RefreshAsync(IStudyStorage storage, TimeProvider time, TimeSpan interval, CancellationToken cancellationToken)
        {
            StudyView? view = current;
            if (view is not null && time.GetUtcNow() - refreshedAt < interval)
            {
                return view;
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                view = current;
                if (view is not null && time.GetUtcNow() - refreshedAt < interval)
                {
                    return view;
                }

                TrialChanges changes = await storage.GetTrialsAsync(study.Id, view?.Version ?? 0, cancellationToken).ConfigureAwait(false);
                refreshedAt = time.GetUtcNow();
                if (view is not null && changes.Trials.Count == 0 && changes.Version == view.Version)
                {
                    return view;
                }

                TrialRecord[] trials = Merge(view?.Trials ?? [], changes.Trials);
                current = new StudyView(study, trials, changes.Version, refreshedAt);
                return current;
            }
            finally
            {
                gate.Release();
            }
        }

        private static TrialRecord[] Merge(TrialRecord[] old, IReadOnlyList<TrialRecord> changed)
        {
            int max = old.Length == 0 ? -1 : old[^1].Number;
            foreach (TrialRecord t in changed)
            {
                max = Math.Max(max, t.Number);
            }

            var merged = new TrialRecord?[max + 1];
            foreach (TrialRecord t in old)
            {
                merged[t.Number] = t;
            }

            foreach (TrialRecord t in changed)
            {
                merged[t.Number] = t;
            }

            // Numbers are dense, so the array is indexed by number; a gap (should a storage ever show one) is left out.
            return [.. merged.Where(t => t is not null).Select(t => t!)];
        }
    }
}

/// <summary>One study in the studies list.</summary>
internal sealed record StudyListItem(StudyRecord Study, TrialCounts Counts, TrialRecord? Best);

/// <summary>An immutable state of one study's trials, with what the API derives from it computed once and kept.</summary>
internal sealed class StudyView
{
    private readonly Lazy<StudyData> data;

    public StudyView(StudyRecord study, TrialRecord[] trials, long version, DateTimeOffset readAt)
    {
        Study = study;
        Trials = trials;
        Version = version;
        ReadAt = readAt;
        data = new Lazy<StudyData>(() => StudyData.Create(study, trials, readAt));
    }

    public StudyRecord Study { get; }

    /// <summary>Gets the trials, ordered by number.</summary>
    public TrialRecord[] Trials { get; }

    public long Version { get; }

    public DateTimeOffset ReadAt { get; }

    /// <summary>Gets the snapshot the plots are computed from.</summary>
    public StudyData Data => data.Value;

    /// <summary>Gets cached results (sorted orders, rendered plots) of this version.</summary>
    public ConcurrentDictionary<string, object> Memo { get; } = new(StringComparer.Ordinal);
}
