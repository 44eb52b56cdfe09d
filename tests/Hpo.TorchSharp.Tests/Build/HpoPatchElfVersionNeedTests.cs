using System.Text;
using static TorchSharp.torch;

namespace Hpo.TorchSharp.Tests.Build;

public class HpoPatchElfVersionNeedTests
{
    private const string Version = "GLIBCXX_3.4.32";

    [Fact]
    public void Patch_CraftedElf_SetsWeakOnTheNamedVersionOnly()
    {
        byte[] image = CraftElf(out int[] flagOffsets);

        ElfPatchResult result = HpoElfVersionNeedPatcher.Patch(image, Version);

        Assert.Equal(ElfPatchResult.Patched, result);
        Assert.Equal(HpoElfVersionNeedPatcher.VerFlagWeak, BitConverter.ToUInt16(image, flagOffsets[1]));
        Assert.Equal(0, BitConverter.ToUInt16(image, flagOffsets[0]));
        Assert.Equal(0, BitConverter.ToUInt16(image, flagOffsets[2]));
    }

    [Fact]
    public void Patch_Twice_SecondTimeChangesNothing()
    {
        byte[] image = CraftElf(out _);
        HpoElfVersionNeedPatcher.Patch(image, Version);
        byte[] once = (byte[])image.Clone();

        ElfPatchResult result = HpoElfVersionNeedPatcher.Patch(image, Version);

        Assert.Equal(ElfPatchResult.AlreadyWeak, result);
        Assert.Equal(once, image);
    }

    [Fact]
    public void Patch_VersionNotNeeded_ChangesNothing()
    {
        byte[] image = CraftElf(out _);
        byte[] original = (byte[])image.Clone();

        Assert.Equal(ElfPatchResult.VersionNotNeeded, HpoElfVersionNeedPatcher.Patch(image, "GLIBCXX_3.4.99"));
        Assert.Equal(original, image);
    }

    [Theory]
    [InlineData("MZ not an ELF file at all, just some bytes long enough to pass the size check of the patcher's header parse")]
    [InlineData("")]
    public void Patch_NotElf_ChangesNothing(string text)
    {
        byte[] image = Encoding.ASCII.GetBytes(text);
        byte[] original = (byte[])image.Clone();

        Assert.Equal(ElfPatchResult.NotElf64, HpoElfVersionNeedPatcher.Patch(image, Version));
        Assert.Equal(original, image);
    }

    [Fact]
    public void Patch_TruncatedElf_ReportsNotElfWithoutThrowing()
    {
        byte[] image = CraftElf(out _)[..200];

        Assert.Equal(ElfPatchResult.NotElf64, HpoElfVersionNeedPatcher.Patch(image, Version));
    }

    [Fact]
    public void PatchFile_CraftedElf_RewritesTheFileAndKeepsItsTimeStamp()
    {
        string path = Path.Combine(Path.GetTempPath(), $"hpo-elf-{Guid.NewGuid():N}.so");
        try
        {
            File.WriteAllBytes(path, CraftElf(out int[] flags));
            var stamp = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
            File.SetLastWriteTimeUtc(path, stamp);

            Assert.Equal(ElfPatchResult.Patched, HpoElfVersionNeedPatcher.PatchFile(path, Version));
            Assert.Equal(ElfPatchResult.AlreadyWeak, HpoElfVersionNeedPatcher.PatchFile(path, Version));
            Assert.Equal(HpoElfVersionNeedPatcher.VerFlagWeak, BitConverter.ToUInt16(File.ReadAllBytes(path), flags[1]));
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CopiedLibTorchSharp_AfterBuild_HasAWeakGlibcxx3432Requirement()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"The build did not copy {path}.");
        byte[] image = File.ReadAllBytes(path);

        // Already weak: the build's targets patched the copy.
        Assert.Equal(ElfPatchResult.AlreadyWeak, HpoElfVersionNeedPatcher.Patch(image, Version));
    }

