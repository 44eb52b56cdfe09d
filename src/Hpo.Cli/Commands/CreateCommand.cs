using Hpo.Cli.Formatting;
using Hpo.Cli.Parsing;
using Hpo.Cli.Storage;
using Hpo.SearchSpaces;
using Hpo.Storage;
using Hpo.Studies;
using Hpo.Trials;
using Hpo.Tuners;
using Hpo.Registries;

namespace Hpo.Cli.Commands;

/// <summary><c>hpo create</c>: a new study from a search-space JSON file, a direction, a tuner and a budget.</summary>
internal sealed class CreateCommand : CliCommand
{
    /// <summary>The <c>--space FILE</c> option.</summary>
    public static readonly OptionSpec SpaceOption = new("--space", "FILE", "The search space as a JSON file (the format is in the README: {\"parameters\": [...]}).", Required: true);

    /// <summary>The <c>--direction</c> option.</summary>
    public static readonly OptionSpec DirectionOption = new("--direction", "DIRECTION", "minimize or maximize.", Required: true, Completions: ["minimize", "maximize"]);

    /// <summary>The <c>--tuner NAME</c> option.</summary>
    public static readonly OptionSpec TunerOption = new("--tuner", "NAME", "The tuner, with its default settings: random (the default) or another registered tuner.");

    /// <summary>The <c>--budget N</c> option.</summary>
    public static readonly OptionSpec BudgetOption = new("--budget", "N", "The most trials to finish across every worker (none when omitted).");

    /// <summary>The <c>--seed N</c> option.</summary>
    public static readonly OptionSpec SeedOption = new("--seed", "N", "The seed every proposal derives from (drawn at random when omitted).");

    /// <summary>The <c>--lease SECONDS</c> option.</summary>
    public static readonly OptionSpec LeaseOption = new("--lease", "DURATION", "How long a running trial's heartbeat stays valid: seconds, or with a unit (10s when omitted; 0.1s to 24h).");

    /// <summary>The <c>--max-retries N</c> option.</summary>
    public static readonly OptionSpec MaxRetriesOption = new("--max-retries", "N", "How many times a trial whose worker was lost (its lease expired: a removed node, a killed process) is run again with the same parameters (0 when omitted).");

    private static readonly KeyValuePair<string, StudyDirection>[] Directions =
    [
        KeyValuePair.Create("minimize", StudyDirection.Minimize),
        KeyValuePair.Create("maximize", StudyDirection.Maximize),
    ];

    /// <inheritdoc/>
    public override string Name => "create";

    /// <inheritdoc/>
    public override string Summary => "Create a study from a search-space JSON file, a direction, a tuner and a budget.";

    /// <inheritdoc/>
    public override string Description =>
        "Creates a study that workers (programs calling Study.LoadAsync or CreateOrLoadAsync with the same storage and name) then run. " +
        "Fails (exit code 1) if a study with that name exists. Prints the new study as hpo studies does.";

    /// <inheritdoc/>
    public override IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Storage, CommonOptions.Study, SpaceOption, DirectionOption, TunerOption, BudgetOption, SeedOption, LeaseOption, MaxRetriesOption, CommonOptions.Format];

    /// <inheritdoc/>
    public override async Task<OutputDocument> ExecuteAsync(CommandContext context, ParsedOptions options, CancellationToken cancellationToken)
    {
        string name = options.GetRequired(CommonOptions.Study.Name);
        StudyDirection direction = options.GetChoice(DirectionOption.Name, Directions) ?? throw new UsageException($"Option '{DirectionOption.Name}' is required.");
        int? budget = options.GetInt32(BudgetOption.Name, minimum: 1);
        int? seed = options.GetInt32(SeedOption.Name);
        int? maxRetries = options.GetInt32(MaxRetriesOption.Name, minimum: 0);
        TimeSpan? lease = options.GetDuration(LeaseOption.Name, maximum: TimeSpan.FromDays(1), minimum: TimeSpan.FromMilliseconds(100));

        ITuner tuner = CreateTuner(options.Get(TunerOption.Name) ?? "random");
        SearchSpace space = await ReadSpaceAsync(options.GetRequired(SpaceOption.Name), cancellationToken).ConfigureAwait(false);

        string url = options.GetRequired(CommonOptions.Storage.Name);
        var studyOptions = new StudyOptions
        {
            Direction = direction,
            Tuner = tuner,
            Seed = seed,
            Budget = budget,
            Lease = lease ?? new StudyOptions().Lease,
            MaxRetries = maxRetries ?? 0,
        };
        return await WithStorageAsync(context, url, mustExist: false, async storage =>
        {
            try
            {
                Study study = await Study.CreateAsync(storage, name, space, studyOptions, cancellationToken).ConfigureAwait(false);
                return OutputDocument.Single(StudyFields.Study(study.Record, default, best: null));
            }
            catch (DuplicateStudyException e)
            {
                throw new CliException($"A study named '{name}' already exists in {StudyStorage.Redact(url)}; choose another --study name ('hpo studies' with the same storage lists them).", e);
            }
        }, migrate: true).ConfigureAwait(false);
    }

    private static ITuner CreateTuner(string name)
    {
        try
        {
            return TunerRegistry.Default.Create(name);
        }
        catch (ArgumentException)
        {
            throw new UsageException($"Option '{TunerOption.Name}' must name a registered tuner ({string.Join(", ", TunerRegistry.Default.Names)}), but got '{name}'.");
        }
    }

    private static async Task<SearchSpace> ReadSpaceAsync(string path, CancellationToken cancellationToken)
    {
        string json;
        try
        {
            json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read the search-space file '{path}': {e.Message}", e);
        }

        try
        {
            return SearchSpace.FromJson(json);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new CliException($"The search-space file '{path}' is not a valid search space: {StorageOpener.MessageOf(e)}", e);
        }
    }
}
