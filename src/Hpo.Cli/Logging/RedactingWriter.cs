using System.Text;

namespace Hpo.Cli.Logging;

/// <summary>
/// Standard error as the tool writes it: line by line, with every credential masked, those it recognizes by their form (URL
/// passwords, <c>password=</c> options) and those it was given (the password of the storage URL, however a library quotes it).
/// The last line of defence: messages are written not to hold secrets in the first place.
/// </summary>
internal sealed class RedactingWriter : TextWriter
{
    private readonly TextWriter inner;
    private readonly StringBuilder line = new();
    private readonly Lock gate = new();
    private string[] secrets = [];

    /// <summary>Initializes a new instance of the <see cref="RedactingWriter"/> class.</summary>
    /// <param name="inner">Where the masked text goes.</param>
    public RedactingWriter(TextWriter inner)
        : base(inner.FormatProvider)
    {
        this.inner = inner;
        NewLine = inner.NewLine;
    }

    /// <inheritdoc/>
    public override Encoding Encoding => inner.Encoding;

    /// <summary>Adds the credentials found in a text (a storage URL, a connection string) to those masked wherever they appear.</summary>
    /// <param name="text">The text.</param>
    public void AddSecretsOf(string text)
    {
        lock (gate)
        {
            secrets = [.. secrets.Concat(Hpo.Storage.StudyStorage.FindSecrets(text)).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
        }
    }

    /// <summary>Masks a text as this writer would.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The masked text.</returns>
    public string Mask(string text)
    {
        string result = Hpo.Storage.StudyStorage.Redact(text);
        foreach (string secret in secrets)
        {
            result = result.Replace(secret, Hpo.Storage.StudyStorage.SecretMask, StringComparison.Ordinal);
        }

        return result;
    }

    /// <inheritdoc/>
    public override void Write(char value)
    {
        lock (gate)
        {
            line.Append(value);
            if (value == '\n')
            {
                FlushLine();
            }
        }
    }

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Write(new string(buffer, index, count));
    }

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        lock (gate)
        {
            int start = 0;
            int newline;
            while ((newline = value.IndexOf('\n', start)) >= 0)
            {
                line.Append(value, start, newline - start + 1);
                FlushLine();
                start = newline + 1;
            }

            line.Append(value, start, value.Length - start);
        }
    }

    /// <inheritdoc/>
    public override void WriteLine(string? value) => Write((value ?? string.Empty) + NewLine);

    /// <inheritdoc/>
    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.ToString());
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        WriteLine(buffer.ToString());
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        lock (gate)
        {
            FlushLine();
            inner.Flush();
        }
    }

    /// <inheritdoc/>
    public override Task FlushAsync()
    {
        Flush();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush();
        }

        base.Dispose(disposing);
    }

    private void FlushLine()
    {
        if (line.Length > 0)
        {
            inner.Write(Mask(line.ToString()));
            line.Clear();
        }
    }
}
