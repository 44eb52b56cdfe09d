using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hpo.Objectives;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Telemetry;
using Hpo.Trials;
using Hpo.Registries;

namespace Hpo.Tests.Telemetry;

/// <summary>The "Hpo" ActivitySource and Meter, seen through real listeners while a study runs.</summary>
public sealed class HpoTelemetryTests
{
    [Fact]
    public async Task Each_trial_is_an_activity_and_is_counted_by_state_with_durations_and_storage_latency()
    {
        string name = "telemetry-" + Guid.NewGuid().ToString("N");
        var activities = new ConcurrentQueue<Activity>();
        var parents = new ConcurrentDictionary<int, string?>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == HpoTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (Equals(a.GetTagItem(HpoTelemetry.StudyTag), name))
                {
                    activities.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);

        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == HpoTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        meterListener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        meterListener.Start();

        await using IStudyStorage storage = StorageRegistry.Default.Open("memory");
        Study study = await Study.CreateAsync(storage, name, SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build(), new StudyOptions { Seed = 3, Budget = 6 });
        await study.OptimizeAsync(
            Objective.Create((trial, _) =>
            {
                parents[trial.Number] = Activity.Current?.OperationName;
                return trial.Number switch
                {
                    1 => throw new InvalidOperationException("boom"),
                    2 => ValueTask.FromResult(ObjectiveResult.Pruned(0.5)),
                    _ => ValueTask.FromResult<ObjectiveResult>(trial.Number),
                };
            }),
            new OptimizeOptions { FailurePolicy = FailurePolicy.Continue });

        Assert.Equal(6, activities.Count);
        Assert.All(activities, a => Assert.Equal(HpoTelemetry.TrialActivityName, a.OperationName));
        Assert.Equal([0, 1, 2, 3, 4, 5], activities.Select(a => (int)a.GetTagItem(HpoTelemetry.TrialNumberTag)!).Order());
        Activity failed = activities.Single(a => (int)a.GetTagItem(HpoTelemetry.TrialNumberTag)! == 1);
        Assert.Equal("failed", failed.GetTagItem(HpoTelemetry.TrialStateTag));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("pruned", activities.Single(a => (int)a.GetTagItem(HpoTelemetry.TrialNumberTag)! == 2).GetTagItem(HpoTelemetry.TrialStateTag));
        Assert.Equal(4, activities.Count(a => Equals(a.GetTagItem(HpoTelemetry.TrialStateTag), "complete") && a.Status == ActivityStatusCode.Ok));

        // The objective ran inside its trial's activity.
        Assert.All(parents.Values, p => Assert.Equal(HpoTelemetry.TrialActivityName, p));

        List<(string Instrument, double Value, Dictionary<string, object?> Tags)> ours = [.. measurements.Where(m => m.Tags.TryGetValue(HpoTelemetry.StudyTag, out object? s) && Equals(s, name))];
        Assert.Equal(6, ours.Where(m => m.Instrument == HpoTelemetry.TrialsStartedName).Sum(m => m.Value));
        Dictionary<string, double> finished = ours.Where(m => m.Instrument == HpoTelemetry.TrialsFinishedName)
            .GroupBy(m => (string)m.Tags[HpoTelemetry.TrialStateTag]!).ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, double> { ["complete"] = 4, ["failed"] = 1, ["pruned"] = 1 }, finished);
        List<double> durations = [.. ours.Where(m => m.Instrument == HpoTelemetry.TrialDurationName).Select(m => m.Value)];
        Assert.Equal(6, durations.Count);
        Assert.All(durations, d => Assert.InRange(d, 0, 60));

        // Storage latency is measured per operation (not per study: a storage serves many).
        List<string?> operations = [.. measurements.Where(m => m.Instrument == HpoTelemetry.StorageDurationName).Select(m => (string?)m.Tags[HpoTelemetry.StorageOperationTag])];
        Assert.Contains("start_trial", operations);
        Assert.Contains("set_parameters", operations);
        Assert.Contains(operations, o => o is "finish_trial" or "finish_and_start_trial");
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> t in tags)
        {
            result[t.Key] = t.Value;
        }

        return result;
    }
}
