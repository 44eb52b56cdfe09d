using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Hpo.Models;
using Hpo.Serving.Metrics;
using Hpo.Serving.Versions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hpo.Serving.Rest;

/// <summary>
/// TensorFlow Serving's REST API over the catalog: model status, metadata and predict, plus <c>/healthz</c> and <c>/readyz</c>.
/// Every error is <c>{"error": "..."}</c> with 400, 404, 413 or 503; nothing here writes anywhere but the response.
/// </summary>
internal static partial class RestApi
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", static context => WriteText(context, 200, "ok"));
        endpoints.MapGet("/readyz", static context =>
        {
            ModelCatalog catalog = context.RequestServices.GetRequiredService<ModelCatalog>();
            return catalog.IsReady ? WriteText(context, 200, "ready") : WriteError(context, 503, "No model version is loaded and warmed yet.");
        });
        endpoints.MapGet("/v1/models/{**path}", static context => GetAsync(context));
        endpoints.MapPost("/v1/models/{**path}", static context => PredictAsync(context));
        endpoints.MapFallback(static context => WriteError(context, 404, $"No endpoint {context.Request.Method} {context.Request.Path}: the API is GET /v1/models/NAME[/versions/N][/metadata] and POST /v1/models/NAME[/versions/N]:predict."));
    }

    private static Task GetAsync(HttpContext context)
    {
        ModelCatalog catalog = context.RequestServices.GetRequiredService<ModelCatalog>();
        string path = (string?)context.Request.RouteValues["path"] ?? string.Empty;
        bool metadata = path.EndsWith("/metadata", StringComparison.Ordinal);
        if (metadata)
        {
            path = path[..^"/metadata".Length];
        }

        if (!TryParseTarget(path, out string name, out long? version, out string? error))
        {
            return WriteError(context, 404, error!);
        }

        if (!metadata)
        {
            IReadOnlyList<VersionStatus>? statuses = catalog.GetStatus(name);
            if (statuses is null)
            {
                return WriteError(context, 404, $"Servable not found: the server has no model named '{name}'.");
            }

            if (version is long v)
            {
                statuses = [.. statuses.Where(s => s.Version == v)];
                if (statuses.Count == 0)
                {
                    return WriteError(context, 404, $"Servable not found: model '{name}' has no version {v}.");
                }
            }

            return WriteJson(context, 200, writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("model_version_status");
                foreach (VersionStatus status in statuses.OrderByDescending(s => s.Version))
                {
                    writer.WriteStartObject();
                    writer.WriteString("version", status.Version.ToString(CultureInfo.InvariantCulture));
                    writer.WriteString("state", status.State);
                    writer.WriteStartObject("status");
                    writer.WriteString("error_code", status.State == "FAILED" ? "UNKNOWN" : "OK");
                    writer.WriteString("error_message", status.Error);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        }

        Resolution resolution = catalog.Acquire(name, version);
        if (resolution.Served is not { } served)
        {
            return WriteError(context, resolution.Status, resolution.Error!);
        }

        try
        {
            ModelManifest manifest = served.Manifest;
            return WriteJson(context, 200, writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartObject("model_spec");
                writer.WriteString("name", name);
                writer.WriteString("signature_name", "serving_default");
                writer.WriteString("version", served.Version.ToString(CultureInfo.InvariantCulture));
                writer.WriteEndObject();
                writer.WriteStartObject("metadata");
                writer.WriteStartObject("signature_def");
                writer.WriteStartObject("signature_def");
                writer.WriteStartObject("serving_default");
                writer.WriteStartObject("inputs");
                foreach (ModelInput input in manifest.Inputs)
                {
                    WriteTensorInfo(writer, input.Name, input.Shape);
                }

                writer.WriteEndObject();
                writer.WriteStartObject("outputs");
                WriteTensorInfo(writer, "predictions", manifest.Task == ModelManifest.ClassificationTask ? [served.Engine.OutputSize] : []);
                writer.WriteEndObject();
                writer.WriteString("method_name", "tensorflow/serving/predict");
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WritePropertyName("hpo");
                using JsonDocument document = JsonDocument.Parse(manifest.ToJson());
                document.WriteTo(writer);
                writer.WriteEndObject();
                writer.WriteEndObject();
            });
        }
        finally
        {
            served.Release();
        }
    }

    private static async Task PredictAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        var services = context.RequestServices;
        ModelCatalog catalog = services.GetRequiredService<ModelCatalog>();
        ServingMetrics metrics = services.GetRequiredService<ServingMetrics>();
        RequestLimits options = services.GetRequiredService<RequestLimits>();
        string path = (string?)context.Request.RouteValues["path"] ?? string.Empty;
        string? targetError = null;
        if (!path.EndsWith(":predict", StringComparison.Ordinal) || !TryParseTarget(path[..^":predict".Length], out string name, out long? version, out targetError))
        {
            await WriteError(context, 404, targetError ?? $"No endpoint POST /v1/models/{path}: predict with POST /v1/models/NAME:predict or /v1/models/NAME/versions/N:predict.").ConfigureAwait(false);
            return;
        }

        int status;
        int count = 0;
        if (context.Request.ContentLength > options.MaxRequestBodySize)
        {
            status = 413;
            await WriteError(context, status, $"The body has {context.Request.ContentLength} bytes, but the limit is {options.MaxRequestBodySize}.").ConfigureAwait(false);
            metrics.Record(name, "rest", status, 0, 0);
            return;
        }

        Resolution resolution = catalog.Acquire(name, version);
        if (resolution.Served is not { } served)
        {
            await WriteError(context, resolution.Status, resolution.Error!).ConfigureAwait(false);
            metrics.Record(name, "rest", resolution.Status, 0, 0);
            return;
        }

        CancellationToken aborted = context.RequestAborted;
        PipeReader body = context.Request.BodyReader;
        float[]? values = null;
        float[]? output = null;
        try
        {
            ReadResult read;
            while (true)
            {
                read = await body.ReadAsync(aborted).ConfigureAwait(false);
                if (read.Buffer.Length > options.MaxRequestBodySize)
                {
                    body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                    status = 413;
                    await WriteError(context, status, $"The body is longer than the limit of {options.MaxRequestBodySize} bytes.").ConfigureAwait(false);
                    metrics.Record(name, "rest", status, 0, 0);
                    return;
                }

                if (read.IsCompleted || read.IsCanceled)
                {
                    break;
                }

                body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }

            (int Status, string Message)? problem = InstanceParser.Parse(read.Buffer, served.Manifest, options.MaxInstancesPerRequest, out values, out count);
            body.AdvanceTo(read.Buffer.End);
            if (problem is { } p)
            {
                metrics.Record(name, "rest", p.Status, 0, 0);
                await WriteError(context, p.Status, p.Message).ConfigureAwait(false);
                return;
            }

            output = Predictions.Run(served, values, count, aborted);
            int outSize = served.Engine.OutputSize;
            bool lists = served.Engine.IsClassifier;
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
            {
                writer.WriteStartObject();
                writer.WriteStartArray("predictions"u8);
                for (int i = 0; i < count; i++)
                {
                    if (lists)
                    {
                        writer.WriteStartArray();
                        for (int j = 0; j < outSize; j++)
                        {
                            writer.WriteNumberValue(output[(i * outSize) + j]);
                        }

                        writer.WriteEndArray();
                    }
                    else
                    {
                        writer.WriteNumberValue(output[i * outSize]);
                    }
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            await context.Response.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);
            metrics.Record(name, "rest", 200, count, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception e) when (aborted.IsCancellationRequested && e is OperationCanceledException or IOException or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            // The client went away: nothing to answer; the version's reference is released below.
            LogClientGone(services.GetRequiredService<ILoggerFactory>().CreateLogger("Hpo.Serving.Rest"), name, served.Version);
            metrics.Record(name, "rest", 499, 0, 0);
        }
        catch (Exception e) when (e is not (OperationCanceledException or BadHttpRequestException or OutOfMemoryException))
        {
            // A model that throws (a bug, a native failure) answers this request 500 and is logged; the server keeps serving.
            LogPredictFailed(services.GetRequiredService<ILoggerFactory>().CreateLogger("Hpo.Serving.Rest"), name, served.Version, e);
            metrics.Record(name, "rest", 500, 0, 0);
            await WriteError(context, 500, $"The prediction failed: {e.Message}").ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            metrics.Record(name, "rest", e.StatusCode, 0, 0);
            await WriteError(context, e.StatusCode == 413 ? 413 : 400, e.StatusCode == 413 ? $"The body is longer than the limit of {options.MaxRequestBodySize} bytes." : e.Message).ConfigureAwait(false);
        }
        finally
        {
            Predictions.Finish(served, values, output);
        }
    }

    /// <summary>Parses <c>NAME</c> or <c>NAME/versions/N</c>.</summary>
    private static bool TryParseTarget(string path, out string name, out long? version, out string? error)
    {
        version = null;
        error = null;
        string[] parts = path.Split('/');
        name = parts[0];
        if (parts.Length == 1 && name.Length > 0)
        {
            return true;
        }

        if (parts.Length == 3 && parts[1] == "versions" && name.Length > 0)
        {
            if (long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v >= 1)
            {
                version = v;
                return true;
            }

            error = $"The version must be a positive integer, but got '{parts[2]}'.";
            return false;
        }

        error = $"No resource /v1/models/{path}: the API is /v1/models/NAME[/versions/N][/metadata].";
        return false;
    }

    private static void WriteTensorInfo(Utf8JsonWriter writer, string name, IReadOnlyList<int> shape)
    {
        writer.WriteStartObject(name);
        writer.WriteString("dtype", "DT_FLOAT");
        writer.WriteStartObject("tensor_shape");
        writer.WriteStartArray("dim");
        writer.WriteStartObject();
        writer.WriteString("size", "-1");
        writer.WriteString("name", string.Empty);
        writer.WriteEndObject();
        foreach (int d in shape)
        {
            writer.WriteStartObject();
            writer.WriteString("size", d.ToString(CultureInfo.InvariantCulture));
            writer.WriteString("name", string.Empty);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteBoolean("unknown_rank", false);
        writer.WriteEndObject();
        writer.WriteString("name", name);
        writer.WriteEndObject();
    }

    internal static Task WriteError(HttpContext context, int status, string message) =>
        WriteJson(context, status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("error"u8, message);
            writer.WriteEndObject();
        });

    private static Task WriteText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static async Task WriteJson(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            write(writer);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A prediction of model {Model} version {Version} failed.")]
    private static partial void LogPredictFailed(ILogger logger, string model, long version, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The client went away during a prediction of model {Model} version {Version}.")]
    private static partial void LogClientGone(ILogger logger, string model, long version);
}
