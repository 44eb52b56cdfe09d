using System.Globalization;
using Hpo.SearchSpaces;
using Hpo.Storage.Providers;
using Hpo.Studies;
using Hpo.Trials;
using Microsoft.Extensions.Time.Testing;

namespace Hpo.Storage.Testing;

/// <summary>
/// The differential test of the trial rules: seeded random sequences of operations (enqueue, start, concurrent starts, set parameters,
/// report, heartbeat, finish — with and without a retry —, finish-and-start, finishing a finished trial, expiring leases by advancing
/// the clock, failing orphaned and abandoned trials, filling the budget) run against a storage and against <see cref="TrialLifecycle"/>
/// over a plain reference model; after every operation the answers, every trial and the counts must agree. A provider derives one
/// class and supplies <see cref="CreateStorage"/>; a provider that decides rules server-side (PostgreSQL) is checked the same way, and
/// one whose finish-and-start looks for expired leases only now and then declares how often (<see cref="FinishAndStartLeaseCheckInterval"/>).
/// </summary>
public abstract class StudyStorageDifferentialTests
{
    private static readonly DateTimeOffset Epoch = new(2025, 6, 1, 8, 0, 0, TimeSpan.Zero);

    private static readonly SearchSpace Space = SearchSpace.CreateBuilder()
        .AddFloat("x", -5, 5)
        .AddInt("n", 1, 100, log: true)
        .AddCategorical("kind", "a", "b")
        .Build();

    private static readonly string[] Owners = ["w0", "w1", "w2"];

