using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.Pruners;
using Hpo.Pruners.Median;
using Hpo.Pruners.Percentile;
using Hpo.Studies;
using Hpo.Trials;
using static Hpo.Tests.Pruners.Curves;

namespace Hpo.Tests.Pruners.Median;

public sealed class MedianPrunerTests
{
    /// <summary>Five complete trials whose values at every step 1..5 are 1, 2, 3, 4 and 5: the median at each step is 3.</summary>
    private static readonly TrialRecord[] FiveComplete = Flat(5, 1, 2, 3, 4, 5);

    private static MedianPruner Pruner(int startup = 0, long warmup = 0, long interval = 1, int minReferences = 1, bool bestSoFar = true) =>
        new(new MedianPrunerOptions { StartupTrials = startup, WarmupSteps = warmup, Interval = interval, MinReferenceTrials = minReferences, CompareBestSoFar = bestSoFar });

    private static bool Ask(IPruner pruner, IEnumerable<TrialRecord> others, StudyDirection direction, params double[] curve) =>
        pruner.ShouldPrune(Context(Trial(99, TrialState.Running, curve), others, direction));

    [Fact]
    public void Name_AndSettings_DescribeTheOptions()
    {
        var pruner = Pruner(startup: 2, warmup: 3, interval: 4, minReferences: 5, bestSoFar: false);

        Assert.Equal("median", pruner.Name);
        Assert.Equal("""{"StartupTrials":2,"WarmupSteps":3,"Interval":4,"MinReferenceTrials":5,"CompareBestSoFar":false}""", pruner.Settings);
    }

