using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.Pruners;
using Hpo.Pruners.SuccessiveHalving;
using Hpo.Studies;
using Hpo.Trials;
using static Hpo.Tests.Pruners.Curves;

namespace Hpo.Tests.Pruners.SuccessiveHalving;

public sealed class SuccessiveHalvingPrunerTests
{
    private static SuccessiveHalvingPruner Pruner(int reductionFactor = 3, long minResource = 1, int rate = 0, long? maxResource = null) =>
        new(new SuccessiveHalvingPrunerOptions { ReductionFactor = reductionFactor, MinResource = minResource, MinEarlyStoppingRate = rate, MaxResource = maxResource });

    private static bool Ask(IPruner pruner, IEnumerable<TrialRecord> others, StudyDirection direction, params double[] curve) =>
        pruner.ShouldPrune(Context(Trial(99, TrialState.Running, curve), others, direction));

    /// <summary>
    /// Runs trials one after another, each with a constant curve over steps 1..steps, asking after every report; a pruned
    /// trial is recorded with the values it reported. Returns the step at which each trial was pruned (null: complete).
    /// </summary>
    private static long?[] Walk(IPruner pruner, double[] qualities, int steps, StudyDirection direction = StudyDirection.Minimize, int seed = 0)
    {
        var history = new List<TrialRecord>();
        var result = new long?[qualities.Length];
        for (int i = 0; i < qualities.Length; i++)
        {
            double[] curve = [.. Enumerable.Repeat(qualities[i], steps)];
            result[i] = FirstPrunedStep(pruner, Trial(i, TrialState.Running, curve), history, direction, seed);
            history.Add(result[i] is long at ? Trial(i, TrialState.Pruned, curve[..(int)at]) : Trial(i, TrialState.Complete, curve));
        }

        return result;
    }

    [Fact]
    public void Name_AndSettings_DescribeTheOptions()
    {
        var pruner = Pruner(reductionFactor: 4, minResource: 2, rate: 1, maxResource: 64);

        Assert.Equal("asha", pruner.Name);
        Assert.Equal("""{"MinResource":2,"ReductionFactor":4,"MinEarlyStoppingRate":1,"MaxResource":64}""", pruner.Settings);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Pruner(reductionFactor: 1));

