using Hpo.Models;
using Hpo.Studies;
using Hpo.TorchSharp.Models;
using Hpo.TorchSharp.Optimizers;
using Hpo.Trials;
using Microsoft.Extensions.Logging;
using TorchDevice = TorchSharp.torch.Device;
using TorchModel = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Hpo.TorchSharp.Objectives;

/// <summary>
/// Sets up a <see cref="TorchTrainingObjective"/>: the model, the data, the loss and the metric, and how training runs
/// (epochs, threads, seed, device, where checkpoints go).
/// </summary>
/// <remarks>Added in 0.1.</remarks>
public sealed class TorchTrainingOptions
{
    /// <summary>
    /// Gets or sets the function that builds a fresh, untrained model for a trial (reading the trial's own parameters, such as
    /// hidden sizes). Required unless <see cref="Architecture"/> is set, whose module it then defaults to.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<ITrial, TorchModel>? ModelFactory { get; set; }

    /// <summary>
    /// Gets or sets the function that describes a trial's network as data (<see cref="SequentialArchitecture"/>), so that its
    /// checkpoint can be served without this program's code; or <see langword="null"/>. When <see cref="ModelFactory"/> is not
    /// set, the model is the architecture's <see cref="SequentialArchitecture.Build"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<ITrial, SequentialArchitecture>? Architecture { get; set; }

    /// <summary>
    /// Gets or sets the artifact store where each complete trial saves its best checkpoint with its architecture as its model
    /// (<see cref="TrialModels"/>), so that the best trial's model can be published; or <see langword="null"/>. Needs
    /// <see cref="Architecture"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IArtifactStore? ModelStore { get; set; }

    /// <summary>Gets or sets the training data: features and targets with the same number of rows. Required.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TensorData? TrainingData { get; set; }

    /// <summary>Gets or sets the validation data, evaluated after each epoch. Required.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TensorData? ValidationData { get; set; }

    /// <summary>Gets or sets the loss to minimize, from the model's output and the targets of a batch, as a scalar tensor. Required.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<TorchTensor, TorchTensor, TorchTensor>? Loss { get; set; }

    /// <summary>
    /// Gets or sets the validation metric, from the model's output and the targets of the whole validation set. It is
    /// reported after each epoch, decides which epoch's checkpoint is kept, and the best value is the trial's value. Required.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<TorchTensor, TorchTensor, double>? Metric { get; set; }

    /// <summary>Gets or sets whether a higher or a lower metric is better; it should match the study's direction.</summary>
    /// <value>The default value is <see cref="StudyDirection.Maximize"/>.</value>
    public StudyDirection MetricDirection { get; set; } = StudyDirection.Maximize;

    /// <summary>Gets or sets the number of epochs of a trial that is not pruned; at least 1.</summary>
    /// <value>The default value is 10.</value>
    public int Epochs { get; set; } = 10;

    /// <summary>
    /// Gets or sets the function that reads a trial's optimizer settings; the default reads the parameters of
    /// <see cref="SearchSpaces.OptimizerSearchSpace"/>, with defaults for those absent.
    /// </summary>
    /// <value>The default value is <see cref="OptimizerSettings.FromTrial(ITrial)"/>.</value>
    public Func<ITrial, OptimizerSettings> Settings { get; set; } = OptimizerSettings.FromTrial;

    /// <summary>
    /// Gets or sets the number of threads TorchSharp uses (<c>torch.set_num_threads</c>, set before each trial; it is a process-wide
    /// setting), or <see langword="null"/> to leave it as it is. Small models train faster on one thread.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? Threads { get; set; }

    /// <summary>
    /// Gets or sets the seed given to <c>torch.manual_seed</c> before each trial builds its model, so that weight
    /// initialization, dropout and shuffling repeat; or <see langword="null"/> to leave the generator alone. On the CPU, a trial
    /// with the same parameters and seed gives the same values when trials run one at a time (the generator is process-wide).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public long? Seed { get; set; }

    /// <summary>Gets or sets the device to train on, such as <c>torch.CPU</c> or <c>torch.CUDA</c> (when a CUDA libtorch is referenced and <c>torch.cuda.is_available()</c>).</summary>
    /// <value>The default value is <see langword="null"/>: the CPU.</value>
    public TorchDevice? Device { get; set; }

    /// <summary>Gets or sets a value indicating whether the training rows are shuffled before each epoch.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Shuffle { get; set; } = true;

    /// <summary>
    /// Gets or sets the folder under which each trial keeps its best checkpoint, in <c>{study}/trial-{number}/model.bin</c>. A trial
    /// that has an artifacts directory (the <c>hpo.artifacts_dir</c> user attribute, set by executors that give one) keeps it there instead.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <c>hpo-torchsharp</c> in the system's temporary folder.</value>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Gets or sets a callback after each epoch's evaluation (for progress displays).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<TorchEpochArguments, ValueTask>? OnEpochFinished { get; set; }

    /// <summary>Gets or sets the logger factory for the objective's debug messages.</summary>
    /// <value>The default value is <see langword="null"/>: no logging.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    // The objective keeps its own copy, taken at construction: changing the caller's object afterwards has no effect (the
    // delegates, data and stores it names are shared, not copied).
    internal TorchTrainingOptions Clone() => (TorchTrainingOptions)MemberwiseClone();

    internal void Validate()
    {
        var problems = new List<string>();
        if (ModelFactory is null && Architecture is null)
        {
            problems.Add("ModelFactory or Architecture is required.");
        }

        if (ModelStore is not null && Architecture is null)
        {
            problems.Add("ModelStore needs Architecture: a served checkpoint is rebuilt from its architecture.");
        }

        if (TrainingData is null)
        {
            problems.Add("TrainingData is required.");
        }

        if (ValidationData is null)
        {
            problems.Add("ValidationData is required.");
        }

        if (Loss is null)
        {
            problems.Add("Loss is required.");
        }

        if (Metric is null)
        {
            problems.Add("Metric is required.");
        }

        if (Settings is null)
        {
            problems.Add("Settings is required.");
        }

        if (Epochs < 1)
        {
            problems.Add($"Epochs must be at least 1, but got {Epochs}.");
        }

        if (Threads is < 1)
        {
            problems.Add($"Threads must be at least 1 or null, but got {Threads}.");
        }

        if (!Enum.IsDefined(MetricDirection))
        {
            problems.Add($"MetricDirection must be Minimize or Maximize, but got {MetricDirection}.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"The '{nameof(TorchTrainingOptions)}' are invalid.{Environment.NewLine}{string.Join(Environment.NewLine, problems.Select(p => "- " + p))}");
        }
    }
}
