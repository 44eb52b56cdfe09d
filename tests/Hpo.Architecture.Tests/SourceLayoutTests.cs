using System.Text.RegularExpressions;

namespace Hpo.Architecture.Tests;

/// <summary>
/// The source tree's layout rule: a file under <c>src/</c> declares at most one top-level public type, and that type is named
/// like the file (<c>Xxx.cs</c>, or <c>Xxx.Part.cs</c> for a part of a partial type), so that a public type is found by its name.
/// Nested types are fine.
/// </summary>
public sealed partial class SourceLayoutTests
{
    [Fact]
    public void EachSourceFile_DeclaresAtMostOnePublicTopLevelType_NamedLikeTheFile()
    {
        string src = Path.Combine(RepositoryRoot(), "src");
        var problems = new List<string>();
        int files = 0;
        foreach (string path in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(src, path).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal))
            {
                continue;
            }

            files++;
            IReadOnlyList<string> types = PublicTopLevelTypes(File.ReadAllText(path));
            string expected = Path.GetFileName(path).Split('.')[0];
            if (types.Count > 1)
            {
                problems.Add($"src/{relative} declares {types.Count} public top-level types ({string.Join(", ", types)}): give each its own file.");
            }
            else if (types.Count == 1 && types[0] != expected)
            {
                problems.Add($"src/{relative} declares the public type {types[0]}: name the file {types[0]}.cs.");
            }
        }

        Assert.True(files > 100, $"Only {files} source files were found under {src}.");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [InlineData("namespace A;\n\npublic sealed class One\n{\n    public sealed class Nested { }\n}\n", new[] { "One" })]
    [InlineData("namespace A;\n\n/// <summary>x</summary>\npublic readonly record struct P(int X);\n\npublic static class Q { }\ninternal sealed class R { }\n", new[] { "P", "Q" })]
    [InlineData("namespace A\n{\n    public enum E { X }\n\n    public delegate ValueTask D(int x);\n}\n", new[] { "E", "D" })]
    [InlineData("namespace A;\n\n// public class InAComment\ninternal static class Hidden\n{\n    public static class Inner { }\n}\n", new string[0])]
    public void PublicTopLevelTypes_FindsTopLevelDeclarationsOnly(string source, string[] expected)
    {
        Assert.Equal(expected, PublicTopLevelTypes(source));
    }

    /// <summary>The public types declared at the top level: at the first column under a file-scoped namespace, one level in under a block one.</summary>
    private static IReadOnlyList<string> PublicTopLevelTypes(string source)
    {
        bool blockNamespace = !FileScopedNamespace().IsMatch(source) && BlockNamespace().IsMatch(source);
        string indent = blockNamespace ? "    " : string.Empty;
        return [.. source.Split('\n')
            .Select(line => Declaration().Match(line.TrimEnd('\r')))
            .Where(m => m.Success && m.Groups["indent"].Value == indent)
            .Select(m => m.Groups["name"].Value)];
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Hpo.sln")) && Directory.Exists(Path.Combine(d.FullName, "src")))
            {
                return d.FullName;
            }
        }

        Assert.Fail($"No folder above {AppContext.BaseDirectory} holds Hpo.sln and src/: the test reads the source tree it was built from.");
        return string.Empty;
    }

    [GeneratedRegex(@"^namespace [\w.]+;", RegexOptions.Multiline)]
    private static partial Regex FileScopedNamespace();

    [GeneratedRegex(@"^namespace [\w.]+\s*$", RegexOptions.Multiline)]
    private static partial Regex BlockNamespace();

    [GeneratedRegex(@"^(?<indent>\s*)public (?:(?:sealed|static|abstract|readonly|partial|ref|unsafe) )*(?:class|struct|interface|enum|record struct|record class|record|delegate [^(]+?) +(?<name>\w+)")]
    private static partial Regex Declaration();
}
