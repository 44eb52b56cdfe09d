namespace Hpo.Tests.Storage;

/// <summary>A fresh SQLite file path under the temp folder; the file and its WAL side files are deleted on dispose.</summary>
internal sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hpo-tests");
        Directory.CreateDirectory(folder);
        Path = System.IO.Path.Combine(folder, $"{Guid.NewGuid():N}.db");
    }

    public string Path { get; }

    /// <summary>Gets the absolute storage URL of the file (four slashes).</summary>
    public string Url => "sqlite:///" + Path;

    public void Dispose()
    {
        foreach (string suffix in new[] { string.Empty, "-wal", "-shm", "-journal" })
        {
            try
            {
                File.Delete(Path + suffix);
            }
            catch (IOException)
            {
                // A file still open elsewhere (a killed process's) is left for the OS temp cleaner.
            }
        }
    }
}