    [Fact]
    public void Constructor_OptionsChangedAfterwards_KeepsTheValuesItWasBuiltWith()
    {
        var options = new MedianPrunerOptions { WarmupSteps = 2 };
        var pruner = new MedianPruner(options);

        options.WarmupSteps = 100;

        Assert.Contains("\"WarmupSteps\":2", pruner.Settings, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new MedianPruner(new MedianPrunerOptions { Interval = 0 }));

        Assert.StartsWith("The 'MedianPrunerOptions' are invalid.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShouldPrune_NothingReported_ReturnsFalse()
    {
        Assert.False(Pruner().ShouldPrune(Context(Trial(99, TrialState.Running), FiveComplete)));
    }

    [Theory]
    [InlineData(3.5, true)] // worse than the median 3
    [InlineData(3.0, false)] // equal: only strictly worse is pruned
    [InlineData(2.5, false)]
    public void ShouldPrune_Minimize_PrunesStrictlyWorseThanTheMedian(double value, bool expected)
    {
        Assert.Equal(expected, Ask(Pruner(), FiveComplete, StudyDirection.Minimize, 9, 9, value));
    }

    [Theory]
    [InlineData(2.5, true)] // lower is worse when maximizing
    [InlineData(3.0, false)]
    [InlineData(3.5, false)]
    public void ShouldPrune_Maximize_PrunesStrictlyWorseThanTheMedian(double value, bool expected)
    {
        Assert.Equal(expected, Ask(Pruner(), FiveComplete, StudyDirection.Maximize, -9, -9, value));
    }

    [Theory]
    [InlineData(2.6, true)]
    [InlineData(2.4, false)]
    public void ShouldPrune_EvenNumberOfReferences_UsesTheMeanOfTheMiddleTwo(double value, bool expected)
    {
        // References 1, 2, 3, 4: the median is 2.5.
        Assert.Equal(expected, Ask(Pruner(), Flat(3, 1, 2, 3, 4), StudyDirection.Minimize, value));
    }

    [Fact]
    public void ShouldPrune_BestSoFarIsGood_DoesNotPruneAWorseCurrentValue()
    {
        // Step 1: 1.0 (better than the median 3); step 2: 9.0 (worse).
        Assert.False(Ask(Pruner(bestSoFar: true), FiveComplete, StudyDirection.Minimize, 1.0, 9.0));
        Assert.True(Ask(Pruner(bestSoFar: false), FiveComplete, StudyDirection.Minimize, 1.0, 9.0));
    }

    [Fact]
    public void ShouldPrune_BestSoFarWhenMaximizing_IsTheHighestValue()
    {
        Assert.False(Ask(Pruner(bestSoFar: true), FiveComplete, StudyDirection.Maximize, 5.0, 0.0));
        Assert.True(Ask(Pruner(bestSoFar: false), FiveComplete, StudyDirection.Maximize, 5.0, 0.0));
    }

    [Fact]
    public void ShouldPrune_ComparesWithValuesAtTheSameStep()
    {
        // The references improve with the steps: their medians are 10, 9 and 8 at steps 1, 2 and 3. The asked curve stays at
        // 8.5: better than the median at steps 1 and 2, worse at step 3.
        TrialRecord[] improving = [.. Enumerable.Range(0, 5).Select(i => Trial(i, TrialState.Complete, 8 + i, 7 + i, 6 + i))];

        Assert.False(Ask(Pruner(bestSoFar: false), improving, StudyDirection.Minimize, 8.5));
        Assert.False(Ask(Pruner(bestSoFar: false), improving, StudyDirection.Minimize, 8.5, 8.5));
        Assert.True(Ask(Pruner(bestSoFar: false), improving, StudyDirection.Minimize, 8.5, 8.5, 8.5));
    }

    [Fact]
    public void ShouldPrune_BeforeWarmupSteps_ReturnsFalse()
    {
        var pruner = Pruner(warmup: 3);

        Assert.Equal(3, FirstPrunedStep(pruner, Trial(99, TrialState.Running, 9, 9, 9, 9), FiveComplete));
    }

    [Fact]
    public void ShouldPrune_BeforeStartupTrials_ReturnsFalse()
    {
        var pruner = Pruner(startup: 5);

        Assert.False(Ask(pruner, FiveComplete[..4], StudyDirection.Minimize, 9));
        Assert.True(Ask(pruner, FiveComplete, StudyDirection.Minimize, 9));
    }

    [Theory]
    [InlineData(TrialState.Running)]
    [InlineData(TrialState.Pruned)]
    [InlineData(TrialState.Failed)]
    public void ShouldPrune_UnfinishedOrPrunedTrials_AreNeitherStartupTrialsNorReferences(TrialState state)
    {
        TrialRecord[] others = [.. FiveComplete[..1], .. Enumerable.Range(1, 6).Select(i => Trial(i, state, 0, 0, 0))];

        // StartupTrials 2 is not reached with one complete trial, whatever the others reported.
        Assert.False(Ask(Pruner(startup: 2), others, StudyDirection.Minimize, 0.5));

        // With no startup limit, the one complete trial (value 1) is the only reference: 0.5 is better than it.
        Assert.False(Ask(Pruner(), others, StudyDirection.Minimize, 0.5));
        Assert.True(Ask(Pruner(), others, StudyDirection.Minimize, 1.5));
    }

    [Fact]
    public void ShouldPrune_AtIntervalSteps_ChecksOnlyThere()
    {
        // Warm-up 1, interval 3: steps 1, 4, 7 are checked.
        var pruner = Pruner(warmup: 1, interval: 3);
        TrialRecord[] references = Flat(7, 1, 2, 3, 4, 5);

        bool[] decisions = [.. Enumerable.Range(1, 7).Select(n => Ask(pruner, references, StudyDirection.Minimize, [.. Enumerable.Repeat(9.0, n)]))];

        Assert.Equal([true, false, false, true, false, false, true], decisions);
    }

    [Fact]
    public void ShouldPrune_NaNAfterWarmup_PrunesAsDiverged()
    {
        Assert.True(Ask(Pruner(), FiveComplete, StudyDirection.Minimize, 1.0, double.NaN));
        Assert.True(Ask(Pruner(), FiveComplete, StudyDirection.Maximize, 5.0, double.NaN));
    }

    [Fact]
    public void ShouldPrune_NaNDuringWarmupOrBeforeStartup_ReturnsFalse()
    {
        Assert.False(Ask(Pruner(warmup: 3), FiveComplete, StudyDirection.Minimize, double.NaN, double.NaN));
        Assert.False(Ask(Pruner(startup: 6), FiveComplete, StudyDirection.Minimize, double.NaN));
    }

    [Fact]
    public void ShouldPrune_NaNReferenceValues_AreLeftOut()
    {
        // References at step 1: NaN, NaN, 1, 2, 3 → median of 1, 2, 3 is 2 (with the NaNs as worst it would be 3).
        TrialRecord[] references = [.. Flat(1, double.NaN, double.NaN, 1, 2, 3)];

        Assert.True(Ask(Pruner(), references, StudyDirection.Minimize, 2.5));
        Assert.False(Ask(Pruner(), references, StudyDirection.Minimize, 1.5));
    }

    [Fact]
    public void ShouldPrune_NaNEarlierInTheCurve_IsIgnoredByBestSoFar()
    {
        Assert.False(Ask(Pruner(), FiveComplete, StudyDirection.Minimize, double.NaN, 2.0));
        Assert.True(Ask(Pruner(), FiveComplete, StudyDirection.Minimize, double.NaN, 4.0));
    }

    [Fact]
    public void ShouldPrune_FewerReferencesAtTheStepThanTheMinimum_ReturnsFalse()
    {
        // Five complete trials, but only two of them reported at step 3.
        TrialRecord[] others = [.. Flat(2, 1, 2, 3), .. Flat(3, 1, 2).Select(t => t with { Id = t.Id + 3, Number = t.Number + 3 })];

        Assert.False(Ask(Pruner(minReferences: 3), others, StudyDirection.Minimize, 9, 9, 9));
        Assert.True(Ask(Pruner(minReferences: 2), others, StudyDirection.Minimize, 9, 9, 9));
    }

    [Fact]
    public void ShouldPrune_NoReferenceReportedAtTheStep_ReturnsFalse()
    {
        // The complete trials report at steps 1..5 only; a trial at step 6 has nothing to compare with.
        Assert.False(Ask(Pruner(), FiveComplete, StudyDirection.Minimize, 9, 9, 9, 9, 9, 9));
    }

    [Fact]
    public void ShouldPrune_TheAskedTrialAmongTheTrials_IsNotItsOwnReference()
    {
        // Three other complete trials (1, 2, 4) and the asked one, listed as complete too: counted, it would make the fourth
        // startup trial.
        TrialRecord asked = Trial(3, TrialState.Complete, 5.0);
        var context = new PruningContext(asked, [.. Flat(1, 1, 2, 4), asked], [StudyDirection.Minimize]);

        Assert.False(Pruner(startup: 4).ShouldPrune(context));
        Assert.True(Pruner(startup: 3).ShouldPrune(context));
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public bool ShouldPrune_AnyStudyBeforeWarmup_NeverPrunes(GeneratedStudy study, PositiveInt warmup)
    {
        var pruner = Pruner(warmup: warmup.Get);
        var asked = Trial(study.AskedNumber, TrialState.Running, study.Asked);

        long? pruned = FirstPrunedStep(pruner, asked, study.Others, study.Direction);

        return pruned is null || pruned >= warmup.Get;
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public bool ShouldPrune_AnyStudy_DecidesAsThePercentilePrunerAt50(GeneratedStudy study, bool bestSoFar)
    {
        var median = Pruner(bestSoFar: bestSoFar);
        var percentile = new PercentilePruner(new PercentilePrunerOptions { Percentile = 50, StartupTrials = 0, CompareBestSoFar = bestSoFar });
        PruningContext context = Context(Trial(study.AskedNumber, TrialState.Running, study.Asked), study.Others, study.Direction);

        return median.ShouldPrune(context) == percentile.ShouldPrune(context);
    }

    public static class Arbitraries
    {
        public static Arbitrary<GeneratedStudy> Studies() => Arb.From(Curves.Studies());
    }
}
