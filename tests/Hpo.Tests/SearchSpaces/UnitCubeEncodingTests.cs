using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hpo.SearchSpaces;

namespace Hpo.Tests.SearchSpaces;

public class UnitCubeEncodingTests
{
    private static SearchSpace ConditionalSpace() => new SearchSpaceBuilder()
        .AddCategorical("optimizer", "sgd", "adam")
        .AddInt("momentum_steps", 0, 2, condition: ParameterCondition.When("optimizer", "sgd"))
        .AddCategorical("amsgrad", ParameterCondition.When("optimizer", "adam"), true, false)
        .AddInt("layers", 1, 2)
        .Build();

    [Fact]
    public void Constructor_MixedSpace_DescribesEachDimension()
    {
        SearchSpace space = new SearchSpaceBuilder()
            .AddFloat("lr", 1e-4, 1e-1, log: true)
            .AddFloat("dropout", 0, 0.5, step: 0.1)
            .AddInt("layers", 1, 8, log: true)
            .AddInt("units", 16, 128, step: 16)
            .AddCategorical("optimizer", "sgd", "adam")
            .AddFloat("beta1", 0.8, 0.99, condition: ParameterCondition.When("optimizer", "adam"))
            .Build();

        var encoding = new UnitCubeEncoding(space);

        Assert.Equal(6, encoding.Dimensions);
        Assert.False(encoding.IsFinite);
        Assert.Equal([0L, 6, 8, 8, 2, 0], Enumerable.Range(0, 6).Select(encoding.Cardinality));
        Assert.Equal([ParameterKind.Float, ParameterKind.Float, ParameterKind.Int, ParameterKind.Int, ParameterKind.Categorical, ParameterKind.Float], Enumerable.Range(0, 6).Select(encoding.Kind));
        Assert.Equal([-1, -1, -1, -1, -1, 4], Enumerable.Range(0, 6).Select(encoding.Parent));
    }

    [Fact]
    public void IsFinite_AllDiscrete_ReturnsTrue()
    {
        Assert.True(new UnitCubeEncoding(ConditionalSpace()).IsFinite);
    }

    [Theory]
    [InlineData(0.0, 2.0)]
    [InlineData(1.0, 10.0)]
    [InlineData(-1.0, 2.0)]
    [InlineData(2.0, 10.0)]
    public void FromUnit_LinearFloatOutsideOrAtEdges_ClampsToBounds(double u, double expected)
    {
        var encoding = new UnitCubeEncoding(new SearchSpaceBuilder().AddFloat("x", 2, 10).Build());

        Assert.Equal(expected, encoding.FromUnit(0, u));
    }

    [Fact]
    public void FromUnit_LogFloat_EdgesAreBoundsAndMidpointIsGeometricMean()
    {
        var encoding = new UnitCubeEncoding(new SearchSpaceBuilder().AddFloat("lr", 1e-5, 1e-1, log: true).Build());

        Assert.Equal(1e-5, encoding.FromUnit(0, 0.0));
        Assert.Equal(1e-1, encoding.FromUnit(0, 1.0));
        Assert.Equal(1e-3, encoding.FromUnit(0, 0.5), 1e-15);
        Assert.Equal(1e-4, encoding.FromUnit(0, 0.25), 1e-16);
    }

    [Theory]
    [InlineData(0.0, 0L)]
    [InlineData(0.2499, 0L)]
    [InlineData(0.25, 1L)]
    [InlineData(0.5, 2L)]
    [InlineData(0.7499, 2L)]
    [InlineData(0.75, 3L)]
    [InlineData(1.0, 3L)]
    public void FromUnit_Int_EqualWidthBinsPerValue(double u, long expected)
    {
        var encoding = new UnitCubeEncoding(new SearchSpaceBuilder().AddInt("n", 0, 3).Build());

        Assert.Equal(expected, encoding.FromUnit(0, u));
    }

    [Theory]
    [InlineData(0.0, 10L)]
    [InlineData(0.33, 10L)]
    [InlineData(0.34, 15L)]
    [InlineData(0.67, 20L)]
    [InlineData(1.0, 20L)]
    public void FromUnit_SteppedIntWidthNotAMultiple_KeepsOnlyGridValues(double u, long expected)
    {
        // [10, 22] step 5 holds 10, 15, 20: 22 is not on the grid.
        var encoding = new UnitCubeEncoding(new SearchSpaceBuilder().AddInt("n", 10, 22, step: 5).Build());

        Assert.Equal(3, encoding.Cardinality(0));
        Assert.Equal(expected, encoding.FromUnit(0, u));
    }

