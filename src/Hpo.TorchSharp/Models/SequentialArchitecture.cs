using System.Text.Json;
using System.Text.Json.Serialization;
using static TorchSharp.torch;
using TorchModel = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace Hpo.TorchSharp.Models;

/// <summary>
/// A feed-forward network described as data, so that a server can rebuild it without the training program's code: the
/// layers of an <c>nn.Sequential</c>, the standardization applied to raw inputs, and what turns the outputs into predictions.
/// It is saved beside a checkpoint as <see cref="FileName"/>.
/// </summary>
/// <remarks>Added in 0.2.</remarks>
public sealed record SequentialArchitecture
{
    /// <summary>The architecture's file name in a model folder.</summary>
    public const string FileName = "architecture.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>Gets the layers, in order.</summary>
    public required IReadOnlyList<LayerSpec> Layers { get; init; }

    /// <summary>Gets the mean subtracted from each raw input value before the network, or <see langword="null"/> for none.</summary>
    public IReadOnlyList<float>? InputMean { get; init; }

    /// <summary>Gets the scale each raw input value is divided by after subtracting the mean, or <see langword="null"/> for none.</summary>
    public IReadOnlyList<float>? InputScale { get; init; }

    /// <summary>Gets the output transform: <c>softmax</c> (logits to class probabilities) or <c>identity</c>.</summary>
    /// <value>The default value is <c>softmax</c>.</value>
    public string Output { get; init; } = "softmax";

    /// <summary>Gets the number of input values: the first linear layer's inputs.</summary>
    [JsonIgnore]
    public int InputSize => Layers.FirstOrDefault(l => l.Type == LayerSpec.Linear)?.In ?? 0;

    /// <summary>Gets the number of output values: the last linear layer's outputs.</summary>
    [JsonIgnore]
    public int OutputSize => Layers.LastOrDefault(l => l.Type == LayerSpec.Linear)?.Out ?? 0;

    /// <summary>Builds a multilayer perceptron: <paramref name="hidden"/>.Count hidden layers, each linear, activation and dropout, then a linear output.</summary>
    /// <param name="inputs">The number of inputs.</param>
    /// <param name="hidden">The hidden layers' widths.</param>
    /// <param name="outputs">The number of outputs.</param>
    /// <param name="activation"><c>relu</c>, <c>tanh</c>, <c>gelu</c> or <c>sigmoid</c>.</param>
    /// <param name="dropout">The dropout probability after each hidden layer (0 for none).</param>
    /// <returns>The architecture.</returns>
    public static SequentialArchitecture Mlp(int inputs, IReadOnlyList<int> hidden, int outputs, string activation = LayerSpec.Relu, double dropout = 0)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        var layers = new List<LayerSpec>();
        int width = inputs;
        foreach (int h in hidden)
        {
            layers.Add(new LayerSpec { Type = LayerSpec.Linear, In = width, Out = h });
            layers.Add(new LayerSpec { Type = activation });
            if (dropout > 0)
            {
                layers.Add(new LayerSpec { Type = LayerSpec.Dropout, P = dropout });
            }

            width = h;
        }

        layers.Add(new LayerSpec { Type = LayerSpec.Linear, In = width, Out = outputs });
        var architecture = new SequentialArchitecture { Layers = layers };
        architecture.Validate();
        return architecture;
    }

    /// <summary>Builds a fresh, untrained <c>nn.Sequential</c> of the layers (its parameter names match a checkpoint of the same architecture).</summary>
    /// <returns>The module.</returns>
    /// <exception cref="FormatException">The architecture is invalid.</exception>
    public TorchModel Build()
    {
        Validate();
        var modules = new List<(string, TorchModel)>();
        for (int i = 0; i < Layers.Count; i++)
        {
            LayerSpec layer = Layers[i];
            modules.Add(($"{layer.Type}{i}", layer.Type switch
            {
                LayerSpec.Linear => nn.Linear(layer.In!.Value, layer.Out!.Value),
                LayerSpec.Relu => nn.ReLU(),
                LayerSpec.Tanh => nn.Tanh(),
                LayerSpec.Gelu => nn.GELU(),
                LayerSpec.Sigmoid => nn.Sigmoid(),
                _ => nn.Dropout(layer.P ?? 0),
            }));
        }

        return nn.Sequential(modules);
    }

    /// <summary>Writes the architecture as JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads and checks an architecture.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The architecture.</returns>
    /// <exception cref="FormatException">The text is not a valid architecture.</exception>
    public static SequentialArchitecture FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        SequentialArchitecture? architecture;
        try
        {
            architecture = JsonSerializer.Deserialize<SequentialArchitecture>(json, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The architecture is not valid JSON or misses a required field: {e.Message}", e);
        }

        (architecture ?? throw new FormatException("The architecture is 'null'.")).Validate();
        return architecture;
    }

    /// <summary>Checks the layers, the standardization and the output transform.</summary>
    /// <exception cref="FormatException">Something is invalid; the message lists every problem.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        int? width = null;
        for (int i = 0; i < (Layers?.Count ?? 0); i++)
        {
            LayerSpec layer = Layers![i];
            switch (layer?.Type)
            {
                case LayerSpec.Linear when layer.In is not > 0 || layer.Out is not > 0:
                    problems.Add($"layer {i} (linear) needs positive 'in' and 'out', but got in={layer.In}, out={layer.Out}.");
                    break;
                case LayerSpec.Linear when width is int w && w != layer.In:
                    problems.Add($"layer {i} (linear) takes {layer.In} inputs, but the layer before gives {w}.");
                    break;
                case LayerSpec.Linear:
                    width = layer.Out;
                    break;
                case LayerSpec.Dropout when layer.P is not (>= 0 and < 1):
                    problems.Add($"layer {i} (dropout) needs 'p' in [0, 1), but got {layer.P}.");
                    break;
                case LayerSpec.Dropout or LayerSpec.Relu or LayerSpec.Tanh or LayerSpec.Gelu or LayerSpec.Sigmoid:
                    break;
                default:
                    problems.Add($"layer {i} has type '{layer?.Type}', but the types are linear, relu, tanh, gelu, sigmoid and dropout.");
                    break;
            }
        }

        if (width is null)
        {
            problems.Add("the layers must include at least one linear layer.");
        }

        int inputs = InputSize;
        if (InputMean is { } mean && mean.Count != inputs)
        {
            problems.Add($"input_mean must have {inputs} values (the first layer's inputs), but has {mean.Count}.");
        }

        if (InputScale is { } scale && (scale.Count != inputs || scale.Any(s => !(s > 0) || !float.IsFinite(s))))
        {
            problems.Add($"input_scale must have {inputs} positive, finite values, but got [{string.Join(", ", scale)}].");
        }

        if (Output is not ("softmax" or "identity"))
        {
            problems.Add($"output must be 'softmax' or 'identity', but got '{Output}'.");
        }

        if (problems.Count > 0)
        {
            throw new FormatException($"The architecture is invalid.{Environment.NewLine}{string.Join(Environment.NewLine, problems.Select(p => "- " + p))}");
        }
    }
}
