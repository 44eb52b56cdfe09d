using System.Net.Http.Json;
using System.Text.Json;
using Hpo.Models;
using Hpo.Objectives;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.ML;
using Microsoft.ML.Data;
using Hpo.Registries;

namespace Hpo.Cli.Tests.Commands;

public sealed class ServingCommandsTests : IDisposable
{
    private readonly TempFolder folder = new();

    [Fact]
    public async Task Export_publishes_the_best_trials_model_as_the_next_version_and_serve_serves_it_over_http()
    {
        string url = folder.Url();
        string artifacts = folder.File("artifacts");
        await CreateStudyWithModelsAsync(url, artifacts);
        string models = folder.File("models");

        CliResult first = await Cli.RunAsync("export", "--storage", url, "--study", "tuned", "--model-base-path", models, "--name", "points", "--format", "json");
        Assert.True(first.ExitCode == 0, first.ToString());
        JsonElement exported = first.Json();
        Assert.Equal(1, exported.GetProperty("version").GetInt64());
        Assert.Equal(2, exported.GetProperty("trial").GetInt32()); // the best of 0.3, 0.2, 0.1 (minimize)
        Assert.Equal("mlnet", exported.GetProperty("kind").GetString());
        CliResult second = await Cli.RunAsync("export", "--storage", url, "--study", "tuned", "--model-base-path", models, "--name", "points", "--trial", "0", "--artifacts", artifacts, "--format", "json");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(2, second.Json().GetProperty("version").GetInt64());
        Assert.Equal(0, new ModelRepository(models).ReadManifest("points", 2).Trial);

        // hpo serve on a free port, with a real HttpClient, until cancelled (Ctrl+C).
        using var stop = new CancellationTokenSource();
        using var output = new StringWriter();
        var error = new SignallingWriter();
        Task<int> serve = HpoCli.RunAsync(["serve", "--model-base-path", models, "--name", "points", "--urls", "http://127.0.0.1:0", "--grpc-port", "none", "--format", "json"], output, error, stop.Token);
        string started = await error.WaitForAsync("REST on ", TimeSpan.FromSeconds(60));
        var address = new Uri(started.Split("REST on ", 2)[1].Split(new[] { ',', ';', ' ' }, 2)[0]);
        using (var http = new HttpClient { BaseAddress = address })
        {
            Assert.Equal("ready", await http.GetStringAsync("/readyz"));
            using HttpResponseMessage response = await http.PostAsJsonAsync("/v1/models/points:predict", new { instances = new[] { new[] { -2f, -2f }, new[] { 2f, 2f } } });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            JsonElement predictions = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions");
            Assert.True(predictions[0][0].GetSingle() > 0.5f && predictions[1][1].GetSingle() > 0.5f, predictions.ToString());
            JsonElement status = await http.GetFromJsonAsync<JsonElement>("/v1/models/points");
            Assert.Equal("2", status.GetProperty("model_version_status")[0].GetProperty("version").GetString());
        }

        await stop.CancelAsync();
        Assert.Equal(0, await serve.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("\"urls\"", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--grpc-port", "99999", "--grpc-port must be a port")]
    [InlineData("--version-policy", "newest", "--version-policy")]
    [InlineData("--urls", "https://127.0.0.1:8501", "TLS belongs to a proxy")]
    [InlineData("--log-format", "xml", "--log-format must be text or json")]
    [InlineData("--name", "../x", "ModelName")]
    public async Task Serve_refuses_bad_options_with_a_usage_error_naming_them(string option, string value, string message)
    {
        CliResult result = await Cli.RunAsync("serve", "--model-base-path", folder.Path, option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_of_a_study_whose_trials_saved_no_model_fails_and_says_why()
    {
        string url = folder.Url("plain.db");
        await using (IStudyStorage storage = StorageRegistry.Default.Open(url))
        {
            Study study = await Study.CreateAsync(storage, "plain", new SearchSpaceBuilder().AddFloat("x", 0, 1).Build(), new StudyOptions { Seed = 1 });
            await study.OptimizeAsync(Objective.Create(trial => trial.Get<double>("x")), new OptimizeOptions { TrialCount = 1 });
        }

        CliResult result = await Cli.RunAsync("export", "--storage", url, "--study", "plain", "--model-base-path", folder.File("m"), "--name", "x", "--artifacts", folder.File("a"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("saved no model", result.Error, StringComparison.Ordinal);
        CliResult badName = await Cli.RunAsync("export", "--storage", url, "--study", "plain", "--model-base-path", folder.File("m"), "--name", "a b");
        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("'--name' must be", badName.Error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        folder.Dispose();
    }

    /// <summary>A study of three trials (values 0.3, 0.2, 0.1), each saving a real ML.NET classifier of two features.</summary>
    private static async Task CreateStudyWithModelsAsync(string url, string artifacts)
    {
        var store = new FileSystemArtifactStore(artifacts);
        var ml = new MLContext(0);
        Point[] points = [.. Enumerable.Range(0, 80).Select(i => new Point { A = (i % 2 == 0 ? -1 : 1) * (1 + (i % 7 * 0.1f)), B = (i % 2 == 0 ? -1 : 1) * (1 + (i % 5 * 0.1f)), Label = i % 2 })];
        IDataView data = ml.Data.LoadFromEnumerable(points);
        ITransformer model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "A", "B"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20))
            .Fit(data);
        string zip = Path.Combine(artifacts, "upload.zip");
        Directory.CreateDirectory(artifacts);
        ml.Model.Save(model, data.Schema, zip);
        var manifest = new ModelManifest
        {
            Kind = ModelManifest.MLNetKind,
            Task = ModelManifest.ClassificationTask,
            ModelFile = "model.zip",
            Inputs = [new ModelInput("A", []), new ModelInput("B", [])],
        };

        await using IStudyStorage storage = StorageRegistry.Default.Open(url);
        Study study = await Study.CreateAsync(storage, "tuned", new SearchSpaceBuilder().AddFloat("x", 0, 1).Build(), new StudyOptions { Seed = 1 });
        double[] values = [0.3, 0.2, 0.1];
        await study.OptimizeAsync(Objective.Create(async ValueTask<ObjectiveResult> (ITrial trial, CancellationToken ct) =>
        {
            await TrialModels.SaveAsync(store, trial, manifest, new Dictionary<string, string> { ["model.zip"] = zip }, ct);
            return ObjectiveResult.FromValue(values[trial.Number]);
        }), new OptimizeOptions { TrialCount = 3 });
    }

    private sealed class Point
    {
        public float A { get; set; }

        public float B { get; set; }

        public float Label { get; set; }
    }

    /// <summary>Standard error that a test can wait on.</summary>
    private sealed class SignallingWriter : StringWriter
    {
        private readonly SemaphoreSlim written = new(0);

        public override void Write(char value)
        {
            base.Write(value);
            written.Release();
        }

        public override void Write(string? value)
        {
            base.Write(value);
            written.Release();
        }

        public override Task WriteLineAsync(string? value)
        {
            base.WriteLine(value);
            written.Release();
            return Task.CompletedTask;
        }

        public async Task<string> WaitForAsync(string text, TimeSpan timeout)
        {
            DateTime end = DateTime.UtcNow + timeout;
            while (!ToString().Contains(text, StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < end, $"Timed out waiting for '{text}' on standard error: {this}");
                await written.WaitAsync(TimeSpan.FromMilliseconds(200));
            }

            return ToString();
        }

        protected override void Dispose(bool disposing)
        {
            written.Dispose();
            base.Dispose(disposing);
        }
    }
}
