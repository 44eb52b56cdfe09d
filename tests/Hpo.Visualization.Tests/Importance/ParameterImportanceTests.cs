using Hpo.SearchSpaces;
using Hpo.Visualization.Importance;

namespace Hpo.Visualization.Tests.Importance;

public sealed class ParameterImportanceTests
{
    private static StudyData Sampled(SearchSpace space, Func<Dictionary<string, object>, double> f, int n, int seed)
    {
        var random = new Random(seed);
        var s = new Studies(space);
        for (int i = 0; i < n; i++)
        {
            var p = new Dictionary<string, object>();
            foreach (SearchParameter parameter in space.Parameters)
            {
                // A conditional parameter exists only when its parent took one of the condition's values.
                if (parameter.Condition is { } c && !(p.TryGetValue(c.Parent, out object? parent) && c.Values.Contains(parent)))
                {
                    continue;
                }

                p[parameter.Name] = parameter.Distribution switch
                {
                    FloatDistribution fd => fd.Log ? Math.Exp(Math.Log(fd.Low) + (random.NextDouble() * (Math.Log(fd.High) - Math.Log(fd.Low)))) : fd.Low + (random.NextDouble() * (fd.High - fd.Low)),
                    CategoricalDistribution cd => cd.Choices[random.Next(cd.Choices.Count)],
                    IntDistribution id => id.Low + random.NextInt64(id.High - id.Low + 1),
                    _ => throw new NotSupportedException(),
                };
            }

            s.Add(Hpo.Trials.TrialState.Complete, f(p), p);
        }

        return s.Build();
    }

    // An additive function whose main-effect variances are known: Var(a x) = a²/12 for x uniform on [0, 1].
    // f = 4 x1 + 2 x2 + 1 x3 + 0 x4 has main effects proportional to 16 : 4 : 1 : 0, that is 0.762, 0.190, 0.048, 0.
    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    [InlineData(47)]
    public void Compute_AdditiveFunction_MatchesKnownVarianceShares(int seed)
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("x1", 0, 1).AddFloat("x2", 0, 1).AddFloat("x3", 0, 1).AddFloat("x4", 0, 1).Build();
        StudyData data = Sampled(space, p => (4 * (double)p["x1"]) + (2 * (double)p["x2"]) + (double)p["x3"], 400, seed);

        ParameterImportance result = ParameterImportance.Compute(data, new ParameterImportanceOptions { Seed = seed, Trees = 32 });

