using System.Globalization;
using Hpo.Execution;
using Hpo.Objectives;
using Hpo.Studies;
using Hpo.TorchSharp.Models;
using Hpo.TorchSharp.Optimizers;
using Hpo.Trials;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;
using TorchModel = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace Hpo.TorchSharp.Objectives;

/// <summary>
/// An objective that trains a TorchSharp model for a trial: it builds the model, trains it epoch by epoch with the trial's
/// optimizer, batch size, clipping norm and learning-rate schedule, evaluates the validation metric after each epoch, reports it
/// (step = epoch), stops when the study's pruner says so, and keeps the best epoch's checkpoint in TorchSharp's own format.
/// </summary>
/// <remarks>
/// <para>
/// The trial's value is the best validation metric over its epochs; a pruned trial ends <see cref="TrialState.Pruned"/> with its
/// last metric. The checkpoint path is stored in the <see cref="CheckpointAttribute"/> user attribute; load it with
/// <see cref="LoadCheckpoint(TrialRecord, TorchModel)"/> into a model built the same way, or with <c>module.load(path)</c>.
/// </para>
/// <para>
/// TorchSharp's thread count and random generator are process-wide: run trials one at a time (the default concurrency) for
/// reproducible results.
/// </para>
/// <para>Added in 0.1.</para>
/// </remarks>
public sealed partial class TorchTrainingObjective : IObjective
{
    /// <summary>The trial user attribute with the path of the best checkpoint.</summary>
    public const string CheckpointAttribute = "torchsharp.checkpoint";

    /// <summary>The trial user attribute with the epoch (from 1) of the best checkpoint.</summary>
    public const string BestEpochAttribute = "torchsharp.best_epoch";

    /// <summary>The trial user attribute with the number of epochs the trial trained.</summary>
    public const string EpochsTrainedAttribute = "torchsharp.epochs_trained";

    /// <summary>The file name of a checkpoint in its trial's folder.</summary>
    public const string CheckpointFileName = "model.bin";

    private readonly TorchTrainingOptions options;
    private readonly ILogger logger;

