using System.Globalization;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Registries;

namespace Hpo.Benchmarks.Overhead;

/// <summary>
/// <c>overhead-worker [--storage URL] --study NAME --tuner NAME --warmup W --warmup-ms MS</c>: one worker process of the overhead benchmark.
/// It warms up on studies of its own, prints <see cref="ReadyLine"/>, waits for <c>go</c> on standard input, runs the named
/// study to its budget with the default options, and prints <see cref="ResultPrefix"/> and its number of evaluations.
/// </summary>
public static class OverheadWorker
{
    /// <summary>The line a worker prints when it is warmed up.</summary>
    public const string ReadyLine = "ready";

    /// <summary>
    /// The environment variable that carries the storage URL when <c>--storage</c> is not given: the overhead command hands its URL
    /// (password included) to its workers this way, so that it does not show on their command lines.
    /// </summary>
    public const string StorageVariable = "HPO_OVERHEAD_STORAGE";

    /// <summary>The prefix of the line that carries the worker's number of evaluations.</summary>
    public const string ResultPrefix = "evaluations ";

    /// <summary>The prefix of the line that carries the processor time the worker's measured run used, in milliseconds.</summary>
    public const string CpuPrefix = "cpu_ms ";

    /// <summary>Runs the worker.</summary>
    /// <param name="args">The arguments after <c>overhead-worker</c>.</param>
    /// <param name="stdin">Where <c>go</c> comes from.</param>
    /// <param name="stdout">Where the protocol lines go.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        var cl = new CommandLine("overhead-worker", args, "storage", "study", "tuner", "warmup", "warmup-ms");
        string url = cl.String("storage", Environment.GetEnvironmentVariable(StorageVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
        string name = cl.String("study");
        string tuner = cl.String("tuner", "random");
        int warmup = cl.NonNegativeInt("warmup", 0);
        await using IStudyStorage storage = StorageRegistry.Default.Open(url);
        var warmupTime = TimeSpan.FromMilliseconds(cl.NonNegativeInt("warmup-ms", 1000));
        await OverheadStudy.WarmUpAsync(storage, string.Create(CultureInfo.InvariantCulture, $"{name}-{Environment.ProcessId}"), tuner, warmup, warmupTime).ConfigureAwait(false);

        stdout.WriteLine(ReadyLine);
        stdout.Flush();
        string? line = await stdin.ReadLineAsync().ConfigureAwait(false);
        if (line != "go")
        {
            await Console.Error.WriteLineAsync($"overhead-worker: expected 'go' on standard input, but got '{line}'.").ConfigureAwait(false);
            return 2;
        }

        TimeSpan cpu0 = OverheadStudy.ProcessorTime();
        Study study = await Study.LoadAsync(storage, name).ConfigureAwait(false);
        long evaluations = await OverheadStudy.RunAsync(study).ConfigureAwait(false);
        TimeSpan cpu = OverheadStudy.ProcessorTime() - cpu0;
        stdout.WriteLine(CpuPrefix + ((long)cpu.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        stdout.WriteLine(ResultPrefix + evaluations.ToString(CultureInfo.InvariantCulture));
        stdout.Flush();
        return 0;
    }
}
