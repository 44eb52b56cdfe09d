using Hpo.SearchSpaces;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners.GaussianProcess;

namespace Hpo.Tests.Studies;

public class StudyRecommendationTests
{
    [Fact]
    public async Task GetRecommendedTrialAsync_DefaultTuner_IsTheBestTrialAndNullBeforeAny()
    {
        SearchSpace space = new SearchSpaceBuilder().AddFloat("x", 0, 1).Build();
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "r", space, new StudyOptions { Seed = 3 });

        Assert.Null(await study.GetRecommendedTrialAsync());
        await study.OptimizeAsync(t => Math.Abs((double)t.Parameters["x"] - 0.3), new OptimizeOptions { TrialCount = 12 });

        TrialRecord? best = await study.GetBestTrialAsync();
        TrialRecord? recommended = await study.GetRecommendedTrialAsync();
        Assert.Equal(best!.Number, recommended!.Number);
    }

    [Fact]
    public async Task GetRecommendedTrialAsync_GaussianProcessOnANoisyObjective_AsksTheTunersModel()
    {
        // Values 4 (x - 0.5)^2 + noise, and one lucky draw far from the optimum: the best trial is the lucky one, the
        // recommendation is not.
        SearchSpace space = new SearchSpaceBuilder().AddFloat("x", 0, 1).Build();
        await using var storage = new InMemoryStudyStorage();
        Study study = await Study.CreateAsync(storage, "g", space, new StudyOptions { Tuner = new GaussianProcessTuner() });
        var random = new Random(21);
        for (int i = 0; i < 40; i++)
        {
            double x = i / 39.0;
            double noise = 0.1 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            await study.EnqueueAsync(new Dictionary<string, object> { ["x"] = x });
            ITrial trial = await study.AskAsync();
            await study.TellAsync(trial, (4.0 * (x - 0.5) * (x - 0.5)) + noise);
        }

        await study.EnqueueAsync(new Dictionary<string, object> { ["x"] = 0.05 });
        ITrial lucky = await study.AskAsync();
        await study.TellAsync(lucky, -0.5);

        TrialRecord? recommended = await study.GetRecommendedTrialAsync();
        Assert.Equal(lucky.Number, (await study.GetBestTrialAsync())!.Number);
        Assert.InRange((double)recommended!.Parameters["x"], 0.35, 0.65);
    }
}