    /// <summary>Initializes a new instance of the <see cref="TorchTrainingObjective"/> class.</summary>
    /// <param name="options">The model, data, loss, metric and training settings.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public TorchTrainingObjective(TorchTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Clone();
        options.Validate();
        this.options = options;
        logger = options.LoggerFactory?.CreateLogger<TorchTrainingObjective>() ?? NullLogger<TorchTrainingObjective>.Instance;
    }

    /// <summary>Loads the best checkpoint of a finished trial into a model built like the trial's.</summary>
    /// <param name="trial">The trial, with the <see cref="CheckpointAttribute"/> user attribute.</param>
    /// <param name="model">A model with the same architecture as the trial's.</param>
    /// <returns>The model, with the checkpoint's weights.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The trial has no checkpoint.</exception>
    /// <exception cref="FileNotFoundException">The checkpoint file no longer exists.</exception>
    public static TorchModel LoadCheckpoint(TrialRecord trial, TorchModel model)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(model);
        if (!trial.UserAttributes.TryGetValue(CheckpointAttribute, out string? path))
        {
            throw new InvalidOperationException($"Trial {trial.Number} has no '{CheckpointAttribute}' attribute: it was not trained by a TorchTrainingObjective, or it ended before its first epoch.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The checkpoint of trial {trial.Number} is gone.", path);
        }

        model.load(path);
        return model;
    }

    /// <inheritdoc/>
    public async ValueTask<ObjectiveResult> EvaluateAsync(ITrial trial, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trial);
        OptimizerSettings settings = options.Settings(trial);
        TensorData training = options.TrainingData!;
        TensorData validation = options.ValidationData!;
        Device device = options.Device ?? CPU;
        if (options.Threads is int threads)
        {
            set_num_threads(threads);
        }

        if (options.Seed is long seed)
        {
            manual_seed(seed);
        }

        string checkpoint = CheckpointPath(trial);
        Directory.CreateDirectory(Path.GetDirectoryName(checkpoint)!);

        SequentialArchitecture? architecture = options.Architecture?.Invoke(trial);
        using TorchModel model = options.ModelFactory is { } factory ? factory(trial) : architecture!.Build();
        model.to(device);
        using optim.Optimizer optimizer = settings.CreateOptimizer(model.parameters());
        int batchSize = (int)Math.Min(Math.Max(1, settings.BatchSize), training.Count);
        long batchesPerEpoch = (training.Count + batchSize - 1) / batchSize;
        LearningRateSchedule schedule = settings.CreateSchedule(options.Epochs * batchesPerEpoch);

        // The caller's tensors are used as they are when they already sit on the device; copies are disposed at the end.
        using var copies = new DisposableList();
        Tensor trainX = copies.OnDevice(training.Features, device);
        Tensor trainY = copies.OnDevice(training.Targets, device);
        Tensor validX = copies.OnDevice(validation.Features, device);
        Tensor validY = copies.OnDevice(validation.Targets, device);

        bool maximize = options.MetricDirection == StudyDirection.Maximize;
        double? best = null;
        double last = double.NaN;
        long step = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (double loss, double lr) = TrainEpoch(model, optimizer, schedule, settings, trainX, trainY, batchSize, ref step);
            last = Evaluate(model, validX, validY);
            LogEpoch(logger, trial.Number, epoch, loss, last);
            if (!double.IsFinite(last))
            {
                await trial.SetUserAttributeAsync(EpochsTrainedAttribute, epoch.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                return ObjectiveResult.FromValue(last); // recorded as a failed trial: the metric is not a number
            }

            if (best is null || (maximize ? last > best : last < best))
            {
                best = last;
                Save(model, checkpoint);
                await trial.SetUserAttributeAsync(CheckpointAttribute, checkpoint, cancellationToken).ConfigureAwait(false);
                await trial.SetUserAttributeAsync(BestEpochAttribute, epoch.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            }

            await trial.ReportAsync(epoch, last, cancellationToken).ConfigureAwait(false);
            if (options.OnEpochFinished is { } onEpoch)
            {
                await onEpoch(new TorchEpochArguments(trial, epoch, loss, last, lr)).ConfigureAwait(false);
            }

            if (epoch < options.Epochs && await trial.ShouldPruneAsync(cancellationToken).ConfigureAwait(false))
            {
                await trial.SetUserAttributeAsync(EpochsTrainedAttribute, epoch.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                return ObjectiveResult.Pruned(last);
            }
        }

        await trial.SetUserAttributeAsync(EpochsTrainedAttribute, options.Epochs.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        if (options.ModelStore is { } store && architecture is not null && File.Exists(checkpoint))
        {
            await TorchSharpModels.SaveAsync(store, trial, checkpoint, architecture, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return ObjectiveResult.FromValue(best ?? last);
    }

    private (double Loss, double LearningRate) TrainEpoch(
        TorchModel model, optim.Optimizer optimizer, LearningRateSchedule schedule, OptimizerSettings settings,
        Tensor x, Tensor y, int batchSize, ref long step)
    {
        model.train();
        long rows = x.shape[0];
        double lossSum = 0;
        double lr = schedule.LearningRateAt(step);
        using Tensor order = options.Shuffle ? randperm(rows, device: x.device) : arange(rows, device: x.device);
        for (long start = 0; start < rows; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(batchSize, rows - start);
            Tensor index = order.narrow(0, start, count);
            Tensor output = model.call(x.index_select(0, index));
            Tensor loss = options.Loss!(output, y.index_select(0, index));
            optimizer.zero_grad();
            loss.backward();
            if (settings.ClipNorm is double norm)
            {
                nn.utils.clip_grad_norm_(model.parameters(), norm);
            }

            lr = schedule.Apply(optimizer, step++);
            optimizer.step();
            lossSum += loss.item<float>() * count;
        }

        return (lossSum / rows, lr);
    }

    private double Evaluate(TorchModel model, Tensor x, Tensor y)
    {
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return options.Metric!(model.call(x), y);
    }

    private static void Save(TorchModel model, string path)
    {
        string temporary = path + ".tmp";
        model.save(temporary);
        File.Move(temporary, path, overwrite: true);
    }

    private string CheckpointPath(ITrial trial)
    {
        if (trial.UserAttributes.TryGetValue(TrialProtocol.ArtifactsDirectoryAttribute, out string? artifacts) && !string.IsNullOrWhiteSpace(artifacts))
        {
            return Path.GetFullPath(Path.Combine(artifacts, CheckpointFileName));
        }

        string root = options.CheckpointDirectory ?? Path.Combine(Path.GetTempPath(), "hpo-torchsharp");
        string study = string.Concat(trial.StudyName.Select(c => Path.GetInvalidFileNameChars().Contains(c) || c == Path.DirectorySeparatorChar ? '_' : c));
        return Path.GetFullPath(Path.Combine(root, study, $"trial-{trial.Number}", CheckpointFileName));
    }

    // Tensors copied to the training device, disposed together.
    private sealed class DisposableList : IDisposable
    {
        private readonly List<Tensor> tensors = [];

        public Tensor OnDevice(Tensor tensor, Device device)
        {
            if (tensor.device.type == device.type && tensor.device.index == device.index)
            {
                return tensor;
            }

            Tensor copy = tensor.to(device);
            tensors.Add(copy);
            return copy;
        }

        public void Dispose()
        {
            foreach (Tensor tensor in tensors)
            {
                tensor.Dispose();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Trial {Trial} epoch {Epoch}: training loss {Loss}, validation metric {Metric}.")]
    private static partial void LogEpoch(ILogger logger, int trial, int epoch, double loss, double metric);
}
