using System.Diagnostics;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Testing;

/// <summary>A running tests/Hpo.TestWorker child process (see its Program.cs for the commands), with its output captured.</summary>
public sealed class TestWorkerProcess : CapturedProcess
{
    private TestWorkerProcess(IEnumerable<string> arguments, int maxRetries = 0, SearchSpace? space = null, IReadOnlyList<string>? wrapper = null, IReadOnlyDictionary<string, string>? environment = null)
        : base(StartInfo(arguments, maxRetries, space, wrapper, environment), "worker")
    {
    }

    /// <summary>Gets the built worker: its path is recorded in this assembly at build time (see Hpo.Testing.csproj).</summary>
    public static string WorkerPath { get; } = BuiltTools.Find("Hpo.TestWorker");

    /// <summary>
    /// Starts <c>run</c>: join or create the study and optimize it until its budget is spent (in <paramref name="space"/> when
    /// given, otherwise in the worker's own space of x and n).
    /// </summary>
    /// <param name="wrapper">A program and its arguments that run the worker (for example <c>unshare -pf --mount-proc</c>), if any.</param>
    /// <param name="environment">Extra environment variables (HPO_TEST_GRACE_MS, HPO_TEST_IGNORE_CANCEL: see the worker's Program.cs).</param>
    public static TestWorkerProcess Run(string url, string study, int budget, int seed, TimeSpan lease, TimeSpan sleep, int hangAtTrial = -1, int maxRetries = 0, SearchSpace? space = null, IReadOnlyList<string>? wrapper = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var args = new List<string> { "run", url, study, Invariant(budget), Invariant(seed), Invariant((int)lease.TotalMilliseconds), Invariant((int)sleep.TotalMilliseconds) };
        if (hangAtTrial >= 0)
        {
            args.Add(Invariant(hangAtTrial));
        }

        return new TestWorkerProcess(args, maxRetries, space, wrapper, environment);
    }

    /// <summary>Starts <c>wait</c>: a live process that exits when its standard input is closed.</summary>
    public static TestWorkerProcess Wait() => new(["wait"]);

    public void CloseInput() => Process.StandardInput.Close();

    /// <summary>Releases the trials of a worker started with <c>HPO_TEST_GATE=1</c>: writes <c>go</c> to its standard input.</summary>
    public async Task ReleaseAsync()
    {
        await Process.StandardInput.WriteLineAsync("go");
        await Process.StandardInput.FlushAsync();
    }

    /// <summary>
    /// Waits until the trials of <paramref name="study"/> in <paramref name="storage"/> meet <paramref name="condition"/> and
    /// returns them; fails if the worker exits first or on timeout.
    /// </summary>
    public Task<IReadOnlyList<TrialRecord>> WaitForTrialsAsync(IStudyStorage storage, string study, TimeSpan timeout, Func<IReadOnlyList<TrialRecord>, bool> condition)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(condition);
        return WaitForAsync(
            async () =>
            {
                IReadOnlyList<TrialRecord> trials = await storage.GetStudyAsync(study, CancellationToken.None) is { } s
                    ? await storage.GetTrialsAsync(s.Id, CancellationToken.None)
                    : [];
                return condition(trials) ? trials : null;
            },
            $"the expected trials of study '{study}'",
            timeout);
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> arguments, int maxRetries, SearchSpace? space, IReadOnlyList<string>? wrapper, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(wrapper is { Count: > 0 } ? wrapper[0] : BuiltTools.DotnetHost) { RedirectStandardInput = true };
        if (wrapper is { Count: > 0 })
        {
            // A program that runs the worker (unshare, nsenter...): its own arguments, then the dotnet host.
            foreach (string w in wrapper.Skip(1))
            {
                start.ArgumentList.Add(w);
            }

            start.ArgumentList.Add(BuiltTools.DotnetHost);
        }

        start.ArgumentList.Add(WorkerPath);
        if (maxRetries > 0)
        {
            start.Environment["HPO_TEST_MAX_RETRIES"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (space is not null)
        {
            start.Environment["HPO_TEST_SPACE"] = space.ToJson();
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
