using System.Buffers;

namespace Hpo.Serving.Versions;

/// <summary>Runs a batch through a served version in chunks, stopping between chunks when the client has gone away.</summary>
internal static class Predictions
{
    private const int Chunk = 256;

    /// <summary>Predicts; the caller returns the rented result to <see cref="ArrayPool{T}.Shared"/>.</summary>
    public static float[] Run(ServedVersion served, float[] values, int count, CancellationToken cancellationToken)
    {
        int inSize = served.Engine.InstanceSize;
        int outSize = served.Engine.OutputSize;
        float[] output = ArrayPool<float>.Shared.Rent(count * outSize);
        try
        {
            for (int start = 0; start < count; start += Chunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(Chunk, count - start);
                served.Engine.Predict(values.AsSpan(start * inSize, n * inSize), n, output.AsSpan(start * outSize, n * outSize));
            }

            return output;
        }
        catch
        {
            ArrayPool<float>.Shared.Return(output);
            throw;
        }
    }

    /// <summary>Ends a request: releases its reference on the version and returns its rented buffers.</summary>
    public static void Finish(ServedVersion served, float[]? values, float[]? output)
    {
        served.Release();
        if (values is not null)
        {
            ArrayPool<float>.Shared.Return(values);
        }

        if (output is not null)
        {
            ArrayPool<float>.Shared.Return(output);
        }
    }
}
