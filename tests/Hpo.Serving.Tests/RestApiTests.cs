using System.Globalization;
using System.Text.Json;

namespace Hpo.Serving.Tests;

public sealed class RestApiTests
{
    [Fact]
    public async Task Predicts_class_probabilities_that_match_MLNet_for_list_and_object_instances()
    {
        string basePath = ServerHarness.NewBase();
        await TestModels.PublishClassifierAsync(basePath);
        await using ServerHarness harness = await ServerHarness.StartAsync(basePath, o => o.ModelName = "iris");

        float[][] rows = TestModels.IrisRows();
        float[][] sample = [rows[0], rows[60], rows[120], rows[149]];
        string lists = JsonSerializer.Serialize(new { instances = sample });
        (int status, JsonElement body) = await harness.PostJsonAsync("/v1/models/iris:predict", lists);
        Assert.Equal(200, status);
        JsonElement[] predictions = [.. body.GetProperty("predictions").EnumerateArray()];
        Assert.Equal(sample.Length, predictions.Length);
        for (int i = 0; i < sample.Length; i++)
        {
            float[] expected = TestModels.ReferenceProbabilities(sample[i]);
            float[] actual = [.. predictions[i].EnumerateArray().Select(p => p.GetSingle())];
            Assert.Equal(expected.Length, actual.Length);
            for (int j = 0; j < expected.Length; j++)
            {
                Assert.Equal(expected[j], actual[j], 5);
            }

            Assert.Equal(1.0, actual.Sum(), 4);
        }

        string objects = "{\"instances\": [{\"PetalWidth\": 0.2, \"SepalLength\": 5.1, \"SepalWidth\": 3.5, \"PetalLength\": 1.4}]}";
        (status, body) = await harness.PostJsonAsync("/v1/models/iris/versions/1:predict", objects);
        Assert.Equal(200, status);
        float[] byName = [.. body.GetProperty("predictions")[0].EnumerateArray().Select(p => p.GetSingle())];
        float[] reference = TestModels.ReferenceProbabilities(rows[0]);
        Assert.Equal(reference[0], byName[0], 5);
        Assert.True(byName[0] > byName[1] && byName[0] > byName[2], "the first flower is a setosa");
    }

    [Fact]
    public async Task Status_metadata_health_readiness_and_metrics_answer_as_TensorFlow_Serving_does()
    {
        string basePath = ServerHarness.NewBase();
        await using ServerHarness harness = await ServerHarness.StartAsync(basePath);

        (int status, JsonElement body) = await harness.GetJsonAsync("/readyz");
        Assert.Equal(503, status);
        Assert.Contains("No model", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", await harness.Http.GetStringAsync("/healthz"));

        await TestModels.PublishClassifierAsync(basePath);
        await harness.WaitUntilAsync(async () => (await harness.Http.GetAsync("/readyz")).IsSuccessStatusCode, "ready after a version is published");

        (status, body) = await harness.GetJsonAsync("/v1/models/iris");
        Assert.Equal(200, status);
        JsonElement version = body.GetProperty("model_version_status")[0];
        Assert.Equal("1", version.GetProperty("version").GetString());
        Assert.Equal("AVAILABLE", version.GetProperty("state").GetString());
        Assert.Equal("OK", version.GetProperty("status").GetProperty("error_code").GetString());

        (status, body) = await harness.GetJsonAsync("/v1/models/iris/metadata");
        Assert.Equal(200, status);
        Assert.Equal("1", body.GetProperty("model_spec").GetProperty("version").GetString());
        JsonElement inputs = body.GetProperty("metadata").GetProperty("signature_def").GetProperty("signature_def").GetProperty("serving_default").GetProperty("inputs");
        Assert.Equal(["SepalLength", "SepalWidth", "PetalLength", "PetalWidth"], inputs.EnumerateObject().Select(p => p.Name));
        Assert.Equal("mlnet", body.GetProperty("metadata").GetProperty("hpo").GetProperty("kind").GetString());

        (status, _) = await harness.PostJsonAsync("/v1/models/iris:predict", "{\"instances\": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]}");
        Assert.Equal(200, status);
        string metrics = await harness.Http.GetStringAsync("/metrics");
        Assert.Contains("hpo_serving_requests_total{", metrics, StringComparison.Ordinal);
        Assert.Matches("hpo_serving_instances_total\\{[^}]*model=\"iris\"[^}]*\\} 2", metrics);
        Assert.Matches("hpo_serving_model_version\\{[^}]*model=\"iris\"[^}]*\\} 1", metrics);
        Assert.Contains("hpo_serving_request_duration_seconds_bucket", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_regressor_answers_one_number_per_instance()
    {
        string basePath = ServerHarness.NewBase();
        await TestModels.PublishRegressorAsync(basePath);
        await using ServerHarness harness = await ServerHarness.StartAsync(basePath);

        (int status, JsonElement body) = await harness.PostJsonAsync("/v1/models/petal:predict", "{\"instances\": [[5.1, 3.5, 1.4], [6.7, 3.0, 5.2]]}");
        Assert.Equal(200, status);
        double[] values = [.. body.GetProperty("predictions").EnumerateArray().Select(v => v.GetDouble())];
        Assert.Equal(2, values.Length);
        Assert.True(values[0] < values[1], string.Create(CultureInfo.InvariantCulture, $"a short petal predicts a narrower one: {values[0]} vs {values[1]}"));
    }
}
