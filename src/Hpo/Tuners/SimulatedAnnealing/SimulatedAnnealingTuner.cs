using Hpo.SearchSpaces;

namespace Hpo.Tuners.SimulatedAnnealing;

/// <summary>
/// Simulated annealing: each new trial is a neighbour of the chain's current point; the chain moves to a finished trial by the
/// Metropolis rule at a temperature that falls over the study's budget.
/// </summary>
/// <remarks>
/// <para>
/// <b>State from history.</b> The current point, the best point, the stagnation count and the window of recent values are
/// rebuilt at every proposal by replaying the finished trials in number order, so a resumed study and many workers continue one
/// chain (the temperature and the step size follow from the trial number and the budget). The tuner keeps the state reached
/// after the longest prefix of finished trials as a cache, which saves time and never changes a proposal. The first
/// <see cref="SimulatedAnnealingTunerOptions.InitialTrials"/> trials are rows of a Latin hypercube drawn from the seed, and the
/// best of them is the first current point.
/// </para>
/// <para>
/// <b>Acceptance.</b> A finished trial that is no worse than the current point becomes the current point; a worse one does with
/// probability exp(-Δ / T), where Δ is the difference standardized by the spread of the last 20 objective values (their median
/// absolute deviation scaled to a standard deviation, robust to a few huge values), so that the temperature means the same on
/// any objective, and T follows
/// <see cref="SimulatedAnnealingTunerOptions.Schedule"/> from <see cref="SimulatedAnnealingTunerOptions.InitialTemperature"/> to
/// <see cref="SimulatedAnnealingTunerOptions.FinalTemperature"/> over the study's budget (over cycles of
/// <see cref="SimulatedAnnealingTunerOptions.OpenEndedCycle"/> trials, reheating after each, when there is no budget).
/// Failed and pruned trials are rejected moves.
/// </para>
/// <para>
/// <b>Neighbours.</b> A random subset of the active parameters moves (at least one): numeric ones by a Gaussian step in the unit
/// cube (at least one grid step for integers and stepped floats) whose scale starts at
/// <see cref="SimulatedAnnealingTunerOptions.StepScale"/> and shrinks as the square root of the temperature; a categorical one
/// takes another choice. A conditional parameter that a move switches on takes its value from the best trial in which it was
/// active, moved by a step, else a random one; one switched off is dropped. Several workers proposing at once each draw a
/// different neighbour of the same current point (the draw is seeded by the trial number), and a neighbour that repeats a tried,
/// running or waiting configuration is drawn again with a wider step (or, if the neighbourhood is exhausted, replaced by a
/// random unseen point).
/// </para>
/// <para>
/// <b>Restarts.</b> After <see cref="SimulatedAnnealingTunerOptions.RestartPatience"/> finished trials without a new best, the
/// chain returns to the best point. Only the first objective is used (negated when maximizing).
/// Cost: O(n d) per proposal for n trials and d parameters; about 0.1–0.3 ms at 1,000 trials, and up to about 0.7 ms for a
/// new tuner instance's first proposal, which replays the whole history (see <c>EvolutionaryTunerBenchmarks</c>).
/// </para>
/// </remarks>
public sealed class SimulatedAnnealingTuner : TunerBase
{
    /// <summary>The name this tuner is registered under.</summary>
    public const string TunerName = "sa";

    private const int MaxRepeatAttempts = 32;

    private readonly SimulatedAnnealingTunerOptions options;
    private ReplayCache? cache;

    /// <summary>Initializes a new instance of the <see cref="SimulatedAnnealingTuner"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public SimulatedAnnealingTuner(SimulatedAnnealingTunerOptions? options = null)
    {
        this.options = (options ?? new SimulatedAnnealingTunerOptions()).Clone();
        this.options.Validate();
    }

    /// <inheritdoc/>
    public override string Name => TunerName;

    /// <inheritdoc/>
    public override string Settings => options.ToJson();

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, object> Propose(TunerContext context)
    {
        (UnitCubeEncoding encoding, int seed, Random random) = SeededProposal.Begin(context, options.Seed);
        int dims = encoding.Dimensions;
        if (dims == 0)
        {
            return PointDraft.NoParameters;
        }

        var settings = new AnnealingSettings(options, dims, seed, context.Budget);
        if (context.TrialNumber < settings.InitialTrials)
        {
            return LatinHypercube.InitialPoint(context, seed, settings.InitialTrials, context.TrialNumber, random);
        }

        EncodedHistory history = EncodedHistory.From(context);
        AnnealingState state = Replay(history, settings, encoding, seed, context.Budget);
        if (state.Current is not EncodedTrial current)
        {
            // No complete trial yet (the initial ones failed or still run): draw at random, avoiding repeats.
            return LatinHypercube.RandomPoint(context, random);
        }

        double step = settings.Step(context.TrialNumber);
        var neighbours = new NeighbourSampler(encoding, history, random);
        PointDraft candidate = neighbours.Sample(current, step);
        for (int attempt = 1; attempt < MaxRepeatAttempts && history.Contains(candidate.Unit); attempt++)
        {
            step = Math.Min(1.0, step * 1.25); // the near neighbourhood is taken (a discrete space): look further out
            candidate = neighbours.Sample(current, step);
        }

        return history.Contains(candidate.Unit) ? PointDraft.Fresh(encoding, history, random, 2 * MaxRepeatAttempts).ToParameters() : candidate.ToParameters();
    }

    /// <summary>
    /// Replays the history, resuming from the state cached after the last stable prefix (finished trials with no unfinished one
    /// before them) when the history still starts with that prefix. The cache only saves time: the state is the one a full
    /// replay gives.
    /// </summary>
    internal AnnealingState Replay(EncodedHistory history, AnnealingSettings settings, UnitCubeEncoding encoding, int seed, int? budget)
    {
        ReplayCache? cached = Volatile.Read(ref cache);
        AnnealingState state;
        int start;
        if (cached is not null && cached.Matches(history, encoding, seed, budget))
        {
            state = cached.State.Clone();
            start = cached.Prefix.Length;
        }
        else
        {
            state = new AnnealingState(settings);
            start = 0;
        }

        int stable = history.StablePrefix;
        if (stable > start)
        {
            state.AdvanceAll(history.Trials, start, stable);
            Volatile.Write(ref cache, new ReplayCache(encoding, seed, budget, [.. history.Trials.Take(stable)], state.Clone()));
            start = stable;
        }

        state.AdvanceAll(history.Trials, start, history.Trials.Count);
        return state;
    }

    /// <summary>The annealer's state after a stable prefix of a history. Immutable once published; users clone the state.</summary>
    private sealed record ReplayCache(UnitCubeEncoding Encoding, int Seed, int? Budget, EncodedTrial[] Prefix, AnnealingState State)
    {
        public bool Matches(EncodedHistory history, UnitCubeEncoding encoding, int seed, int? budget)
        {
            if (!ReferenceEquals(encoding, Encoding) || seed != Seed || budget != Budget || history.StablePrefix < Prefix.Length)
            {
                return false;
            }

            for (int i = 0; i < Prefix.Length; i++)
            {
                EncodedTrial a = Prefix[i];
                EncodedTrial b = history.Trials[i];
                if (a.Number != b.Number || a.State != b.State || !a.Loss.Equals(b.Loss)
                    || !(ReferenceEquals(a.Unit, b.Unit) || EncodedHistory.SamePoint(a.Unit, b.Unit)))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
