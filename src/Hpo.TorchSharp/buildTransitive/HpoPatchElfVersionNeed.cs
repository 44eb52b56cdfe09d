// Compiled by MSBuild's RoslynCodeTaskFactory from Hpo.TorchSharp.targets (the task class), and by the Hpo.TorchSharp
// tests with HPO_ELF_PATCHER_ONLY defined (the patcher alone). Written against C# 7.3 and .NET Standard 2.0 APIs so it
// compiles in every MSBuild (the .NET SDK's and Visual Studio's).
#if !HPO_ELF_PATCHER_ONLY
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif
using System;
using System.IO;
using System.Text;

#if !HPO_ELF_PATCHER_ONLY
/// <summary>
/// Marks one version requirement (for example <c>GLIBCXX_3.4.32</c>) of ELF shared libraries as weak, so that the
/// dynamic loader accepts a system library that lacks that version as long as no symbol bound to it is missing.
/// With <see cref="OnlyWhenHostLacksVersion"/>, only when this machine's libstdc++ lacks that version; it says which.
/// </summary>
public class HpoPatchElfVersionNeed : Task
{
    /// <summary>Gets or sets the files to patch; files that are missing or not 64-bit ELF are left alone.</summary>
    [Required]
    public ITaskItem[] Files { get; set; }

    /// <summary>Gets or sets the version name whose requirement becomes weak.</summary>
    [Required]
    public string VersionName { get; set; }

    /// <summary>Gets or sets whether to patch only when the host's libstdc++.so.6 does not define <see cref="VersionName"/>.</summary>
    public bool OnlyWhenHostLacksVersion { get; set; }

    /// <inheritdoc/>
    public override bool Execute()
    {
        if (OnlyWhenHostLacksVersion)
        {
            string library = HpoLibStdCxx.Find();
            if (library.Length != 0 && HpoLibStdCxx.DefinesVersion(File.ReadAllBytes(library), VersionName))
            {
                Log.LogMessage(MessageImportance.High,
                    "Hpo.TorchSharp: this machine's libstdc++ ({0}) has {1}: libLibTorchSharp.so is left as it is.", library, VersionName);
                return true;
            }

            Log.LogMessage(MessageImportance.High,
                "Hpo.TorchSharp: this machine's libstdc++ ({0}) lacks {1}, which libLibTorchSharp.so asks for: marking that requirement weak in the output's copy (HpoPatchLibTorchGlibcxx=false turns this off).",
                library.Length != 0 ? library : "not found", VersionName);
        }

        foreach (ITaskItem item in Files)
        {
            string path = item.GetMetadata("FullPath");
            try
            {
                ElfPatchResult result = HpoElfVersionNeedPatcher.PatchFile(path, VersionName);
                Log.LogMessage(MessageImportance.Low, "Hpo.TorchSharp: {0}: {1} ({2}).", path, result, VersionName);
            }
            catch (IOException e)
            {
                Log.LogWarning("Hpo.TorchSharp could not mark the {0} requirement of '{1}' weak: {2}", VersionName, path, e.Message);
            }
            catch (UnauthorizedAccessException e)
            {
                Log.LogWarning("Hpo.TorchSharp could not mark the {0} requirement of '{1}' weak: {2}", VersionName, path, e.Message);
            }
        }

        return !Log.HasLoggedErrors;
    }
}
#endif

/// <summary>Finds this machine's libstdc++ and tells whether it defines a symbol version.</summary>
internal static class HpoLibStdCxx
{
    /// <summary>The folders the dynamic loader searches for libstdc++.so.6 on common distributions, after LD_LIBRARY_PATH.</summary>
    internal static readonly string[] SystemFolders =
    {
        "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
        "/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib",
    };

