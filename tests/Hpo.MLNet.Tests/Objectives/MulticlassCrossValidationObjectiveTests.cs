using System.Globalization;
using Hpo.MLNet.Evaluation;
using Hpo.MLNet.Objectives;
using Hpo.MLNet.Trainers;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.ML;

namespace Hpo.MLNet.Tests.Objectives;

public class MulticlassCrossValidationObjectiveTests
{
    private static readonly IDataView Iris = IrisData.Load();

    [Fact]
    public async Task OptimizeAsync_ThreeTrials_RecordsAccuracyAndTheOtherMetricsAsAttributes()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "iris", LightGbmSearchSpace.Create(), new StudyOptions { Direction = StudyDirection.Maximize, Seed = 1, Budget = 3 });
        var objective = new MulticlassCrossValidationObjective(Iris, (ml, trial) => IrisData.Pipeline(ml, LightGbmParameters.FromTrial(trial)));

        OptimizeResult result = await study.OptimizeAsync(objective);

        Assert.Equal(3, result.Counts.Complete);
        foreach (TrialRecord trial in await study.GetTrialsAsync())
        {
            Assert.InRange(trial.Value!.Value, 0, 1);
            Assert.Equal(trial.Value.Value, double.Parse(trial.UserAttributes[MulticlassCrossValidationObjective.MicroAccuracyAttribute], CultureInfo.InvariantCulture));
            Assert.InRange(double.Parse(trial.UserAttributes[MulticlassCrossValidationObjective.MacroAccuracyAttribute], CultureInfo.InvariantCulture), 0, 1);
            Assert.True(double.Parse(trial.UserAttributes[MulticlassCrossValidationObjective.LogLossAttribute], CultureInfo.InvariantCulture) >= 0);
        }
    }

    [Fact]
    public async Task EvaluateAsync_SameTrialTwice_ReturnsTheSameValue()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "iris", LightGbmSearchSpace.Create(), new StudyOptions { Seed = 2 });
        ITrial trial = await study.AskAsync();
        var objective = new MulticlassCrossValidationObjective(Iris, (ml, t) => IrisData.Pipeline(ml, LightGbmParameters.FromTrial(t)), MulticlassMetric.LogLoss, new CrossValidationOptions { FoldCount = 3, Seed = 4 });

        var first = await objective.EvaluateAsync(trial, CancellationToken.None);
        var second = await objective.EvaluateAsync(trial, CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal(first.Value, double.Parse(trial.UserAttributes[MulticlassCrossValidationObjective.LogLossAttribute], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task OptimizeAsync_CancelledDuringATrial_RecordsTheTrialAsCancelled()
    {
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "iris", LightGbmSearchSpace.Create(), new StudyOptions { Direction = StudyDirection.Maximize, Seed = 1, Budget = 5 });
        using var cts = new CancellationTokenSource();
        var objective = new MulticlassCrossValidationObjective(Iris, (ml, trial) =>
        {
            if (trial.Number == 1)
            {
                cts.Cancel();
            }

            return IrisData.Pipeline(ml, LightGbmParameters.FromTrial(trial));
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => study.OptimizeAsync(objective, cancellationToken: cts.Token));

        IReadOnlyList<TrialRecord> trials = await study.GetTrialsAsync();
        Assert.Equal(2, trials.Count);
        Assert.Equal(TrialState.Complete, trials[0].State);
        Assert.Equal(TrialState.Failed, trials[1].State);
        Assert.StartsWith("Cancelled", trials[1].FailReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UndefinedMetric_ThrowsArgumentOutOfRangeException()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MulticlassCrossValidationObjective(Iris, (ml, t) => IrisData.Pipeline(ml, IrisData.Reasonable), (MulticlassMetric)9));
    }

    [Fact]
    public void Constructor_OptionsChangedLater_KeepsTheCopy()
    {
        var options = new CrossValidationOptions { FoldCount = 3, Seed = 8 };
        var objective = new MulticlassCrossValidationObjective(Iris, (ml, t) => IrisData.Pipeline(ml, IrisData.Reasonable), options: options);

        options.FoldCount = 1;

        Assert.Equal((3, 8), (objective.FoldCount, objective.Seed));
    }
}
