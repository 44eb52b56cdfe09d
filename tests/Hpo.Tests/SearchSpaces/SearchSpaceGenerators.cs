using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Hpo.SearchSpaces;

namespace Hpo.Tests.SearchSpaces;

/// <summary>A search space made by a generator; prints itself so that a failing case can be read.</summary>
public sealed class GeneratedSpace(SearchSpace space)
{
    public SearchSpace Space { get; } = space;

    public override string ToString() => Space.ToString();
}

/// <summary>A generated search space and some points of its unit cube (one coordinate per parameter).</summary>
public sealed class SpaceWithPoints(SearchSpace space, double[][] points)
{
    public SearchSpace Space { get; } = space;

    public IReadOnlyList<double[]> Points { get; } = points;

    public override string ToString() =>
        Space + " | points: " + string.Join("; ", Points.Select(p => "[" + string.Join(", ", p.Select(u => u.ToString("R", CultureInfo.InvariantCulture))) + "]"));
}

/// <summary>
/// Generators of random search spaces shared by the property tests (each test class exposes the ones it uses in its own
/// nested <c>Arbitraries</c> class).
/// </summary>
internal static class SearchSpaceGenerators
{
    /// <summary>Choices of every supported type, pairwise distinct (1L and 1.0 are different choices).</summary>
    private static readonly object[] StringChoices = ["a", "b", "adam", "sgd", "with \"quote\"", "ünïcödé", string.Empty, " "];
    private static readonly object[] NumberChoices = [0L, 1L, -3L, 1000L, 9007199254740993L, 0.5, 1.0, -2.25, 1e-3, 1e20, 1.0 / 3];
    private static readonly object[] BoolChoices = [true, false];
    private static readonly object[] MixedChoices = [.. StringChoices, .. NumberChoices, .. BoolChoices];

    /// <summary>Gets a generator of linear continuous floats at scales from 1e-8 to 1e4.</summary>
    public static Gen<Distribution> LinearFloat { get; } =
        from exponent in Gen.Choose(-6, 6)
        from a in Gen.Choose(-1000, 1000)
        from width in Gen.Choose(1, 1000)
        let scale = Math.Pow(10, exponent) / 100
        select (Distribution)new FloatDistribution(a * scale, (a + width) * scale);

    /// <summary>Gets a generator of log-scaled continuous floats spanning from a fraction of a decade to ten decades.</summary>
    public static Gen<Distribution> LogFloat { get; } =
        from exponent in Gen.Choose(-8, 3)
        from mantissa in Gen.Choose(1, 999)
        from quarterDecades in Gen.Choose(1, 40)
        let low = mantissa / 100.0 * Math.Pow(10, exponent)
        select (Distribution)new FloatDistribution(low, low * Math.Pow(10, quarterDecades / 4.0), log: true);

    /// <summary>Gets a generator of stepped floats, with widths that are and are not multiples of the step.</summary>
    public static Gen<Distribution> SteppedFloat { get; } = SteppedFloatWith(40);

    /// <summary>Gets a generator of linear integers.</summary>
    public static Gen<Distribution> LinearInt { get; } =
        from low in Gen.Choose(-1000, 1000)
        from width in Gen.Choose(1, 500)
        select (Distribution)new IntDistribution(low, low + width);

    /// <summary>Gets a generator of stepped integers, with widths that are and are not multiples of the step.</summary>
    public static Gen<Distribution> SteppedInt { get; } =
        from step in Gen.Choose(2, 10)
        from low in Gen.Choose(-1000, 1000)
        from width in Gen.Choose(step, step * 30)
        select (Distribution)new IntDistribution(low, low + width, step: step);

    /// <summary>Gets a generator of log-scaled integers.</summary>
    public static Gen<Distribution> LogInt { get; } =
        from low in Gen.Choose(1, 100)
        from width in Gen.Choose(1, 10_000)
        select (Distribution)new IntDistribution(low, low + width, log: true);

