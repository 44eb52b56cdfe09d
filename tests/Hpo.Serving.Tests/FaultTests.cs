using System.Net.Sockets;
using System.Text;

namespace Hpo.Serving.Tests;

public sealed class FaultTests
{
    private const string Row = "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}";

    [Fact]
    public async Task Clients_that_disconnect_mid_request_leave_the_server_serving_and_hold_no_version()
    {
        string basePath = ServerHarness.NewBase();
        await TestModels.PublishClassifierAsync(basePath);
        await using ServerHarness harness = await ServerHarness.StartAsync(basePath, o => o.UnloadGracePeriod = TimeSpan.Zero);
        Uri address = harness.Server.RestAddresses[0];

        for (int i = 0; i < 20; i++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(address.Host, address.Port);
            NetworkStream stream = client.GetStream();
            string head = "POST /v1/models/iris:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head + "{\"instances\": [[5.1, 3.5,"));
            await stream.FlushAsync();
            await Task.Delay(10);
            client.Client.LingerState = new LingerOption(true, 0); // a reset, as a killed client gives
            client.Close();
        }

        (int status, _) = await harness.PostJsonAsync("/v1/models/iris:predict", Row);
        Assert.Equal(200, status);

        // Every abandoned request released its version: a new one replaces it and the old one ends (it would stay UNLOADING otherwise).
        await TestModels.PublishClassifierAsync(basePath);
        await harness.WaitUntilAsync(async () =>
        {
            (_, System.Text.Json.JsonElement s) = await harness.GetJsonAsync("/v1/models/iris");
            return s.GetProperty("model_version_status").EnumerateArray().Any(v => v.GetProperty("version").GetString() == "1" && v.GetProperty("state").GetString() == "END");
        }, "version 1 unloaded");
        Assert.Equal(200, (await harness.PostJsonAsync("/v1/models/iris:predict", Row)).Status);
    }
}
