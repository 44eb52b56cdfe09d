using System.Globalization;
using Hpo.Execution;
using Hpo.Objectives;
using Hpo.Scheduling;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Storage.InMemory;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners.RandomSearch;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hpo.Tests.Scheduling;

/// <summary>The <see cref="TrialScheduler"/> on its own: start and propose, finish, hand back, orphan cleanup, heartbeats of asked trials.</summary>
public sealed class TrialSchedulerTests
{
    private static readonly SearchSpace Space = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build();

    [Fact]
    public async Task TryStartAsync_proposes_a_point_in_the_space_and_the_history_counts_the_running_trial()
    {
        (TrialScheduler scheduler, _) = await CreateAsync(budget: 2);

        StudyTrial trial = (await scheduler.TryStartAsync(WorkerIdentity.NewOwner(), CancellationToken.None))!;

        Assert.Equal(0, trial.Number);
        Assert.InRange(trial.Get<double>("x"), 0, 1);
        Assert.Equal(1, scheduler.Summary.Counts.Running);
    }

    [Fact]
    public async Task TryStartAsync_returns_null_once_running_and_finished_trials_fill_the_budget()
    {
        (TrialScheduler scheduler, _) = await CreateAsync(budget: 1);
        string owner = WorkerIdentity.NewOwner();

        Assert.NotNull(await scheduler.TryStartAsync(owner, CancellationToken.None));
        Assert.Null(await scheduler.TryStartAsync(owner, CancellationToken.None));
    }

    [Fact]
    public async Task FinishAndStartAsync_records_the_result_and_starts_the_next_trial_for_the_same_owner()
    {
        (TrialScheduler scheduler, _) = await CreateAsync(budget: 3);
        string owner = WorkerIdentity.NewOwner();
        StudyTrial first = (await scheduler.TryStartAsync(owner, CancellationToken.None))!;

        (TrialRecord done, TrialRecord? next) = await scheduler.FinishAndStartAsync(first.Id, new TrialFinish(TrialState.Complete, [0.25]), owner);

        Assert.Equal(TrialState.Complete, done.State);
        Assert.Equal(1, next!.Number);
        Assert.Equal(owner, next.Owner);
        Assert.Empty(next.Parameters); // proposed by the caller, with ProposeStartedAsync
        StudyTrial proposed = await scheduler.ProposeStartedAsync(next, CancellationToken.None);
        Assert.Single(proposed.Parameters);
        Assert.Equal(0.25, scheduler.Summary.Best!.Value);
    }

    [Fact]
    public async Task HandBackAsync_records_a_running_trial_stale_once_and_refuses_a_finished_one()
    {
        (TrialScheduler scheduler, _) = await CreateAsync(budget: 5);
        string owner = WorkerIdentity.NewOwner();
        StudyTrial running = (await scheduler.TryStartAsync(owner, CancellationToken.None))!;
        StudyTrial finished = (await scheduler.TryStartAsync(owner, CancellationToken.None))!;
        await scheduler.FinishAsync(finished.Id, new TrialFinish(TrialState.Complete, [1.0]), CancellationToken.None);

        TrialRecord? stale = await scheduler.HandBackAsync(running.Id, owner);

        Assert.Equal(TrialState.Stale, stale!.State);
        Assert.Contains($"pid {Environment.ProcessId}", stale.FailReason, StringComparison.Ordinal);
        Assert.Null(await scheduler.HandBackAsync(running.Id, owner));
        Assert.Null(await scheduler.HandBackAsync(finished.Id, owner));
        Assert.Equal(1, scheduler.Summary.Counts.Stale);
        Assert.Equal(0, scheduler.Summary.Counts.Running);
    }

