using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Hpo.Serving.Metrics;

/// <summary>
/// The server's metrics on the <see cref="MeterName"/> meter (exported for Prometheus at <c>/metrics</c> through OpenTelemetry):
/// requests by model, API and status code, request latency, instances predicted, and each model's newest served version.
/// </summary>
/// <remarks>Added in 0.2.</remarks>
public sealed class ServingMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Hpo.Serving";

    private readonly Meter meter;
    private readonly Counter<long> requests;
    private readonly Counter<long> instances;
    private readonly Histogram<double> latency;
    private Func<IEnumerable<(string Model, long Version)>>? versions;

    /// <summary>Initializes a new instance of the <see cref="ServingMetrics"/> class.</summary>
    /// <param name="meterFactory">The meter factory, or <see langword="null"/> for a meter of this instance's own.</param>
    public ServingMetrics(IMeterFactory? meterFactory = null)
    {
        meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        requests = meter.CreateCounter<long>("hpo_serving_requests", "{request}", "Prediction and status requests, by model, API (rest, grpc) and status code.");
        instances = meter.CreateCounter<long>("hpo_serving_instances", "{instance}", "Instances predicted, by model.");
        latency = meter.CreateHistogram<double>("hpo_serving_request_duration", "s", "Time to answer a prediction request, by model and API.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        meter.CreateObservableGauge("hpo_serving_model_version", ObserveVersions, "{version}", "The newest served version of each model (0 when none is loaded).");
    }

    /// <summary>Records one answered request.</summary>
    /// <param name="model">The model's name (or an empty string).</param>
    /// <param name="api"><c>rest</c> or <c>grpc</c>.</param>
    /// <param name="status">The HTTP status code (gRPC codes mapped to HTTP).</param>
    /// <param name="instanceCount">The instances predicted.</param>
    /// <param name="seconds">The time taken.</param>
    public void Record(string model, string api, int status, int instanceCount, double seconds)
    {
        var tags = new TagList { { "model", model }, { "api", api }, { "code", status } };
        requests.Add(1, tags);
        if (status == 200)
        {
            instances.Add(instanceCount, new KeyValuePair<string, object?>("model", model));
            latency.Record(seconds, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("api", api));
        }
    }

    /// <inheritdoc/>
    public void Dispose() => meter.Dispose();

    internal void ObserveVersions(Func<IEnumerable<(string Model, long Version)>> source) => versions = source;

    private IEnumerable<Measurement<long>> ObserveVersions() =>
        versions?.Invoke().Select(v => new Measurement<long>(v.Version, new KeyValuePair<string, object?>("model", v.Model))) ?? [];
}