        Assert.Equal(["x1", "x2", "x3", "x4"], result.Entries.Select(e => e.Name));
        var byName = result.Entries.ToDictionary(e => e.Name);
        Assert.InRange(byName["x1"].Importance, 0.762 - 0.06, 0.762 + 0.06);
        Assert.InRange(byName["x2"].Importance, 0.190 - 0.05, 0.190 + 0.05);
        Assert.InRange(byName["x3"].Importance, 0.048 - 0.035, 0.048 + 0.035);
        Assert.InRange(byName["x4"].Importance, 0, 0.02);
        Assert.Equal(1.0, result.Entries.Sum(e => e.Importance), 9);
        Assert.Equal(400, result.TrialsUsed);
    }

    [Fact]
    public void Compute_PureInteraction_MainEffectsExplainLittleOfTheVariance()
    {
        // f = (x1 - 0.5)(x2 - 0.5): both marginals are zero, so the main effects explain (almost) nothing.
        SearchSpace space = new SearchSpaceBuilder().AddFloat("x1", 0, 1).AddFloat("x2", 0, 1).Build();
        StudyData data = Sampled(space, p => ((double)p["x1"] - 0.5) * ((double)p["x2"] - 0.5), 400, 5);

        ParameterImportance result = ParameterImportance.Compute(data, new ParameterImportanceOptions { Trees = 32 });

        Assert.All(result.Entries, e => Assert.InRange(e.VarianceFraction, 0, 0.15));
    }

    [Fact]
    public void Compute_LogAndCategorical_RanksTheParameterThatMatters()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("lr", 1e-5, 1, log: true).AddCategorical("act", "relu", "tanh", "gelu").AddInt("units", 1, 100).Build();
        // Only the order of magnitude of lr matters, and the activation a little.
        StudyData data = Sampled(space, p => Math.Abs(Math.Log10((double)p["lr"]) + 3) + ((string)p["act"] == "tanh" ? 0.5 : 0), 300, 3);

        ParameterImportance result = ParameterImportance.Compute(data);

        Assert.Equal(["lr", "act", "units"], result.Entries.Select(e => e.Name));
        Assert.True(result.Entries[0].Importance > 0.7, $"lr importance {result.Entries[0].Importance}");
    }

    [Fact]
    public void Compute_ConditionalParameter_IsEvaluatedWithAnAbsentCell()
    {
        SearchSpace space = new SearchSpaceBuilder().AddCategorical("opt", "sgd", "adam").AddFloat("beta", 0, 1, condition: ParameterCondition.When("opt", "adam")).AddFloat("x", 0, 1).Build();
        var s = new Studies(space);
        s.Complete(1, ("opt", "sgd"), ("x", 0.1));
        s.Complete(2, ("opt", "adam"), ("beta", 0.3), ("x", 0.5));
        s.Complete(3, ("opt", "adam"), ("beta", 0.6), ("x", 0.9));

        ParameterImportance result = ParameterImportance.Compute(s.Build());

        Assert.Empty(result.Excluded);
        Assert.Equal(["beta", "opt", "x"], result.Entries.Select(e => e.Name).Order());
        Assert.All(result.Entries, e => Assert.True(double.IsFinite(e.Importance) && double.IsFinite(e.VarianceFraction) && double.IsFinite(e.StandardDeviation), $"{e.Name}: {e}"));
    }

    [Fact]
    public void Compute_ParameterAbsentFromEveryTrial_IsExcludedWithReason()
    {
        SearchSpace space = new SearchSpaceBuilder().AddCategorical("opt", "sgd", "adam").AddFloat("beta", 0, 1, condition: ParameterCondition.When("opt", "adam")).AddFloat("x", 0, 1).Build();
        var s = new Studies(space);
        for (int i = 0; i < 6; i++)
        {
            s.Complete(i, ("opt", "sgd"), ("x", i / 6.0));
        }

        ParameterImportance result = ParameterImportance.Compute(s.Build());

        ExcludedParameter beta = Assert.Single(result.Excluded);
        Assert.Equal("beta", beta.Name);
        Assert.Contains("absent from all 6", beta.Reason, StringComparison.Ordinal);
        Assert.Equal(["x", "opt"], result.Entries.Select(e => e.Name));
    }

    [Fact]
    public void Compute_SingleValuedConditionalParameter_IsEvaluatedAsPresentOrAbsent()
    {
        // "flag" has one possible value, but whether it is present (branch b) decides the objective. Its presence is the same
        // information as "branch", so the forest may credit either (the trees split on the first of equally good features):
        // the two together must carry the importance, and flag must be evaluated rather than excluded.
        SearchSpace space = new SearchSpaceBuilder().AddCategorical("branch", "a", "b").AddCategorical("flag", ParameterCondition.When("branch", "b"), "on").AddFloat("noise", 0, 1).Build();
        StudyData data = Sampled(space, p => p.ContainsKey("flag") ? 1 : 0, 200, 9);

        ParameterImportance result = ParameterImportance.Compute(data, new ParameterImportanceOptions { Trees = 32 });

        Assert.Empty(result.Excluded);
        var byName = result.Entries.ToDictionary(e => e.Name);
        Assert.True(byName["flag"].Importance + byName["branch"].Importance > 0.95, $"flag {byName["flag"].Importance}, branch {byName["branch"].Importance}");
        Assert.True(byName["noise"].Importance < 0.05, $"noise {byName["noise"].Importance}");
    }

    // A conditional function with known structure: "branch" switches between two branches; in branch a only "a1" matters
    // (strongly), in branch b the objective is flat and "b1" does not matter; "noise" never matters. The switch and a1 must
    // rank above the irrelevant b1 and noise, whatever the seed (the seeds are not tuned: any three work the same).
    [Theory]
    [InlineData(2)]
    [InlineData(31)]
    [InlineData(1234)]
    public void Compute_ConditionalBranches_RanksTheSwitchAndTheMatteringBranchParameterAboveNoise(int seed)
    {
        SearchSpace space = new SearchSpaceBuilder()
            .AddCategorical("branch", "a", "b")
            .AddFloat("a1", 0, 1, condition: ParameterCondition.When("branch", "a"))
            .AddFloat("b1", 1e-3, 1, log: true, condition: ParameterCondition.When("branch", "b"))
            .AddFloat("noise", 0, 1)
            .Build();
        StudyData data = Sampled(space, p => (string)p["branch"] == "a" ? 4 * (double)p["a1"] : 1, 300, seed);

        ParameterImportance result = ParameterImportance.Compute(data, new ParameterImportanceOptions { Seed = seed, Trees = 32 });

        Assert.Empty(result.Excluded);
        Assert.Equal(4, result.Entries.Count);
        Assert.All(result.Entries, e => Assert.False(double.IsNaN(e.Importance) || double.IsNaN(e.VarianceFraction) || double.IsNaN(e.StandardDeviation), $"{e.Name}: {e}"));
        Assert.Equal(1.0, result.Entries.Sum(e => e.Importance), 9);
        Assert.Equal(["a1", "branch"], result.Entries.Take(2).Select(e => e.Name).Order());
        var byName = result.Entries.ToDictionary(e => e.Name);
        Assert.True(byName["a1"].Importance > 0.3, $"a1 {byName["a1"].Importance}");
        Assert.True(byName["noise"].Importance < 0.05, $"noise {byName["noise"].Importance}");
        Assert.True(byName["b1"].Importance < 0.05, $"b1 {byName["b1"].Importance}");
    }

    [Fact]
    public void Compute_FewerThanTwoCompleteTrials_NoEntries()
    {
        var s = new Studies(Studies.XY);
        s.Complete(1, ("x", 0.5), ("y", 0.5));

        Assert.Empty(ParameterImportance.Compute(s.Build()).Entries);
    }

    [Fact]
    public void Compute_ConstantObjective_AllZeroNotNaN()
    {
        var s = new Studies(Studies.XY);
        for (int i = 0; i < 10; i++)
        {
            s.Complete(1, ("x", i / 10.0), ("y", i / 20.0));
        }

        ParameterImportance result = ParameterImportance.Compute(s.Build());

        Assert.All(result.Entries, e => Assert.Equal(0, e.Importance));
    }

    [Fact]
    public void Compute_InvalidOptions_NamesEveryProblem()
    {
        var e = Assert.Throws<ArgumentException>(() => ParameterImportance.Compute(new Studies(Studies.XY).Build(), new ParameterImportanceOptions { Trees = 0, MaxTrials = 1 }));

        Assert.Contains("Trees must be at least 1, but got 0.", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxTrials must be at least 2, but got 1.", e.Message, StringComparison.Ordinal);
    }
}
