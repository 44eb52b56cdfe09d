using Hpo.Visualization.Progress;

namespace Hpo.Cli.Workers;

/// <summary>How <c>hpo worker</c> shows its progress on standard error.</summary>
internal static class WorkerProgress
{
    /// <summary>The prefix of the plain lines.</summary>
    public const string LinePrefix = "hpo worker: ";

    /// <summary>
    /// A live panel when the tool's standard error is an interactive terminal; otherwise (CI, files, containers, tests that capture
    /// the output) one plain line per finished trial: <c>hpo worker: trial 3 complete value 0.25 | study: … | best … | 2.5 trials/s | 0:40 left</c>.
    /// </summary>
    public static ConsoleProgressView Create(TextWriter error) =>
        ReferenceEquals(error, Console.Error) ? ConsoleProgressView.ForTerminal(error, LinePrefix) : new ConsoleProgressView(error, LinePrefix);
}
