using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hpo.Models;

/// <summary>One input of a model: a name, the element type and a shape (<c>[]</c> for a scalar, <c>[4]</c> for a vector of 4).</summary>
/// <param name="Name">The input's name (an ML.NET column, or a TorchSharp input).</param>
/// <param name="Shape">The input's shape, without the batch dimension.</param>
/// <remarks>Added in 0.2.</remarks>
public sealed record ModelInput(string Name, IReadOnlyList<int> Shape)
{
    /// <summary>Gets the element type; every input is <c>float32</c> today.</summary>
    public string Type { get; init; } = "float32";

    /// <summary>Gets the number of values of the input: the product of its shape (1 for a scalar).</summary>
    [JsonIgnore]
    public int Size => Shape?.Aggregate(1, (a, b) => a * b) ?? 0;
}
