using System.Globalization;
using Hpo.Benchmarks.Suite;
using Hpo.SearchSpaces;

namespace Hpo.Benchmarks.Tests.Suite;

public class TestFunctionsTests
{
    public static TheoryData<string> FunctionNames =>
    [
        "branin", "hartmann6", "rosenbrock5", "ackley5", "tuning_like",
        "hartmann3", "levy10", "ackley_mixed", "shekel10", "styblinski_tang20", "hartmann6_noisy",
    ];

    [Fact]
    public void All_Always_IsTheOriginalFiveThenTheAddedSixInOrder()
    {
        Assert.Equal(["branin", "hartmann6", "rosenbrock5", "ackley5", "tuning_like"], TestFunctions.Original.Select(f => f.Name));
        Assert.Equal(["hartmann3", "levy10", "ackley_mixed", "shekel10", "styblinski_tang20", "hartmann6_noisy"], TestFunctions.Added.Select(f => f.Name));
        Assert.Equal([.. TestFunctions.Original, .. TestFunctions.Added], TestFunctions.All);
        Assert.Equal([50, 100, 100, 100, 100, 60, 150, 100, 100, 200, 100], TestFunctions.All.Select(f => f.Budget));
    }

    [Fact]
    public void NoiseSd_OnlyTheNoisyFunction_IsNoisy()
    {
        Assert.Equal(["hartmann6_noisy"], TestFunctions.All.Where(f => f.NoiseSd > 0.0).Select(f => f.Name));
        Assert.Equal(0.1, TestFunctions.Get("hartmann6_noisy").NoiseSd);
    }

    [Theory]
    [InlineData(10, 0, "-0.623610371948115")]
    [InlineData(10, 1, "0.5135412614590372")]
    [InlineData(10, 2, "-2.0749593071793826")]
    [InlineData(10, 3, "0.25453763665470025")]
    public void SuiteNoise_Normal_MatchesThePythonHarnessBitForBit(int seed, long index, string expected)
    {
        Assert.Equal(
            BitConverter.DoubleToInt64Bits(double.Parse(expected, CultureInfo.InvariantCulture)),
            BitConverter.DoubleToInt64Bits(SuiteNoise.Normal(seed, index)));
    }

    [Fact]
    public void SuiteNoise_Normal_HasUnitVarianceAndDiffersBySeed()
    {
        double sum = 0.0;
        double squares = 0.0;
        const int N = 20_000;
        for (int i = 0; i < N; i++)
        {
            double z = SuiteNoise.Normal(7, i);
            sum += z;
            squares += z * z;
        }

        Assert.InRange(sum / N, -0.03, 0.03);
        Assert.InRange(squares / N, 0.95, 1.05);
        Assert.NotEqual(SuiteNoise.Normal(7, 0), SuiteNoise.Normal(8, 0));
    }

