using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.SearchSpaces;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.SimulatedAnnealing;
using static Hpo.Tests.Tuners.TunerKit;

namespace Hpo.Tests.Tuners.SimulatedAnnealing;

public class AnnealingStateTests
{
    private static readonly SearchSpace Space = new SearchSpaceBuilder().AddFloat("x", 0, 1).Build();

    private static EncodedHistory History(IReadOnlyList<TrialRecord> trials) => EncodedHistory.From(Context(Space, trials, trials.Count, seed: 1));

    private static TrialRecord At(int number, double x, double value, TrialState state = TrialState.Complete) =>
        Record(number, new Dictionary<string, object> { ["x"] = x }, state, value);

    private static AnnealingSettings Settings(SimulatedAnnealingTunerOptions? options = null, int? budget = 100) =>
        new(options ?? new SimulatedAnnealingTunerOptions(), 1, seed: 3, budget);

    [Property(MaxTest = 100, Arbitrary = [typeof(Arbitraries)])]
    public void Replay_EqualsTheStateReachedIncrementally(Step[] steps)
    {
        TrialRecord[] trials = [.. steps.Select((s, n) => At(n, s.X, s.Value, s.State))];
        AnnealingSettings settings = Settings();
        EncodedHistory full = History(trials);

        // Incrementally: as a single worker sees it, one more finished trial at each proposal.
        var incremental = new AnnealingState(settings);
        for (int n = 0; n < trials.Length; n++)
        {
            EncodedTrial newest = History(trials[..(n + 1)]).Trials[^1];
            if (newest.State.IsFinished())
            {
                incremental.Advance(newest);
            }

            Assert.True(incremental.SameAs(AnnealingState.Replay(History(trials[..(n + 1)]), settings)), $"Differs after {n + 1} trials.");
        }

        Assert.True(incremental.SameAs(AnnealingState.Replay(full, settings)));
        Assert.True(incremental.Clone().SameAs(incremental));
    }

    [Fact]
    public void Advance_OutOfOrder_Throws()
    {
        var state = new AnnealingState(Settings());
        EncodedHistory history = History([At(0, 0.1, 1), At(1, 0.2, 2)]);
        state.Advance(history.Trials[1]);

        ArgumentException e = Assert.Throws<ArgumentException>(() => state.Advance(history.Trials[0]));
        Assert.Contains("increasing number order", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Advance_InitialTrials_KeepTheBestAsTheCurrentPoint()
    {
        AnnealingState state = AnnealingState.Replay(History([At(0, 0.1, 5), At(1, 0.2, 1), At(2, 0.3, 3), At(3, 0.4, 4), At(4, 0.5, 2)]), Settings());

        Assert.Equal(1, state.CurrentNumber);
        Assert.Equal(1, state.BestNumber);
    }

    [Fact]
    public void Advance_FailedTrial_IsARejectedMove()
    {
        AnnealingState state = AnnealingState.Replay(History([At(0, 0.1, 5), At(1, 0.2, 0, TrialState.Failed), At(2, 0.3, 0, TrialState.Pruned)]), Settings());

        Assert.Equal(0, state.CurrentNumber);
        Assert.Equal(2, state.SinceImprovement);
        Assert.Equal(3, state.Processed);
    }

    [Fact]
    public void Advance_RunningTrial_IsNotTakenIntoAccountByAReplay()
    {
        AnnealingState state = AnnealingState.Replay(History([At(0, 0.1, 5), At(1, 0.2, 0, TrialState.Running), At(2, 0.3, 4)]), Settings(new SimulatedAnnealingTunerOptions { InitialTrials = 1 }));

        Assert.Equal(2, state.CurrentNumber);
        Assert.Equal(2, state.Processed);
    }

    [Fact]
    public void Advance_UphillMoves_AreAlwaysAcceptedWhenHotAndNeverWhenCold()
    {
        // After one initial trial the chain sees uphill moves of one standardized unit, alternating with downhill ones.
        TrialRecord[] trials = [.. Enumerable.Range(0, 60).Select(n => At(n, n / 60.0, n % 2 == 0 ? 0 : 1))];
        var hot = new SimulatedAnnealingTunerOptions { InitialTemperature = 1e9, FinalTemperature = 1e9, InitialTrials = 1, RestartPatience = 0 };
        var cold = new SimulatedAnnealingTunerOptions { InitialTemperature = 1e-9, FinalTemperature = 1e-9, InitialTrials = 1, RestartPatience = 0 };

        AnnealingState hotState = AnnealingState.Replay(History(trials), Settings(hot));
        AnnealingState coldState = AnnealingState.Replay(History(trials), Settings(cold));

        Assert.Equal(59, hotState.CurrentNumber); // it accepted the last, uphill, move
        Assert.Equal(58, coldState.CurrentNumber); // equal values are accepted, worse ones never: it ends on the last 0
    }

    [Fact]
    public void Advance_NoNewBestForThePatience_RestartsFromTheBest()
    {
        // Trial 1 is the best; the next ten are worse but accepted (hot); the tenth without a new best triggers a restart.
        TrialRecord[] trials = [At(0, 0.5, 3), At(1, 0.6, 0), .. Enumerable.Range(2, 10).Select(n => At(n, n / 20.0, n))];
        var options = new SimulatedAnnealingTunerOptions { InitialTemperature = 1e9, FinalTemperature = 1e9, InitialTrials = 1, RestartPatience = 10 };

        AnnealingState state = AnnealingState.Replay(History(trials), Settings(options));

        Assert.Equal(1, state.Restarts);
        Assert.Equal(1, state.CurrentNumber);
        Assert.Equal(0, state.SinceImprovement);
    }

    public sealed record Step(double X, double Value, TrialState State);

    public static class Arbitraries
    {
        public static Arbitrary<Step> Step() => (
                from x in Gen.Choose(0, 1000)
                from value in Gen.Choose(-50, 50)
                from state in Gen.Elements(TrialState.Complete, TrialState.Complete, TrialState.Complete, TrialState.Complete, TrialState.Failed, TrialState.Pruned, TrialState.Running)
                select new Step(x / 1000.0, value / 10.0, state))
            .ToArbitrary();
    }
}
