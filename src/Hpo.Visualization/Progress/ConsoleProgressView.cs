using System.Globalization;
using Hpo.Trials;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Hpo.Visualization.Progress;

/// <summary>
/// Shows a running study's progress in a terminal: a live Spectre.Console panel (finished, running, failed and pruned trials, the
/// best value and its parameters, trials per second, time left) redrawn in place after each trial; or, when the output is not a
/// terminal (CI, files, containers), one plain log line per trial. The application owns the screen: the view writes only where
/// it is told to.
/// </summary>
public sealed class ConsoleProgressView : IProgress<StudyProgress>
{
    private readonly IAnsiConsole? console;
    private readonly TextWriter? plain;
    private readonly string prefix;
    private readonly Lock gate = new();
    private LiveDisplayContext? live;
    private StudyProgress? latest;

    /// <summary>Initializes a new instance of the <see cref="ConsoleProgressView"/> class that draws a live panel on <paramref name="console"/>.</summary>
    /// <param name="console">The terminal.</param>
    public ConsoleProgressView(IAnsiConsole console)
    {
        this.console = console ?? throw new ArgumentNullException(nameof(console));
        prefix = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="ConsoleProgressView"/> class that writes one plain line per trial.</summary>
    /// <param name="plainOutput">Where the lines go.</param>
    /// <param name="linePrefix">Text before each line (for example <c>"hpo worker: "</c>).</param>
    public ConsoleProgressView(TextWriter plainOutput, string linePrefix = "")
    {
        plain = plainOutput ?? throw new ArgumentNullException(nameof(plainOutput));
        prefix = linePrefix ?? string.Empty;
    }

    /// <summary>Gets a value indicating whether the view draws a live panel (rather than plain lines).</summary>
    public bool IsLive => console is not null;

    /// <summary>
    /// Creates the view for this process's standard error (standard output when <paramref name="useStandardOutput"/>): a live panel
    /// when that stream is an interactive terminal, plain lines to <paramref name="fallback"/> otherwise.
    /// </summary>
    /// <param name="fallback">Where plain lines go when the stream is not a terminal.</param>
    /// <param name="linePrefix">Text before each plain line.</param>
    /// <param name="useStandardOutput">Whether to draw on standard output instead of standard error.</param>
    /// <returns>The view.</returns>
    public static ConsoleProgressView ForTerminal(TextWriter fallback, string linePrefix = "", bool useStandardOutput = false)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        bool redirected = useStandardOutput ? Console.IsOutputRedirected : Console.IsErrorRedirected;
        if (!redirected && Environment.GetEnvironmentVariable("TERM") is not "dumb")
        {
            IAnsiConsole terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(useStandardOutput ? Console.Out : Console.Error) });
            if (terminal.Profile.Capabilities.Interactive && terminal.Profile.Capabilities.Ansi)
            {
                return new ConsoleProgressView(terminal);
            }
        }

        return new ConsoleProgressView(fallback, linePrefix);
    }

    /// <summary>Runs <paramref name="body"/> (the optimization) with the live panel shown; plain views just run it.</summary>
    /// <typeparam name="T">What the body returns.</typeparam>
    /// <param name="body">The work whose progress is reported to this view.</param>
    /// <returns>What the body returned.</returns>
    public async Task<T> RunAsync<T>(Func<Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (console is null)
        {
            return await body().ConfigureAwait(false);
        }

        return await console.Live(Render(null)).AutoClear(false).StartAsync(async context =>
        {
            lock (gate)
            {
                live = context;
            }

            try
            {
                return await body().ConfigureAwait(false);
            }
            finally
            {
                lock (gate)
                {
                    live = null;
                    context.UpdateTarget(Render(latest));
                    context.Refresh();
                }
            }
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Report(StudyProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (gate)
        {
            latest = value;
            if (live is not null)
            {
                live.UpdateTarget(Render(value));
                live.Refresh();
            }
            else if (plain is not null)
            {
                plain.WriteLine(prefix + value.ToLogLine());
                plain.Flush();
            }
        }
    }

    /// <summary>Builds the live panel.</summary>
    internal static IRenderable Render(StudyProgress? p)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        if (p is null)
        {
            grid.AddRow(new Markup("[grey]waiting for the first trial to finish…[/]"), new Text(string.Empty));
            return new Panel(grid).Header("Hpo study").Border(BoxBorder.Rounded);
        }

        TrialCounts c = p.Counts;
        grid.AddRow(new Markup("[grey]finished[/]"), new Markup(Invariant($"[bold]{c.Finished}[/]  [blue]{c.Complete} complete[/]  [darkorange]{c.Pruned} pruned[/]  [red]{c.Failed} failed[/]  [grey]{c.Stale} stale[/]")));
        grid.AddRow(new Markup("[grey]running[/]"), new Markup(Invariant($"[green]{c.Running}[/]") + (c.Waiting > 0 ? Invariant($"  ({c.Waiting} waiting)") : string.Empty)));
        grid.AddRow(new Markup("[grey]best[/]"), p.BestTrial?.Value is double best
            ? new Markup(Invariant($"[bold]{best:G6}[/] (trial {p.BestTrial.Number})"))
            : new Markup("[grey]no trial complete yet[/]"));
        if (p.BestTrial is { } b)
        {
            grid.AddRow(new Markup("[grey]parameters[/]"), new Text(StudyProgress.FormatParameters(b)));
        }

        grid.AddRow(new Markup("[grey]this run[/]"), new Text(Invariant($"{p.FinishedThisRun} trials in {StudyProgress.FormatDuration(p.Elapsed)}, {p.TrialsPerSecond:0.##} trials/s")));
        grid.AddRow(new Markup("[grey]time left[/]"), new Text(p.TimeLeft is TimeSpan left ? "~" + StudyProgress.FormatDuration(left) + (p.TrialsLeft is int n ? Invariant($" ({n} trials)") : string.Empty) : "unknown (no budget, trial count or timeout)"));
        grid.AddRow(new Markup("[grey]last[/]"), new Text(Invariant($"trial {p.LastTrial.Number} {p.LastTrial.State.ToString().ToLowerInvariant()}") + (p.LastTrial.Value is double v ? Invariant($" {v:G6}") : string.Empty)));
        return new Panel(grid).Header(new PanelHeader(Markup.Escape("Study " + p.StudyName))).Border(BoxBorder.Rounded);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
