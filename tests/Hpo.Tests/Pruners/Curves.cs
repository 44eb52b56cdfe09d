using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Hpo.Pruners;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Tests.Pruners;

/// <summary>Hand-made learning curves: trial records with intermediate values, and pruning contexts built from them.</summary>
internal static class Curves
{
    /// <summary>A trial whose values are reported at steps 1, 2, 3, … in order.</summary>
    public static TrialRecord Trial(int number, TrialState state, params double[] values) =>
        AtSteps(number, state, values.Select((v, i) => ((long)(i + 1), v)).ToArray());

    /// <summary>A trial with values at the given steps.</summary>
    public static TrialRecord AtSteps(int number, TrialState state, params (long Step, double Value)[] values) => new()
    {
        Id = 1000 + number,
        Number = number,
        State = state,
        Parameters = ImmutableDictionary<string, object>.Empty.Add("x", (double)number),
        IntermediateValues = values.ToImmutableSortedDictionary(p => p.Step, p => p.Value),
        Values = state == TrialState.Complete && values.Length > 0 ? [values[^1].Value] : [],
    };

    /// <summary>Complete trials numbered 0, 1, … whose value at every step 1..steps is the given constant.</summary>
    public static TrialRecord[] Flat(int steps, params double[] constants) =>
        [.. constants.Select((c, i) => Trial(i, TrialState.Complete, [.. Enumerable.Repeat(c, steps)]))];

    /// <summary>A context asking about <paramref name="asked"/>, which is also placed among the trials (running), as a study does.</summary>
    public static PruningContext Context(TrialRecord asked, IEnumerable<TrialRecord> others, StudyDirection direction = StudyDirection.Minimize, int seed = 0)
    {
        List<TrialRecord> trials = [.. others.Where(t => t.Number != asked.Number), asked];
        trials.Sort((a, b) => a.Number.CompareTo(b.Number));
        return new PruningContext(asked, trials, [direction], seed);
    }

    /// <summary>Asks the pruner after each report of <paramref name="asked"/>'s curve, as an objective does; returns the step at which it was pruned, or null.</summary>
    public static long? FirstPrunedStep(IPruner pruner, TrialRecord asked, IEnumerable<TrialRecord> others, StudyDirection direction = StudyDirection.Minimize, int seed = 0)
    {
        TrialRecord[] list = [.. others];
        var reported = ImmutableSortedDictionary<long, double>.Empty;
        foreach (KeyValuePair<long, double> kv in asked.IntermediateValues)
        {
            reported = reported.Add(kv.Key, kv.Value);
            if (pruner.ShouldPrune(Context(asked with { State = TrialState.Running, IntermediateValues = reported }, list, direction, seed)))
            {
                return kv.Key;
            }
        }

        return null;
    }

    /// <summary>Random studies for property tests: a few finished and running trials with curves (some NaN), and an asked trial.</summary>
    public static Gen<GeneratedStudy> Studies(int maxSteps = 40) =>
        from count in Gen.Choose(0, 25)
        from others in Gen.ListOf(OtherTrial(maxSteps), count)
        from askedLength in Gen.Choose(1, maxSteps)
        from asked in Values(askedLength)
        from maximize in Gen.Elements(false, true)
        from seed in Gen.Choose(0, 1000)
        select new GeneratedStudy([.. others.Select((t, i) => t with { Id = i, Number = i })], asked, maximize ? StudyDirection.Maximize : StudyDirection.Minimize, seed);

    private static Gen<TrialRecord> OtherTrial(int maxSteps) =>
        from state in Gen.Elements(TrialState.Complete, TrialState.Complete, TrialState.Pruned, TrialState.Running, TrialState.Failed)
        from length in Gen.Choose(0, maxSteps)
        from values in Values(length)
        select Trial(0, state, values);

    private static Gen<double[]> Values(int length) =>
        Gen.ArrayOf(Gen.Frequency((12, Gen.Choose(-1000, 1000).Select(i => i / 100.0)), (1, Gen.Constant(double.NaN))), length);
}

/// <summary>A generated study: the other trials, the asked trial's curve (steps 1..n), the direction and the seed.</summary>
public sealed record GeneratedStudy(TrialRecord[] Others, double[] Asked, StudyDirection Direction, int Seed)
{
    public int AskedNumber => Others.Length;

    public override string ToString() =>
        FormattableString.Invariant($"{Direction}, seed {Seed}, asked [{string.Join(", ", Asked)}], others: {string.Join("; ", Others.Select(t => $"#{t.Number} {t.State} [{string.Join(", ", t.IntermediateValues.Values)}]"))}");
}
