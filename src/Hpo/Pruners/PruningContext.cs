using System.Collections.Immutable;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Pruners;

/// <summary>Everything a pruner may base a decision on. Immutable; a new context is made for each question.</summary>
public sealed class PruningContext
{
    /// <summary>Initializes a new instance of the <see cref="PruningContext"/> class.</summary>
    /// <param name="trial">The trial being asked about, with the intermediate values it reported so far.</param>
    /// <param name="trials">The study's trials, ordered by number, with their states and intermediate values (the asked trial may be among them).</param>
    /// <param name="directions">The study's directions.</param>
    /// <param name="seed">The study's seed.</param>
    /// <param name="budget">The study's budget of finished trials, if any.</param>
    /// <exception cref="ArgumentException">There are no directions.</exception>
    public PruningContext(TrialRecord trial, IReadOnlyList<TrialRecord> trials, IReadOnlyList<StudyDirection> directions, int seed = 0, int? budget = null)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(directions);
        if (directions.Count == 0)
        {
            throw new ArgumentException("A pruning context needs at least one direction.", nameof(directions));
        }

        Trial = trial;
        Trials = trials;
        Directions = directions;
        Seed = seed;
        Budget = budget;
        CurrentStep = trial.IntermediateValues.IsEmpty ? null : trial.IntermediateValues.Keys.Last();
    }

    /// <summary>Gets the trial being asked about.</summary>
    public TrialRecord Trial { get; }

    /// <summary>Gets the number of the trial being asked about.</summary>
    public int TrialNumber => Trial.Number;

    /// <summary>Gets the intermediate values the asked trial reported so far, by step.</summary>
    public ImmutableSortedDictionary<long, double> IntermediateValues => Trial.IntermediateValues;

    /// <summary>Gets the highest step the asked trial reported, or <see langword="null"/> when it reported nothing.</summary>
    public long? CurrentStep { get; }

    /// <summary>
    /// Gets the study's trials, ordered by number, in every state (running ones included), as the storage held them when the
    /// question was asked. The asked trial may be among them; pruners tell it apart by <see cref="TrialRecord.Number"/>.
    /// </summary>
    public IReadOnlyList<TrialRecord> Trials { get; }

    /// <summary>Gets the study's directions.</summary>
    public IReadOnlyList<StudyDirection> Directions { get; }

    /// <summary>Gets the direction of the first (or only) objective.</summary>
    public StudyDirection Direction => Directions[0];

    /// <summary>Gets the study's seed.</summary>
    public int Seed { get; }

    /// <summary>Gets the study's budget of finished trials, or <see langword="null"/> when it is open-ended.</summary>
    public int? Budget { get; }
}
