using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hpo.Models;

/// <summary>
/// What a saved model is: its kind, task, inputs and file, and where it came from (study, trial, value, time). It is the
/// <c>manifest.json</c> of a trial's model folder and of every version folder of a <see cref="ModelRepository"/>.
/// </summary>
/// <remarks>Added in 0.2.</remarks>
public sealed record ModelManifest
{
    /// <summary>The manifest's file name in a model folder.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The kind of an ML.NET model (a <c>.zip</c> written by <c>MLContext.Model.Save</c>).</summary>
    public const string MLNetKind = "mlnet";

    /// <summary>The kind of a TorchSharp model (a state-dict checkpoint and its architecture).</summary>
    public const string TorchSharpKind = "torchsharp";

    /// <summary>The task of a model that answers class probabilities.</summary>
    public const string ClassificationTask = "classification";

    /// <summary>The task of a model that answers numbers.</summary>
    public const string RegressionTask = "regression";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>Gets the manifest format's version.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>Gets the model's kind: <see cref="MLNetKind"/> or <see cref="TorchSharpKind"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the model's task: <see cref="ClassificationTask"/> or <see cref="RegressionTask"/>.</summary>
    public required string Task { get; init; }

    /// <summary>Gets the model's file in its folder (for example <c>model.zip</c> or <c>model.bin</c>).</summary>
    public required string ModelFile { get; init; }

    /// <summary>Gets the inputs a prediction needs, in order: an instance given as a flat list of numbers fills them in this order.</summary>
    public required IReadOnlyList<ModelInput> Inputs { get; init; }

    /// <summary>Gets the class labels of a classifier, in the order of its probabilities, or <see langword="null"/>.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Gets the name of the study the model was tuned in, or <see langword="null"/>.</summary>
    public string? Study { get; init; }

    /// <summary>Gets the number of the trial whose parameters trained it, or <see langword="null"/>.</summary>
    public int? Trial { get; init; }

    /// <summary>Gets that trial's objective value, or <see langword="null"/>.</summary>
    public double? Value { get; init; }

    /// <summary>Gets the trial's parameters as text, or <see langword="null"/>.</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>Gets when the model was saved.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>Gets the number of values an instance holds: the sum of the inputs' sizes.</summary>
    [JsonIgnore]
    public int InstanceSize => Inputs.Sum(i => i.Size);

    /// <summary>Gets a copy that says where the model came from: the study, the trial, its value and its parameters (as text).</summary>
    /// <param name="study">The study's name.</param>
    /// <param name="trial">The trial's number.</param>
    /// <param name="value">The trial's value, if known.</param>
    /// <param name="parameters">The trial's parameters.</param>
    /// <returns>The copy.</returns>
    public ModelManifest WithOrigin(string study, int trial, double? value, IReadOnlyDictionary<string, object> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return this with
        {
            Study = study,
            Trial = trial,
            Value = value,
            Parameters = parameters.ToDictionary(p => p.Key, p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, StringComparer.Ordinal),
        };
    }

    /// <summary>Writes the manifest as JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads and checks a manifest.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="FormatException">The text is not a valid manifest; the message says what is wrong.</exception>
    public static ModelManifest FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(json, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The model manifest is not valid JSON or misses a required field: {e.Message}", e);
        }

        if (manifest is null)
        {
            throw new FormatException("The model manifest is 'null'.");
        }

        manifest.Validate();
        return manifest;
    }

    /// <summary>Checks the fields: known kind and task, a safe model file name, at least one input, unique input names, positive sizes.</summary>
    /// <exception cref="FormatException">A field is invalid.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (FormatVersion != 1)
        {
            problems.Add($"format_version must be 1, but got {FormatVersion}.");
        }

        if (Kind is not (MLNetKind or TorchSharpKind))
        {
            problems.Add($"kind must be '{MLNetKind}' or '{TorchSharpKind}', but got '{Kind}'.");
        }

        if (Task is not (ClassificationTask or RegressionTask))
        {
            problems.Add($"task must be '{ClassificationTask}' or '{RegressionTask}', but got '{Task}'.");
        }

        try
        {
            ArtifactPath.ValidateName(ModelFile ?? string.Empty, "model_file");
        }
        catch (ArgumentException e)
        {
            problems.Add(e.Message);
        }

        if (Inputs is null || Inputs.Count == 0)
        {
            problems.Add("inputs must list at least one input.");
        }
        else
        {
            foreach (ModelInput input in Inputs)
            {
                if (input is null || string.IsNullOrWhiteSpace(input.Name))
                {
                    problems.Add("every input needs a name.");
                }
                else if (input.Shape is null || input.Shape.Any(d => d < 1) || input.Size < 1)
                {
                    problems.Add($"input '{input.Name}' must have a shape of positive sizes ([] for a scalar), but got [{string.Join(", ", input.Shape ?? [])}].");
                }
            }

            string[] duplicates = [.. Inputs.Where(i => i?.Name is not null).GroupBy(i => i.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key)];
            if (duplicates.Length > 0)
            {
                problems.Add($"input names must be unique, but {string.Join(", ", duplicates)} repeat.");
            }
        }

        if (problems.Count > 0)
        {
            throw new FormatException($"The model manifest is invalid.{Environment.NewLine}{string.Join(Environment.NewLine, problems.Select(p => "- " + p))}");
        }
    }
}
