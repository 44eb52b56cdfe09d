using Hpo.SearchSpaces;
using Hpo.Storage.InMemory;
using Hpo.Storage.Sqlite;
using Hpo.Studies;
using Hpo.Trials;

namespace Hpo.Tests.Studies;

/// <summary>Durations beyond what a .NET timer can wait (about 49.7 days) mean no limit where that is the intent, or a clear error.</summary>
public sealed class DurationBoundsTests
{
    private static readonly SearchSpace Space = SearchSpace.CreateBuilder().AddFloat("x", 0, 1).Build();

    public static TheoryData<TimeSpan> Huge => new() { TimeSpan.MaxValue, TimeSpan.FromDays(50), TimeSpan.FromHours(1201), Timeout.InfiniteTimeSpan };

    [Theory]
    [MemberData(nameof(Huge))]
    public async Task OptimizeAsync_HugeTrialTimeout_MeansNoLimitTrialsComplete(TimeSpan limit)
    {
        Study study = await Study.CreateAsync(new InMemoryStudyStorage(), "s", Space, new StudyOptions { Seed = 1, Budget = 3 });

        OptimizeResult result = await study.OptimizeAsync(t => t.Get<double>("x"), new OptimizeOptions { TrialTimeout = limit, Timeout = limit }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, result.Counts.Complete);
        Assert.Equal(0, result.Counts.Failed);
    }

    [Fact]
    public async Task OptimizeAsync_TrialTimeoutJustUnderTheTimerLimit_StillArmsItTrialsComplete()
    {
        Study study = await Study.CreateAsync(new InMemoryStudyStorage(), "s", Space, new StudyOptions { Seed = 1, Budget = 2 });

        OptimizeResult result = await study.OptimizeAsync(t => t.Get<double>("x"), new OptimizeOptions { TrialTimeout = TimeSpan.FromDays(49) });

        Assert.Equal(2, result.Counts.Complete);
    }

    [Theory]
    [InlineData(-5.0)]
    [InlineData(0.0)]
    public async Task OptimizeAsync_NonPositiveTrialTimeout_ThrowsNamingIt(double seconds)
    {
        Study study = await Study.CreateAsync(new InMemoryStudyStorage(), "s", Space, new StudyOptions { Seed = 1, Budget = 2 });

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => study.OptimizeAsync(t => 0.0, new OptimizeOptions { TrialTimeout = TimeSpan.FromSeconds(seconds) }));

        Assert.Contains("TrialTimeout must be positive", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_LeaseLongerThanADay_ThrowsNamingTheLeaseAndTheBound()
    {
        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => Study.CreateAsync(new InMemoryStudyStorage(), "s", Space, new StudyOptions { Lease = TimeSpan.MaxValue }));

        Assert.Contains("Lease must be between 100 ms and 1 day", e.Message, StringComparison.Ordinal);
        Assert.Contains(TimeSpan.MaxValue.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateStudyAsync_DefinitionWithAHugeLease_IsRefusedByTheStorage()
    {
        var storage = new InMemoryStudyStorage();
        var definition = new Hpo.Storage.StudyDefinition { Name = "s", SearchSpace = Space, Directions = [StudyDirection.Minimize], TunerName = "random", Seed = 1, Lease = TimeSpan.FromDays(365) };

        ArgumentException e = await Assert.ThrowsAsync<ArgumentException>(() => storage.CreateStudyAsync(definition, CancellationToken.None).AsTask());

        Assert.Contains("lease", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SqliteStorage_HugeBusyTimeout_ThrowsNamingIt()
    {
        string path = Path.Combine(Path.GetTempPath(), $"hpo-busy-{Guid.NewGuid():N}.db");

        ArgumentException e = Assert.Throws<ArgumentException>(() => new SqliteStudyStorage(new SqliteStudyStorageOptions { Path = path, BusyTimeout = TimeSpan.MaxValue }));

        Assert.Contains("BusyTimeout must be between 0 and", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}
