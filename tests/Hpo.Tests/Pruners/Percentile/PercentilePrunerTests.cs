using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.Pruners;
using Hpo.Pruners.Percentile;
using Hpo.Studies;
using Hpo.Trials;
using static Hpo.Tests.Pruners.Curves;

namespace Hpo.Tests.Pruners.Percentile;

public sealed class PercentilePrunerTests
{
    /// <summary>Five complete trials whose values at steps 1..5 are 1, 2, 3, 4 and 5.</summary>
    private static readonly TrialRecord[] FiveComplete = Flat(5, 1, 2, 3, 4, 5);

    private static PercentilePruner Pruner(double percentile, int startup = 0, long warmup = 0, long interval = 1, int minReferences = 1, bool bestSoFar = true) =>
        new(new PercentilePrunerOptions { Percentile = percentile, StartupTrials = startup, WarmupSteps = warmup, Interval = interval, MinReferenceTrials = minReferences, CompareBestSoFar = bestSoFar });

    private static bool Ask(IPruner pruner, IEnumerable<TrialRecord> others, StudyDirection direction, params double[] curve) =>
        pruner.ShouldPrune(Context(Trial(99, TrialState.Running, curve), others, direction));

    [Fact]
    public void Name_AndSettings_DescribeTheOptions()
    {
        var pruner = Pruner(10, startup: 2, warmup: 3, interval: 4, minReferences: 5, bestSoFar: false);

        Assert.Equal("percentile", pruner.Name);
        Assert.Equal("""{"Percentile":10,"StartupTrials":2,"WarmupSteps":3,"Interval":4,"MinReferenceTrials":5,"CompareBestSoFar":false}""", pruner.Settings);
    }

    [Theory]
    [InlineData(2.01, true)] // the 25th percentile of 1..5 is 2
    [InlineData(2.0, false)]
    [InlineData(1.5, false)]
    public void ShouldPrune_Minimize_KeepsTheBestQuarter(double value, bool expected)
    {
        Assert.Equal(expected, Ask(Pruner(25), FiveComplete, StudyDirection.Minimize, value));
    }

    [Theory]
    [InlineData(3.99, true)] // maximizing, the best quarter is above the 75th percentile, 4
    [InlineData(4.0, false)]
    [InlineData(4.5, false)]
    public void ShouldPrune_Maximize_KeepsTheBestQuarter(double value, bool expected)
    {
        Assert.Equal(expected, Ask(Pruner(25), FiveComplete, StudyDirection.Maximize, value));
    }

    [Theory]
    [InlineData(25, 1.76, true)] // references 1, 2, 3, 4: rank (4 − 1)·0.25 = 0.75 → 1 + 0.75·(2 − 1) = 1.75
    [InlineData(25, 1.75, false)]
    [InlineData(10, 1.31, true)] // rank 0.3 → 1.3
    [InlineData(10, 1.29, false)]
    [InlineData(90, 3.71, true)] // rank 2.7 → 3.7
    [InlineData(90, 3.69, false)]
    public void ShouldPrune_BetweenRanks_InterpolatesLinearly(double percentile, double value, bool expected)
    {
        Assert.Equal(expected, Ask(Pruner(percentile), Flat(1, 4, 2, 3, 1), StudyDirection.Minimize, value));
    }

    [Fact]
    public void ShouldPrune_Percentile0_PrunesAllButValuesAsGoodAsTheBestReference()
    {
        Assert.True(Ask(Pruner(0), FiveComplete, StudyDirection.Minimize, 1.01));
        Assert.False(Ask(Pruner(0), FiveComplete, StudyDirection.Minimize, 1.0));
        Assert.True(Ask(Pruner(0), FiveComplete, StudyDirection.Maximize, 4.99));
        Assert.False(Ask(Pruner(0), FiveComplete, StudyDirection.Maximize, 5.0));
    }

    [Fact]
    public void ShouldPrune_Percentile100_PrunesOnlyValuesWorseThanTheWorstReference()
    {
        Assert.True(Ask(Pruner(100), FiveComplete, StudyDirection.Minimize, 5.01));
        Assert.False(Ask(Pruner(100), FiveComplete, StudyDirection.Minimize, 5.0));
        Assert.True(Ask(Pruner(100), FiveComplete, StudyDirection.Maximize, 0.99));
        Assert.False(Ask(Pruner(100), FiveComplete, StudyDirection.Maximize, 1.0));
    }

    [Fact]
    public void ShouldPrune_WarmupStartupAndInterval_GateTheCheck()
    {
        TrialRecord[] references = Flat(6, 1, 2, 3, 4, 5);

        Assert.Equal(4, FirstPrunedStep(Pruner(25, warmup: 4), Trial(99, TrialState.Running, 9, 9, 9, 9, 9), references));
        // Warm-up 2, interval 3: steps 2 and 5 are checked; step 2 is good, steps 3 and 4 are bad but not checked.
        Assert.Equal(5, FirstPrunedStep(Pruner(25, warmup: 2, interval: 3, bestSoFar: false), Trial(99, TrialState.Running, 9, 1.5, 9, 9, 9, 9), references));
        Assert.Null(FirstPrunedStep(Pruner(25, startup: 6), Trial(99, TrialState.Running, 9, 9, 9), references));
    }

    [Fact]
    public void ShouldPrune_NaN_PrunesAfterWarmupOnly()
    {
        Assert.True(Ask(Pruner(25), FiveComplete, StudyDirection.Minimize, double.NaN));
        Assert.False(Ask(Pruner(25, warmup: 2), FiveComplete, StudyDirection.Minimize, double.NaN));
    }

    [Fact]
    public void ShouldPrune_BestSoFar_ProtectsAnEarlierGoodValue()
    {
        Assert.False(Ask(Pruner(25, bestSoFar: true), FiveComplete, StudyDirection.Minimize, 1.0, 4.0));
        Assert.True(Ask(Pruner(25, bestSoFar: false), FiveComplete, StudyDirection.Minimize, 1.0, 4.0));
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public bool ShouldPrune_AnyStudyBeforeWarmup_NeverPrunes(GeneratedStudy study, PositiveInt warmup, byte percentile)
    {
        var pruner = Pruner(percentile % 101, warmup: warmup.Get);

        long? pruned = FirstPrunedStep(pruner, Trial(study.AskedNumber, TrialState.Running, study.Asked), study.Others, study.Direction);

        return pruned is null || pruned >= warmup.Get;
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(Arbitraries)])]
    public bool ShouldPrune_AnyStudy_AHigherPercentilePrunesNoMore(GeneratedStudy study, byte a, byte b)
    {
        // Keeping a larger share of the references can only spare more trials.
        double low = Math.Min(a % 101, b % 101);
        double high = Math.Max(a % 101, b % 101);
        PruningContext context = Context(Trial(study.AskedNumber, TrialState.Running, study.Asked), study.Others, study.Direction);

        return !Pruner(high).ShouldPrune(context) || Pruner(low).ShouldPrune(context);
    }

    public static class Arbitraries
    {
        public static Arbitrary<GeneratedStudy> Studies() => Arb.From(Curves.Studies());
    }
}