    /// <summary>Gets a generator of categoricals of strings, numbers, booleans or a mix, with 1 to 5 choices.</summary>
    public static Gen<Distribution> Categorical { get; } = CategoricalWith(5);

    /// <summary>Gets a generator of any distribution.</summary>
    public static Gen<Distribution> AnyDistribution { get; } = Gen.Frequency(
        (2, LinearFloat),
        (2, LogFloat),
        (2, SteppedFloat),
        (2, LinearInt),
        (1, SteppedInt),
        (2, LogInt),
        (4, Categorical));

    /// <summary>Gets a generator of discrete distributions with at most 4 values each.</summary>
    public static Gen<Distribution> SmallDiscrete { get; } = Gen.Frequency(
        (2, from low in Gen.Choose(-5, 5) from width in Gen.Choose(1, 3) select (Distribution)new IntDistribution(low, low + width)),
        (1, from low in Gen.Choose(-5, 5) from width in Gen.Choose(2, 7) select (Distribution)new IntDistribution(low, low + width, step: 2)),
        (2, from low in Gen.Choose(1, 30) from width in Gen.Choose(1, 3) select (Distribution)new IntDistribution(low, low + width, log: true)),
        (2, SteppedFloatWith(3)),
        (4, CategoricalWith(4)));

    /// <summary>Gets a generator of spaces of 1 to 7 parameters of any kind, some of them conditional (possibly nested).</summary>
    public static Gen<GeneratedSpace> AnySpace { get; } = SpaceOf(AnyDistribution, 7);

    /// <summary>Gets a generator of spaces of 1 to 4 small discrete parameters, some conditional: at most a few hundred points.</summary>
    public static Gen<GeneratedSpace> SmallFiniteSpace { get; } = SpaceOf(SmallDiscrete, 4);

    /// <summary>Gets a generator of unit-cube coordinates, the edges 0 and 1 (and the double below 1) included.</summary>
    public static Gen<double> UnitCoordinate { get; } = Gen.Frequency(
        (1, Gen.Constant(0.0)),
        (1, Gen.Constant(1.0)),
        (1, Gen.Constant(Math.BitDecrement(1.0))),
        (1, Gen.Constant(0.5)),
        (12, from hi in Gen.Choose(0, 999_999) from lo in Gen.Choose(0, 999_999) select ((hi * 1e6) + lo) / 1e12));

    /// <summary>Gets a generator of a space with 8 points of its unit cube.</summary>
    public static Gen<SpaceWithPoints> AnySpaceWithPoints { get; } =
        from g in AnySpace
        from points in Gen.ArrayOf(Gen.ArrayOf(UnitCoordinate, g.Space.Count), 8)
        select new SpaceWithPoints(g.Space, points);

    private static Gen<Distribution> SteppedFloatWith(int maxSteps) =>
        from exponent in Gen.Choose(-3, 2)
        from digit in Gen.Choose(1, 9)
        from a in Gen.Choose(-200, 200)
        from steps in Gen.Choose(1, maxSteps)
        from fraction in Gen.Elements(0.0, 0.25, 0.5, 0.999)
        let step = digit * Math.Pow(10, exponent)
        let low = a * 0.013 * Math.Pow(10, exponent)
        let high = low + ((steps + fraction) * step)
        select (Distribution)new FloatDistribution(low, high - low < step ? low + (step * 1.000001) : high, step: step);

    private static Gen<Distribution> CategoricalWith(int maxChoices) =>
        from pool in Gen.Elements(StringChoices, NumberChoices, BoolChoices, MixedChoices)
        from shuffled in Gen.Shuffle(pool)
        from count in Gen.Choose(1, Math.Min(maxChoices, pool.Length))
        select (Distribution)new CategoricalDistribution(shuffled.Take(count));

