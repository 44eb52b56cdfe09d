using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Hpo.Storage;
using Hpo.Trials;

namespace Hpo.Dashboard.Tests;

/// <summary>While a study's first full read is slow, the summary and the default page come from the storage's own queries.</summary>
public sealed class QuickAnswerTests(SyntheticDatabase db) : IClassFixture<SyntheticDatabase>
{
    /// <summary>Forwards every call to a real storage, but the full read of a study's trials takes <see cref="Delay"/> longer.</summary>
    public class SlowFullRead : DispatchProxy
    {
        public static readonly TimeSpan Delay = TimeSpan.FromSeconds(4);

        public IStudyStorage Inner { get; set; } = null!;

        public static IStudyStorage Wrap(IStudyStorage inner)
        {
            IStudyStorage proxy = Create<IStudyStorage, SlowFullRead>();
            ((SlowFullRead)(object)proxy).Inner = inner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            object? result = targetMethod!.Invoke(Inner, args);
            if (targetMethod.Name == nameof(IStudyStorage.GetTrialsAsync) && args!.Length == 3 && (long)args[1]! == 0)
            {
                return new ValueTask<TrialChanges>(SlowAsync((ValueTask<TrialChanges>)result!));
            }

            return result;
        }

        private static async Task<TrialChanges> SlowAsync(ValueTask<TrialChanges> read)
        {
            await Task.Delay(Delay);
            return await read;
        }
    }

    [Fact]
    public async Task SummaryAndFirstPage_AnswerBeforeTheFullReadEnds_ThenTheFullViewTakesOver()
    {
        IStudyStorage real = StudyStorage.Open(db.Url);
        StudyRecord study = (await real.GetStudyAsync(SyntheticDatabase.Study, default))!;
        TrialCounts counts = await real.GetTrialCountsAsync(study.Id, default);
        TrialRecord best = (await real.GetBestTrialAsync(study.Id, default))!;
        await using RunningDashboard d = await RunningDashboard.StartAsync(SlowFullRead.Wrap(real));

        var watch = Stopwatch.StartNew();
        JsonElement summary = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}");
        JsonElement page = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}/trials?limit=20&order=desc");
        TimeSpan quick = watch.Elapsed;

        Assert.True(quick < SlowFullRead.Delay / 2, $"took {quick}");
        Assert.True(summary.GetProperty("loading").GetBoolean());
        Assert.Equal(counts.Total, summary.GetProperty("counts").GetProperty("total").GetInt32());
        Assert.Equal(best.Number, summary.GetProperty("best").GetProperty("number").GetInt32());
        Assert.Equal(Enumerable.Range(counts.Total - 20, 20).Reverse(), page.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("number").GetInt32()));

        // A sorted page needs every trial: it waits for the read, and from then on the cache answers.
        JsonElement sorted = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}/trials?sort=value&limit=1");
        Assert.True(watch.Elapsed >= SlowFullRead.Delay - TimeSpan.FromMilliseconds(300), $"answered after {watch.Elapsed}");
        Assert.Equal(best.Number, sorted.GetProperty("rows")[0].GetProperty("number").GetInt32());
        JsonElement full = await d.GetJsonAsync($"/api/studies/{SyntheticDatabase.Study}");
        Assert.False(full.GetProperty("loading").GetBoolean());
        Assert.True(full.GetProperty("version").GetInt64() > 0);
    }
}
