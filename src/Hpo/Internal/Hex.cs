namespace Hpo.Internal;

/// <summary>Lowercase hexadecimal text of bytes, on every target (Convert.ToHexStringLower is .NET 9's).</summary>
internal static class Hex
{
    public static string Lower(byte[] bytes) =>
#if NET9_0_OR_GREATER
        Convert.ToHexStringLower(bytes);
#else
        Convert.ToHexString(bytes).ToLowerInvariant();
#endif
}