    /// <summary>
    /// Builds spaces whose parameters may depend on an earlier categorical (chosen by <c>parentPick</c>, with the parent values
    /// picked by the bits of <c>mask</c>), then declares them in a shuffled order so the space must sort them.
    /// </summary>
    private static Gen<GeneratedSpace> SpaceOf(Gen<Distribution> distributions, int maxParameters)
    {
        Gen<(Distribution Distribution, bool Conditional, int ParentPick, int Mask, bool IntValues)> spec =
            from d in distributions
            from conditional in Gen.Frequency((3, Gen.Constant(false)), (2, Gen.Constant(true)))
            from parentPick in Gen.Choose(0, 100)
            from mask in Gen.Choose(0, 255)
            from intValues in Gen.Elements(false, true)
            select (d, conditional, parentPick, mask, intValues);

        return from count in Gen.Choose(1, maxParameters)
               from specs in Gen.ArrayOf(spec, count)
               let parameters = Build(specs)
               from declared in Gen.Shuffle(parameters.ToArray())
               select new GeneratedSpace(new SearchSpace(declared));
    }

    private static List<SearchParameter> Build((Distribution Distribution, bool Conditional, int ParentPick, int Mask, bool IntValues)[] specs)
    {
        var parameters = new List<SearchParameter>();
        var categoricals = new List<SearchParameter>();
        for (int i = 0; i < specs.Length; i++)
        {
            var s = specs[i];
            ParameterCondition? condition = null;
            if (s.Conditional && categoricals.Count > 0)
            {
                SearchParameter parent = categoricals[s.ParentPick % categoricals.Count];
                IReadOnlyList<object> choices = ((CategoricalDistribution)parent.Distribution).Choices;
                var values = choices.Where((_, j) => ((s.Mask >> j) & 1) == 1).ToList();
                if (values.Count == 0)
                {
                    values.Add(choices[s.Mask % choices.Count]);
                }

                // Users write conditions with int literals; the condition must still equal its JSON round trip (which reads longs).
                condition = new ParameterCondition(parent.Name, values.Select(v => s.IntValues && v is long l && l is >= int.MinValue and <= int.MaxValue ? (int)l : v));
            }

            var parameter = new SearchParameter("p" + i.ToString(CultureInfo.InvariantCulture), s.Distribution, condition);
            parameters.Add(parameter);
            if (s.Distribution is CategoricalDistribution)
            {
                categoricals.Add(parameter);
            }
        }

        return parameters;
    }
}

/// <summary>Facts about a space computed independently of the code under test, for the properties to compare with.</summary>
internal static class SpaceOracle
{
    /// <summary>Determines which parameters are active given typed values, following the conditions up to the root.</summary>
    public static bool IsActive(SearchSpace space, string name, IReadOnlyDictionary<string, object> values)
    {
        ParameterCondition? condition = space[name].Condition;
        if (condition is null)
        {
            return true;
        }

        if (!IsActive(space, condition.Parent, values) || !values.TryGetValue(condition.Parent, out object? parentValue))
        {
            return false;
        }

        return condition.Values.Any(v => SameChoice(v, parentValue));
    }

    /// <summary>Compares a condition value with a choice, treating an int and the equal long as the same choice.</summary>
    public static bool SameChoice(object conditionValue, object choice) => (conditionValue, choice) switch
    {
        (int i, long l) => i == l,
        _ => conditionValue.Equals(choice) && conditionValue.GetType() == choice.GetType(),
    };

    /// <summary>Lists every value a discrete distribution can take, as internal values.</summary>
    public static IReadOnlyList<double> AllInternalValues(Distribution distribution) => distribution switch
    {
        IntDistribution n => [.. Enumerable.Range(0, (int)(((n.High - n.Low) / n.Step) + 1)).Select(k => (double)(n.Low + (k * n.Step)))],
        CategoricalDistribution c => [.. Enumerable.Range(0, c.Choices.Count).Select(k => (double)k)],
        FloatDistribution { Step: double s } f => [.. Enumerable.Range(0, (int)Math.Round((f.High - f.Low) / s, MidpointRounding.ToZero) + 2)
            .Select(k => f.Low + (k * s))
            .Where(f.ContainsInternal)
            .Concat(f.ContainsInternal(f.High) ? [f.High] : [])
            .Select(v => f.ToInternal(v))
            .Distinct()],
        _ => throw new ArgumentException("Not a discrete distribution.", nameof(distribution)),
    };

