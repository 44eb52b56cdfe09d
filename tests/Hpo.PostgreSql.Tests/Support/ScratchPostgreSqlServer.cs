using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Hpo.PostgreSql.Tests.Support;

/// <summary>
/// A PostgreSQL server of the test's own (started with the repository's .ci/postgres.sh on a free port, in a folder of its own),
/// so that a test can restart it while workers run.
/// </summary>
internal sealed class ScratchPostgreSqlServer : IAsyncDisposable
{
    private readonly Dictionary<string, string> environment;

    private ScratchPostgreSqlServer(int port, string folder)
    {
        Port = port;
        environment = new() { ["HPO_PG_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["HPO_PG_DIR"] = folder };
    }

    public int Port { get; }

    public string Url => PostgreSqlTestServer.UrlOf(ConnectionString);

    /// <summary>Gets the connection string, with the password the script generated (it prints it on start).</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Gets the server's folder (its data, log and password file).</summary>
    public string Folder => environment["HPO_PG_DIR"];

    /// <summary>Gets the script, found by walking up from the test assembly to the repository root.</summary>
    public static string? Script
    {
        get
        {
            for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                string candidate = Path.Combine(d.FullName, ".ci", "postgres.sh");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }
    }

    public static async Task<ScratchPostgreSqlServer> StartAsync()
    {
        var server = new ScratchPostgreSqlServer(FreePort(), Path.Combine(Path.GetTempPath(), "hpo-fault-" + Guid.NewGuid().ToString("N")[..12]));
        string exported = await server.RunAsync("start", TimeSpan.FromMinutes(3));

        // "export HPO_TEST_POSTGRES='Host=…;Password=…;…'"
        int open = exported.IndexOf('\'', StringComparison.Ordinal);
        int close = exported.LastIndexOf('\'');
        server.ConnectionString = open >= 0 && close > open
            ? exported[(open + 1)..close]
            : throw new InvalidOperationException($"'postgres.sh start' printed no connection string: {exported}");
        return server;
    }

    /// <summary>Restarts the server (fast shutdown: open connections are closed, as in a real restart).</summary>
    public Task RestartAsync() => RunAsync("restart", TimeSpan.FromMinutes(2));

    public async ValueTask DisposeAsync() => await RunAsync("stop", TimeSpan.FromMinutes(1));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<string> RunAsync(string command, TimeSpan timeout)
    {
        string script = Script ?? throw new InvalidOperationException("The repository's .ci/postgres.sh was not found above the test assembly.");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        foreach ((string key, string value) in environment)
        {
            start.Environment[key] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'postgres.sh {command}' exited with {process.ExitCode}: {await output}{await error}");
        }

        return await output;
    }
}
