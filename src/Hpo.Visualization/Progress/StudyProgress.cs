using System.Globalization;
using Hpo.Trials;

namespace Hpo.Visualization.Progress;

/// <summary>Where a running study stands, after one of this run's trials finished.</summary>
public sealed record StudyProgress
{
    /// <summary>Gets the study's name.</summary>
    public required string StudyName { get; init; }

    /// <summary>Gets the study's trials by state (all workers), as this process last saw them.</summary>
    public required TrialCounts Counts { get; init; }

    /// <summary>Gets the trial that just finished.</summary>
    public required TrialRecord LastTrial { get; init; }

    /// <summary>Gets the best complete trial so far, or <see langword="null"/>.</summary>
    public TrialRecord? BestTrial { get; init; }

    /// <summary>Gets how many trials this run has finished.</summary>
    public int FinishedThisRun { get; init; }

    /// <summary>Gets how long this run has been going.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets this run's rate: trials it finished per second of its run time (0 before any).</summary>
    public double TrialsPerSecond { get; init; }

    /// <summary>Gets how many trials the study (or this run's trial count) still allows, or <see langword="null"/> when unbounded.</summary>
    public int? TrialsLeft { get; init; }

    /// <summary>
    /// Gets the estimated time left: the trials left at this run's rate, capped by the run's timeout; <see langword="null"/> when
    /// neither a budget, a trial count nor a timeout bounds the run, or before the rate is known.
    /// </summary>
    public TimeSpan? TimeLeft { get; init; }

    /// <summary>Formats the progress as one log line (invariant culture), for output that is not a terminal.</summary>
    /// <returns>The line.</returns>
    public string ToLogLine()
    {
        var text = new System.Text.StringBuilder();
        TrialRecord t = LastTrial;
        text.Append(CultureInfo.InvariantCulture, $"trial {t.Number} {t.State.ToString().ToLowerInvariant()}");
        if (t.State == TrialState.Complete && t.Value is double v)
        {
            text.Append(CultureInfo.InvariantCulture, $" value {v:G6}");
        }
        else if (t.State == TrialState.Failed && t.FailReason is { } reason)
        {
            text.Append(": ").Append(reason.Split('\n')[0]);
        }

        TrialCounts c = Counts;
        text.Append(CultureInfo.InvariantCulture, $" | study: {c.Finished} finished ({c.Complete} complete, {c.Pruned} pruned, {c.Failed} failed, {c.Stale} stale), {c.Running} running");
        if (BestTrial?.Value is double best)
        {
            text.Append(CultureInfo.InvariantCulture, $" | best {best:G6} (trial {BestTrial.Number}: {FormatParameters(BestTrial)})");
        }

        text.Append(CultureInfo.InvariantCulture, $" | {TrialsPerSecond:0.##} trials/s");
        if (TimeLeft is TimeSpan left)
        {
            text.Append(" | ").Append(FormatDuration(left)).Append(" left");
        }

        return text.ToString();
    }

    /// <summary>Formats a trial's parameters as <c>name=value</c> pairs.</summary>
    /// <param name="trial">The trial.</param>
    /// <returns>The text.</returns>
    public static string FormatParameters(TrialRecord trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return string.Join(", ", trial.Parameters.Select(p => $"{p.Key}={ParameterAxis.Label(p.Value)}"));
    }

    /// <summary>Formats a duration as <c>h:mm:ss</c> or <c>m:ss</c>.</summary>
    /// <param name="duration">The duration.</param>
    /// <returns>The text.</returns>
    public static string FormatDuration(TimeSpan duration) =>
        duration.TotalHours >= 1
            ? ((int)duration.TotalHours).ToString(CultureInfo.InvariantCulture) + duration.ToString(@"\:mm\:ss", CultureInfo.InvariantCulture)
            : duration.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
