using Microsoft.Playwright;

namespace Hpo.Tests.Shared;

/// <summary>
/// Headless Chromium for the browser tests (Debian's <c>chromium</c> package driven by Playwright for .NET; Playwright's own
/// browser download is not used). The browser is required: a missing one fails the test with how to install it, in CI and out.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        Playwright = playwright;
        Browser = browser;
    }

    public IPlaywright Playwright { get; }

    public IBrowser Browser { get; }

    /// <summary>Gets the browser's path: HPO_CHROMIUM, else /usr/bin/chromium.</summary>
    public static string Path => Environment.GetEnvironmentVariable("HPO_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public static async Task<Chromium> LaunchAsync()
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"The browser tests need Chromium at {Path} (Debian: apt-get install chromium; or set HPO_CHROMIUM). .ci/run installs it.");
        }

        IPlaywright playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Path,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu"],
        });
        return new Chromium(playwright, browser);
    }

    /// <summary>Opens a page that records console errors and uncaught exceptions.</summary>
    public async Task<(IPage Page, List<string> Errors)> NewPageAsync(IBrowserContext? context = null)
    {
        IPage page = context is null ? await Browser.NewPageAsync() : await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add("console: " + message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add("page error: " + error);
            }
        };
        return (page, errors);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}

/// <summary>One Chromium shared by the tests of a class (launching it is the slow part).</summary>
public sealed class ChromiumFixture : Xunit.IAsyncLifetime
{
    private Chromium? chromium;

    internal Chromium Chromium => chromium ?? throw new InvalidOperationException("The browser is not launched.");

    public async Task InitializeAsync() => chromium = await Chromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        if (chromium is not null)
        {
            await chromium.DisposeAsync();
        }
    }
}
