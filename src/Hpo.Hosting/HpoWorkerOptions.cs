using Hpo.Studies;

namespace Hpo.Hosting;

/// <summary>
/// The options of the hosted worker (<see cref="HpoBuilder.AddWorker(Action{HpoWorkerOptions}?)"/>), bound from the
/// <c>Hpo:Worker</c> configuration section. They mirror the options of <c>hpo worker</c>.
/// </summary>
public sealed class HpoWorkerOptions
{
    /// <summary>The configuration section the options are bound from: <c>Hpo:Worker</c>.</summary>
    public const string SectionName = "Hpo:Worker";

    /// <summary>Gets or sets the name of the study whose trials the worker runs (required; the study must exist in the storage).</summary>
    public string? Study { get; set; }

    /// <summary>Gets or sets how many trials the worker runs at once (at least 1).</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>Gets or sets the most trials this worker starts; <see langword="null"/> for no limit of its own (the study's budget still applies, and without one the worker runs until the host stops).</summary>
    public int? Trials { get; set; }

    /// <summary>Gets or sets how long one trial may run before it is stopped and recorded as failed; <see langword="null"/> for no limit.</summary>
    public TimeSpan? TrialTimeout { get; set; }

    /// <summary>
    /// Gets or sets how long running trials may finish once the host stops before they are handed back (0 to 1 hour). Keep
    /// <see cref="GracePeriod"/> plus <see cref="AbandonAfter"/> under the host's shutdown timeout (<c>HostOptions.ShutdownTimeout</c>).
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = StudyWorkerOptions.DefaultGracePeriod;

    /// <summary>Gets or sets how long handed-back trials may take to stop once cancelled (0 to 1 hour).</summary>
    public TimeSpan AbandonAfter { get; set; } = StudyWorkerOptions.DefaultAbandonAfter;

    /// <summary>Gets or sets a value indicating whether the worker stops the host when its run ends by itself (budget or trial count reached).</summary>
    public bool StopApplicationWhenDone { get; set; }

    /// <summary>
    /// Gets or sets the command that runs each trial as a child process speaking the trial protocol (program then arguments, with
    /// the placeholders of <c>hpo worker --command</c>). When empty, the worker runs the <see cref="Objectives.IObjective"/> registered
    /// in the container.
    /// </summary>
    public IList<string> Command { get; set; } = [];

    /// <summary>Gets or sets where each child-process trial's artifacts directory is made; the temporary folder when <see langword="null"/>.</summary>
    public string? ArtifactsRoot { get; set; }

    /// <summary>Gets the environment variables given to each child-process trial (besides the protocol's <c>HPO_*</c> variables).</summary>
    public IDictionary<string, string?> Environment { get; private set; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    /// <summary>Checks the options.</summary>
    /// <returns>The problems, each naming the option, the rule and the value; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Study))
        {
            problems.Add($"{SectionName}:Study must name the study whose trials the worker runs, but it is not set.");
        }

        if (Concurrency < 1)
        {
            problems.Add($"{SectionName}:Concurrency must be at least 1, but got {Concurrency}.");
        }

        if (Trials is int n && n < 1)
        {
            problems.Add($"{SectionName}:Trials must be at least 1 or unset, but got {n}.");
        }

        if (TrialTimeout is TimeSpan t && t <= TimeSpan.Zero)
        {
            problems.Add($"{SectionName}:TrialTimeout must be positive or unset, but got {t}.");
        }

        if (GracePeriod < TimeSpan.Zero || GracePeriod > TimeSpan.FromHours(1))
        {
            problems.Add($"{SectionName}:GracePeriod must be between 0 and 1 hour, but got {GracePeriod}.");
        }

        if (AbandonAfter < TimeSpan.Zero || AbandonAfter > TimeSpan.FromHours(1))
        {
            problems.Add($"{SectionName}:AbandonAfter must be between 0 and 1 hour, but got {AbandonAfter}.");
        }

        if (Command is null)
        {
            problems.Add($"{SectionName}:Command must be a list (empty to run the registered IObjective), but it is null.");
        }
        else if (Command.Count > 0 && string.IsNullOrWhiteSpace(Command[0]))
        {
            problems.Add($"{SectionName}:Command must start with a program, but its first word is empty.");
        }

        return problems;
    }

    /// <summary>
    /// Copies these options, the command and the environment too, as <see cref="HpoWorkerService"/> keeps one at construction: a
    /// later change to the options object (for example to the <c>IOptions</c> singleton) does not reach a worker already built.
    /// </summary>
    /// <returns>A copy that shares nothing mutable with this object.</returns>
    internal HpoWorkerOptions Clone()
    {
        var copy = (HpoWorkerOptions)MemberwiseClone();
        copy.Command = Command is null ? null! : [.. Command];
        copy.Environment = new Dictionary<string, string?>(Environment, StringComparer.Ordinal);
        return copy;
    }
}
