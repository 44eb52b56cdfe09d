namespace Hpo.Serving.Versions;

/// <summary>The request limits the REST and gRPC front ends enforce, taken once from the server's options.</summary>
/// <param name="MaxRequestBodySize">The largest request body, in bytes.</param>
/// <param name="MaxInstancesPerRequest">The most instances one request may hold.</param>
internal sealed record RequestLimits(long MaxRequestBodySize, int MaxInstancesPerRequest);
