using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Hpo.Serving.Grpc;

namespace Hpo.Serving.Tests;

public sealed class GrpcTests
{
    [Fact]
    public async Task The_generated_client_predicts_checks_health_and_lists_services_by_reflection()
    {
        string basePath = ServerHarness.NewBase();
        await TestModels.PublishClassifierAsync(basePath);
        await using ServerHarness harness = await ServerHarness.StartAsync(basePath);
        using GrpcChannel channel = GrpcChannel.ForAddress(harness.Server.GrpcAddress!);

        var client = new PredictionService.PredictionServiceClient(channel);
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "iris" } };
        float[][] rows = TestModels.IrisRows();
        foreach (float[] row in new[] { rows[0], rows[149] })
        {
            var instance = new Instance();
            instance.Values.AddRange(row);
            request.Instances.Add(instance);
        }

        PredictResponse response = await client.PredictAsync(request);
        Assert.Equal(1, response.ModelSpec.Version);
        Assert.Equal(2, response.Predictions.Count);
        float[] expected = TestModels.ReferenceProbabilities(rows[149]);
        Assert.Equal(expected[2], response.Predictions[1].Values[2], 5);

        RpcException notFound = await Assert.ThrowsAsync<RpcException>(async () => await client.PredictAsync(new PredictRequest { ModelSpec = new ModelSpec { Name = "nope" }, Instances = { new Instance { Values = { 1, 2, 3, 4 } } } }));
        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);
        RpcException shape = await Assert.ThrowsAsync<RpcException>(async () => await client.PredictAsync(new PredictRequest { ModelSpec = new ModelSpec { Name = "iris" }, Instances = { new Instance { Values = { 1, 2 } } } }));
        Assert.Equal(StatusCode.InvalidArgument, shape.StatusCode);
        Assert.Contains("must have 4 values", shape.Status.Detail, StringComparison.Ordinal);
        RpcException nan = await Assert.ThrowsAsync<RpcException>(async () => await client.PredictAsync(new PredictRequest { ModelSpec = new ModelSpec { Name = "iris" }, Instances = { new Instance { Values = { 1, float.NaN, 3, 4 } } } }));
        Assert.Equal(StatusCode.InvalidArgument, nan.StatusCode);
        RpcException empty = await Assert.ThrowsAsync<RpcException>(async () => await client.PredictAsync(new PredictRequest { ModelSpec = new ModelSpec { Name = "iris" } }));
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);

        GetModelStatusResponse status = await client.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "iris" } });
        Assert.Equal("AVAILABLE", status.ModelVersionStatus.Single().State);

        var health = new Health.HealthClient(channel);
        HealthCheckResponse check = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, check.Status);

        var reflection = new ServerReflection.ServerReflectionClient(channel);
        using AsyncDuplexStreamingCall<ServerReflectionRequest, ServerReflectionResponse> call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        string[] services = [.. call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name)];
        Assert.Contains("hpo.serving.v1.PredictionService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }
}
