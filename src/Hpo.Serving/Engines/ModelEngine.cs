using Hpo.Models;

namespace Hpo.Serving.Engines;

/// <summary>
/// A loaded model version that predicts batches of instances. Thread-safe: it keeps a pool of per-thread predictors (ML.NET
/// engines are not thread-safe), created once and reused, so a request allocates nothing but its own buffers.
/// </summary>
internal abstract class ModelEngine : IDisposable
{
    protected ModelEngine(ModelManifest manifest, int outputSize)
    {
        Manifest = manifest;
        InstanceSize = manifest.InstanceSize;
        OutputSize = outputSize;
    }

    /// <summary>Gets the version's manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Gets the number of values of one instance.</summary>
    public int InstanceSize { get; }

    /// <summary>Gets the number of values of one prediction (class count, or 1 for a regressor).</summary>
    public int OutputSize { get; }

    /// <summary>Gets a value indicating whether predictions are lists (class probabilities) rather than one number each.</summary>
    public bool IsClassifier => Manifest.Task == ModelManifest.ClassificationTask;

    /// <summary>Predicts <paramref name="count"/> instances laid out row after row in <paramref name="instances"/>.</summary>
    /// <param name="instances">count × <see cref="InstanceSize"/> finite values.</param>
    /// <param name="count">The number of instances.</param>
    /// <param name="predictions">count × <see cref="OutputSize"/> values, written here.</param>
    public abstract void Predict(ReadOnlySpan<float> instances, int count, Span<float> predictions);

    /// <summary>Loads a version folder as the engine its manifest's kind asks for.</summary>
    /// <param name="folder">The version folder.</param>
    /// <param name="manifest">Its manifest.</param>
    /// <param name="poolSize">The most predictors kept for reuse.</param>
    /// <returns>The engine.</returns>
    public static ModelEngine LoadVersion(string folder, ModelManifest manifest, int poolSize) => manifest.Kind switch
    {
        ModelManifest.MLNetKind => MLNetEngine.Load(folder, manifest, poolSize),
        ModelManifest.TorchSharpKind => TorchSharpLoader.Load(folder, manifest, poolSize),
        _ => throw new FormatException($"Unknown model kind '{manifest.Kind}'."),
    };

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the engine's predictors.</summary>
    /// <param name="disposing">Whether this is <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
