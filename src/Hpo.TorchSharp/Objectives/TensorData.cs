using TorchTensor = TorchSharp.torch.Tensor;

namespace Hpo.TorchSharp.Objectives;

/// <summary>A data set held as two tensors whose first dimension is the row: the features and the targets.</summary>
/// <remarks>
/// The objective neither changes nor disposes the tensors; <see cref="Dispose"/> releases both when the caller is done. Added in 0.1.
/// </remarks>
public sealed class TensorData : IDisposable
{
    /// <summary>Initializes a new instance of the <see cref="TensorData"/> class.</summary>
    /// <param name="features">The features, one row per example.</param>
    /// <param name="targets">The targets (class indices or values), one row per example.</param>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensors have no rows or different numbers of rows.</exception>
    public TensorData(TorchTensor features, TorchTensor targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        if (features.Dimensions == 0 || targets.Dimensions == 0 || features.shape[0] != targets.shape[0] || features.shape[0] == 0)
        {
            throw new ArgumentException($"The features and targets must have the same, positive number of rows, but got shapes [{string.Join(", ", features.shape)}] and [{string.Join(", ", targets.shape)}].", nameof(targets));
        }

        Features = features;
        Targets = targets;
    }

    /// <summary>Gets the features.</summary>
    public TorchTensor Features { get; }

    /// <summary>Gets the targets.</summary>
    public TorchTensor Targets { get; }

    /// <summary>Gets the number of rows.</summary>
    public long Count => Features.shape[0];

    /// <summary>Releases both tensors.</summary>
    public void Dispose()
    {
        Features.Dispose();
        Targets.Dispose();
    }
}