        Assert.StartsWith("The 'SuccessiveHalvingPrunerOptions' are invalid.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShouldPrune_NothingReported_ReturnsFalse()
    {
        Assert.False(Pruner().ShouldPrune(Context(Trial(99, TrialState.Running), Flat(3, 1, 2, 3))));
    }

    [Theory]
    [InlineData(1.5, false)] // 6 trials at rung 1 (step 1), η = 3: the best 2 go on; only 1.0 is better
    [InlineData(2.0, false)] // a tie with 2.0 is not "better": still within the best 2
    [InlineData(2.5, true)] // 1.0 and 2.0 are better
    public void ShouldPrune_Factor3_PromotesTheBestThirdOfTheRung(double value, bool expected)
    {
        Assert.Equal(expected, Ask(Pruner(), Flat(1, 1, 2, 3, 4, 5), StudyDirection.Minimize, value));
    }

    [Theory]
    [InlineData(2.5, false)] // 6 trials at rung 1, η = 2: the best 3 go on; 1.0 and 2.0 are better
    [InlineData(3.5, true)] // 1.0, 2.0 and 3.0 are better
    public void ShouldPrune_Factor2_PromotesTheBestHalfOfTheRung(double value, bool expected)
    {
        Assert.Equal(expected, Ask(Pruner(reductionFactor: 2), Flat(1, 1, 2, 3, 4, 5), StudyDirection.Minimize, value));
    }

    [Theory]
    [InlineData(4.5, false)]
    [InlineData(3.5, true)]
    public void ShouldPrune_Maximize_PromotesTheHighestValues(double value, bool expected)
    {
        Assert.Equal(expected, Ask(Pruner(), Flat(1, 1, 2, 3, 4, 5), StudyDirection.Maximize, value));
    }

    [Fact]
    public void ShouldPrune_FirstTrialAtARung_IsPromoted()
    {
        Assert.False(Ask(Pruner(), [], StudyDirection.Minimize, 1e9));
    }

    [Fact]
    public void ShouldPrune_FewerThanFactorTrialsAtARung_PromotesOnlyTheBest()
    {
        // Two trials at the rung, η = 3: max(1, ⌊2/3⌋) = 1 goes on.
        Assert.True(Ask(Pruner(), Flat(1, 1.0), StudyDirection.Minimize, 2.0));
        Assert.False(Ask(Pruner(), Flat(1, 1.0), StudyDirection.Minimize, 0.5));
    }

    [Fact]
    public void ShouldPrune_Rungs_AreAtMinResourceTimesFactorPowers()
    {
        // η = 3, r = 1: rungs at steps 1, 3, 9, 27. Every other trial is better, so the asked trial is pruned at the first rung
        // it is judged at — and never between rungs.
        TrialRecord[] better = Flat(30, 0);

        Assert.Equal(1, FirstPrunedStep(Pruner(), Trial(99, TrialState.Running, 1, 1, 1), better));
        Assert.Equal(3, FirstPrunedStep(Pruner(rate: 1), Trial(99, TrialState.Running, 1, 1, 1), better));
        Assert.Equal(9, FirstPrunedStep(Pruner(rate: 2), Trial(99, TrialState.Running, [.. Enumerable.Repeat(1.0, 12)]), better));
        Assert.Equal(2, FirstPrunedStep(Pruner(reductionFactor: 2, minResource: 2), Trial(99, TrialState.Running, 1, 1, 1), better));
        Assert.Equal(8, FirstPrunedStep(Pruner(reductionFactor: 2, minResource: 2, rate: 2), Trial(99, TrialState.Running, [.. Enumerable.Repeat(1.0, 9)]), better));
    }

    [Fact]
    public void ShouldPrune_BetweenRungs_ReturnsFalseEvenForAWorseningTrial()
    {
        // Promoted at rung 1 with 1.5; steps 2 (no rung) is terrible but not judged; rung 3 is judged with its own value.
        TrialRecord[] others = Flat(3, 1, 2, 3, 4, 5);

        Assert.False(Ask(Pruner(), others, StudyDirection.Minimize, 1.5));
        Assert.False(Ask(Pruner(), others, StudyDirection.Minimize, 1.5, 100));
        Assert.True(Ask(Pruner(), others, StudyDirection.Minimize, 1.5, 100, 100));
    }

    [Fact]
    public void ShouldPrune_ARungIsJudgedOnce_LaterCompetitorsDoNotReverseAPromotion()
    {
        // At step 1 the asked trial (3.0) was the only one: promoted. At step 2 ten better trials have reached rung 1, but rung
        // 1 is not judged again.
        TrialRecord[] later = Flat(2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);

        Assert.False(Ask(Pruner(), [], StudyDirection.Minimize, 3.0));
        Assert.False(Ask(Pruner(), later, StudyDirection.Minimize, 3.0, 3.0));
    }

    [Fact]
    public void ShouldPrune_AtRung3_ComparesValuesAtStep3OfTheTrialsThatReachedIt()
    {
        // Rung 3: competitors 1..5 at step 3 (their step-1 values are all 10, worse than the asked trial's).
        TrialRecord[] others = [.. Enumerable.Range(0, 5).Select(i => Trial(i, TrialState.Complete, 10, 10, i + 1))];

        Assert.Equal(3, FirstPrunedStep(Pruner(), Trial(99, TrialState.Running, 0.5, 0.5, 3.5), others));
        Assert.Null(FirstPrunedStep(Pruner(), Trial(99, TrialState.Running, 0.5, 0.5, 1.5), others));
    }

    [Fact]
    public void ShouldPrune_TrialsThatStoppedBeforeTheRung_DoNotCompete()
    {
        // Five better trials stopped at step 2 (pruned), before rung 3: the asked trial is the first at rung 3.
        TrialRecord[] stopped = [.. Enumerable.Range(0, 5).Select(i => Trial(i, TrialState.Pruned, 0, 0))];

        Assert.False(Ask(Pruner(), stopped, StudyDirection.Minimize, 0, 0, 5));
    }

    [Theory]
    [InlineData(TrialState.Running)]
    [InlineData(TrialState.Pruned)]
    [InlineData(TrialState.Complete)]
    public void ShouldPrune_CompetitorsInAnyState_CountWithTheirRungValue(TrialState state)
    {
        // Reports of trials still running on other workers count as soon as they are stored.
        TrialRecord[] others = [.. Enumerable.Range(0, 5).Select(i => Trial(i, state, i + 1.0))];

        Assert.True(Ask(Pruner(), others, StudyDirection.Minimize, 2.5));
    }

    [Fact]
    public void ShouldPrune_CompetitorWithoutAReportAtTheRungStep_CountsWithItsNextReport()
    {
        // Competitors reported at steps 2 and 4 only: their rung-3 value is the one at step 4.
        TrialRecord[] others = [.. Enumerable.Range(0, 5).Select(i => AtSteps(i, TrialState.Complete, (2, 100), (4, i + 1.0)))];

        Assert.True(Ask(Pruner(), others, StudyDirection.Minimize, 0, 0, 2.5));
        Assert.False(Ask(Pruner(), others, StudyDirection.Minimize, 0, 0, 1.5));
    }

    [Fact]
    public void ShouldPrune_AReportJumpingOverRungs_IsJudgedAtEachOfThem()
    {
        // The asked trial reports step 1, then step 10: rungs 3 and 9 are crossed by that report. At rung 3 the others' values
        // (step 3) are 5..9, worse than 4.0; at rung 9 they are 1..5, better.
        TrialRecord[] others = [.. Enumerable.Range(0, 5).Select(i => AtSteps(i, TrialState.Complete, (1, 10), (3, 5.0 + i), (9, 1.0 + i)))];

        Assert.True(Pruner().ShouldPrune(Context(AtSteps(99, TrialState.Running, (1, 0), (10, 4.0)), others)));
        Assert.False(Pruner(maxResource: 9).ShouldPrune(Context(AtSteps(99, TrialState.Running, (1, 0), (10, 4.0)), others)));
    }

    [Fact]
    public void ShouldPrune_MaxResource_IsNeverJudged()
    {
        // With MaxResource 9, rung 9 is the end of a trial: reaching it completes the trial, whatever the others did.
        TrialRecord[] better = Flat(9, 0, 0, 0, 0, 0);
        double[] curve = [0, 0, 0, 0, 0, 0, 0, 0, 1];

        Assert.Null(FirstPrunedStep(Pruner(maxResource: 9), Trial(99, TrialState.Running, curve), better));
        Assert.Equal(9, FirstPrunedStep(Pruner(), Trial(99, TrialState.Running, curve), better));
    }

    [Fact]
    public void ShouldPrune_NaNAtARung_IsPruned()
    {
        Assert.True(Ask(Pruner(), [], StudyDirection.Minimize, double.NaN));
        Assert.True(Ask(Pruner(), [], StudyDirection.Maximize, double.NaN));
    }

    [Fact]
    public void ShouldPrune_NaNBetweenRungs_IsNotJudged()
    {
        Assert.False(Ask(Pruner(), [], StudyDirection.Minimize, 1.0, double.NaN));
    }

    [Fact]
    public void ShouldPrune_NaNCompetitors_AreWorseThanAnyNumber()
    {
        // Six trials at rung 1: NaN ×4, 1.0 and the asked 2.0: only 1.0 is better, and the best 2 go on.
        TrialRecord[] others = Flat(1, double.NaN, double.NaN, double.NaN, double.NaN, 1.0);

        Assert.False(Ask(Pruner(), others, StudyDirection.Minimize, 2.0));
        Assert.False(Ask(Pruner(), others, StudyDirection.Maximize, -2.0));
    }

    [Fact]
    public void ShouldPrune_SequentialStudyFactor3_PrunesAsComputedByHand()
    {
        // Constant curves over 27 steps; rungs 1, 3, 9 (27 is the end). Trial 5 (2.0) is promoted at rung 1 (only 1.0 is better
        // among 6, the best 2 go on) and pruned at rung 3 (1.0 is better among 4, the best 1 goes on).
        long?[] pruned = Walk(Pruner(maxResource: 27), [5, 3, 8, 1, 9, 2, 7, 4, 6], 27);

        Assert.Equal([null, null, 1, null, 1, 3, 1, 1, 1], pruned);
    }

    [Fact]
    public void ShouldPrune_SequentialStudyFactor2_PrunesAsComputedByHand()
    {
        // Rungs 1, 2, 4, 8, 16. Trial 5 (2.0) survives every rung; trial 7 (4.0) passes rung 1 (3 better of 8, the best 4 go on)
        // and is pruned at rung 2 (3 better of 5, the best 2 go on).
        long?[] pruned = Walk(Pruner(reductionFactor: 2, maxResource: 27), [5, 3, 8, 1, 9, 2, 7, 4, 6], 27);

        Assert.Equal([null, null, 1, null, 1, null, 1, 2, 1], pruned);
    }

    [Fact]
    public void ShouldPrune_SequentialStudyMaximizing_MirrorsMinimizing()
    {
        // Negated values, maximized, give the minimizing walk; the same values maximized favour the high ones: trial 6 (7.0)
        // has 8 and 9 above it among 7 at rung 1, where the best 2 go on.
        Assert.Equal([null, null, 1, null, 1, 3, 1, 1, 1], Walk(Pruner(maxResource: 27), [-5, -3, -8, -1, -9, -2, -7, -4, -6], 27, StudyDirection.Maximize));
        Assert.Equal([null, 1, null, 1, null, 1, 1, 1, 1], Walk(Pruner(maxResource: 27), [5, 3, 8, 1, 9, 2, 7, 4, 6], 27, StudyDirection.Maximize));
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public bool ShouldPrune_AnyStudy_NeverPrunesBeforeTheFirstRung(GeneratedStudy study, byte minResource, byte factor, byte rate)
    {
        long r = 1 + (minResource % 6);
        int eta = 2 + (factor % 3);
        int s = rate % 3;
        long firstRung = r * (long)Math.Pow(eta, s);

        long? pruned = FirstPrunedStep(Pruner(eta, r, s), Trial(study.AskedNumber, TrialState.Running, study.Asked), study.Others, study.Direction);

        return pruned is null || (pruned >= firstRung && pruned >= r);
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public bool ShouldPrune_AnyStudy_PrunesOnlyAtReportsThatReachARung(GeneratedStudy study)
    {
        // η = 3, r = 1: a trial that reports every step can only be pruned at steps 1, 3, 9, 27.
        long? pruned = FirstPrunedStep(Pruner(), Trial(study.AskedNumber, TrialState.Running, study.Asked), study.Others, study.Direction);

        return pruned is null or 1 or 3 or 9 or 27;
    }

    public static class Arbitraries
    {
        public static Arbitrary<GeneratedStudy> Studies() => Arb.From(Curves.Studies());
    }
}
