namespace Hpo.Serving.Tests;

/// <summary>The server's options follow the options pattern: validated once, and the server keeps its own copy.</summary>
public sealed class ModelServerOptionsTests
{
    [Fact]
    public void Clone_ChangesToTheOriginalAfterwards_DoNotReachTheCopy()
    {
        var options = new ModelServerOptions { ModelBasePath = "models", ModelName = "iris", Urls = ["http://127.0.0.1:0"], WarmupPredictions = 3 };

        ModelServerOptions copy = options.Clone();
        options.Urls.Add("http://127.0.0.1:1");
        options.ModelName = "other";
        options.WarmupPredictions = 9;

        Assert.Equal(["http://127.0.0.1:0"], copy.Urls);
        Assert.Equal("iris", copy.ModelName);
        Assert.Equal(3, copy.WarmupPredictions);
        Assert.Equal("models", copy.ModelBasePath);
    }

    [Fact]
    public async Task Create_OptionsChangedAfterwards_TheServerKeepsItsCopy()
    {
        string root = Path.Combine(Path.GetTempPath(), "hpo-serving-options-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var options = new ModelServerOptions { ModelBasePath = root, Urls = ["http://127.0.0.1:0"], GrpcPort = null };
            await using ModelServer server = ModelServer.Create(options, configureLogging: _ => { });

            options.Urls.Add("http://127.0.0.1:1");
            options.ModelBasePath = "elsewhere";

            Assert.NotSame(options, server.Options);
            Assert.Equal(["http://127.0.0.1:0"], server.Options.Urls);
            Assert.Equal(root, server.Options.ModelBasePath);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
