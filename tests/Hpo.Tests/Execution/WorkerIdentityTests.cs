using System.Globalization;
using Hpo.Execution;
using Hpo.Testing;

namespace Hpo.Tests.Execution;

[Collection(WorkerProcessCollection.Name)]
public sealed class WorkerIdentityTests
{
    private static string OwnerOf(int pid, DateTime startTime) =>
        string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{pid}:{startTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond}:00c0ffee:{WorkerIdentity.Scope}");

    [Fact]
    public void NewOwner_TwoWorkersOfThisProcess_ShareHostAndProcessButNotInstance()
    {
        string[] a = WorkerIdentity.NewOwner().Split(':');
        string[] b = WorkerIdentity.NewOwner().Split(':');

        Assert.Equal(5, a.Length);
        Assert.Equal(WorkerIdentity.Scope, a[4]);
        Assert.NotEmpty(a[4]);
        Assert.Equal(Environment.MachineName, a[0]);
        Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), a[1]);
        Assert.Equal(a[..3], b[..3]);
        Assert.NotEqual(a[3], b[3]);
    }

    [Fact]
    public void IsLocalOwnerGone_OwnerInThisProcess_ReturnsFalse()
    {
        Assert.False(WorkerIdentity.IsLocalOwnerGone(WorkerIdentity.NewOwner()));
    }

    [Fact]
    public void IsLocalOwnerGone_ThisPidWithAnotherStartTime_ReturnsTrue()
    {
        string[] parts = WorkerIdentity.NewOwner().Split(':');
        string reused = string.Join(':', parts[0], parts[1], (long.Parse(parts[2], CultureInfo.InvariantCulture) - 3600).ToString(CultureInfo.InvariantCulture), parts[3], parts[4]);

        Assert.True(WorkerIdentity.IsLocalOwnerGone(reused));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("worker-a")]
    [InlineData("other-host-that-does-not-exist:1:2:ab")]
    [InlineData("host:notanumber:2:ab")]
    public void IsLocalOwnerGone_OwnerNotJudgedHere_ReturnsFalse(string? owner)
    {
        Assert.False(WorkerIdentity.IsLocalOwnerGone(owner));
    }

    [Fact]
    public void IsLocalOwnerGone_SameHostOtherPidNamespaceOrBoot_NotJudged()
    {
        // A worker in another PID namespace (a container sharing the host name) or from before a reboot: its pid means nothing here.
        Assert.False(WorkerIdentity.IsLocalOwnerGone($"{Environment.MachineName}:999999:1:ab:0123456789ab-4026532999"));
        Assert.False(WorkerIdentity.IsLocalOwnerGone($"{Environment.MachineName}:{Environment.ProcessId}:1:ab:0123456789ab-4026532999"));
    }

    [Fact]
    public void IsLocalOwnerGone_OwnerOfAnOlderReleaseWithoutScope_NotJudged()
    {
        Assert.False(WorkerIdentity.IsLocalOwnerGone($"{Environment.MachineName}:999999:1:ab"));
    }

    [Fact]
    public void IsLocalOwnerGone_NoSuchPidInThisScope_ReturnsTrue()
    {
        Assert.True(WorkerIdentity.IsLocalOwnerGone($"{Environment.MachineName}:{int.MaxValue - 7}:1:ab:{WorkerIdentity.Scope}"));
    }

    [Fact]
    public void IsLocalOwnerGone_ForeignHostWithDeadLookingPid_ReturnsFalse()
    {
        Assert.False(WorkerIdentity.IsLocalOwnerGone($"not-{Environment.MachineName}:999999:1:ab:{WorkerIdentity.Scope}"));
    }

    [Fact]
    public async Task IsLocalOwnerGone_OtherProcess_FalseWhileItRunsTrueOnceItExited()
    {
        using TestWorkerProcess worker = TestWorkerProcess.Wait();
        await worker.WaitForOutputAsync("waiting", TimeSpan.FromSeconds(20));
        string owner = OwnerOf(worker.Id, worker.StartTime);

        bool whileRunning = WorkerIdentity.IsLocalOwnerGone(owner);
        worker.CloseInput();
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        bool afterExit = WorkerIdentity.IsLocalOwnerGone(owner);

        Assert.False(whileRunning);
        Assert.True(afterExit);
    }
}