    /// <summary>Gets the seeds the test runs, one sequence each (set <c>HPO_DIFFERENTIAL_SEEDS</c> to a number to run that many more).</summary>
    public static TheoryData<int> Seeds
    {
        get
        {
            int extra = int.TryParse(Environment.GetEnvironmentVariable("HPO_DIFFERENTIAL_SEEDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : 0;
            var data = new TheoryData<int>();
            foreach (int seed in Enumerable.Range(1, 10 + Math.Max(0, extra)))
            {
                data.Add(seed);
            }

            return data;
        }
    }

    /// <summary>Gets how many operations one sequence runs.</summary>
    protected virtual int Operations => 60;

    /// <summary>
    /// Gets how often, at most, the storage's <see cref="IStudyStorage.FinishAndStartTrialAsync"/> looks for expired leases before it
    /// starts the next trial, for a study with the given lease; <see cref="TimeSpan.Zero"/> (the default) when it looks every time, as
    /// <see cref="TrialLifecycle.Start"/> does.
    /// </summary>
    /// <param name="lease">The study's lease.</param>
    /// <returns>The interval.</returns>
    /// <remarks>
    /// The reference models such a storage exactly: a finish-and-start whose finish asks for no retry looks when it never looked, when
    /// the clock went back, or when the interval has passed since its last look that found none (a look that finds some leaves them
    /// to the ordinary start, which marks them stale); between looks its start ignores expired leases. A finish with a retry, and every
    /// other operation, always looks.
    /// </remarks>
    protected virtual TimeSpan FinishAndStartLeaseCheckInterval(TimeSpan lease) => TimeSpan.Zero;

    /// <summary>Creates a new, empty storage whose timestamps and leases follow <paramref name="timeProvider"/>.</summary>
    /// <param name="timeProvider">The test's clock.</param>
    /// <returns>The storage; the test disposes it.</returns>
    protected abstract IStudyStorage CreateStorage(TimeProvider timeProvider);

    /// <summary>Runs one random sequence on the storage and on the reference, comparing after every operation.</summary>
    /// <param name="seed">The sequence's seed.</param>
    /// <returns>A task that completes when the sequence ran.</returns>
    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomOperations_StorageAndTrialLifecycle_Agree(int seed)
    {
        var random = new Random(seed);
        var clock = new FakeTimeProvider(Epoch.AddHours(seed));
        await using IStudyStorage storage = CreateStorage(clock);
        TimeSpan lease = TimeSpan.FromSeconds(10);
        var definition = new StudyDefinition
        {
            Name = "differential-" + seed.ToString(CultureInfo.InvariantCulture),
            SearchSpace = Space,
            Directions = [StudyDirection.Minimize],
            TunerName = "random",
            Seed = seed,
            Budget = random.Next(3) == 0 ? null : random.Next(4, 14),
            Lease = lease,
            MaxRetries = random.Next(0, 3),
            RetryOn = random.Next(4) == 0 ? RetryOn.None : RetryOn.LostWorker,
        };
        StudyRecord study = await storage.CreateStudyAsync(definition, CancellationToken.None);
        var reference = new ReferenceStudy(study.Definition);
        var log = new List<string> { $"study: budget {definition.Budget?.ToString(CultureInfo.InvariantCulture) ?? "none"}, retries {definition.MaxRetries} on {definition.RetryOn}" };
        for (int op = 0; op < Operations; op++)
        {
            IReadOnlyList<TrialRecord> stored = await storage.GetTrialsAsync(study.Id, CancellationToken.None);
            DateTimeOffset now = clock.GetUtcNow();
            string owner = Owners[random.Next(Owners.Length)];
            int pick = random.Next(100);
            int? number = stored.Count == 0 ? null : random.Next(stored.Count);
            long? id = number is int k ? stored[k].Id : null;
            string step;
            try
            {
                switch (pick)
                {
                    case < 10:
                        {
                            IReadOnlyDictionary<string, object> p = RandomParameters(random);
                            step = $"enqueue {Describe(p)}";
                            Same(step, reference.InsertTrial(TrialLifecycle.NewTrial(TrialState.Waiting, Space.Validate(p), null, now)).Number, (await storage.EnqueueTrialAsync(study.Id, p, CancellationToken.None)).Number);
                            break;
                        }

                    case < 32:
                        step = $"start {owner}";
                        await Outcome(step, () => Task.FromResult(TrialLifecycle.Start(reference, reference.Policy, owner, now)?.Number), async () => (await storage.StartTrialAsync(study.Id, owner, CancellationToken.None))?.Number);
                        break;
                    case < 37:
                        {
                            int k2 = random.Next(2, 5);
                            step = $"{k2} concurrent starts";
                            string[] owners = [.. Enumerable.Range(0, k2).Select(i => $"c{op}-{i}")];
                            var expected = owners.Select(o => TrialLifecycle.Start(reference, reference.Policy, o, now)?.Number).ToList();
                            TrialRecord?[] started = await Task.WhenAll(owners.Select(o => Task.Run(async () => await storage.StartTrialAsync(study.Id, o, CancellationToken.None))));
                            Assert.True(
                                expected.Order().SequenceEqual(started.Select(t => t?.Number).Order()),
                                $"{step}: the reference started [{string.Join(", ", expected.Order())}], the storage [{string.Join(", ", started.Select(t => t?.Number).Order())}].\n{string.Join("\n", log)}");
                            foreach (TrialRecord t in started.OfType<TrialRecord>())
                            {
                                reference.SetOwner(t.Number, t.Owner);
                            }

                            break;
                        }

                    case < 45 when number is int n && id is long trialId:
                        {
                            IReadOnlyDictionary<string, object> p = RandomParameters(random);
                            step = $"set parameters of {n}";
                            await Outcome(step, () => Task.FromResult<int?>(reference.SetParameters(n, p).Number), async () => (await storage.SetTrialParametersAsync(trialId, p, CancellationToken.None)).Number);
                            break;
                        }

                    case < 52 when number is int n && id is long trialId:
                        {
                            long s = random.Next(0, 5);
                            double v = Math.Round(random.NextDouble() * 10, 3);
                            step = $"report {n} step {s} = {v.ToString(CultureInfo.InvariantCulture)}";
                            await Outcome(
                                step,
                                () =>
                                {
                                    reference.Report(n, s, v);
                                    return Task.FromResult<int?>(n);
                                },
                                async () =>
                                {
                                    await storage.ReportIntermediateValueAsync(trialId, s, v, CancellationToken.None);
                                    return n;
                                });
                            break;
                        }

                    case < 55 when number is int n && id is long trialId:
                        {
                            string value = random.Next(100).ToString(CultureInfo.InvariantCulture);
                            step = $"user attribute of {n} = {value}";
                            await Outcome(
                                step,
                                () =>
                                {
                                    reference.SetUserAttribute(n, "tag", value);
                                    return Task.FromResult<int?>(n);
                                },
                                async () =>
                                {
                                    await storage.SetTrialUserAttributeAsync(trialId, "tag", value, CancellationToken.None);
                                    return n;
                                });
                            break;
                        }

                    case < 62:
                        step = $"heartbeat {owner}";
                        Same(step, reference.Renew(owner, now), await storage.RenewHeartbeatsAsync(study.Id, owner, CancellationToken.None));
                        break;
                    case < 71 when number is int n && id is long trialId:
                        {
                            TrialFinish finish = RandomFinish(random);
                            step = $"finish {n} as {finish.State}{(finish.RetryAsNewTrial ? " with a retry" : string.Empty)}";
                            await Outcome(step, () => Task.FromResult<int?>(reference.Finish(n, finish, now).Number), async () => (await storage.FinishTrialAsync(trialId, finish, CancellationToken.None)).Number);
                            break;
                        }

                    case < 80 when number is int n && id is long trialId:
                        {
                            TrialFinish finish = RandomFinish(random);
                            step = $"finish {n} as {finish.State}{(finish.RetryAsNewTrial ? " with a retry" : string.Empty)} and start for {owner}";
                            TimeSpan every = FinishAndStartLeaseCheckInterval(lease);
                            await Outcome(
                                step,
                                () => Task.FromResult<int?>(Pair(reference.FinishAndStart(n, finish, owner, now, every))),
                                async () => Pair(await storage.FinishAndStartTrialAsync(trialId, finish, study.Id, owner, CancellationToken.None)));
                            break;
                        }

                    case < 88:
                        {
                            // Past every lease, a little, or just past the lease of one running trial (its edge, where throttled looks for
                            // expired leases and the storages' time precision matter).
                            TimeSpan by = random.Next(3) == 0 ? lease + TimeSpan.FromMilliseconds(random.Next(1, 4000)) : TimeSpan.FromMilliseconds(random.Next(1, 4000));
                            if (random.Next(2) == 0 && stored.Where(t => t.State == TrialState.Running && t.Heartbeat + lease >= now).MinBy(t => t.Heartbeat) is { Heartbeat: { } beat })
                            {
                                by = beat + lease + TimeSpan.FromMilliseconds(random.Next(1, 300)) - now;
                            }

                            step = $"advance the clock by {by.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms";
                            clock.Advance(by);
                            break;
                        }

                    case < 94:
                        step = "fail orphaned trials";
                        Same(step, string.Join(",", TrialLifecycle.FailExpired(reference, reference.Policy, now).Select(t => t.Number)), string.Join(",", (await storage.FailOrphanedTrialsAsync(study.Id, CancellationToken.None)).Select(t => t.Number).Order()));
                        break;
                    case < 100 when number is int n && id is long trialId:
                        {
                            string claimed = random.Next(3) == 0 ? "someone-else" : stored[n].Owner ?? "nobody";
                            step = $"fail abandoned {n} of {claimed}";
                            await Outcome(step, () => Task.FromResult(TrialLifecycle.FailAbandoned(reference, reference.Policy, reference.Trials[n], claimed, "its process is gone", now)?.Number), async () => (await storage.FailAbandonedTrialAsync(trialId, claimed, "its process is gone", CancellationToken.None))?.Number);
                            break;
                        }

                    default:
                        step = "nothing (no trial yet)";
                        break;
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"Seed {seed}, operation {op}: {e.Message}\n{string.Join("\n", log)}", e);
            }

            log.Add($"{op}: {step}");
            await AssertAgreeAsync(storage, study.Id, reference, log);
        }
    }

    /// <summary>
    /// A scripted sequence for the case random sequences meet rarely: a lease that expires between two finish-and-starts less than an
    /// eighth of a lease apart, then a look after the interval. Every storage must agree with the reference (which models a storage's
    /// declared <see cref="FinishAndStartLeaseCheckInterval"/>) after every step.
    /// </summary>
    /// <param name="retries">Whether the study retries trials whose worker was lost.</param>
    /// <returns>A task that completes when the sequence ran.</returns>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FinishAndStart_LeaseExpiringBetweenLooks_AgreesWithTrialLifecycle(bool retries)
    {
        var clock = new FakeTimeProvider(Epoch);
        await using IStudyStorage storage = CreateStorage(clock);
        TimeSpan lease = TimeSpan.FromSeconds(8);
        TimeSpan every = FinishAndStartLeaseCheckInterval(lease);
        var definition = new StudyDefinition
        {
            Name = "differential-between-looks-" + retries.ToString(CultureInfo.InvariantCulture),
            SearchSpace = Space,
            Directions = [StudyDirection.Minimize],
            TunerName = "random",
            Seed = 1,
            Lease = lease,
            MaxRetries = retries ? 1 : 0,
            RetryOn = retries ? RetryOn.LostWorker : RetryOn.None,
        };
        StudyRecord study = await storage.CreateStudyAsync(definition, CancellationToken.None);
        var reference = new ReferenceStudy(study.Definition);
        var log = new List<string>();
        var complete = new TrialFinish(TrialState.Complete, [1.0]);

        async Task<TrialRecord?> Start(string owner)
        {
            DateTimeOffset now = clock.GetUtcNow();
            TrialRecord? expected = TrialLifecycle.Start(reference, reference.Policy, owner, now);
            TrialRecord? actual = await storage.StartTrialAsync(study.Id, owner, CancellationToken.None);
            Same($"start {owner}", expected?.Number, actual?.Number);
            log.Add($"start {owner}: {actual?.Number}");
            await AssertAgreeAsync(storage, study.Id, reference, log);
            return actual;
        }

        async Task<TrialRecord?> FinishAndStart(TrialRecord trial, string owner)
        {
            DateTimeOffset now = clock.GetUtcNow();
            (TrialRecord _, TrialRecord? expected) = reference.FinishAndStart(trial.Number, complete, owner, now, every);
            FinishAndStartResult actual = await storage.FinishAndStartTrialAsync(trial.Id, complete, study.Id, owner, CancellationToken.None);
            Same($"finish {trial.Number} and start for {owner}", expected?.Number, actual.Next?.Number);
            log.Add($"finish {trial.Number} and start for {owner}: {actual.Next?.Number}");
            await AssertAgreeAsync(storage, study.Id, reference, log);
            return actual.Next;
        }

        void Advance(TimeSpan by)
        {
            clock.Advance(by);
            log.Add($"advance the clock by {by.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms");
        }

        TrialRecord lost = (await Start("lost"))!;
        TrialRecord a = (await Start("a"))!;
        Advance(lease - TimeSpan.FromMilliseconds(300));

        // A look that finds no expired lease, then the lost worker's lease expires well within an eighth of a lease.
        TrialRecord b = (await FinishAndStart(a, "a"))!;
        Advance(TimeSpan.FromMilliseconds(400));
        TrialRecord c = (await FinishAndStart(b, "a"))!;

        // Past the interval: the next finish-and-start looks again and finds it.
        Advance(lease / 4);
        await FinishAndStart(c, "a");
        Assert.True((await storage.GetTrialAsync(study.Id, lost.Number, CancellationToken.None))!.State == TrialState.Stale, $"The lost worker's trial is stale in the end.\n{string.Join("\n", log)}");
    }

    /// <summary>A finish-and-start's answer as one comparable number: the finished trial's, and the started one's (or -1) beside it.</summary>
    private static int Pair((TrialRecord Finished, TrialRecord? Started) result) => (result.Finished.Number * 1000) + (result.Started?.Number ?? -1) + 1;

    private static int Pair(FinishAndStartResult result) => Pair((result.Finished, result.Next));

    private static async Task Outcome(string step, Func<Task<int?>> onReference, Func<Task<int?>> onStorage)
    {
        (int? expected, Type? expectedError) = await Run(onReference);
        (int? actual, Type? actualError) = await Run(onStorage);
        Assert.True(expectedError == actualError, $"{step}: the reference {(expectedError is null ? "succeeded" : "threw " + expectedError.Name)}, the storage {(actualError is null ? "succeeded" : "threw " + actualError.Name)}.");
        Same(step, expected, actual);

        static async Task<(int?, Type?)> Run(Func<Task<int?>> f)
        {
            try
            {
                return (await f(), null);
            }
            catch (Exception e) when (e is TrialAlreadyFinishedException or InvalidOperationException or ArgumentException)
            {
                return (null, e.GetType());
            }
        }
    }

    private static void Same<T>(string step, T expected, T actual) =>
        Assert.True(EqualityComparer<T>.Default.Equals(expected, actual), $"{step}: the reference answered {expected}, the storage {actual}.");

    private static async Task AssertAgreeAsync(IStudyStorage storage, long studyId, ReferenceStudy reference, List<string> log)
    {
        IReadOnlyList<TrialRecord> stored = await storage.GetTrialsAsync(studyId, CancellationToken.None);
        string context = string.Join("\n", log);
        Assert.True(reference.Trials.Count == stored.Count, $"The reference has {reference.Trials.Count} trials, the storage {stored.Count}.\n{context}");
        for (int i = 0; i < stored.Count; i++)
        {
            string expected = Describe(reference.Trials[i]);
            string actual = Describe(stored[i]);
            Assert.True(expected == actual, $"Trial {i} differs.\nreference: {expected}\nstorage:   {actual}\n{context}");
        }

        TrialCounts counts = await storage.GetTrialCountsAsync(studyId, CancellationToken.None);
        Assert.True(reference.Counts == counts, $"Counts differ: reference {reference.Counts} (stale {reference.Counts.Stale}), storage {counts} (stale {counts.Stale}).\n{context}");
    }

    /// <summary>Everything a trial records that the rules decide or keep, in one comparable line (the id is the storage's own).</summary>
    private static string Describe(TrialRecord t) => string.Join(
        " | ",
        $"#{t.Number} {t.State}",
        $"owner {t.Owner ?? "-"}",
        $"params {Describe(t.Parameters)}",
        $"values [{string.Join(",", t.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]",
        $"iv [{string.Join(",", t.IntermediateValues.Select(kv => kv.Key.ToString(CultureInfo.InvariantCulture) + ":" + kv.Value.ToString("R", CultureInfo.InvariantCulture)))}]",
        $"user [{string.Join(",", t.UserAttributes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value))}]",
        $"system [{string.Join(",", t.SystemAttributes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value))}]",
        $"reason {t.FailReason ?? "-"} ({t.ExceptionType ?? "-"})",
        $"created {Time(t.CreatedAt)} started {Time(t.StartedAt)} finished {Time(t.FinishedAt)} heartbeat {Time(t.Heartbeat)}");

    private static string Describe(IReadOnlyDictionary<string, object> parameters) => StudyDefinitionJson.WriteParameters(Space, parameters);

    private static string Time(DateTimeOffset? t) => t?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "-";

    private static IReadOnlyDictionary<string, object> RandomParameters(Random random) => new Dictionary<string, object>
    {
        ["x"] = Math.Round((random.NextDouble() * 10) - 5, 3),
        ["n"] = (long)random.Next(1, 101),
        ["kind"] = random.Next(2) == 0 ? "a" : "b",
    };

    private static TrialFinish RandomFinish(Random random) => random.Next(4) switch
    {
        0 => new TrialFinish(TrialState.Pruned, []),
        1 => new TrialFinish(TrialState.Failed, [], "it threw", "System.InvalidOperationException") { RetryAsNewTrial = random.Next(2) == 0 },
        _ => new TrialFinish(TrialState.Complete, [Math.Round(random.NextDouble() * 100, 4)]),
    };
}