    [Fact]
    public async Task CleanUpOrphansAsync_records_stale_the_trials_of_a_process_gone_from_this_host_and_keeps_live_ones()
    {
        (TrialScheduler scheduler, IStudyStorage storage) = await CreateAsync(budget: 5);
        string live = WorkerIdentity.NewOwner();
        string[] parts = live.Split(':');
        parts[2] = (long.Parse(parts[2], CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture); // this pid, another start: a gone process
        string gone = string.Join(':', parts);
        TrialRecord orphan = (await storage.StartTrialAsync(scheduler.Record.Id, gone, CancellationToken.None))!;
        TrialRecord alive = (await storage.StartTrialAsync(scheduler.Record.Id, live, CancellationToken.None))!;

        await scheduler.CleanUpOrphansAsync(CancellationToken.None);

        IReadOnlyList<TrialRecord> trials = await storage.GetTrialsAsync(scheduler.Record.Id, CancellationToken.None);
        Assert.Equal(TrialState.Stale, trials[orphan.Number].State);
        Assert.Contains("no longer running on this host", trials[orphan.Number].FailReason, StringComparison.Ordinal);
        Assert.Equal(TrialState.Running, trials[alive.Number].State);
    }

    [Fact]
    public async Task AskAsync_renews_the_heartbeat_of_an_asked_trial_every_third_of_the_lease_until_it_is_finished()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        (TrialScheduler scheduler, IStudyStorage storage) = await CreateAsync(budget: 5, clock, lease: TimeSpan.FromSeconds(3));
        StudyTrial asked = (await scheduler.AskAsync(CancellationToken.None))!;
        DateTimeOffset? first = (await storage.GetTrialAsync(scheduler.Record.Id, asked.Number, CancellationToken.None))!.Heartbeat;

        // Advance past the whole lease in thirds: the loop renews at each, so the trial never looks orphaned.
        DateTimeOffset? last = first;
        for (int i = 0; i < 4; i++)
        {
            last = await AdvanceUntilRenewedAsync(clock, storage, scheduler, asked.Number, last);
        }

        await storage.FailOrphanedTrialsAsync(scheduler.Record.Id, CancellationToken.None);
        Assert.Equal(TrialState.Running, (await storage.GetTrialAsync(scheduler.Record.Id, asked.Number, CancellationToken.None))!.State);
        Assert.True(last > first);

        await scheduler.FinishAsync(asked.Id, new TrialFinish(TrialState.Complete, [0.5]), CancellationToken.None);
        Assert.Equal(TrialState.Complete, (await storage.GetTrialAsync(scheduler.Record.Id, asked.Number, CancellationToken.None))!.State);
    }

    [Theory]
    [InlineData(0.5, null, TrialState.Complete, 0.5)]
    [InlineData(double.NaN, null, TrialState.Failed, null)]
    [InlineData(double.PositiveInfinity, null, TrialState.Failed, null)]
    public void ToFinish_maps_a_value_to_complete_and_a_non_finite_one_to_failed(double value, double? reported, TrialState state, double? recorded)
    {
        TrialFinish finish = TrialScheduler.ToFinish(ObjectiveResult.FromValue(value), reported);

        Assert.Equal(state, finish.State);
        Assert.Equal(recorded is double r ? [r] : [], finish.Values);
    }

    [Fact]
    public void ToFinish_keeps_the_last_reported_value_of_a_pruned_trial()
    {
        TrialFinish finish = TrialScheduler.ToFinish(ObjectiveResult.Pruned(), 0.75);

        Assert.Equal(TrialState.Pruned, finish.State);
        Assert.Equal([0.75], finish.Values);
    }

    private static async Task<(TrialScheduler Scheduler, IStudyStorage Storage)> CreateAsync(int budget, TimeProvider? clock = null, TimeSpan? lease = null)
    {
        var storage = new InMemoryStudyStorage(clock);
        var definition = new StudyDefinition
        {
            Name = "s",
            SearchSpace = Space,
            Directions = [StudyDirection.Minimize],
            TunerName = "random",
            Seed = 3,
            Budget = budget,
            Lease = lease ?? StudyDefinition.DefaultLease,
        };
        StudyRecord record = await storage.CreateStudyAsync(definition, CancellationToken.None);
        return (new TrialScheduler(storage, record, new RandomSearchTuner(), null, NullLogger.Instance, clock ?? TimeProvider.System), storage);
    }

    /// <summary>Advances the clock by a third of the lease at a time (the loop may not have armed its timer yet) until the heartbeat moves.</summary>
    private static async Task<DateTimeOffset?> AdvanceUntilRenewedAsync(FakeTimeProvider clock, IStudyStorage storage, TrialScheduler scheduler, int number, DateTimeOffset? after)
    {
        for (int round = 0; round < 20; round++)
        {
            clock.Advance(scheduler.HeartbeatInterval);
            for (int attempt = 0; attempt < 30; attempt++)
            {
                DateTimeOffset? heartbeat = (await storage.GetTrialAsync(scheduler.Record.Id, number, CancellationToken.None))!.Heartbeat;
                if (heartbeat > after)
                {
                    return heartbeat;
                }

                await Task.Delay(10);
            }
        }

        Assert.Fail($"The heartbeat of trial {number} was not renewed after {after}.");
        return null;
    }
}
