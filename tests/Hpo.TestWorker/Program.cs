// A worker process for the multi-process tests: joins (or creates) a study in a storage and optimizes it until the study's
// budget is spent, as a user's program or `hpo worker` would.
//
//   Hpo.TestWorker run <storage-url> <study> <budget> <seed> <lease-ms> <sleep-ms> [hang-at-trial]
//       Prints "started <pid> resumed=<bool>" once the study is open and "done <trials-run> <stop-reason>" at the end.
//       The objective sleeps <sleep-ms> per trial; trial number <hang-at-trial> (if given) sleeps for ten minutes, so that a
//       test can kill the process while that trial runs. Each trial first reports its x as the intermediate value of step 0.
//       HPO_TEST_MAX_RETRIES, when set, is the new study's MaxRetries (lost workers are retried).
//       HPO_TEST_SPACE, when set, is the study's search space as JSON (SearchSpace.ToJson) instead of x in [-5, 5] and n in
//       0..10; the objective then reports 0 at step 0 and returns the sum of the numeric parameters and the categoricals' lengths.
//       HPO_TEST_GRACE_MS, when set, makes SIGTERM a graceful stop of the plain OptimizeAsync run (OptimizeOptions.StopToken,
//       with that GracePeriod): no trial starts, running ones may finish, the rest are handed back; the last line then ends with
//       " handed_back=<n>". HPO_TEST_IGNORE_CANCEL=1 makes the hanging trial ignore its cancellation (AbandonAfter 1 s).
//       HPO_TEST_GATE=1 holds the worker's trials (after their step-0 report) until a line "go" arrives on standard input: a test
//       sees the trial running under this worker's name in the storage, and knows the worker will complete it once released.
//   Hpo.TestWorker wait
//       Prints "waiting <pid>" and waits until standard input is closed (a live process for WorkerIdentity tests).
using System.Globalization;
using System.Runtime.InteropServices;
using Hpo.Objectives;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Registries;

try
{
    return args switch
    {
        ["wait"] => await WaitAsync(),
        ["run", string url, string study, string budget, string seed, string leaseMs, string sleepMs] => await RunAsync(url, study, Int(budget), Int(seed), Int(leaseMs), Int(sleepMs), hangAt: -1),
        ["run", string url, string study, string budget, string seed, string leaseMs, string sleepMs, string hangAt] => await RunAsync(url, study, Int(budget), Int(seed), Int(leaseMs), Int(sleepMs), Int(hangAt)),
        _ => Usage(),
    };
}
catch (Exception e)
{
    await Console.Error.WriteLineAsync(e.ToString());
    return 1;
}

static int Int(string s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

static double Score(IReadOnlyDictionary<string, object> parameters) =>
    parameters.Values.Sum(v => v is string s ? s.Length : Convert.ToDouble(v, CultureInfo.InvariantCulture));

static int Usage()
{
    Console.Error.WriteLine("usage: Hpo.TestWorker run <storage-url> <study> <budget> <seed> <lease-ms> <sleep-ms> [hang-at-trial] | wait");
    return 2;
}

static async Task<int> WaitAsync()
{
    Console.WriteLine($"waiting {Environment.ProcessId}");
    await Console.In.ReadToEndAsync();
    return 0;
}

static async Task WaitForGoAsync()
{
    while (await Console.In.ReadLineAsync() is { } line)
    {
        if (line == "go")
        {
            return;
        }
    }

    throw new InvalidOperationException("HPO_TEST_GATE is set, but standard input ended before a line 'go'.");
}

static async Task<int> RunAsync(string url, string name, int budget, int seed, int leaseMs, int sleepMs, int hangAt)
{
    SearchSpace? custom = Environment.GetEnvironmentVariable("HPO_TEST_SPACE") is { Length: > 0 } json ? SearchSpace.FromJson(json) : null;
    SearchSpace space = custom ?? SearchSpace.CreateBuilder()
        .AddFloat("x", -5, 5)
        .AddInt("n", 0, 10)
        .Build();
    await using IStudyStorage storage = StorageRegistry.Default.Open(url);
    int maxRetries = Environment.GetEnvironmentVariable("HPO_TEST_MAX_RETRIES") is { Length: > 0 } r ? Int(r) : 0;
    Study study = await Study.CreateOrLoadAsync(storage, name, space, new StudyOptions { Seed = seed, Budget = budget, Lease = TimeSpan.FromMilliseconds(leaseMs), MaxRetries = maxRetries });
    using var stop = new CancellationTokenSource();
    var options = new OptimizeOptions();
    using PosixSignalRegistration? sigterm = Environment.GetEnvironmentVariable("HPO_TEST_GRACE_MS") is { Length: > 0 } grace
        ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true; // a graceful stop, not the runtime's default exit
            stop.Cancel();
        })
        : null;
    if (sigterm is not null)
    {
        options.StopToken = stop.Token;
        options.GracePeriod = TimeSpan.FromMilliseconds(Int(Environment.GetEnvironmentVariable("HPO_TEST_GRACE_MS")!));
        options.AbandonAfter = TimeSpan.FromSeconds(1);
        options.OnTrialHandedBack = a =>
        {
            Console.WriteLine($"handed back {a.Trial.Number}");
            return ValueTask.CompletedTask;
        };
    }

    bool ignoreCancel = Environment.GetEnvironmentVariable("HPO_TEST_IGNORE_CANCEL") == "1";
    // On a thread of its own: Console.In reads synchronously, even through ReadLineAsync.
    Task gate = Environment.GetEnvironmentVariable("HPO_TEST_GATE") == "1" ? Task.Run(WaitForGoAsync) : Task.CompletedTask;
    Console.WriteLine($"started {Environment.ProcessId} resumed={study.IsResumed}");

    OptimizeResult result = await study.OptimizeAsync(
        async (ITrial trial, CancellationToken ct) =>
        {
            double x = custom is null ? trial.Get<double>("x") : 0;
            await trial.ReportAsync(0, x, ct);
            await gate.WaitAsync(ct);
            bool hang = trial.Number == hangAt;
            await Task.Delay(hang ? TimeSpan.FromMinutes(10) : TimeSpan.FromMilliseconds(sleepMs), hang && ignoreCancel ? CancellationToken.None : ct);
            return (ObjectiveResult)(custom is null ? (x * x) + trial.Get<int>("n") : Score(trial.Parameters));
        },
        options);
    Console.WriteLine(sigterm is null
        ? $"done {result.TrialsRun} {result.StopReason}"
        : $"done {result.TrialsRun} {result.StopReason} handed_back={result.HandedBack} abandoned={result.Abandoned}");
    return 0;
}
