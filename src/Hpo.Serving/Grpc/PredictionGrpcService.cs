using System.Buffers;
using System.Diagnostics;
using Grpc.Core;
using Hpo.Serving.Metrics;
using Hpo.Serving.Versions;

namespace Hpo.Serving.Grpc;

/// <summary>The gRPC <c>hpo.serving.v1.PredictionService</c> (Protos/hpo_serving.proto) over the same catalog and engines as REST.</summary>
internal sealed class PredictionGrpcService(ModelCatalog catalog, ServingMetrics metrics, RequestLimits options) : PredictionService.PredictionServiceBase
{
    public override Task<PredictResponse> Predict(PredictRequest request, ServerCallContext context)
    {
        long started = Stopwatch.GetTimestamp();
        string name = request.ModelSpec?.Name ?? string.Empty;
        if (name.Length == 0)
        {
            throw Fail(name, StatusCode.InvalidArgument, "model_spec.name is required.");
        }

        long? version = request.ModelSpec!.Version > 0 ? request.ModelSpec.Version : null;
        Resolution resolution = catalog.Acquire(name, version);
        if (resolution.Served is not { } served)
        {
            throw Fail(name, resolution.Status == 404 ? StatusCode.NotFound : StatusCode.Unavailable, resolution.Error!);
        }

        float[]? values = null;
        float[]? output = null;
        try
        {
            int count = request.Instances.Count;
            int size = served.Engine.InstanceSize;
            if (count == 0)
            {
                throw Fail(name, StatusCode.InvalidArgument, "instances is empty: send at least one instance.");
            }

            if (count > options.MaxInstancesPerRequest)
            {
                throw Fail(name, StatusCode.ResourceExhausted, $"A request may hold at most {options.MaxInstancesPerRequest} instances, but got {count}.");
            }

            values = ArrayPool<float>.Shared.Rent(count * size);
            for (int i = 0; i < count; i++)
            {
                var row = request.Instances[i].Values;
                if (row.Count != size)
                {
                    throw Fail(name, StatusCode.InvalidArgument, $"instance {i} must have {size} values, but has {row.Count}.");
                }

                for (int j = 0; j < size; j++)
                {
                    float v = row[j];
                    if (!float.IsFinite(v))
                    {
                        throw Fail(name, StatusCode.InvalidArgument, $"instance {i} value {j} must be a finite number, but got {v}.");
                    }

                    values[(i * size) + j] = v;
                }
            }

            output = Predictions.Run(served, values, count, context.CancellationToken);
            var response = new PredictResponse { ModelSpec = new ModelSpec { Name = name, Version = served.Version } };
            int outSize = served.Engine.OutputSize;
            for (int i = 0; i < count; i++)
            {
                var prediction = new Prediction();
                prediction.Values.AddRange(new ArraySegment<float>(output, i * outSize, outSize));
                response.Predictions.Add(prediction);
            }

            metrics.Record(name, "grpc", 200, count, Stopwatch.GetElapsedTime(started).TotalSeconds);
            return Task.FromResult(response);
        }
        finally
        {
            Predictions.Finish(served, values, output);
        }
    }

    public override Task<GetModelStatusResponse> GetModelStatus(GetModelStatusRequest request, ServerCallContext context)
    {
        string name = request.ModelSpec?.Name ?? string.Empty;
        IReadOnlyList<VersionStatus> statuses = catalog.GetStatus(name)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"The server has no model named '{name}'."));
        var response = new GetModelStatusResponse();
        foreach (VersionStatus status in statuses.Where(s => request.ModelSpec!.Version <= 0 || s.Version == request.ModelSpec.Version).OrderByDescending(s => s.Version))
        {
            response.ModelVersionStatus.Add(new ModelVersionStatus { Version = status.Version, State = status.State, ErrorMessage = status.Error });
        }

        return Task.FromResult(response);
    }

    private RpcException Fail(string name, StatusCode code, string message)
    {
        metrics.Record(name, "grpc", code switch { StatusCode.NotFound => 404, StatusCode.Unavailable => 503, StatusCode.ResourceExhausted => 413, _ => 400 }, 0, 0);
        return new RpcException(new Status(code, message));
    }
}
