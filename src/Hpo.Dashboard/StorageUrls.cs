namespace Hpo.Dashboard;

/// <summary>Makes storage URLs safe to show.</summary>
public static class StorageUrls
{
    /// <summary>
    /// Removes the password from a storage URL: <c>scheme://user:secret@host/db</c> becomes <c>scheme://user:***@host/db</c>, and a
    /// <c>password=</c> query parameter's value becomes <c>***</c>. Other text is returned unchanged.
    /// </summary>
    /// <param name="url">The URL.</param>
    /// <returns>The URL without its password.</returns>
    public static string Redact(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        string result = url;
        int scheme = result.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            int start = scheme + 3;
            int end = result.IndexOfAny(['/', '?'], start);
            int at = result.LastIndexOf('@', end < 0 ? result.Length - 1 : end - 1);
            if (at >= start)
            {
                int colon = result.IndexOf(':', start);
                if (colon >= 0 && colon < at)
                {
                    result = result[..(colon + 1)] + "***" + result[at..];
                }
            }
        }

        int query = result.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            string[] pairs = result[(query + 1)..].Split('&');
            for (int i = 0; i < pairs.Length; i++)
            {
                int eq = pairs[i].IndexOf('=', StringComparison.Ordinal);
                string key = eq >= 0 ? pairs[i][..eq] : pairs[i];
                if (key.Equals("password", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase))
                {
                    pairs[i] = key + "=***";
                }
            }

            result = result[..(query + 1)] + string.Join('&', pairs);
        }

        return result;
    }
}
