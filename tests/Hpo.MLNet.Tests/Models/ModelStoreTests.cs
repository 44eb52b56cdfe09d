using Hpo.MLNet.Models;
using Hpo.MLNet.Objectives;
using Hpo.MLNet.Trainers;
using Hpo.Models;
using Hpo.Storage.Sqlite;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hpo.MLNet.Tests.Models;

public sealed class ModelStoreTests : IDisposable
{
    private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "hpo-mlnet-models", Guid.NewGuid().ToString("N"))).FullName;

    [Fact]
    public async Task Each_trial_saves_its_refit_model_and_the_best_one_is_published_in_one_call()
    {
        var store = new FileSystemArtifactStore(Path.Combine(folder, "artifacts"));
        await using var storage = new SqliteStudyStorage(Path.Combine(folder, "studies.db"));
        Study study = await Study.CreateAsync(storage, "iris models", LightGbmSearchSpace.Create(), new StudyOptions { Direction = StudyDirection.Maximize, Seed = 3, Budget = 3 });
        IDataView data = IrisData.Load();
        var objective = new MulticlassCrossValidationObjective(data, (ml, trial) => IrisData.Pipeline(ml, LightGbmParameters.FromTrial(trial)))
        {
            ModelStore = store,
        };

        await study.OptimizeAsync(objective);

        TrialRecord best = (await study.GetBestTrialAsync())!;
        foreach (TrialRecord trial in await study.GetTrialsAsync())
        {
            Assert.Equal(TrialModels.ModelFolder, trial.UserAttributes[TrialModels.ModelAttribute]);
            Assert.Equal(store.Root, trial.UserAttributes[TrialModels.StoreAttribute]);
            Assert.True(File.Exists(Path.Combine(store.TrialDirectory("iris models", trial.Number), "model", MLNetModels.ModelFileName)));
        }

        Assert.Equal("iris_models", Path.GetFileName(Path.GetDirectoryName(store.TrialDirectory("iris models", 0))));

        var repository = new ModelRepository(Path.Combine(folder, "models"));
        ModelVersion v1 = await repository.PublishBestAsync(storage, store, "iris models", "iris");
        ModelVersion v2 = await repository.PublishBestAsync(storage, store, "iris models", "iris");
        Assert.Equal([1L, 2L], repository.GetVersions("iris"));
        Assert.Equal(Path.Combine(repository.BasePath, "iris", "2"), v2.Directory);

        ModelManifest manifest = repository.ReadManifest("iris", 1);
        Assert.Equal(ModelManifest.MLNetKind, manifest.Kind);
        Assert.Equal(ModelManifest.ClassificationTask, manifest.Task);
        Assert.Equal("iris models", manifest.Study);
        Assert.Equal(best.Number, manifest.Trial);
        Assert.Equal(best.Value, manifest.Value);
        Assert.Equal(["SepalLength", "SepalWidth", "PetalLength", "PetalWidth"], manifest.Inputs.Select(i => i.Name));
        Assert.All(manifest.Inputs, i => Assert.Empty(i.Shape));
        Assert.Equal(best.Parameters.Count, manifest.Parameters!.Count);
        Assert.True(v1.Manifest.Created > DateTimeOffset.MinValue);

        // The published file is the pipeline refit on all 150 rows: it loads and classifies every training row about as well as CV said.
        var ml = new MLContext(0);
        ITransformer model = ml.Model.Load(Path.Combine(v1.Directory, MLNetModels.ModelFileName), out DataViewSchema schema);
        Assert.NotNull(schema.GetColumnOrNull("PetalWidth"));
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
        Assert.True(metrics.MicroAccuracy >= best.Value!.Value - 0.05, $"refit accuracy {metrics.MicroAccuracy} vs CV {best.Value}");
        Assert.DoesNotContain(Directory.EnumerateDirectories(Path.Combine(repository.BasePath, "iris")), d => Path.GetFileName(d).StartsWith('.'));
    }

    [Fact]
    public async Task Without_a_model_store_the_best_trial_has_no_model_and_publishing_says_how_to_get_one()
    {
        await using var storage = new SqliteStudyStorage(Path.Combine(folder, "plain.db"));
        Study study = await Study.CreateAsync(storage, "plain", LightGbmSearchSpace.Create(), new StudyOptions { Direction = StudyDirection.Maximize, Seed = 3, Budget = 1 });
        await study.OptimizeAsync(new MulticlassCrossValidationObjective(IrisData.Load(), (ml, trial) => IrisData.Pipeline(ml, LightGbmParameters.FromTrial(trial))));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new ModelRepository(Path.Combine(folder, "models")).PublishBestAsync(storage, new FileSystemArtifactStore(folder), "plain", "iris"));
        Assert.Contains("ModelStore", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(folder, "models", "iris", "1")));
    }

    [Fact]
    public async Task A_study_tuned_without_a_store_publishes_its_best_trial_refit_on_all_rows_in_one_call()
    {
        await using var storage = new SqliteStudyStorage(Path.Combine(folder, "refit.db"));
        Study study = await Study.CreateAsync(storage, "refit", LightGbmSearchSpace.Create(), new StudyOptions { Direction = StudyDirection.Maximize, Seed = 5, Budget = 2 });
        IDataView data = IrisData.Load();
        var objective = new MulticlassCrossValidationObjective(data, (ml, trial) => IrisData.Pipeline(ml, LightGbmParameters.FromTrial(trial)));
        await study.OptimizeAsync(objective);
        TrialRecord best = (await study.GetBestTrialAsync())!;

        var repository = new ModelRepository(Path.Combine(folder, "refit-models"));
        ModelVersion version = await objective.PublishBestAsync(storage, "refit", repository, "iris");

        Assert.Equal(1, version.Version);
        Assert.Equal(best.Number, version.Manifest.Trial);
        Assert.Equal(best.Value, version.Manifest.Value);
        Assert.Equal("refit", repository.ReadManifest("iris", 1).Study);
        var ml = new MLContext(0);
        ITransformer model = ml.Model.Load(Path.Combine(version.Directory, MLNetModels.ModelFileName), out _);
        Assert.True(ml.MulticlassClassification.Evaluate(model.Transform(data)).MicroAccuracy >= best.Value!.Value - 0.05);
        await Assert.ThrowsAsync<InvalidOperationException>(() => objective.PublishBestAsync(storage, "no such study", repository, "iris"));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
