using System.Diagnostics;
using Hpo.Execution.ChildProcess;

namespace Hpo.Tests.Execution.ChildProcess;

public sealed class ProcessTreeTests
{
    [Fact]
    public async Task Snapshot_ShellWithGrandchild_FindsBothAndKillEndsBoth()
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("trap '' TERM; sleep 30 & echo $!; wait");
        using var process = Process.Start(start)!;
        int grandchild = int.Parse((await process.StandardOutput.ReadLineAsync())!, System.Globalization.CultureInfo.InvariantCulture);

        List<(int Pid, long Start)> tree = ProcessTree.Snapshot(process.Id);
        ProcessTree.Kill(process, tree);

        Assert.Equal([process.Id, grandchild], tree.Select(p => p.Pid));
        Assert.All(tree, p => Assert.True(p.Start > 0));
        Assert.Empty(await TrialPrograms.WaitGoneAsync([process.Id, grandchild], TimeSpan.FromSeconds(3)));
    }
}
