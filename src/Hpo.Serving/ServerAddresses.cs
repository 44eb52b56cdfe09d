using System.Net;

namespace Hpo.Serving;

/// <summary>Parses the REST addresses: <c>http://HOST:PORT</c> with an IP address, <c>localhost</c>, or <c>*</c>/<c>0.0.0.0</c> for every interface.</summary>
internal static class ServerAddresses
{
    public static bool TryParse(string url, out IPEndPoint? endpoint, out string? error)
    {
        endpoint = null;
        error = null;
        string text = url ?? string.Empty;
        if (!text.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            error = $"Urls must be http://HOST:PORT (TLS belongs to a proxy in front), but got '{url}'.";
            return false;
        }

        string rest = text["http://".Length..].TrimEnd('/');
        int colon = rest.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            error = $"Urls must be http://HOST:PORT with a port from 0 to 65535, but got '{url}'.";
            return false;
        }

        string host = rest[..colon].Trim('[', ']');
        IPAddress? address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" or "0.0.0.0" => IPAddress.Any,
            "::" => IPAddress.IPv6Any,
            _ => IPAddress.TryParse(host, out IPAddress? ip) ? ip : null,
        };
        if (address is null)
        {
            error = $"Urls must name an IP address, localhost or * as the host, but got '{host}' in '{url}'.";
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
