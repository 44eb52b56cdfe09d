using Hpo.Storage.InMemory;
using Hpo.Testing;

namespace Hpo.Tests.Execution;

/// <summary>
/// The process capture every multi-process test relies on (<see cref="CapturedProcess"/>, under the worker and the tool): a wait
/// fails with what the process printed instead of hanging, whether the process exits first or outlives the timeout.
/// </summary>
[Collection(WorkerProcessCollection.Name)]
public sealed class CapturedProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task WaitForOutputAsync_LinePrinted_ReturnsAndTheOutputHasIt()
    {
        using TestWorkerProcess worker = TestWorkerProcess.Wait();

        await worker.WaitForOutputAsync("waiting", Patience);

        Assert.Contains($"waiting {worker.Id}", worker.Output, StringComparison.Ordinal);
        Assert.False(worker.HasExited);
    }

    [Fact]
    public async Task WaitForOutputAsync_ProcessExitsWithoutTheLine_FailsSayingItExitedWithWhatItPrinted()
    {
        using TestWorkerProcess worker = TestWorkerProcess.Wait();
        await worker.WaitForOutputAsync("waiting", Patience);
        worker.CloseInput();

        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => worker.WaitForOutputAsync("never printed", Patience));

        Assert.Contains($"worker {worker.Id} exited (0) before a line starting with 'never printed' appeared.", e.Message, StringComparison.Ordinal);
        Assert.Contains($"waiting {worker.Id}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForTrialsAsync_ConditionNeverMet_FailsAfterTheTimeoutWhileTheWorkerRuns()
    {
        using TestWorkerProcess worker = TestWorkerProcess.Wait();
        await using var storage = new InMemoryStudyStorage();

        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => worker.WaitForTrialsAsync(storage, "absent", TimeSpan.FromMilliseconds(300), trials => trials.Count > 0));

        Assert.Contains("the expected trials of study 'absent' did not appear within", e.Message, StringComparison.Ordinal);
        Assert.False(worker.HasExited);
    }

    [Fact]
    public async Task WaitForExitAsync_ProcessOutlivesTheTimeout_KillsItAndFails()
    {
        using TestWorkerProcess worker = TestWorkerProcess.Wait();
        await worker.WaitForOutputAsync("waiting", Patience);

        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => worker.WaitForExitAsync(TimeSpan.FromMilliseconds(200)));

        Assert.Contains($"worker {worker.Id} did not exit within", e.Message, StringComparison.Ordinal);
        Assert.True(worker.HasExited);
    }
}
