using System.Text;

namespace Hpo.TorchSharp.Tests.Build;

/// <summary>The host check of the GLIBCXX patch: whether a libstdc++ defines a symbol version.</summary>
public sealed class HpoLibStdCxxTests
{
    private const string Version = "GLIBCXX_3.4.32";

    [Fact]
    public void A_version_name_in_the_string_table_is_found()
    {
        byte[] image = Image("\0GLIBCXX_3.4.30\0GLIBCXX_3.4.31\0GLIBCXX_3.4.32\0CXXABI_1.3.15\0");

        Assert.True(HpoLibStdCxx.DefinesVersion(image, Version));
    }

    [Fact]
    public void An_older_library_lacks_the_version()
    {
        byte[] image = Image("\0GLIBCXX_3.4.29\0GLIBCXX_3.4.30\0CXXABI_1.3.13\0");

        Assert.False(HpoLibStdCxx.DefinesVersion(image, Version));
    }

    [Theory]
    [InlineData("\0GLIBCXX_3.4.320\0")]   // a longer name that starts with it
    [InlineData("\0XGLIBCXX_3.4.32\0")]   // a longer name that ends with it
    [InlineData("GLIBCXX_3.4.32")]        // at the very end, without its NUL
    public void Only_the_whole_name_counts(string table)
    {
        Assert.False(HpoLibStdCxx.DefinesVersion(Image(table), Version));
    }

    [Fact]
    public void The_machines_libstdcxx_is_found_and_agrees_with_its_version_definitions()
    {
        // Every Linux machine that runs .NET has libstdc++.so.6 (the .NET host needs it); Windows and macOS have none there.
        string library = HpoLibStdCxx.Find();
        if (!OperatingSystem.IsLinux())
        {
            Assert.Equal(string.Empty, library);
            return;
        }

        Assert.True(File.Exists(library), $"libstdc++.so.6 was not found (got '{library}')");
        byte[] image = File.ReadAllBytes(library);

        // GLIBCXX_3.4 is the first version of every libstdc++ since GCC 3.4.
        Assert.True(HpoLibStdCxx.DefinesVersion(image, "GLIBCXX_3.4"));
        Assert.False(HpoLibStdCxx.DefinesVersion(image, "GLIBCXX_9.9.99"));
    }

    private static byte[] Image(string strings) => [0x7f, (byte)'E', (byte)'L', (byte)'F', .. Encoding.ASCII.GetBytes(strings)];
}
