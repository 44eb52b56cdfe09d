using Hpo.SearchSpaces;

namespace Hpo.Tuners;

/// <summary>
/// What a tuner with a seed option starts every proposal from: the context's encoding, the seed, and the trial's random stream.
/// One rule for all of them: a tuner's own seed (when set) replaces the study's, and the stream is derived from (seed, trial
/// number), so that concurrent workers and a resumed study propose what one uninterrupted run would.
/// </summary>
/// <param name="Encoding">The unit-cube encoding of the context's search space.</param>
/// <param name="Seed">The tuner's own seed when set, otherwise the study's.</param>
/// <param name="Random">The trial's generator: seeded from (<paramref name="Seed"/>, trial number); the context's own when the tuner has no seed.</param>
internal readonly record struct SeededProposal(UnitCubeEncoding Encoding, int Seed, Random Random)
{
    /// <summary>Checks <paramref name="context"/> and resolves the seed and random stream of its trial.</summary>
    /// <param name="context">The proposal's context.</param>
    /// <param name="ownSeed">The tuner's own seed option, if set.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    public static SeededProposal Begin(TunerContext context, int? ownSeed)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ownSeed is int own
            ? new(context.Encoding, own, new Random(TunerContext.DeriveSeed(own, context.TrialNumber)))
            : new(context.Encoding, context.Seed, context.Random);
    }
}
