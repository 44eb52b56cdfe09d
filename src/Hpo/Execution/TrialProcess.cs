using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using Hpo.SearchSpaces;
using Hpo.Trials;

namespace Hpo.Execution;

/// <summary>
/// The trial protocol seen from inside a trial program started by a child-process or container executor: reads the parameters
/// from the environment and writes reports and the final value to standard output.
/// </summary>
/// <remarks>
/// <para>
/// A training program needs three lines:
/// <code>
/// var trial = TrialProcess.Current;
/// double lr = trial.Get&lt;double&gt;("lr");
/// // ... train, calling trial.Report(epoch, loss) after each epoch ...
/// trial.Complete(accuracy);
/// </code>
/// </para>
/// <para>
/// This is the one place where the library writes to the console: protocol lines go to <see cref="Console.Out"/>, each flushed at
/// once. The program's other output (on standard output or standard error) becomes the trial's log. When the worker stops the
/// trial (a prune decision, a timeout, a cancellation) the program receives SIGTERM; <see cref="StopRequested"/> lets it finish
/// cleanly within the grace period instead of being terminated at once. Members are thread-safe.
/// </para>
/// </remarks>
public sealed class TrialProcess
{
    private static readonly Lazy<TrialProcess> CurrentInstance = new(() => FromEnvironment(Environment.GetEnvironmentVariables(), Console.Out));
    private readonly TextWriter output;
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stop = new();
    private PosixSignalRegistration? sigterm;

    private TrialProcess(int number, string studyName, string? artifactsDirectory, SearchSpace? searchSpace, IReadOnlyDictionary<string, object> parameters, TextWriter output)
    {
        Number = number;
        StudyName = studyName;
        ArtifactsDirectory = artifactsDirectory;
        SearchSpace = searchSpace;
        Parameters = parameters;
        this.output = output;
    }

    /// <summary>Gets the trial of this process, read from the environment the executor set.</summary>
    /// <exception cref="InvalidOperationException">The process was not started by an Hpo executor (the protocol's environment variables are missing or invalid).</exception>
    public static TrialProcess Current => CurrentInstance.Value;

    /// <summary>Gets a value indicating whether this process was started by an Hpo executor (the variable <c>HPO_TRIAL_NUMBER</c> is set).</summary>
    public static bool IsAvailable => Environment.GetEnvironmentVariable(TrialProtocol.TrialNumberVariable) is { Length: > 0 };

    /// <summary>Gets the trial's number.</summary>
    public int Number { get; }

    /// <summary>Gets the study's name.</summary>
    public string StudyName { get; }

    /// <summary>Gets the trial's own artifacts directory (models, checkpoints, plots), or <see langword="null"/> when none was given.</summary>
    public string? ArtifactsDirectory { get; }

    /// <summary>Gets the study's search space, or <see langword="null"/> when the executor did not pass one.</summary>
    public SearchSpace? SearchSpace { get; }

    /// <summary>Gets the active parameters, typed as in the study: floats as <see cref="double"/>, integers as <see cref="long"/>, categoricals as their choice's type.</summary>
    public IReadOnlyDictionary<string, object> Parameters { get; }

    /// <summary>
    /// Gets a token that is cancelled when the worker asks the trial to stop (SIGTERM). Reading it the first time installs the signal
    /// handler: from then on SIGTERM no longer ends the process at once, and the program must exit by itself within the grace period.
    /// </summary>
    public CancellationToken StopRequested
    {
        get
        {
            lock (gate)
            {
                if (sigterm is null && !OperatingSystem.IsWindows())
                {
                    sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
                    {
                        context.Cancel = true;
                        stop.Cancel();
                    });
                }
            }

            return stop.Token;
        }
    }

    /// <summary>Gets the value of a parameter, converted as <see cref="ITrial.Get{T}(string)"/> converts it.</summary>
    /// <typeparam name="T">The type to read.</typeparam>
    /// <param name="name">The parameter's name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">The trial has no such active parameter.</exception>
    /// <exception cref="InvalidCastException">The value cannot be read as <typeparamref name="T"/> without loss.</exception>
    public T Get<T>(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Parameters.TryGetValue(name, out object? value))
        {
            return ParameterConverter.Convert<T>(name, value);
        }

        if (SearchSpace is not null)
        {
            throw ParameterConverter.Missing(SearchSpace, name, Parameters);
        }

        throw new KeyNotFoundException($"The trial has no parameter '{name}'. Its parameters are: {string.Join(", ", Parameters.Keys)}.");
    }

    /// <summary>Reports an intermediate value: writes <c>hpo:report &lt;step&gt; &lt;value&gt;</c>. The worker may stop the trial afterwards if it is pruned.</summary>
    /// <param name="step">The step (an epoch, an iteration).</param>
    /// <param name="value">The value at that step.</param>
    public void Report(long step, double value) => WriteLine(TrialProtocol.FormatReport(step, value));

    /// <summary>Reports the final value: writes <c>hpo:result &lt;value&gt;</c>. The trial is complete when the program then exits with code 0.</summary>
    /// <param name="value">The final value.</param>
    public void Complete(double value) => WriteLine(TrialProtocol.FormatResult(value));

    /// <summary>Sets a user attribute of the trial: writes <c>hpo:attr &lt;key&gt; &lt;value&gt;</c>.</summary>
    /// <param name="key">The key: not empty, no white space.</param>
    /// <param name="value">The value: one line.</param>
    /// <exception cref="ArgumentException">The key is empty or holds white space, or the value holds a line break.</exception>
    public void SetUserAttribute(string key, string value) => WriteLine(TrialProtocol.FormatAttribute(key, value));

    /// <summary>Reads a trial from a set of environment variables (as <see cref="Environment.GetEnvironmentVariables()"/> returns them) and writes protocol lines to a writer.</summary>
    internal static TrialProcess FromEnvironment(IDictionary environment, TextWriter output)
    {
        string? Read(string name) => environment[name] as string is { Length: > 0 } s ? s : null;

        string numberText = Read(TrialProtocol.TrialNumberVariable)
            ?? throw new InvalidOperationException($"This process was not started as an Hpo trial: the environment variable {TrialProtocol.TrialNumberVariable} is not set. Run it through a child-process or container executor, or set the HPO_* variables described in the Hpo README.");
        if (!int.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            throw new InvalidOperationException($"The environment variable {TrialProtocol.TrialNumberVariable} must be a trial number, but it is \"{numberText}\".");
        }

        try
        {
            string? spaceJson = Read(TrialProtocol.SearchSpaceVariable)
                ?? (Read(TrialProtocol.SearchSpaceFileVariable) is { } spaceFile ? File.ReadAllText(spaceFile) : null);
            SearchSpace? space = spaceJson is null ? null : SearchSpace.FromJson(spaceJson);
            string parametersJson = Read(TrialProtocol.ParametersVariable)
                ?? (Read(TrialProtocol.ParametersFileVariable) is { } file ? File.ReadAllText(file) : "{}");
            Dictionary<string, object> parameters = TrialProtocol.ReadParameters(parametersJson, space);
            return new TrialProcess(number, Read(TrialProtocol.StudyNameVariable) ?? string.Empty, Read(TrialProtocol.ArtifactsDirectoryVariable), space, parameters, output);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or IOException or ArgumentException)
        {
            throw new InvalidOperationException($"The trial's parameters or search space in the environment could not be read: {e.Message}", e);
        }
    }

    private void WriteLine(string line)
    {
        lock (gate)
        {
            output.Write(line + "\n");
            output.Flush();
        }
    }
}
