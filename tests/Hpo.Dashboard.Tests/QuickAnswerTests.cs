using System.Reflection;
using System.Text.Json;
using Hpo.Storage;
using Hpo.Trials;
using Hpo.Registries;

namespace Hpo.Dashboard.Tests;

/// <summary>While a study's first full read is slow, the summary and every page of trials come from the storage's own queries.</summary>
public sealed class QuickAnswerTests(SyntheticDatabase db) : IClassFixture<SyntheticDatabase>
{
    /// <summary>Forwards every call to a real storage, but the full read of a study's trials waits until <see cref="Gate"/> opens.</summary>
    public class SlowFullRead : DispatchProxy
    {
        public IStudyStorage Inner { get; set; } = null!;

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static SlowFullRead Wrap(IStudyStorage inner)
        {
            IStudyStorage proxy = Create<IStudyStorage, SlowFullRead>();
            ((SlowFullRead)(object)proxy).Inner = inner;
            return (SlowFullRead)(object)proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            object? result = targetMethod!.Invoke(Inner, args);
            if (targetMethod.Name == nameof(IStudyStorage.GetTrialsAsync) && args!.Length == 3 && (long)args[1]! == 0)
            {
                return new ValueTask<TrialChanges>(SlowAsync(Gate.Task, (ValueTask<TrialChanges>)result!));
            }

            return result;
        }

        private static async Task<TrialChanges> SlowAsync(Task gate, ValueTask<TrialChanges> read)
        {
            await gate;
            return await read;
        }
    }

    [Fact]
    public async Task SummaryAndFirstPage_AnswerBeforeTheFullReadEnds_ThenTheFullViewTakesOver()
    {
        IStudyStorage real = StorageRegistry.Default.Open(db.Url);
        StudyRecord study = (await real.GetStudyAsync(SyntheticDatabase.Study, default))!;
        TrialCounts counts = await real.GetTrialCountsAsync(study.Id, default);
        TrialRecord best = (await real.GetBestTrialAsync(study.Id, default))!;
        SlowFullRead slow = SlowFullRead.Wrap(real);
        await using RunningDashboard d = await RunningDashboard.StartAsync((IStudyStorage)(object)slow);

        // The full read cannot finish until the gate opens: these answers come from the storage's own queries.
        JsonElement summary = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}");
        JsonElement page = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}/trials?limit=20&order=desc");

        Assert.True(summary.GetProperty("loading").GetBoolean());
        Assert.Equal(0, summary.GetProperty("version").GetInt64());
        Assert.Equal(counts.Total, summary.GetProperty("counts").GetProperty("total").GetInt32());
        Assert.Equal(counts.Stale, summary.GetProperty("counts").GetProperty("stale").GetInt32());
        Assert.Equal(best.Number, summary.GetProperty("best").GetProperty("number").GetInt32());
        Assert.Equal(Enumerable.Range(counts.Total - 20, 20).Reverse(), page.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("number").GetInt32()));

        // Sorted and filtered pages, too, come from the storage's query (IStudyQueryStorage) without waiting for the read.
        JsonElement sorted = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}/trials?sort=value&limit=1");
        Assert.Equal(0, sorted.GetProperty("version").GetInt64());
        Assert.Equal(best.Number, sorted.GetProperty("rows")[0].GetProperty("number").GetInt32());
        JsonElement stale = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}/trials?state=stale&limit=500");
        Assert.Equal(counts.Stale, stale.GetProperty("matched").GetInt32());
        Assert.False(slow.Gate.Task.IsCompleted);

        // Once the read ends, the full view answers.
        slow.Gate.SetResult();
        JsonElement full = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}");
        for (int i = 0; i < 200 && full.GetProperty("loading").GetBoolean(); i++)
        {
            await Task.Delay(50);
            full = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}");
        }

        Assert.False(full.GetProperty("loading").GetBoolean());
        Assert.True(full.GetProperty("version").GetInt64() > 0);
    }
}
