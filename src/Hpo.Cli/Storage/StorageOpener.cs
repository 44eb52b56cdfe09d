using System.Reflection;
using System.Runtime.CompilerServices;
using Hpo.Cli.Parsing;
using Hpo.Storage;

namespace Hpo.Cli.Storage;

/// <summary>
/// Opens the storage that <c>--storage</c> names, with the checks a command-line tool needs: a SQLite file that a read-only
/// command is pointed at must exist (a typo must not create an empty database), <c>memory</c> is accepted with a note, and a
/// <c>postgresql://</c> URL loads the Hpo.PostgreSql assembly when it sits next to the tool.
/// </summary>
internal sealed class StorageOpener
{
    /// <summary>The name of the assembly that provides PostgreSQL storage.</summary>
    public const string PostgreSqlAssemblyName = "Hpo.PostgreSql";

    private static readonly string[] PostgreSqlSchemes = ["postgresql", "postgres"];
    private static readonly string[] RegistrationMethods = ["Register", "RegisterScheme", "RegisterSchemes", "RegisterUrlScheme", "RegisterUrlSchemes"];
    private static readonly Lock Gate = new();
    private static Assembly? postgreSqlAssembly;

    private readonly TextWriter error;
    private readonly string providerDirectory;
    private readonly bool probeApplication;

    /// <summary>Initializes a new instance of the <see cref="StorageOpener"/> class.</summary>
    /// <param name="error">Where notes go (standard error).</param>
    /// <param name="providerDirectory">The folder to look for provider assemblies in; the tool's own folder when <see langword="null"/>.</param>
    /// <param name="probeApplication">Whether to look for providers among the application's own assemblies first (tests turn it off).</param>
    /// <param name="environment">Reads an environment variable (<c>HPO_STORAGE</c>); the process's own when <see langword="null"/>.</param>
    public StorageOpener(TextWriter error, string? providerDirectory = null, bool probeApplication = true, Func<string, string?>? environment = null)
    {
        this.error = error;
        this.providerDirectory = providerDirectory ?? AppContext.BaseDirectory;
        this.probeApplication = probeApplication;
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
    }

    /// <summary>Gets the reader of environment variables the tool uses (<c>HPO_STORAGE</c>).</summary>
    public Func<string, string?> Environment { get; }

    /// <summary>Opens a storage.</summary>
    /// <param name="url">The <c>--storage</c> URL.</param>
    /// <param name="mustExist">Whether a SQLite file must already exist (every command but <c>create</c>).</param>
    /// <param name="migrate">
    /// Whether the storage may create or upgrade its schema: writers (<c>create</c>, <c>worker</c>) only. A reader never changes the
    /// schema under running workers of an older release; it is told which version is needed instead.
    /// </param>
    /// <returns>The storage; dispose it when done.</returns>
    /// <exception cref="UsageException">The URL is malformed or its scheme unknown.</exception>
    /// <exception cref="CliException">The SQLite file does not exist, or the PostgreSQL provider is not installed.</exception>
    public IStudyStorage Open(string url, bool mustExist, bool migrate = true)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url is "memory" or "memory://" or ":memory:")
        {
            error.WriteLine("hpo: note: 'memory' storage starts empty in every process, so it holds no study here; use sqlite:///file.db or postgresql://… to look at a study.");
            return StudyStorage.Open(url);
        }

        int separator = url.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new UsageException($"Option '--storage' must be a URL such as sqlite:///relative.db, sqlite:////absolute.db or postgresql://user@host/database, but got a value without '://' (not shown: a connection string may hold a password).");
        }

        string scheme = url[..separator];
        if (scheme.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            string path = Invoke(() => StudyStorage.SqlitePath(url));
            if (mustExist && !File.Exists(path))
            {
                throw new CliException($"The SQLite database '{Path.GetFullPath(path)}' does not exist (from --storage {StudyStorage.Redact(url)}). sqlite:///relative.db is relative to the current folder ({System.Environment.CurrentDirectory}); sqlite:////absolute.db has four slashes.");
            }
        }
        else if (PostgreSqlSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase))
        {
            EnsurePostgreSql();
        }

        bool ours = scheme.Equals("sqlite", StringComparison.OrdinalIgnoreCase) || PostgreSqlSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase);
        string opened = migrate || !ours ? url : StorageUrlOptions.WithoutMigration(url);
        return Invoke(() => StudyStorage.Open(opened));
    }

    /// <summary>Removes the "(Parameter 'x')" suffix that <see cref="ArgumentException.Message"/> appends.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>The message alone.</returns>
    public static string MessageOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string message = exception.Message;
        if (exception is ArgumentException { ParamName: { } parameter })
        {
            string suffix = $" (Parameter '{parameter}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        return message;
    }

    /// <summary>
    /// Lets a provider assembly register its URL schemes with <see cref="StudyStorage.RegisterScheme"/>: runs its module
    /// initializer, then every public static parameterless <c>Register</c> (or <c>RegisterScheme</c>, <c>RegisterSchemes</c>,
    /// <c>RegisterUrlScheme</c>, <c>RegisterUrlSchemes</c>) method of its public types. Registering twice is harmless.
    /// </summary>
    /// <param name="assembly">The provider assembly.</param>
    internal static void RegisterProvider(Assembly assembly)
    {
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        foreach (MethodInfo method in assembly.GetExportedTypes()
            .Where(t => !t.ContainsGenericParameters)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => RegistrationMethods.Contains(m.Name, StringComparer.Ordinal) && m.GetParameters().Length == 0 && m.ReturnType == typeof(void) && !m.ContainsGenericParameters))
        {
            method.Invoke(null, null);
        }
    }

    private static T Invoke<T>(Func<T> open)
    {
        try
        {
            return open();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"Option '--storage' is invalid: {MessageOf(e)}", e);
        }
    }

    private void EnsurePostgreSql()
    {
        lock (Gate)
        {
            // The cache serves openers that look where the application does; one given its own folder looks there.
            if (postgreSqlAssembly is not null && probeApplication)
            {
                return;
            }

            Assembly assembly = FindPostgreSql() ?? throw new CliException(
                $"PostgreSQL storage needs the {PostgreSqlAssemblyName} assembly, which is not part of this build of the tool (looked in {providerDirectory}). " +
                $"Build or install the tool from a source tree that has src/{PostgreSqlAssemblyName}, or copy {PostgreSqlAssemblyName}.dll and its dependencies (Npgsql) into that folder.");

            RegisterProvider(assembly);
            postgreSqlAssembly = assembly;
        }
    }

    private Assembly? FindPostgreSql()
    {
        if (probeApplication)
        {
            Assembly? loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == PostgreSqlAssemblyName);
            if (loaded is not null)
            {
                return loaded;
            }

            try
            {
                // Found when the tool was built with the provider (it is then listed in the tool's dependencies).
                return Assembly.Load(new AssemblyName(PostgreSqlAssemblyName));
            }
            catch (FileNotFoundException)
            {
                // Not built in: look for a copy next to the tool.
            }
        }

        string path = Path.Combine(providerDirectory, PostgreSqlAssemblyName + ".dll");
        return File.Exists(path) ? Assembly.LoadFrom(path) : null;
    }
}
