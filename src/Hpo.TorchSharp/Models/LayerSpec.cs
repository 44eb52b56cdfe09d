using System.Text.Json;
using System.Text.Json.Serialization;
using static TorchSharp.torch;
using TorchModel = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace Hpo.TorchSharp.Models;

/// <summary>One layer of a <see cref="SequentialArchitecture"/>.</summary>
/// <remarks>Added in 0.2.</remarks>
public sealed record LayerSpec
{
    /// <summary>A fully connected layer (<c>nn.Linear(in, out)</c>).</summary>
    public const string Linear = "linear";

    /// <summary>A ReLU activation.</summary>
    public const string Relu = "relu";

    /// <summary>A tanh activation.</summary>
    public const string Tanh = "tanh";

    /// <summary>A GELU activation.</summary>
    public const string Gelu = "gelu";

    /// <summary>A sigmoid activation.</summary>
    public const string Sigmoid = "sigmoid";

    /// <summary>A dropout layer (inactive when predicting).</summary>
    public const string Dropout = "dropout";

    /// <summary>Gets the layer's type.</summary>
    public required string Type { get; init; }

    /// <summary>Gets a linear layer's number of inputs.</summary>
    public int? In { get; init; }

    /// <summary>Gets a linear layer's number of outputs.</summary>
    public int? Out { get; init; }

    /// <summary>Gets a dropout layer's probability.</summary>
    public double? P { get; init; }
}