    [Fact]
    public void NuGetCacheLibTorchSharp_AfterBuild_IsLeftAsShipped()
    {
        // The targets patch the copy in the output folder, never the package cache that every project shares.
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(Tensor).Assembly.GetName().Version!.ToString(3);
        string path = Path.Combine(cache, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"No TorchSharp {version} in the package cache at {path}.");

        Assert.Equal(ElfPatchResult.Patched, HpoElfVersionNeedPatcher.Patch(File.ReadAllBytes(path), Version));
    }

    [Fact]
    public void TorchSharp_InThisProcess_Loads()
    {
        using Tensor t = ones(3);

        Assert.Equal(3f, t.sum().item<float>());
    }

    // A minimal ELF64 image: a null section, .dynstr and .gnu.version_r with two Verneed entries (libstdc++ with
    // CXXABI_1.3 and GLIBCXX_3.4.32, libc with GLIBC_2.2.5), then the section headers and their name table.
    private static byte[] CraftElf(out int[] flagOffsets)
    {
        var strings = new MemoryStream();
        int Add(string s)
        {
            int at = (int)strings.Length;
            strings.Write(Encoding.ASCII.GetBytes(s + "\0"));
            return at;
        }

        Add(string.Empty);
        int libstdcxx = Add("libstdc++.so.6");
        int cxxabi = Add("CXXABI_1.3");
        int glibcxx = Add(Version);
        int libc = Add("libc.so.6");
        int glibc = Add("GLIBC_2.2.5");
        byte[] dynstr = strings.ToArray();

        const int dynstrOffset = 64;
        int verneedOffset = dynstrOffset + dynstr.Length + 8 - (dynstr.Length % 8);
        var verneed = new byte[16 + 32 + 16 + 16];
        void Put16(int at, int v) => BitConverter.GetBytes((ushort)v).CopyTo(verneed, at);
        void Put32(int at, int v) => BitConverter.GetBytes(v).CopyTo(verneed, at);

        // Verneed 1: version 1, 2 aux, file libstdc++, aux at +16, next at +48.
        Put16(0, 1); Put16(2, 2); Put32(4, libstdcxx); Put32(8, 16); Put32(12, 48);
        // Vernaux: CXXABI_1.3, then GLIBCXX_3.4.32.
        Put32(16 + 8, cxxabi); Put32(16 + 12, 16);
        Put32(32 + 8, glibcxx); Put32(32 + 12, 0);
        // Verneed 2: version 1, 1 aux, file libc, aux at +16, last.
        Put16(48, 1); Put16(50, 1); Put32(52, libc); Put32(56, 16); Put32(60, 0);
        Put32(64 + 8, glibc); Put32(64 + 12, 0);
        flagOffsets = [verneedOffset + 16 + 4, verneedOffset + 32 + 4, verneedOffset + 64 + 4];

        int sectionHeaders = verneedOffset + verneed.Length;
        var image = new byte[sectionHeaders + (3 * 64)];
        new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }.CopyTo(image, 0);
        image[4] = 2; // ELFCLASS64
        image[5] = 1; // little-endian
        image[6] = 1;
        BitConverter.GetBytes((long)sectionHeaders).CopyTo(image, 0x28);
        BitConverter.GetBytes((ushort)64).CopyTo(image, 0x3A);
        BitConverter.GetBytes((ushort)3).CopyTo(image, 0x3C);
        dynstr.CopyTo(image, dynstrOffset);
        verneed.CopyTo(image, verneedOffset);

        void Section(int index, uint type, long offset, long size, uint link, uint info)
        {
            int at = sectionHeaders + (index * 64);
            BitConverter.GetBytes(type).CopyTo(image, at + 4);
            BitConverter.GetBytes(offset).CopyTo(image, at + 0x18);
            BitConverter.GetBytes(size).CopyTo(image, at + 0x20);
            BitConverter.GetBytes(link).CopyTo(image, at + 0x28);
            BitConverter.GetBytes(info).CopyTo(image, at + 0x2C);
        }

        Section(1, 3, dynstrOffset, dynstr.Length, 0, 0); // SHT_STRTAB
        Section(2, HpoElfVersionNeedPatcher.ShtGnuVerneed, verneedOffset, verneed.Length, 1, 2);
        return image;
    }
}