    /// <summary>A canonical text key of a point given as internal values (NaN = inactive).</summary>
    public static string Key(IEnumerable<double> internals) =>
        string.Join("|", internals.Select(v => double.IsNaN(v) ? "-" : v.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>A canonical text key of a point given as typed values.</summary>
    public static string Key(SearchSpace space, IReadOnlyDictionary<string, object> values) =>
        Key(space.Parameters.Select(p => values.TryGetValue(p.Name, out object? v) ? p.Distribution.ToInternal(v) : double.NaN));

    /// <summary>
    /// Counts the distinct points of a finite space by brute force: every combination of every parameter's values, with
    /// inactive parameters blanked out, de-duplicated.
    /// </summary>
    public static int BruteForceCount(SearchSpace space)
    {
        var axes = space.Parameters.Select(p => AllInternalValues(p.Distribution)).ToArray();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var index = new int[axes.Length];
        while (true)
        {
            var values = new Dictionary<string, object>(StringComparer.Ordinal);
            for (int i = 0; i < axes.Length; i++)
            {
                values[space.Parameters[i].Name] = space.Parameters[i].Distribution.ToExternal(axes[i][index[i]]);
            }

            var active = space.Parameters.Where(p => IsActive(space, p.Name, values)).Select(p => p.Name).ToHashSet();
            keys.Add(Key(space.Parameters.Select((p, i) => active.Contains(p.Name) ? axes[i][index[i]] : double.NaN)));

            int d = 0;
            while (d < axes.Length && ++index[d] == axes[d].Count)
            {
                index[d] = 0;
                d++;
            }

            if (d == axes.Length)
            {
                return keys.Count;
            }
        }
    }

    /// <summary>Asserts that a typed point lies in its space: values of the right type inside their distributions, exactly the active parameters present.</summary>
    public static void AssertValidPoint(SearchSpace space, IReadOnlyDictionary<string, object> values)
    {
        foreach (SearchParameter p in space.Parameters)
        {
            bool active = IsActive(space, p.Name, values);
            Assert.True(active == values.ContainsKey(p.Name), $"'{p.Name}' is {(active ? "active" : "inactive")} but {(values.ContainsKey(p.Name) ? "present" : "absent")} in {Describe(values)}.");
        }

        Assert.All(values.Keys, k => Assert.True(space.Contains(k), $"Unknown parameter '{k}'."));
        foreach ((string name, object value) in values)
        {
            AssertInside(space[name].Distribution, value, name);
        }
    }

    public static void AssertInside(Distribution distribution, object value, string name)
    {
        switch (distribution)
        {
            case FloatDistribution f:
                double d = Assert.IsType<double>(value);
                Assert.InRange(d, f.Low, f.High);
                if (f.Step is double s)
                {
                    double k = (d - f.Low) / s;
                    Assert.True(Math.Abs(k - Math.Round(k)) <= 1e-6, $"'{name}' = {d.ToString("R", CultureInfo.InvariantCulture)} is off the grid of {f}.");
                }

                break;
            case IntDistribution n:
                long l = Assert.IsType<long>(value);
                Assert.InRange(l, n.Low, n.High);
                Assert.True((l - n.Low) % n.Step == 0, $"'{name}' = {l} is off the grid of {n}.");
                break;
            case CategoricalDistribution c:
                Assert.Contains(c.Choices, choice => choice.GetType() == value.GetType() && choice.Equals(value));
                break;
            default:
                Assert.Fail($"Unknown distribution {distribution.GetType().Name}.");
                break;
        }
    }

    public static string Describe(IReadOnlyDictionary<string, object> values) =>
        "{" + string.Join(", ", values.Select(kv => kv.Key + "=" + Convert.ToString(kv.Value, CultureInfo.InvariantCulture))) + "}";
}
