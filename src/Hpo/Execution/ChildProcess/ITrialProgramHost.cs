using System.Diagnostics;

namespace Hpo.Execution.ChildProcess;

/// <summary>
/// What differs between running a trial program as a child process and in a container: how it is started and how it is
/// stopped. <see cref="TrialProgramRunner"/> does the rest (files, protocol, log, outcome).
/// </summary>
internal interface ITrialProgramHost
{
    /// <summary>Gets the executor's name for messages ("child-process executor").</summary>
    string ExecutorName { get; }

    /// <summary>Builds how to start the program of a trial (output redirection is set by the runner).</summary>
    /// <exception cref="FormatException">A command template cannot be expanded for this trial.</exception>
    ProcessStartInfo CreateStartInfo(TrialFiles files);

    /// <summary>Stops a running program that the worker decided to stop (SIGTERM, then a kill after the grace period); returns once it is gone.</summary>
    Task StopAsync(Process process, TrialFiles files);

    /// <summary>Describes an exit code for a failure message ("code 3").</summary>
    string DescribeExit(int exitCode);
}
