using System.Globalization;
using Npgsql;

namespace Hpo.PostgreSql;

/// <summary>
/// Turns PostgreSQL URLs (<c>postgresql://user:password@host:port/database?option=value</c>, also <c>postgres://</c>) into Npgsql
/// connection strings.
/// </summary>
/// <remarks>
/// <para>
/// The form is libpq's: every part is optional (<c>postgresql://</c> alone means the local server, user and database as Npgsql's
/// defaults pick them); user, password and database are percent-decoded; an IPv6 host is written in brackets
/// (<c>postgresql://[::1]:5432/db</c>); several hosts are separated by commas (<c>postgresql://a:5432,b:5433/db</c>).
/// </para>
/// <para>
/// Query options take libpq's names where they have one (<c>sslmode</c>, <c>application_name</c>, <c>connect_timeout</c>,
/// <c>host</c> for a Unix-socket folder, <c>port</c>, <c>user</c>, <c>password</c>, <c>dbname</c>, <c>options</c>,
/// <c>target_session_attrs</c>, <c>sslrootcert</c>, <c>sslcert</c>, <c>sslkey</c>); any other option is an Npgsql connection-string
/// keyword (<c>?Maximum%20Pool%20Size=50</c>).
/// </para>
/// </remarks>
public static class PostgreSqlUrl
{
    private static readonly Dictionary<string, string> LibpqKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["application_name"] = "Application Name",
        ["connect_timeout"] = "Timeout",
        ["host"] = "Host",
        ["port"] = "Port",
        ["user"] = "Username",
        ["password"] = "Password",
        ["dbname"] = "Database",
        ["options"] = "Options",
        ["target_session_attrs"] = "Target Session Attributes",
        ["sslrootcert"] = "Root Certificate",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
    };

    /// <summary>Determines whether a text is a PostgreSQL URL (it starts with <c>postgresql://</c> or <c>postgres://</c>).</summary>
    /// <param name="value">The text.</param>
    /// <returns><see langword="true"/> for a PostgreSQL URL.</returns>
    public static bool IsUrl(string? value) =>
        value is not null && (value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase));

    /// <summary>Converts a PostgreSQL URL into an Npgsql connection string.</summary>
    /// <param name="url">The URL, for example <c>postgresql://hpo:secret@db.internal:5432/studies?sslmode=require</c>.</param>
    /// <returns>The connection string.</returns>
    /// <exception cref="ArgumentException">The text is not a PostgreSQL URL, or one of its parts or options is invalid.</exception>
    public static string ToConnectionString(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!IsUrl(url))
        {
            throw new ArgumentException($"A PostgreSQL URL starts with postgresql:// or postgres://, but got '{Redact(url)}'.", nameof(url));
        }

        string rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        string? query = null;
        int q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        string? database = null;
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            database = rest[(slash + 1)..];
            rest = rest[..slash];
        }

        var builder = new NpgsqlConnectionStringBuilder();
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            string userInfo = rest[..at];
            rest = rest[(at + 1)..];
            int colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            string user = colon >= 0 ? userInfo[..colon] : userInfo;
            if (user.Length > 0)
            {
                builder.Username = Decode(user, url);
            }

            if (colon >= 0)
            {
                builder.Password = Decode(userInfo[(colon + 1)..], url);
            }
        }

        if (rest.Length > 0)
        {
            SetHosts(builder, rest, url);
        }

        if (!string.IsNullOrEmpty(database))
        {
            builder.Database = Decode(database, url);
        }

        if (query is not null)
        {
            foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                string key = Decode(eq >= 0 ? pair[..eq] : pair, url);
                string value = eq >= 0 ? Decode(pair[(eq + 1)..], url) : string.Empty;
                SetOption(builder, key, value, url);
            }
        }

        return builder.ConnectionString;
    }

    /// <summary>Removes the password from a URL or connection string, for messages.</summary>
    /// <param name="text">A URL or a connection string.</param>
    /// <returns>The text without its password.</returns>
    internal static string Redact(string text)
    {
        if (IsUrl(text))
        {
            // The user-info password (which may hold '@' or '/') and password-like query options (?password=, ?sslpassword=).
            return Hpo.Storage.StudyStorage.Redact(text);
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(text);
            if (builder.Password is not null)
            {
                builder.Password = "***";
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(an invalid connection string)";
        }
    }

    private static void SetHosts(NpgsqlConnectionStringBuilder builder, string hosts, string url)
    {
        if (hosts.Contains(',', StringComparison.Ordinal))
        {
            // Npgsql takes several hosts as one list with their ports: "a:5432,b:5433".
            builder.Host = Decode(hosts, url);
            return;
        }

        string host = hosts;
        string? port = null;
        if (host.StartsWith('['))
        {
            int close = host.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ArgumentException($"The IPv6 host in '{Redact(url)}' has no closing bracket.", nameof(url));
            }

            port = close + 1 < host.Length && host[close + 1] == ':' ? host[(close + 2)..] : null;
            host = host[1..close];
        }
        else
        {
            int colon = host.LastIndexOf(':');
            if (colon >= 0)
            {
                port = host[(colon + 1)..];
                host = host[..colon];
            }
        }

        if (host.Length > 0)
        {
            builder.Host = Decode(host, url);
        }

        if (!string.IsNullOrEmpty(port))
        {
            builder.Port = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is > 0 and <= 65535
                ? p
                : throw new ArgumentException($"The port in '{Redact(url)}' must be a number from 1 to 65535, but got '{port}'.", nameof(url));
        }
    }

    private static void SetOption(NpgsqlConnectionStringBuilder builder, string key, string value, string url)
    {
        if (key.Equals("sslmode", StringComparison.OrdinalIgnoreCase))
        {
            builder.SslMode = value.ToLowerInvariant() switch
            {
                "disable" => SslMode.Disable,
                "allow" => SslMode.Allow,
                "prefer" => SslMode.Prefer,
                "require" => SslMode.Require,
                "verify-ca" => SslMode.VerifyCA,
                "verify-full" => SslMode.VerifyFull,
                _ => throw new ArgumentException($"sslmode must be disable, allow, prefer, require, verify-ca or verify-full, but got '{value}' in '{Redact(url)}'.", nameof(url)),
            };
            return;
        }

        string keyword = LibpqKeywords.TryGetValue(key, out string? mapped) ? mapped : key;
        try
        {
            builder[keyword] = value;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw new ArgumentException($"The option '{Hpo.Storage.StudyStorage.Redact(key + "=" + value)}' in '{Redact(url)}' is not a libpq option Hpo knows nor a valid Npgsql connection-string keyword: {e.Message}", nameof(url), e);
        }
    }

    private static string Decode(string part, string url)
    {
        try
        {
            return Uri.UnescapeDataString(part);
        }
        catch (UriFormatException e)
        {
            throw new ArgumentException($"'{Redact(url)}' has an invalid percent-encoding.", nameof(url), e);
        }
    }
}