    [Fact]
    public void FromUnit_SteppedFloat_ReturnsGridValuesUpToHigh()
    {
        var encoding = new UnitCubeEncoding(new SearchSpaceBuilder().AddFloat("x", 0, 0.3, step: 0.1).Build());

        Assert.Equal(4, encoding.Cardinality(0));
        double[] values = [.. Enumerable.Range(0, 4).Select(k => encoding.FromUnit(0, (k + 0.5) / 4))];
        Assert.Equal([0, 0.1, 0.2, 0.3], values, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.True(values[3] <= 0.3, "The last grid value must not exceed high.");
    }

    [Fact]
    public void FromUnit_IntLog_GivesEveryValueItsShareOfLogSpace()
    {
        var encoding = new UnitCubeEncoding(new SearchSpaceBuilder().AddInt("n", 1, 16, log: true).Build());
        const int Sweep = 200_000;
        var counts = new Dictionary<double, int>();
        for (int i = 0; i < Sweep; i++)
        {
            double v = encoding.FromUnit(0, (i + 0.5) / Sweep);
            counts[v] = counts.GetValueOrDefault(v) + 1;
        }

        Assert.Equal(Enumerable.Range(1, 16).Select(v => (double)v), counts.Keys.Order());
        double total = Math.Log(16.5 / 0.5);
        foreach ((double v, int count) in counts)
        {
            double expected = Math.Log((v + 0.5) / (v - 0.5)) / total;
            Assert.Equal(expected, count / (double)Sweep, 1e-3);
        }
    }

    [Fact]
    public void FromUnit_NaNForActiveParameter_ThrowsNamingIt()
    {
        var encoding = new UnitCubeEncoding(new SearchSpaceBuilder().AddFloat("dropout", 0, 1).Build());

        var e = Assert.Throws<ArgumentException>(() => encoding.FromUnit(0, double.NaN));
        Assert.Contains("'dropout'", e.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_InactiveChild_IsAbsentWhateverItsCoordinate()
    {
        SearchSpace space = ConditionalSpace();
        var encoding = new UnitCubeEncoding(space);

        // Parameters are in dependency order: optimizer, momentum_steps, amsgrad, layers.
        IReadOnlyDictionary<string, object> values = encoding.Decode([0.1, 0.9, double.NaN, 0.9]);

        Assert.Equal("sgd", values["optimizer"]);
        Assert.Equal(2L, values["momentum_steps"]);
        Assert.Equal(2L, values["layers"]);
        Assert.False(values.ContainsKey("amsgrad"));
        Assert.Equal(3, values.Count);
    }

    [Fact]
    public void DecodeInternals_InactiveChild_IsNaN()
    {
        var encoding = new UnitCubeEncoding(ConditionalSpace());

        double[] internals = encoding.DecodeInternals([0.9, 0.5, 0.1, 0.1]);

        Assert.Equal(1, internals[0]);
        Assert.True(double.IsNaN(internals[1]));
        Assert.Equal(0, internals[2]);
        Assert.Equal(1, internals[3]);
    }

    [Fact]
    public void Encode_AbsentParameter_IsNaN()
    {
        var encoding = new UnitCubeEncoding(ConditionalSpace());

        double[] unit = encoding.Encode(new Dictionary<string, object> { ["optimizer"] = "adam", ["amsgrad"] = false, ["layers"] = 1L });

        Assert.Equal(0.75, unit[0]);
        Assert.True(double.IsNaN(unit[1]));
        Assert.Equal(0.75, unit[2]);
        Assert.Equal(0.25, unit[3]);
    }

    [Fact]
    public void Encode_ValueOutsideItsDistribution_Throws()
    {
        var encoding = new UnitCubeEncoding(ConditionalSpace());

        var e = Assert.Throws<ArgumentException>(() => encoding.Encode(new Dictionary<string, object> { ["optimizer"] = "rmsprop", ["layers"] = 1L }));
        Assert.Contains("\"rmsprop\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CountPoints_ConditionalSpace_CountsEachBranch()
    {
        var encoding = new UnitCubeEncoding(ConditionalSpace());

        // sgd: 3 momentum values; adam: 2 amsgrad values; times 2 layer values.
        Assert.Equal(10, encoding.CountPoints(1000));
        Assert.Equal(10, encoding.CountPoints(10));
        Assert.Null(encoding.CountPoints(9));
    }

    [Fact]
    public void CountPoints_ContinuousParameter_ReturnsNull()
    {
        var encoding = new UnitCubeEncoding(new SearchSpaceBuilder().AddInt("n", 0, 3).AddFloat("x", 0, 1).Build());

        Assert.Null(encoding.CountPoints(long.MaxValue));
    }

    [Fact]
    public void CountPoints_HugeSpace_ReturnsNullWithoutEnumerating()
    {
        var encoding = new UnitCubeEncoding(new SearchSpaceBuilder()
            .AddInt("a", 0, 1_000_000)
            .AddInt("b", 0, 1_000_000)
            .AddInt("c", 0, 1_000_000)
            .Build());

        Assert.Null(encoding.CountPoints(2_000_000));
    }

    [Fact]
    public void EnumeratePoints_IntLog_ListsEveryValueOnce()
    {
        var encoding = new UnitCubeEncoding(new SearchSpaceBuilder().AddInt("n", 1, 100, log: true).Build());

        double[] values = [.. encoding.EnumeratePoints().Select(p => p[0])];

        Assert.Equal(Enumerable.Range(1, 100).Select(v => (double)v), values.Order());
    }

    [Fact]
    public void EnumeratePoints_ConditionalSpace_ListsDistinctValidPoints()
    {
        SearchSpace space = ConditionalSpace();
        var encoding = new UnitCubeEncoding(space);

        var points = encoding.EnumeratePoints().ToList();

        Assert.Equal(10, points.Count);
        Assert.Equal(10, points.Select(SpaceOracle.Key).Distinct().Count());
        Assert.All(points, p => SpaceOracle.AssertValidPoint(space, encoding.ToExternals(p)));
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public void Decode_RandomUnitPoints_LieInsideTheirDistributionsWithExactlyTheActiveParameters(SpaceWithPoints sample)
    {
        var encoding = new UnitCubeEncoding(sample.Space);
        foreach (double[] point in sample.Points)
        {
            IReadOnlyDictionary<string, object> values = encoding.Decode(point);

            SpaceOracle.AssertValidPoint(sample.Space, values);
        }
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public void ToUnitFromUnit_DecodedInternalValues_RoundTrip(SpaceWithPoints sample)
    {
        var encoding = new UnitCubeEncoding(sample.Space);
        foreach (double[] point in sample.Points)
        {
            double[] internals = encoding.DecodeInternals(point);
            for (int i = 0; i < internals.Length; i++)
            {
                if (double.IsNaN(internals[i]))
                {
                    continue;
                }

                double u = encoding.ToUnit(i, internals[i]);
                Assert.InRange(u, 0.0, 1.0);
                double back = encoding.FromUnit(i, u);
                Distribution d = sample.Space.Parameters[i].Distribution;
                if (d is FloatDistribution { Step: null } f)
                {
                    Assert.True(Math.Abs(back - internals[i]) <= 1e-12 * (f.High - f.Low), $"{sample.Space.Parameters[i].Name}: {internals[i]:R} -> {u:R} -> {back:R}");
                }
                else
                {
                    Assert.Equal(internals[i], back);
                }
            }
        }
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public void ToUnit_DiscreteValues_MapToTheCentreOfTheirBin(SpaceWithPoints sample)
    {
        var encoding = new UnitCubeEncoding(sample.Space);
        foreach (double[] point in sample.Points)
        {
            double[] internals = encoding.DecodeInternals(point);
            for (int i = 0; i < internals.Length; i++)
            {
                if (double.IsNaN(internals[i]) || sample.Space.Parameters[i].Distribution is IntDistribution { Log: true } or FloatDistribution { Step: null })
                {
                    continue;
                }

                // The coordinate that produced the value lies in the value's bin, whose centre is what ToUnit returns.
                long count = encoding.Cardinality(i);
                double u = encoding.ToUnit(i, internals[i]);
                long bin = Math.Min((long)Math.Floor(Math.Clamp(point[i], 0, 1) * count), count - 1);
                Assert.Equal((bin + 0.5) / count, u, 1e-12);
            }
        }
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(Arbitraries)])]
    public void EncodeDecode_DecodedPoints_GiveTheSameValues(SpaceWithPoints sample)
    {
        var encoding = new UnitCubeEncoding(sample.Space);
        foreach (double[] point in sample.Points)
        {
            IReadOnlyDictionary<string, object> values = encoding.Decode(point);

            IReadOnlyDictionary<string, object> again = encoding.Decode(encoding.Encode(values));

            Assert.Equal(values.Keys.Order(StringComparer.Ordinal), again.Keys.Order(StringComparer.Ordinal));
            foreach ((string name, object value) in values)
            {
                if (sample.Space[name].Distribution is FloatDistribution { Step: null } f)
                {
                    Assert.True(Math.Abs((double)again[name] - (double)value) <= 1e-12 * (f.High - f.Low), $"{name}: {value} became {again[name]}");
                }
                else
                {
                    Assert.Equal(value, again[name]);
                }
            }
        }
    }

    [Property(MaxTest = 150, Arbitrary = [typeof(Arbitraries)])]
    public void CountPointsAndEnumeratePoints_SmallFiniteSpaces_AgreeWithBruteForce(GeneratedSpace generated)
    {
        SearchSpace space = generated.Space;
        var encoding = new UnitCubeEncoding(space);

        long? count = encoding.CountPoints(1_000_000);
        var points = encoding.EnumeratePoints().ToList();

        Assert.NotNull(count);
        Assert.Equal(count.Value, points.Count);
        Assert.Equal(points.Count, points.Select(SpaceOracle.Key).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(SpaceOracle.BruteForceCount(space), points.Count);
        Assert.All(points, p => SpaceOracle.AssertValidPoint(space, encoding.ToExternals(p)));
    }

    public static class Arbitraries
    {
        public static Arbitrary<SpaceWithPoints> SpacesWithPoints() => Arb.From(SearchSpaceGenerators.AnySpaceWithPoints);

        public static Arbitrary<GeneratedSpace> SmallFiniteSpaces() => Arb.From(SearchSpaceGenerators.SmallFiniteSpace);
    }
}
