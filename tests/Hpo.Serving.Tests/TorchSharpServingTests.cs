using System.Text.Json;
using Hpo.TorchSharp.Models;
using static TorchSharp.torch;

namespace Hpo.Serving.Tests;

public sealed class TorchSharpServingTests
{
    [Fact]
    public async Task A_TorchSharp_MLP_is_served_with_its_standardization_and_softmax()
    {
        string basePath = ServerHarness.NewBase();
        var version = await TestModels.PublishTorchAsync(basePath);
        await using ServerHarness harness = await ServerHarness.StartAsync(basePath);

        float[][] rows = TestModels.IrisRows();
        (int status, JsonElement body) = await harness.PostJsonAsync("/v1/models/iris-mlp:predict", JsonSerializer.Serialize(new { instances = new[] { rows[0], rows[100] } }));
        Assert.Equal(200, status);
        float[][] served = [.. body.GetProperty("predictions").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetSingle()).ToArray())];

        (SequentialArchitecture architecture, var module) = TorchSharpModels.Load(version.Directory);
        using (module)
        using (no_grad())
        {
            float[] x = [.. new[] { rows[0], rows[100] }.SelectMany(r => r.Select((v, j) => (v - architecture.InputMean![j]) / architecture.InputScale![j]))];
            using Tensor input = tensor(x, [2, 4]);
            using Tensor output = module.call(input).softmax(1);
            float[] expected = output.data<float>().ToArray();
            for (int i = 0; i < 2; i++)
            {
                Assert.Equal(1.0, served[i].Sum(), 4);
                for (int j = 0; j < 3; j++)
                {
                    Assert.Equal(expected[(i * 3) + j], served[i][j], 5);
                }
            }
        }

        (status, body) = await harness.GetJsonAsync("/v1/models/iris-mlp/metadata");
        Assert.Equal("torchsharp", body.GetProperty("metadata").GetProperty("hpo").GetProperty("kind").GetString());
        (status, _) = await harness.PostJsonAsync("/v1/models/iris-mlp:predict", "{\"instances\": [[1, 2, 3]]}");
        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Predictors_created_under_load_after_the_folder_is_gone_come_from_memory()
    {
        string basePath = ServerHarness.NewBase();
        var version = await TestModels.PublishTorchAsync(basePath);
        using Engines.ModelEngine engine = Engines.ModelEngine.LoadVersion(version.Directory, version.Manifest, poolSize: 2);
        Directory.Delete(basePath, recursive: true);

        float[] instance = [5.1f, 3.5f, 1.4f, 0.2f];
        float[] expected = new float[3];
        engine.Predict(instance, 1, expected);
        float[][] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
        {
            float[] output = new float[3];
            for (int i = 0; i < 50; i++)
            {
                engine.Predict(instance, 1, output);
            }

            return output;
        })));
        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
