namespace Hpo.Cli.Parsing;

/// <summary>The options several commands share.</summary>
internal static class CommonOptions
{
    /// <summary>The <c>--storage-file PATH</c> option, added to every command that takes <see cref="Storage"/>.</summary>
    public const string StorageFile = "--storage-file";

    /// <summary>The <c>--storage URL</c> option every command that reads or writes studies takes.</summary>
    public static readonly OptionSpec Storage = new("--storage", "URL", "Where the studies are: sqlite:///relative.db, sqlite:////absolute.db or postgresql://user:password@host:port/database. Instead, --storage-file PATH (a file whose first line is the URL) or the HPO_STORAGE environment variable keep a password off the command line.", Required: true);

    /// <summary>The <c>--format</c> option every command takes.</summary>
    public static readonly OptionSpec Format = new("--format", "FORMAT", "table (the default), json or csv.", Completions: ["table", "json", "csv"]);

    /// <summary>The <c>--study NAME</c> option.</summary>
    public static readonly OptionSpec Study = new("--study", "NAME", "The study's name.", Required: true);
}
