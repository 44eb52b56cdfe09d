using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Visualization;

/// <summary>
/// A snapshot of one study, as the plots read it: the study's definition and its trials at one moment. Every plot's data is a
/// pure function of a snapshot, so the same snapshot always gives the same figures.
/// </summary>
public sealed class StudyData
{
    private StudyData(StudyRecord study, IReadOnlyList<TrialRecord> trials, DateTimeOffset takenAt)
    {
        Study = study;
        Trials = trials;
        TakenAt = takenAt;
        var complete = new List<TrialRecord>();
        foreach (TrialRecord t in trials)
        {
            if (t.State == TrialState.Complete && t.Value is double v && double.IsFinite(v))
            {
                complete.Add(t);
            }
        }

        CompleteTrials = complete;
        TrialCounts counts = default;
        foreach (TrialRecord t in trials)
        {
            counts = counts.Add(t.State);
        }

        Counts = counts;
    }

    /// <summary>Gets the study.</summary>
    public StudyRecord Study { get; }

    /// <summary>Gets every trial, ordered by number.</summary>
    public IReadOnlyList<TrialRecord> Trials { get; }

    /// <summary>Gets the complete trials with a finite value, ordered by number: the trials that value-based plots show.</summary>
    public IReadOnlyList<TrialRecord> CompleteTrials { get; }

    /// <summary>Gets the number of trials in each state.</summary>
    public TrialCounts Counts { get; }

    /// <summary>Gets when the snapshot was taken (the right end of a running trial's bar on the timeline).</summary>
    public DateTimeOffset TakenAt { get; }

    /// <summary>Gets the study's search space.</summary>
    public SearchSpace SearchSpace => Study.Definition.SearchSpace;

    /// <summary>Gets the direction of the study's (first) objective.</summary>
    public StudyDirection Direction => Study.Definition.Direction;

    /// <summary>Gets the best complete trial (ties go to the lower number), or <see langword="null"/> when none is complete.</summary>
    public TrialRecord? BestTrial
    {
        get
        {
            TrialRecord? best = null;
            foreach (TrialRecord t in CompleteTrials)
            {
                if (best is null || IsBetter(t.Value!.Value, best.Value!.Value))
                {
                    best = t;
                }
            }

            return best;
        }
    }

    /// <summary>Creates a snapshot from a study and its trials.</summary>
    /// <param name="study">The study.</param>
    /// <param name="trials">Its trials, in any order.</param>
    /// <param name="takenAt">When the trials were read.</param>
    /// <returns>The snapshot.</returns>
    public static StudyData Create(StudyRecord study, IEnumerable<TrialRecord> trials, DateTimeOffset takenAt)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(trials);
        TrialRecord[] ordered = [.. trials];
        Array.Sort(ordered, static (a, b) => a.Number.CompareTo(b.Number));
        return new StudyData(study, ordered, takenAt);
    }

    /// <summary>Reads a study and its trials from a storage.</summary>
    /// <param name="storage">The storage.</param>
    /// <param name="studyName">The study's name.</param>
    /// <param name="timeProvider">The clock that stamps the snapshot; the system clock when <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="ArgumentException">There is no study named <paramref name="studyName"/> in the storage.</exception>
    public static async Task<StudyData> LoadAsync(IStudyStorage storage, string studyName, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentException.ThrowIfNullOrWhiteSpace(studyName);
        StudyRecord study = await storage.GetStudyAsync(studyName, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException(await UnknownStudyMessageAsync(storage, studyName, cancellationToken).ConfigureAwait(false), nameof(studyName));
        IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(study.Id, cancellationToken).ConfigureAwait(false);
        return Create(study, trials, (timeProvider ?? TimeProvider.System).GetUtcNow());
    }

    /// <summary>Determines whether value <paramref name="a"/> is strictly better than <paramref name="b"/> in the study's direction.</summary>
    /// <param name="a">A value.</param>
    /// <param name="b">Another value.</param>
    /// <returns><see langword="true"/> if <paramref name="a"/> is better.</returns>
    public bool IsBetter(double a, double b) => Direction == StudyDirection.Minimize ? a < b : a > b;

    private static async Task<string> UnknownStudyMessageAsync(IStudyStorage storage, string name, CancellationToken cancellationToken)
    {
        IReadOnlyList<StudyRecord> studies = await storage.GetStudiesAsync(cancellationToken).ConfigureAwait(false);
        string known = studies.Count == 0 ? "The storage holds no study." : "Studies: " + string.Join(", ", studies.Select(s => s.Name)) + ".";
        return $"There is no study named '{name}'. {known}";
    }
}
