using Hpo.Models;
using Hpo.Trials;
using TorchModel = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace Hpo.TorchSharp.Models;

/// <summary>Saves a TorchSharp checkpoint and its <see cref="SequentialArchitecture"/> as a trial's model.</summary>
/// <remarks>Added in 0.2.</remarks>
public static class TorchSharpModels
{
    /// <summary>The checkpoint's file name in a model folder.</summary>
    public const string ModelFileName = "model.bin";

    /// <summary>Describes a network: a classifier (softmax output, classes 0…n-1 unless given) or a regressor, with one vector input.</summary>
    /// <param name="architecture">The architecture.</param>
    /// <param name="inputName">The input's name.</param>
    /// <param name="classes">The class labels of a classifier, or <see langword="null"/> for 0…n-1.</param>
    /// <returns>The manifest (without study and trial).</returns>
    public static ModelManifest Describe(SequentialArchitecture architecture, string inputName = "features", IReadOnlyList<string>? classes = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        architecture.Validate();
        bool classifier = architecture.Output == "softmax";
        return new ModelManifest
        {
            Kind = ModelManifest.TorchSharpKind,
            Task = classifier ? ModelManifest.ClassificationTask : ModelManifest.RegressionTask,
            ModelFile = ModelFileName,
            Inputs = [new ModelInput(inputName, [architecture.InputSize])],
            Classes = classifier ? classes ?? [.. Enumerable.Range(0, architecture.OutputSize).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))] : null,
        };
    }

    /// <summary>Saves a checkpoint file (TorchSharp's <c>module.save</c> format) and its architecture as a trial's model.</summary>
    /// <param name="store">The artifact store.</param>
    /// <param name="trial">The trial.</param>
    /// <param name="checkpoint">The checkpoint file.</param>
    /// <param name="architecture">The architecture that builds a module the checkpoint loads into.</param>
    /// <param name="manifest">The manifest, or <see langword="null"/> for <see cref="Describe"/>'s.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the model is stored.</returns>
    public static async ValueTask SaveAsync(IArtifactStore store, ITrial trial, string checkpoint, SequentialArchitecture architecture, ModelManifest? manifest = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(architecture);
        manifest ??= Describe(architecture);
        string folder = Path.Combine(Path.GetTempPath(), "hpo-torch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string architectureFile = Path.Combine(folder, SequentialArchitecture.FileName);
            await File.WriteAllTextAsync(architectureFile, architecture.ToJson(), cancellationToken).ConfigureAwait(false);
            await TrialModels.SaveAsync(store, trial, manifest, new Dictionary<string, string>
            {
                [ModelFileName] = checkpoint,
                [SequentialArchitecture.FileName] = architectureFile,
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Builds the architecture's module and loads a checkpoint into it, in evaluation mode.</summary>
    /// <param name="folder">A model folder with <see cref="ModelFileName"/> and <see cref="SequentialArchitecture.FileName"/>.</param>
    /// <returns>The architecture and the loaded module.</returns>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="FormatException">The architecture is invalid.</exception>
    public static (SequentialArchitecture Architecture, TorchModel Module) Load(string folder)
    {
        (SequentialArchitecture architecture, byte[] checkpoint) = Read(folder);
        return (architecture, Build(architecture, checkpoint));
    }

    /// <summary>Reads a model folder's architecture and checkpoint into memory (so that more modules can be built after the folder is gone).</summary>
    /// <param name="folder">A model folder with <see cref="ModelFileName"/> and <see cref="SequentialArchitecture.FileName"/>.</param>
    /// <returns>The architecture and the checkpoint's bytes.</returns>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="FormatException">The architecture is invalid.</exception>
    public static (SequentialArchitecture Architecture, byte[] Checkpoint) Read(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        SequentialArchitecture architecture = SequentialArchitecture.FromJson(File.ReadAllText(Path.Combine(folder, SequentialArchitecture.FileName)));
        string checkpoint = Path.Combine(folder, ModelFileName);
        if (!File.Exists(checkpoint))
        {
            throw new FileNotFoundException($"The model folder has no checkpoint '{ModelFileName}'.", checkpoint);
        }

        return (architecture, File.ReadAllBytes(checkpoint));
    }

    /// <summary>Builds the architecture's module and loads a checkpoint's bytes into it, in evaluation mode.</summary>
    /// <param name="architecture">The architecture.</param>
    /// <param name="checkpoint">The checkpoint, in TorchSharp's <c>module.save</c> format.</param>
    /// <returns>The module.</returns>
    public static TorchModel Build(SequentialArchitecture architecture, byte[] checkpoint)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(checkpoint);
        TorchModel module = architecture.Build();
        try
        {
            using var reader = new BinaryReader(new MemoryStream(checkpoint, writable: false));
            module.load(reader);
            module.eval();
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }
}
