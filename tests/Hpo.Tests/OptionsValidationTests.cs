using Hpo.Execution.Container;
using Hpo.Pruners.Median;
using Hpo.Tuners;
using Hpo.Tuners.GaussianProcess;
using Hpo.Tuners.Genetic;
using Hpo.Tuners.RandomSearch;
using Hpo.Tuners.SimulatedAnnealing;

namespace Hpo.Tests;

/// <summary>
/// The one options pattern: validated once with every problem in one message (naming the property, the rule and the value),
/// cloned at construction so that the caller's later changes have no effect, and serialised as themselves.
/// </summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public void ThrowIfAny_SeveralProblems_ListsEachOnItsOwnLineUnderTheOptionsName()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => OptionsValidation.ThrowIfAny("MyOptions", ["'A' must be positive, but got -1.", "'B' must not be empty."]));

        string[] lines = e.Message.Split(Environment.NewLine);
        Assert.Equal("The 'MyOptions' are invalid.", lines[0]);
        Assert.Equal("- 'A' must be positive, but got -1.", lines[1]);
        Assert.Equal("- 'B' must not be empty.", lines[2]);
    }

    [Fact]
    public void ThrowIfAny_NoProblem_DoesNotThrow()
    {
        OptionsValidation.ThrowIfAny("MyOptions", []);
    }

    [Fact]
    public void ThrowIfAny_BadArguments_NameThem()
    {
        Assert.Equal("optionsName", Assert.Throws<ArgumentException>(() => OptionsValidation.ThrowIfAny(" ", [])).ParamName);
        Assert.Equal("problems", Assert.Throws<ArgumentNullException>(() => OptionsValidation.ThrowIfAny("MyOptions", null!)).ParamName);
    }

    public static TheoryData<string, Func<ITuner>> InvalidTuners => new()
    {
        { "PopulationSize", () => new GeneticTuner(new GeneticTunerOptions { PopulationSize = 1 }) },
        { "InitialTemperature", () => new SimulatedAnnealingTuner(new SimulatedAnnealingTunerOptions { InitialTemperature = -1 }) },
        { "Candidates", () => new GaussianProcessTuner(new GaussianProcessTunerOptions { Candidates = 0 }) },
    };

    [Theory]
    [MemberData(nameof(InvalidTuners))]
    public void Constructor_InvalidTunerOptions_NameThePropertyAndTheValue(string property, Func<ITuner> create)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(create);

        Assert.StartsWith("The '", e.Message, StringComparison.Ordinal);
        Assert.Contains("Options' are invalid.", e.Message, StringComparison.Ordinal);
        Assert.Contains(property, e.Message, StringComparison.Ordinal);
        Assert.Contains("but got", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_TunerOptionsChangedAfterwards_KeepTheSettingsOfConstruction()
    {
        var genetic = new GeneticTunerOptions { PopulationSize = 12, Seed = 3 };
        var annealing = new SimulatedAnnealingTunerOptions { InitialTrials = 4, Seed = 3 };
        var random = new RandomSearchTunerOptions { AvoidRepeats = false };
        var gp = new GaussianProcessTunerOptions { Candidates = 300 };
        ITuner[] tuners = [new GeneticTuner(genetic), new SimulatedAnnealingTuner(annealing), new RandomSearchTuner(random), new GaussianProcessTuner(gp)];
        string[] before = [.. tuners.Select(t => t.Settings)];

        genetic.PopulationSize = 1;
        genetic.Seed = 99;
        annealing.InitialTrials = 0;
        random.AvoidRepeats = true;
        gp.Candidates = 0;

        Assert.Equal(before, tuners.Select(t => t.Settings));
        Assert.Contains("\"PopulationSize\":12", before[0], StringComparison.Ordinal);
        Assert.Contains("\"AvoidRepeats\":false", before[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_PrunerOptionsChangedAfterwards_KeepTheSettingsOfConstruction()
    {
        var options = new MedianPrunerOptions { StartupTrials = 7 };
        var pruner = new MedianPruner(options);
        string before = pruner.Settings;

        options.StartupTrials = -5;

        Assert.Equal(before, pruner.Settings);
        Assert.Contains("\"StartupTrials\":7", before, StringComparison.Ordinal);
    }

    [Fact]
    public void Clone_ContainerExecutorOptions_CopiesEveryPropertyAndTheListsThemselves()
    {
        var options = new ContainerExecutorOptions { Image = "img", Command = ["python", "train.py"], Cpus = 2, Memory = "1g", User = "1000" };
        options.RunArguments.Add("--read-only");
        options.Environment["A"] = "1";

        ContainerExecutorOptions copy = options.Clone();
        options.Command.Add("--more");
        options.RunArguments.Add("--privileged");
        options.Environment["B"] = "2";

        Assert.Equal(["python", "train.py"], copy.Command);
        Assert.Equal(["--read-only"], copy.RunArguments);
        Assert.Equal(["A"], copy.Environment.Keys);
        foreach (System.Reflection.PropertyInfo property in typeof(ContainerExecutorOptions).GetProperties().Where(p => p.CanWrite && !p.PropertyType.IsGenericType))
        {
            Assert.Equal(property.GetValue(new ContainerExecutorOptions { Image = "img", Cpus = 2, Memory = "1g", User = "1000" }.Clone()), property.GetValue(new ContainerExecutorOptions { Image = "img", Cpus = 2, Memory = "1g", User = "1000" }));
        }
    }
}
