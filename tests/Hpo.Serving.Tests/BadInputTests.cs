using System.Text.Json;

namespace Hpo.Serving.Tests;

public sealed class BadInputTests : IAsyncLifetime
{
    private ServerHarness harness = null!;

    public async Task InitializeAsync()
    {
        string basePath = ServerHarness.NewBase();
        await TestModels.PublishClassifierAsync(basePath);
        harness = await ServerHarness.StartAsync(basePath, o =>
        {
            o.MaxRequestBodySize = 4096;
            o.MaxInstancesPerRequest = 50;
        });
    }

    public async Task DisposeAsync() => await harness.DisposeAsync();

    [Theory]
    [InlineData("{\"instances\": [[5.1, 3.5, 1.4]]}", "instance 0 must have 4 values")]
    [InlineData("{\"instances\": [[5.1, 3.5, 1.4, 0.2, 9]]}", "instance 0 must have 4 values")]
    [InlineData("{\"instances\": [[5.1, \"3.5\", 1.4, 0.2]]}", "instance 0 value 1 must be a number, but got a string")]
    [InlineData("{\"instances\": [[5.1, NaN, 1.4, 0.2]]}", "not valid JSON")]
    [InlineData("{\"instances\": [[5.1, \"NaN\", 1.4, 0.2]]}", "must be a number")]
    [InlineData("{\"instances\": [[5.1, 1e39, 1.4, 0.2]]}", "finite number within the range of float32")]
    [InlineData("{\"instances\": []}", "'instances' is empty")]
    [InlineData("{\"signature_name\": \"x\"}", "has no 'instances'")]
    [InlineData("{\"inputs\": {\"SepalLength\": [1]}}", "Only the row format")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{\"instances\": [{\"SepalLength\": 5.1, \"SepalWidth\": 3.5, \"PetalLength\": 1.4}]}", "misses input 'PetalWidth'")]
    [InlineData("{\"instances\": [{\"Sepal\": 5.1}]}", "unknown input 'Sepal'")]
    [InlineData("{\"instances\": [7]}", "instance 0 must be a list of 4 numbers or an object")]
    [InlineData("{\"instances\": [[5.1, 3.5, 1.4, 0.2]", "not valid JSON")]
    public async Task Bad_instances_get_400_with_a_message_and_the_server_keeps_serving(string body, string message)
    {
        (int status, JsonElement error) = await harness.PostJsonAsync("/v1/models/iris:predict", body);
        Assert.Equal(400, status);
        Assert.Contains(message, error.GetProperty("error").GetString(), StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_413_whether_its_length_is_announced_or_streamed()
    {
        // Expect: 100-continue, as a client sending a large body should: the server refuses before the body is sent, so the
        // answer is never lost to a connection the server closes while the client is still writing.
        string big = "{\"instances\": [" + string.Join(",", Enumerable.Repeat("[5.1, 3.5, 1.4, 0.2]", 400)) + "]}";
        foreach (bool chunked in new[] { false, true })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/iris:predict")
            {
                Content = chunked
                    ? new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(big)))
                    : new StringContent(big, System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.ExpectContinue = true;
            request.Headers.TransferEncodingChunked = chunked;
            using HttpResponseMessage response = await harness.Http.SendAsync(request);
            Assert.Equal(413, (int)response.StatusCode);
            using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Contains("limit", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        string many = "{\"instances\": [" + string.Join(",", Enumerable.Repeat("[5,3,1,0]", 60)) + "]}";
        (int status, JsonElement tooMany) = await harness.PostJsonAsync("/v1/models/iris:predict", many);
        Assert.Equal(413, status);
        Assert.Contains("at most 50 instances", tooMany.GetProperty("error").GetString(), StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData("/v1/models/nope:predict", "no model named 'nope'")]
    [InlineData("/v1/models/iris/versions/7:predict", "version 7 is not served")]
    [InlineData("/v1/models/iris/versions/x:predict", "positive integer")]
    [InlineData("/v1/models/iris:classify", "predict with POST")]
    public async Task Unknown_models_versions_and_verbs_get_404(string path, string message)
    {
        (int status, JsonElement error) = await harness.PostJsonAsync(path, "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}");
        Assert.Equal(404, status);
        Assert.Contains(message, error.GetProperty("error").GetString(), StringComparison.Ordinal);
        (status, error) = await harness.GetJsonAsync("/v1/models/nope");
        Assert.Equal(404, status);
        Assert.True(error.TryGetProperty("error", out _));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task No_endpoint_writes_anything()
    {
        string before = string.Join("\n", Directory.EnumerateFileSystemEntries(harness.BasePath, "*", SearchOption.AllDirectories).Order());
        foreach (HttpMethod method in new[] { HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
        {
            using var request = new HttpRequestMessage(method, "/v1/models/iris") { Content = new StringContent("{}") };
            using HttpResponseMessage response = await harness.Http.SendAsync(request);
            Assert.True((int)response.StatusCode is 404 or 405, $"{method} answered {(int)response.StatusCode}");
        }

        Assert.Equal(before, string.Join("\n", Directory.EnumerateFileSystemEntries(harness.BasePath, "*", SearchOption.AllDirectories).Order()));
    }

    private async Task AssertStillServingAsync()
    {
        (int status, JsonElement body) = await harness.PostJsonAsync("/v1/models/iris:predict", "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}");
        Assert.Equal(200, status);
        Assert.Equal(3, body.GetProperty("predictions")[0].GetArrayLength());
    }
}
