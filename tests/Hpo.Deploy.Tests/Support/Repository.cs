namespace Hpo.Deploy.Tests.Support;

/// <summary>Finds the repository's files from the test assembly's folder.</summary>
public static class Repository
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Hpo.sln")) && Directory.Exists(Path.Combine(d.FullName, "deploy")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Hpo.sln and deploy/.");
    });

    /// <summary>Gets the repository's root folder.</summary>
    public static string Root => RootPath.Value;

    /// <summary>Gets the full path of a file given relative to the repository's root, with '/' separators.</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Reads a file given relative to the repository's root.</summary>
    public static string Read(string relative) => File.ReadAllText(PathOf(relative));
}
