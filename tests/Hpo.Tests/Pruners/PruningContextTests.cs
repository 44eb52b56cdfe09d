using Hpo.Pruners;
using Hpo.Studies;
using Hpo.Trials;
using static Hpo.Tests.Pruners.Curves;

namespace Hpo.Tests.Pruners;

public sealed class PruningContextTests
{
    [Fact]
    public void Constructor_KeepsWhatItIsGiven()
    {
        TrialRecord asked = AtSteps(4, TrialState.Running, (2, 0.5), (7, 0.25), (5, 0.3));
        TrialRecord[] trials = Flat(3, 1, 2);

        var context = new PruningContext(asked, trials, [StudyDirection.Maximize], seed: 11, budget: 40);

        Assert.Same(asked, context.Trial);
        Assert.Equal(4, context.TrialNumber);
        Assert.Same(trials, context.Trials);
        Assert.Equal(StudyDirection.Maximize, context.Direction);
        Assert.Equal(11, context.Seed);
        Assert.Equal(40, context.Budget);
        Assert.Equal([2L, 5, 7], context.IntermediateValues.Keys);
    }

    [Fact]
    public void CurrentStep_IsTheHighestReportedStep()
    {
        Assert.Equal(7, new PruningContext(AtSteps(0, TrialState.Running, (7, 1), (2, 1)), [], [StudyDirection.Minimize]).CurrentStep);
        Assert.Null(new PruningContext(Trial(0, TrialState.Running), [], [StudyDirection.Minimize]).CurrentStep);
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        TrialRecord asked = Trial(0, TrialState.Running);

        Assert.Throws<ArgumentNullException>(() => new PruningContext(null!, [], [StudyDirection.Minimize]));
        Assert.Throws<ArgumentNullException>(() => new PruningContext(asked, null!, [StudyDirection.Minimize]));
        Assert.Throws<ArgumentNullException>(() => new PruningContext(asked, [], null!));
        ArgumentException e = Assert.Throws<ArgumentException>(() => new PruningContext(asked, [], []));
        Assert.Equal("directions", e.ParamName);
    }
}