    [Theory]
    [MemberData(nameof(FunctionNames))]
    public void Evaluate_TestVectors_MatchBitForBit(string name)
    {
        TestFunction function = TestFunctions.Get(name);
        var vectors = TestVectors.For(name).ToList();
        Assert.Equal(21, vectors.Count);
        var mismatches = new List<string>();
        foreach (TestVectors.Vector v in vectors)
        {
            double actual = function.Evaluate(v.Parameters);
            if (BitConverter.DoubleToInt64Bits(actual) != BitConverter.DoubleToInt64Bits(v.Expected))
            {
                mismatches.Add($"{string.Join(", ", v.Parameters.Select(p => $"{p.Key}={Convert.ToString(p.Value, CultureInfo.InvariantCulture)}"))}: expected {v.ExpectedRepr}, got {actual.ToString("R", CultureInfo.InvariantCulture)}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [Fact]
    public void TestVectors_Always_CoverEveryFunction()
    {
        Assert.Equal(21 * 11, TestVectors.Count);
        Assert.All(TestFunctions.All, f => Assert.NotEmpty(TestVectors.For(f.Name)));
    }

    [Theory]
    [InlineData("branin", 0.39788735772973816)]
    [InlineData("hartmann6", -3.322368011415515)]
    [InlineData("rosenbrock5", 0.0)]
    [InlineData("ackley5", 0.0)]
    [InlineData("tuning_like", 0.0)]
    [InlineData("hartmann3", -3.8627821478207545)]
    [InlineData("levy10", 0.0)]
    [InlineData("ackley_mixed", 0.0)]
    [InlineData("shekel10", -10.536443153483528)]
    [InlineData("styblinski_tang20", -783.3233140754284)]
    [InlineData("hartmann6_noisy", -3.322368011415515)]
    public void FStar_Always_IsTheDocumentedDouble(string name, double expected)
    {
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(TestFunctions.Get(name).FStar));
    }

    [Fact]
    public void Evaluate_BraninAtPiAnd2275_IsFStarNotTheClosedForm()
    {
        var branin = new Branin();
        double f = branin.Evaluate([Math.PI, 2.275]);
        Assert.Equal(branin.FStar, f);
        Assert.NotEqual(5.0 / (4.0 * Math.PI), f);
    }

    [Fact]
    public void Evaluate_Hartmann6AtMinimizer_IsFStar()
    {
        var h = new Hartmann6();
        Assert.Equal(h.FStar, h.Evaluate(Hartmann6.Minimizer.ToArray()));
    }

    [Fact]
    public void Evaluate_Hartmann3AndShekel10AtMinimizers_AreFStar()
    {
        var h = new Hartmann3();
        Assert.Equal(h.FStar, h.Evaluate(Hartmann3.Minimizer.ToArray()));
        var s = new Shekel10();
        Assert.Equal(s.FStar, s.Evaluate(Shekel10.Minimizer.ToArray()));
    }

    [Fact]
    public void Evaluate_StyblinskiTang20AtMinimizer_IsFStarAndEachCoordinateIsALocalMinimum()
    {
        var f = new StyblinskiTang20();
        double[] x = [.. Enumerable.Repeat(-2.90353402, 20)];
        Assert.Equal(f.FStar, f.Evaluate(x));
        x[3] = -2.9035;
        Assert.True(f.Evaluate(x) > f.FStar);
        x[3] = 2.7468; // the other, shallower well of the coordinate
        Assert.True(f.Evaluate(x) > f.FStar + 10.0);
    }

    [Fact]
    public void Evaluate_AckleyMixedAtOptimum_IsOneRoundingAboveZeroAndTheLevelsAreUnordered()
    {
        var f = new AckleyMixed();
        var at = new Dictionary<string, object> { ["x0"] = 0.0, ["x1"] = 0.0, ["k0"] = 0L, ["k1"] = 0L, ["c0"] = "c", ["c1"] = "c" };
        Assert.Equal(4.440892098500626e-16, f.Evaluate(at));
        double Value(string c0) => f.Evaluate(new Dictionary<string, object>(at) { ["c0"] = c0 });
        Assert.True(Value("a") > Value("b"));
        Assert.True(Value("d") > Value("e"));
        var e = Assert.Throws<ArgumentException>(() => Value("f"));
        Assert.Contains("c0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Rosenbrock5AtOnes_IsExactlyZero()
    {
        Assert.Equal(0.0, new Rosenbrock5().Evaluate([1.0, 1.0, 1.0, 1.0, 1.0]));
    }

    [Fact]
    public void Evaluate_Ackley5AtOrigin_IsOneRoundingAboveFStar()
    {
        double f = new Ackley5().Evaluate([0.0, 0.0, 0.0, 0.0, 0.0]);
        Assert.Equal(4.440892098500626e-16, f);
    }

    [Fact]
    public void Evaluate_TuningLikeAtOptimum_IsZero()
    {
        Assert.Equal(0.0, TuningLike.Evaluate(0.003, 3, "gelu", 0.25));
    }

    [Fact]
    public void SearchSpace_TuningLike_HasTheDocumentedParametersInOrder()
    {
        SearchSpace space = new TuningLike().SearchSpace;
        Assert.Equal(["lr", "layers", "activation", "dropout"], space.Parameters.Select(p => p.Name));
        Assert.Equal(new FloatDistribution(1e-5, 1.0, log: true), space.Distributions["lr"]);
        Assert.Equal(new IntDistribution(1, 8), space.Distributions["layers"]);
        var activation = Assert.IsType<CategoricalDistribution>(space.Distributions["activation"]);
        Assert.Equal(["relu", "tanh", "gelu", "sigmoid"], activation.Choices);
        Assert.Equal(new FloatDistribution(0.0, 0.8), space.Distributions["dropout"]);
    }

    [Theory]
    [InlineData("branin", new[] { -5.0, 0.0 }, new[] { 10.0, 15.0 })]
    [InlineData("hartmann6", new[] { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 }, new[] { 1.0, 1.0, 1.0, 1.0, 1.0, 1.0 })]
    [InlineData("rosenbrock5", new[] { -5.0, -5.0, -5.0, -5.0, -5.0 }, new[] { 10.0, 10.0, 10.0, 10.0, 10.0 })]
    [InlineData("ackley5", new[] { -32.768, -32.768, -32.768, -32.768, -32.768 }, new[] { 32.768, 32.768, 32.768, 32.768, 32.768 })]
    public void SearchSpace_BoxFunctions_AreUniformFloatsX0ToXn(string name, double[] lows, double[] highs)
    {
        SearchSpace space = TestFunctions.Get(name).SearchSpace;
        Assert.Equal(lows.Length, space.Count);
        for (int i = 0; i < lows.Length; i++)
        {
            string p = "x" + i.ToString(CultureInfo.InvariantCulture);
            Assert.Equal(new FloatDistribution(lows[i], highs[i]), space.Distributions[p]);
        }
    }

    [Fact]
    public void Get_UnknownName_ThrowsListingTheSuite()
    {
        var e = Assert.Throws<ArgumentException>(() => TestFunctions.Get("sphere"));
        Assert.Contains("branin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MissingParameter_ThrowsNamingIt()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => new TuningLike().Evaluate(new Dictionary<string, object> { ["lr"] = 0.01 }));
        Assert.Contains("layers", e.Message, StringComparison.Ordinal);
    }
}
