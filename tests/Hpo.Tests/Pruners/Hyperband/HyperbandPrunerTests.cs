using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.Pruners.Hyperband;
using Hpo.Trials;
using static Hpo.Tests.Pruners.Curves;

namespace Hpo.Tests.Pruners.Hyperband;

public sealed class HyperbandPrunerTests
{
    private const int Seed = 7;

    private static readonly double[] Weights27 = HyperbandPruner.CumulativeWeights(4, 3);

    private static HyperbandPruner Pruner(long? maxResource = 27, long minResource = 1, int reductionFactor = 3) =>
        new(new HyperbandPrunerOptions { MaxResource = maxResource, MinResource = minResource, ReductionFactor = reductionFactor });

    /// <summary>The first trial numbers (from <paramref name="from"/>) that fall in <paramref name="bracket"/> with the test seed and R = 27, r = 1, η = 3.</summary>
    private static int[] NumbersIn(int bracket, int count, int from = 0) =>
        [.. Enumerable.Range(from, 10_000).Where(n => HyperbandPruner.BracketOf(n, Seed, Weights27) == bracket).Take(count)];

    /// <summary>Complete trials with the given numbers whose value is <paramref name="value"/> at every step 1..27.</summary>
    private static TrialRecord[] Constant(int[] numbers, double value) =>
        [.. numbers.Select(n => Trial(n, TrialState.Complete, [.. Enumerable.Repeat(value, 27)]))];

    private static TrialRecord Ones(int number) => Trial(number, TrialState.Running, [.. Enumerable.Repeat(1.0, 27)]);

    [Fact]
    public void Name_AndSettings_DescribeTheOptions()
    {
        var pruner = Pruner(81, 3, 3);

        Assert.Equal("hyperband", pruner.Name);
        Assert.Equal("""{"MinResource":3,"MaxResource":81,"ReductionFactor":3}""", pruner.Settings);
    }

    [Theory]
    [InlineData(1, 27, 3, 4)] // rungs 1, 3, 9, 27
    [InlineData(1, 26, 3, 3)] // 27 > 26
    [InlineData(1, 30, 3, 4)]
    [InlineData(1, 1, 3, 1)]
    [InlineData(2, 16, 2, 4)] // 2, 4, 8, 16
    [InlineData(1, 100, 10, 3)]
    [InlineData(1, long.MaxValue, 2, 63)] // no overflow
    public void BracketCount_IsOnePlusTheLargestExponentThatFits(long minResource, long maxResource, int factor, int expected)
    {
        Assert.Equal(expected, HyperbandPruner.BracketCount(minResource, maxResource, factor));
    }

    [Fact]
    public void CumulativeWeights_AreHyperbandsConfigurationCounts()
    {
        // B = 4, η = 3: n_s = ⌈4·3^s/(s+1)⌉ = 27, 12, 6, 4 for s = 3, 2, 1, 0 (brackets e = 0..3).
        Assert.Equal([27.0, 39, 45, 49], HyperbandPruner.CumulativeWeights(4, 3));

        // B = 3, η = 2: ⌈3·4/3⌉ = 4, ⌈3·2/2⌉ = 3, ⌈3/1⌉ = 3.
        Assert.Equal([4.0, 7, 10], HyperbandPruner.CumulativeWeights(3, 2));
        Assert.Equal([1.0], HyperbandPruner.CumulativeWeights(1, 3));
    }