    /// <summary>Returns the path of the libstdc++.so.6 the loader would find first, or an empty string when there is none.</summary>
    public static string Find()
    {
        string fromEnvironment = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? string.Empty;
        foreach (string folder in fromEnvironment.Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, "libstdc++.so.6");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (string folder in SystemFolders)
        {
            string candidate = Path.Combine(folder, "libstdc++.so.6");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return string.Empty;
    }

    /// <summary>
    /// Tells whether a library's image names a version (<c>GLIBCXX_3.4.32</c>): its version definitions' names are
    /// NUL-terminated strings of its dynamic string table, so the name followed by a NUL byte appears exactly.
    /// </summary>
    public static bool DefinesVersion(byte[] image, string versionName)
    {
        if (image == null)
        {
            throw new ArgumentNullException(nameof(image));
        }

        byte[] needle = Encoding.ASCII.GetBytes(versionName + "\0");
        for (int i = 0; i + needle.Length <= image.Length; i++)
        {
            // A name starts after a NUL (or at the start): GLIBCXX_3.4.32 must not match inside GLIBCXX_3.4.320.
            if (image[i] == needle[0] && (i == 0 || image[i - 1] == 0))
            {
                int j = 1;
                while (j < needle.Length && image[i + j] == needle[j])
                {
                    j++;
                }

                if (j == needle.Length)
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary>What <see cref="HpoElfVersionNeedPatcher"/> did to a file.</summary>
internal enum ElfPatchResult
{
    /// <summary>The file is not a 64-bit little-endian ELF file, or it is malformed; it was left alone.</summary>
    NotElf64,

    /// <summary>The file needs no version of that name (or has no version-needs section); it was left alone.</summary>
    VersionNotNeeded,

    /// <summary>The requirement was weak already; the file was left alone.</summary>
    AlreadyWeak,

    /// <summary>The requirement was marked weak.</summary>
    Patched,
}

/// <summary>
/// Sets the weak flag on a version requirement of a 64-bit little-endian ELF file: it walks the version-needs section
/// (<c>.gnu.version_r</c>, type <c>SHT_GNU_verneed</c>), its <c>Verneed</c> entries and their <c>Vernaux</c> entries, and
/// sets <c>VER_FLG_WEAK</c> on the entries whose name is the given version. Nothing else changes.
/// </summary>
internal static class HpoElfVersionNeedPatcher
{
    /// <summary>The section type of <c>.gnu.version_r</c>.</summary>
    internal const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>The <c>vna_flags</c> bit of a weak version requirement.</summary>
    internal const ushort VerFlagWeak = 0x2;

    /// <summary>
    /// Patches a file. It is rewritten through a new file moved in its place, so a hard link or symbolic link to another
    /// copy (such as the NuGet package cache) is replaced rather than written through. The time stamp is kept.
    /// </summary>
    public static ElfPatchResult PatchFile(string path, string versionName)
    {
        if (!File.Exists(path))
        {
            return ElfPatchResult.NotElf64;
        }

        byte[] image = File.ReadAllBytes(path);
        ElfPatchResult result = Patch(image, versionName);
        if (result == ElfPatchResult.Patched)
        {
            // Keep the copy's time stamp, so MSBuild's incremental copy (same size, same time) does not copy the file again.
            DateTime written = File.GetLastWriteTimeUtc(path);
            string temporary = path + ".hpo-patch.tmp";
            File.WriteAllBytes(temporary, image);
            File.SetLastWriteTimeUtc(temporary, written);
            File.Delete(path);
            File.Move(temporary, path);
        }

        return result;
    }

    /// <summary>Patches an ELF image in memory.</summary>
    public static ElfPatchResult Patch(byte[] image, string versionName)
    {
        if (image == null)
        {
            throw new ArgumentNullException(nameof(image));
        }

        // e_ident: magic, ELFCLASS64 (2), ELFDATA2LSB (1).
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F'
            || image[4] != 2 || image[5] != 1)
        {
            return ElfPatchResult.NotElf64;
        }

        ulong sectionHeaders = ReadUInt64(image, 0x28);
        int sectionHeaderSize = ReadUInt16(image, 0x3A);
        int sectionCount = ReadUInt16(image, 0x3C);
        if (sectionHeaderSize < 64 || sectionHeaders == 0 || !Fits(image, sectionHeaders, (ulong)sectionHeaderSize * (ulong)sectionCount))
        {
            return ElfPatchResult.NotElf64;
        }

        byte[] wanted = Encoding.ASCII.GetBytes(versionName);
        bool found = false;
        bool patched = false;
        for (int s = 0; s < sectionCount; s++)
        {
            int header = (int)sectionHeaders + (s * sectionHeaderSize);
            if (ReadUInt32(image, header + 4) != ShtGnuVerneed)
            {
                continue;
            }

            ulong offset = ReadUInt64(image, header + 0x18);
            ulong size = ReadUInt64(image, header + 0x20);
            uint link = ReadUInt32(image, header + 0x28);
            uint entryCount = ReadUInt32(image, header + 0x2C);
            if (!Fits(image, offset, size) || link >= (uint)sectionCount)
            {
                return ElfPatchResult.NotElf64;
            }

            // The names are offsets into the string table the section links to (.dynstr).
            int stringsHeader = (int)sectionHeaders + ((int)link * sectionHeaderSize);
            ulong strings = ReadUInt64(image, stringsHeader + 0x18);
            ulong stringsSize = ReadUInt64(image, stringsHeader + 0x20);
            if (!Fits(image, strings, stringsSize))
            {
                return ElfPatchResult.NotElf64;
            }

            ulong need = offset;
            for (uint n = 0; n < entryCount; n++)
            {
                // Verneed: vn_version (2), vn_cnt (2), vn_file (4), vn_aux (4), vn_next (4).
                if (need + 16 > offset + size)
                {
                    return ElfPatchResult.NotElf64;
                }

                int auxCount = ReadUInt16(image, (int)need + 2);
                uint auxOffset = ReadUInt32(image, (int)need + 8);
                uint next = ReadUInt32(image, (int)need + 12);
                ulong aux = need + auxOffset;
                for (int a = 0; a < auxCount; a++)
                {
                    // Vernaux: vna_hash (4), vna_flags (2), vna_other (2), vna_name (4), vna_next (4).
                    if (aux + 16 > offset + size)
                    {
                        return ElfPatchResult.NotElf64;
                    }

                    uint name = ReadUInt32(image, (int)aux + 8);
                    if (NameEquals(image, strings, stringsSize, name, wanted))
                    {
                        found = true;
                        ushort flags = ReadUInt16(image, (int)aux + 4);
                        if ((flags & VerFlagWeak) == 0)
                        {
                            WriteUInt16(image, (int)aux + 4, (ushort)(flags | VerFlagWeak));
                            patched = true;
                        }
                    }

                    uint auxNext = ReadUInt32(image, (int)aux + 12);
                    if (auxNext == 0)
                    {
                        break;
                    }

                    aux += auxNext;
                }

                if (next == 0)
                {
                    break;
                }

                need += next;
            }
        }

        return patched ? ElfPatchResult.Patched : found ? ElfPatchResult.AlreadyWeak : ElfPatchResult.VersionNotNeeded;
    }

    private static bool NameEquals(byte[] image, ulong strings, ulong stringsSize, uint name, byte[] wanted)
    {
        if ((ulong)name + (ulong)wanted.Length >= stringsSize)
        {
            return false;
        }

        int start = (int)(strings + name);
        for (int i = 0; i < wanted.Length; i++)
        {
            if (image[start + i] != wanted[i])
            {
                return false;
            }
        }

        return image[start + wanted.Length] == 0;
    }

    private static bool Fits(byte[] image, ulong offset, ulong length) =>
        offset <= (ulong)image.Length && length <= (ulong)image.Length - offset;

    private static ushort ReadUInt16(byte[] b, int i) => (ushort)(b[i] | (b[i + 1] << 8));

    private static uint ReadUInt32(byte[] b, int i) => (uint)(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));

    private static ulong ReadUInt64(byte[] b, int i) => ReadUInt32(b, i) | ((ulong)ReadUInt32(b, i + 4) << 32);

    private static void WriteUInt16(byte[] b, int i, ushort value)
    {
        b[i] = (byte)value;
        b[i + 1] = (byte)(value >> 8);
    }
}
