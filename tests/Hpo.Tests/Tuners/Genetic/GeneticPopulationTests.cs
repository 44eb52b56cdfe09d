using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.SearchSpaces;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Tuners.Genetic;
using static Hpo.Tests.Tuners.TunerKit;

namespace Hpo.Tests.Tuners.Genetic;

public class GeneticPopulationTests
{
    private static readonly SearchSpace Space = new SearchSpaceBuilder().AddFloat("x", 0, 1).Build();

    private static EncodedHistory History(IReadOnlyList<TrialRecord> trials, StudyDirection direction = StudyDirection.Minimize) =>
        EncodedHistory.From(Context(Space, trials, trials.Count, seed: 1, direction: direction));

    [Property(MaxTest = 100, Arbitrary = [typeof(Arbitraries)])]
    public void FromHistory_AnyFinishingOrder_EqualsThePopulationReachedIncrementally(Outcome[] outcomes, int shuffleSeed, byte size)
    {
        int populationSize = 1 + (size % 12);
        TrialRecord[] trials = [.. outcomes.Select((o, n) => Record(n, new Dictionary<string, object> { ["x"] = o.X }, o.State, o.Value))];

        // Workers finish in any order: offer the trials to a steady-state population one by one in a shuffled order.
        EncodedHistory history = History(trials);
        var incremental = new GeneticPopulation(populationSize);
        foreach (EncodedTrial t in history.Trials.ToArray().Shuffled(shuffleSeed))
        {
            incremental.Add(t);
        }

        GeneticPopulation rebuilt = GeneticPopulation.FromHistory(history, populationSize);
        int[] expected = [.. trials.Where(t => t.State == TrialState.Complete).OrderBy(t => t.Value).ThenBy(t => t.Number).Take(populationSize).Select(t => t.Number)];

        Assert.Equal(expected, rebuilt.Members.Select(m => m.Number));
        Assert.Equal(expected, incremental.Members.Select(m => m.Number));
        Assert.Equal(incremental.Generation, rebuilt.Generation);
    }

    [Fact]
    public void Generation_CountsCompleteTrialsBeyondTheFirstPopulation()
    {
        TrialRecord[] trials = [.. Enumerable.Range(0, 25).Select(n => Record(n, new Dictionary<string, object> { ["x"] = n / 25.0 }, n == 3 ? TrialState.Failed : TrialState.Complete, n))];

        GeneticPopulation population = GeneticPopulation.FromHistory(History(trials), 10);

        Assert.Equal(24, population.Offered);
        Assert.Equal(1, population.Generation);
        Assert.Equal(10, population.Members.Count);
    }

    [Fact]
    public void FromHistory_Maximize_KeepsTheHighestValues()
    {
        TrialRecord[] trials = [.. Enumerable.Range(0, 10).Select(n => Record(n, new Dictionary<string, object> { ["x"] = n / 10.0 }, value: n))];

        GeneticPopulation population = GeneticPopulation.FromHistory(History(trials, StudyDirection.Maximize), 3);

        Assert.Equal([9, 8, 7], population.Members.Select(m => m.Number));
    }

    public sealed record Outcome(double X, TrialState State, double Value);

    public static class Arbitraries
    {
        public static Arbitrary<Outcome> Outcome() => (
                from x in Gen.Choose(0, 1000)
                from state in Gen.Elements(TrialState.Complete, TrialState.Complete, TrialState.Complete, TrialState.Failed, TrialState.Pruned, TrialState.Running)
                from value in Gen.Choose(-20, 20)
                select new Outcome(x / 1000.0, state, value / 4.0))
            .ToArbitrary();
    }
}

internal static class ShuffleExtensions
{
    public static T[] Shuffled<T>(this T[] items, int seed)
    {
        T[] copy = [.. items];
        new Random(seed).Shuffle(copy);
        return copy;
    }
}
