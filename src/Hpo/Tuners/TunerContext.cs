using Hpo.Internal;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Tuners;

/// <summary>Everything a tuner may base a proposal on. Immutable; a new context is made for each proposal.</summary>
public sealed class TunerContext
{
    private Random? random;
    private UnitCubeEncoding? encoding;

    /// <summary>Initializes a new instance of the <see cref="TunerContext"/> class.</summary>
    /// <param name="searchSpace">The study's search space.</param>
    /// <param name="trials">The trials so far, ordered by number, running and waiting ones included (see <see cref="Trials"/>).</param>
    /// <param name="directions">The study's directions.</param>
    /// <param name="trialNumber">The number of the trial being proposed.</param>
    /// <param name="seed">The study's seed.</param>
    /// <param name="budget">The study's budget of finished trials, if any.</param>
    /// <param name="horizon">The trial number by which the current run is expected to end, when the study has no budget; see <see cref="Horizon"/>.</param>
    /// <exception cref="ArgumentException">There are no directions, or the trial number is negative.</exception>
    public TunerContext(SearchSpace searchSpace, IReadOnlyList<TrialRecord> trials, IReadOnlyList<StudyDirection> directions, int trialNumber, int seed, int? budget = null, int? horizon = null)
    {
        ArgumentNullException.ThrowIfNull(searchSpace);
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(directions);
        ArgumentOutOfRangeException.ThrowIfNegative(trialNumber);
        if (directions.Count == 0)
        {
            throw new ArgumentException("A tuner context needs at least one direction.", nameof(directions));
        }

        SearchSpace = searchSpace;
        Trials = trials;
        Directions = directions;
        TrialNumber = trialNumber;
        Seed = seed;
        Budget = budget;
        Horizon = budget ?? horizon;
    }

    /// <summary>Gets the study's search space.</summary>
    public SearchSpace SearchSpace { get; }

    /// <summary>
    /// Gets the trials so far, ordered by number: finished, running and waiting. A running trial whose parameters are still
    /// being proposed — the trial being proposed among them — has empty <see cref="TrialRecord.Parameters"/>; tuners skip those.
    /// </summary>
    public IReadOnlyList<TrialRecord> Trials { get; }

    /// <summary>Gets the study's directions.</summary>
    public IReadOnlyList<StudyDirection> Directions { get; }

    /// <summary>Gets the direction of the first (or only) objective.</summary>
    public StudyDirection Direction => Directions[0];

    /// <summary>Gets the number of the trial being proposed.</summary>
    public int TrialNumber { get; }

    /// <summary>Gets the study's seed.</summary>
    public int Seed { get; }

    /// <summary>Gets the study's budget of finished trials, or <see langword="null"/> when it is open-ended.</summary>
    public int? Budget { get; }

    /// <summary>
    /// Gets the number of trials the study is expected to have when the work stops: its <see cref="Budget"/> when it has one;
    /// otherwise the horizon of the running <c>OptimizeAsync</c> call (the first trial it proposed plus its
    /// <c>OptimizeOptions.TrialCount</c>, or an estimate from its <c>Timeout</c> and pace); <see langword="null"/> when the
    /// work is open-ended. A tuner that plans (explores early, refines late) plans to it, and must behave well without it.
    /// </summary>
    public int? Horizon { get; }

    /// <summary>
    /// Gets a random generator seeded from (<see cref="Seed"/>, <see cref="TrialNumber"/>), so that a trial's randomness does not
    /// depend on which worker proposes it or on what ran concurrently.
    /// </summary>
    public Random Random => random ??= new Random(DeriveSeed(Seed, TrialNumber));

    /// <summary>Gets the unit-cube encoding of the space, shared by the built-in tuners.</summary>
    internal UnitCubeEncoding Encoding => encoding ??= EncodingCache.For(SearchSpace);

    /// <summary>Mixes a study seed and a stream number into a 31-bit seed (SplitMix64 finalizer).</summary>
    /// <param name="seed">The study's seed.</param>
    /// <param name="stream">A stream number, such as a trial number.</param>
    /// <returns>A non-negative seed.</returns>
    public static int DeriveSeed(int seed, long stream) => Seeds.Derive(seed, stream);
}

/// <summary>Keeps one encoding per search space, since building one is not free and spaces are immutable.</summary>
internal static class EncodingCache
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SearchSpace, UnitCubeEncoding> Cache = [];

    public static UnitCubeEncoding For(SearchSpace space) => Cache.GetValue(space, s => new UnitCubeEncoding(s));
}
