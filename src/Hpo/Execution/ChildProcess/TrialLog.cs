using System.Text;

namespace Hpo.Execution.ChildProcess;

/// <summary>A trial's log: every line to a file, the last characters in memory. Lines come from two readers at once.</summary>
internal sealed class TrialLog : IAsyncDisposable
{
    private readonly StreamWriter file;
    private readonly StringBuilder tail = new();
    private readonly int tailLength;
    private readonly Lock gate = new();

    public TrialLog(string path, int tailLength)
    {
        file = new StreamWriter(path, append: false, new UTF8Encoding(false));
        this.tailLength = tailLength;
    }

    public string Tail
    {
        get
        {
            lock (gate)
            {
                file.Flush();
                return tail.Length > tailLength ? tail.ToString(tail.Length - tailLength, tailLength) : tail.ToString();
            }
        }
    }

    public void Append(string line)
    {
        lock (gate)
        {
            file.Write(line);
            file.Write('\n');
            tail.Append(line).Append('\n');
            if (tail.Length > 2 * tailLength + 1024)
            {
                tail.Remove(0, tail.Length - tailLength);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await file.DisposeAsync().ConfigureAwait(false);
    }
}