    [Fact]
    public void BracketOf_SameNumberAndSeed_IsTheSameBracket()
    {
        int[] first = [.. Enumerable.Range(0, 200).Select(n => HyperbandPruner.BracketOf(n, Seed, Weights27))];
        int[] again = [.. Enumerable.Range(0, 200).Select(n => HyperbandPruner.BracketOf(n, Seed, Weights27))];
        int[] otherSeed = [.. Enumerable.Range(0, 200).Select(n => HyperbandPruner.BracketOf(n, Seed + 1, Weights27))];

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void BracketOf_ManyTrials_FollowTheWeights()
    {
        const int N = 49_000;
        int[] counts = new int[4];
        for (int n = 0; n < N; n++)
        {
            counts[HyperbandPruner.BracketOf(n, Seed, Weights27)]++;
        }

        // Expected 27 000, 12 000, 6 000, 4 000; the binomial standard deviation is below 110.
        Assert.InRange(counts[0], 26_500, 27_500);
        Assert.InRange(counts[1], 11_600, 12_400);
        Assert.InRange(counts[2], 5_700, 6_300);
        Assert.InRange(counts[3], 3_750, 4_250);
    }

    [Theory]
    [InlineData(0, 1L)] // the most aggressive bracket judges at 1, 3 and 9
    [InlineData(1, 3L)] // then 3 and 9
    [InlineData(2, 9L)] // then 9 only
    [InlineData(3, null)] // the last bracket never prunes
    public void ShouldPrune_EachBracket_IsSuccessiveHalvingWithItsOwnEarlyStoppingRate(int bracket, long? expected)
    {
        // Five better trials of the same bracket: the asked trial is pruned at its bracket's first rung.
        int[] numbers = NumbersIn(bracket, 6);
        TrialRecord[] better = Constant(numbers[..5], 0.0);

        Assert.Equal(expected, FirstPrunedStep(Pruner(), Ones(numbers[5]), better, seed: Seed));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void ShouldPrune_TrialsOfOtherBrackets_DoNotCompete(int bracket)
    {
        // Every other trial is better, but none is in the asked trial's bracket: it is the first at each of its rungs.
        int asked = NumbersIn(bracket, 1)[0];
        TrialRecord[] others = Constant([.. Enumerable.Range(0, 4).Where(b => b != bracket).SelectMany(b => NumbersIn(b, 3))], 0.0);

        Assert.Null(FirstPrunedStep(Pruner(), Ones(asked), others, seed: Seed));
    }

    [Fact]
    public void ShouldPrune_WithinABracket_PromotesTheBestThird()
    {
        // Bracket 0, rung 1, six trials: the best two go on.
        int[] numbers = NumbersIn(0, 6);
        TrialRecord[] others = [.. numbers[..5].Select((n, i) => Trial(n, TrialState.Complete, i + 1.0))];
        TrialRecord asked(double v) => Trial(numbers[5], TrialState.Running, v);

        Assert.False(Pruner().ShouldPrune(Context(asked(1.5), others, seed: Seed)));
        Assert.True(Pruner().ShouldPrune(Context(asked(2.5), others, seed: Seed)));
    }

    [Fact]
    public void ShouldPrune_AnotherSeed_MovesTrialsBetweenBrackets()
    {
        // The same trial numbers and curves: under another seed the trials land in other brackets and decisions change.
        int[] numbers = NumbersIn(0, 6);
        TrialRecord[] better = Constant(numbers[..5], 0.0);

        int otherSeed = Enumerable.Range(100, 1000).First(s => HyperbandPruner.BracketOf(numbers[5], s, Weights27) == 3);

        Assert.Equal(1, FirstPrunedStep(Pruner(), Ones(numbers[5]), better, seed: Seed));
        Assert.Null(FirstPrunedStep(Pruner(), Ones(numbers[5]), better, seed: otherSeed));
    }

    [Fact]
    public void ShouldPrune_AutoMaxResource_WaitsForAFirstCompleteTrial()
    {
        int[] numbers = NumbersIn(0, 6);
        TrialRecord[] running = [.. Constant(numbers[..5], 0.0).Select(t => t with { State = TrialState.Running })];
        TrialRecord[] complete = Constant(numbers[..5], 0.0);

        Assert.Null(FirstPrunedStep(Pruner(maxResource: null), Ones(numbers[5]), running, seed: Seed));
        Assert.Equal(1, FirstPrunedStep(Pruner(maxResource: null), Ones(numbers[5]), complete, seed: Seed));
    }

    [Fact]
    public void ShouldPrune_AutoMaxResource_IsTheHighestStepOfACompleteTrial()
    {
        // Complete trials that ran 3 steps only: R = 3, two brackets (weights ⌈2·3/2⌉ = 3 and 2), and bracket 1 never prunes.
        double[] weights3 = HyperbandPruner.CumulativeWeights(2, 3);
        int[] bracket0 = [.. Enumerable.Range(0, 1000).Where(n => HyperbandPruner.BracketOf(n, Seed, weights3) == 0).Take(6)];
        int[] bracket1 = [.. Enumerable.Range(0, 1000).Where(n => HyperbandPruner.BracketOf(n, Seed, weights3) == 1).Take(6)];
        TrialRecord[] short0 = [.. bracket0[..5].Select(n => Trial(n, TrialState.Complete, 0, 0, 0))];
        TrialRecord[] short1 = [.. bracket1[..5].Select(n => Trial(n, TrialState.Complete, 0, 0, 0))];

        Assert.Equal(1, FirstPrunedStep(Pruner(maxResource: null), Trial(bracket0[5], TrialState.Running, 1, 1, 1), short0, seed: Seed));
        Assert.Null(FirstPrunedStep(Pruner(maxResource: null), Trial(bracket1[5], TrialState.Running, 1, 1, 1), short1, seed: Seed));
    }

    [Fact]
    public void ShouldPrune_MaxResourceBetweenPowers_StopsRungsBelowTheTopRung()
    {
        // R = 30: four brackets as with 27; the top rung is 27, so bracket 3 (first rung 27) still never prunes.
        int[] numbers = NumbersIn(3, 6);
        TrialRecord[] better = [.. numbers[..5].Select(n => Trial(n, TrialState.Complete, [.. Enumerable.Repeat(0.0, 30)]))];

        Assert.Null(FirstPrunedStep(Pruner(maxResource: 30), Trial(numbers[5], TrialState.Running, [.. Enumerable.Repeat(1.0, 30)]), better, seed: Seed));
    }

    [Fact]
    public void ShouldPrune_NaNAtTheFirstRungOfItsBracket_IsPruned()
    {
        int asked = NumbersIn(1, 1)[0];

        Assert.Null(FirstPrunedStep(Pruner(), Trial(asked, TrialState.Running, double.NaN, double.NaN), [], seed: Seed));
        Assert.Equal(3, FirstPrunedStep(Pruner(), Trial(asked, TrialState.Running, double.NaN, double.NaN, double.NaN), [], seed: Seed));
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public bool ShouldPrune_AnyStudy_NeverPrunesBeforeMinResourceAndOnlyAtRungs(GeneratedStudy study, byte minResource, bool autoMax)
    {
        long r = 1 + (minResource % 5);
        var pruner = Pruner(autoMax ? null : 27, r, 3);

        long? pruned = FirstPrunedStep(pruner, Trial(study.AskedNumber, TrialState.Running, study.Asked), study.Others, study.Direction, study.Seed);

        return pruned is null || (pruned >= r && (pruned == r || pruned == 3 * r || pruned == 9 * r || pruned == 27 * r));
    }

    public static class Arbitraries
    {
        public static Arbitrary<GeneratedStudy> Studies() => Arb.From(Curves.Studies());
    }
}
